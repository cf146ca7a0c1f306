import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { sendError } from './errors';

/**
 * JSON body parsing with our error format: malformed JSON is a 400, an oversize body a 413, a
 * wrong content type a 415 — never express's HTML error page.
 */
export function jsonBody(limit = '16kb'): RequestHandler[] {
  const parse = express.json({ limit, strict: true, type: () => true });
  return [
    (req: Request, res: Response, next: NextFunction) => {
      const type = req.headers['content-type'] ?? '';
      if (!/^application\/(.+\+)?json\b/i.test(type))
        return sendError(res, 415, 'unsupported_media_type', 'Send the body as application/json.');
      next();
    },
    (req: Request, res: Response, next: NextFunction) => {
      parse(req, res, (err?: unknown) => {
        if (!err) return next();
        const e = err as { type?: string; status?: number };
        if (e.type === 'entity.too.large') return sendError(res, 413, 'payload_too_large', `The body is larger than ${limit}.`);
        if (e.type === 'charset.unsupported' || e.type === 'encoding.unsupported')
          return sendError(res, 415, 'unsupported_media_type', 'Send UTF-8 JSON.');
        return sendError(res, 400, 'malformed_json', 'The body is not valid JSON.');
      });
    },
  ];
}
