import type { NextFunction, Request, Response } from 'express';
import type { Ctx } from '../../services/context';
import { authenticateScimToken } from '../../services/scim-tokens';
import type { ScimActor } from '../../services/scim-users';
import { sendScimError } from './respond';

const MAX_AUTHORIZATION_LENGTH = 1024;

/** The token's actor that `scimAuth` put on the response; a route without the middleware is a bug. */
export function scimActor(res: Response): ScimActor {
  const actor = (res.locals as { scimActor?: ScimActor }).scimActor;
  if (!actor) throw new Error('SCIM route mounted without scimAuth');
  return actor;
}

/** `Authorization: Bearer uoscim_…` → the token's actor, or 401 with a SCIM error body and a challenge. */
export function scimAuth(ctx: Ctx) {
  return (req: Request, res: Response, next: NextFunction): void => {
    res.setHeader('Cache-Control', 'no-store');
    const header = req.headers.authorization ?? '';
    const bearer = header.length <= MAX_AUTHORIZATION_LENGTH ? /^Bearer +(\S+) *$/i.exec(header) : null;
    if (!bearer) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="userops-scim"');
      return sendScimError(res, 401, 'Send the SCIM token as “Authorization: Bearer uoscim_…”.');
    }
    authenticateScimToken(ctx, bearer[1]).then((auth) => {
      if (!auth.ok) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="userops-scim", error="invalid_token"');
        return sendScimError(res, 401, auth.message);
      }
      res.locals.scimActor = auth.actor;
      next();
    }, next);
  };
}
