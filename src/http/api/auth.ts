import type { NextFunction, Request, Response } from 'express';
import { RateLimiter } from '../../lib/rate-limit';
import { authenticateApiKey, type ApiKeyIdentity, type ApiKeyRefusal } from '../../services/api-keys';
import type { Ctx } from '../../services/context';
import { sendError } from '../errors';

/** Longer than any key by far; a longer Authorization header is refused before it is looked at. */
export const MAX_AUTHORIZATION_LENGTH = 1024;

const CODE_FOR: Record<ApiKeyRefusal, string> = {
  malformed: 'malformed_api_key',
  bad_checksum: 'malformed_api_key',
  unknown: 'invalid_api_key',
  user_cannot_log_in: 'api_key_user_inactive',
  not_member: 'api_key_not_member',
};

function unauthorized(res: Response, code: string, message: string, challenge: string): void {
  res.setHeader('WWW-Authenticate', challenge);
  sendError(res, 401, code, message);
}

/** The identity `apiKeyAuth` put on the response; a route without the middleware is a bug. */
export function apiIdentity(res: Response): ApiKeyIdentity {
  const identity = (res.locals as { apiIdentity?: ApiKeyIdentity }).apiIdentity;
  if (!identity) throw new Error('API route mounted without apiKeyAuth');
  return identity;
}

/**
 * `Authorization: Bearer uok_…` → the key's actor, or 401 with a `WWW-Authenticate` challenge
 * (RFC 6750). Then a per-key limit of API_RATE_LIMIT_PER_MINUTE requests per minute (fixed window,
 * per instance), 429 with Retry-After beyond it. Every API answer is `no-store`.
 */
export function apiKeyAuth(ctx: Ctx) {
  const limiter = new RateLimiter(ctx.config.API_RATE_LIMIT_PER_MINUTE, 60_000, () => ctx.now().getTime());
  return (req: Request, res: Response, next: NextFunction): void => {
    res.setHeader('Cache-Control', 'no-store');
    const header = req.headers.authorization;
    if (header !== undefined && header.length > MAX_AUTHORIZATION_LENGTH) {
      return sendError(res, 431, 'header_too_large', `The Authorization header is longer than ${MAX_AUTHORIZATION_LENGTH} characters.`);
    }
    const bearer = /^Bearer +(\S+) *$/i.exec(header ?? '');
    if (!bearer) {
      return unauthorized(res, 'missing_api_key', 'Send an API key as “Authorization: Bearer uok_…”.', 'Bearer realm="userops"');
    }
    authenticateApiKey(ctx, bearer[1]).then((auth) => {
      if (!auth.ok) return unauthorized(res, CODE_FOR[auth.reason], auth.message, 'Bearer realm="userops", error="invalid_token"');
      const wait = limiter.hit(`key:${auth.keyId}`);
      if (wait !== null) {
        res.setHeader('Retry-After', String(wait));
        return sendError(res, 429, 'rate_limited', `Too many requests with this API key; try again in ${wait} seconds.`, {
          retryAfterSeconds: wait,
        });
      }
      res.locals.apiIdentity = { actor: auth.actor, keyId: auth.keyId } satisfies ApiKeyIdentity;
      next();
    }, next);
  };
}
