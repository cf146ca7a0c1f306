import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { sendScimError } from './respond';

export const SCIM_BODY_LIMIT = '1mb';

/**
 * SCIM bodies: `application/scim+json` or `application/json`, at most 1 MB (413 beyond), and
 * malformed JSON is a 400 `invalidSyntax` — every refusal a SCIM error body, never a 500.
 */
export function scimBody(): RequestHandler[] {
  const parse = express.json({ limit: SCIM_BODY_LIMIT, strict: false, type: () => true });
  return [
    (req: Request, res: Response, next: NextFunction) => {
      const type = req.headers['content-type'] ?? '';
      if (!/^application\/(scim\+)?json\b/i.test(type))
        return sendScimError(res, 415, 'Send the body as application/scim+json (or application/json).', 'invalidSyntax');
      next();
    },
    (req: Request, res: Response, next: NextFunction) => {
      parse(req, res, (err?: unknown) => {
        if (!err) return next();
        const e = err as { type?: string };
        if (e.type === 'entity.too.large') return sendScimError(res, 413, `The body is larger than ${SCIM_BODY_LIMIT}.`);
        if (e.type === 'charset.unsupported' || e.type === 'encoding.unsupported')
          return sendScimError(res, 415, 'Send UTF-8 JSON.', 'invalidSyntax');
        return sendScimError(res, 400, 'The body is not valid JSON.', 'invalidSyntax');
      });
    },
  ];
}
