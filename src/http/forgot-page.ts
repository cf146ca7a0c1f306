import type { Request, Response } from 'express';
import { RateLimiter } from '../lib/rate-limit';
import type { Ctx } from '../services/context';
import { FORGOT_ANSWER, FORGOT_WINDOW_MS, requestPasswordLink } from '../services/self-service';
import { clientAddress } from './client-address';
import { csrfMatches, issueCsrf, sendPage } from './page';
import { hasNoNul } from './text';
import { forgotFormPage, forgotSentPage } from './views/reset-page';

export const FORGOT_PATH = /^\/forgot\/?$/;
const COOKIE_PATH = '/password/forgot';

/** GET /password/forgot — the form, with a fresh CSRF cookie. */
export function forgotForm(ctx: Ctx) {
  return async (_req: Request, res: Response): Promise<void> => {
    sendPage(res, 200, forgotFormPage({ csrf: issueCsrf(ctx, res, COOKIE_PATH) }));
  };
}

/**
 * POST /password/forgot — one answer page for every account state (see requestPasswordLink). Only
 * what the person typed can make a different page (an empty field, a failed CSRF check), and that
 * says nothing about any account. FORGOT_MAX_PER_IP is counted here, in memory per instance, like
 * the login throttle; the per-account limit is counted in the database by the service.
 */
export function forgotSubmit(ctx: Ctx) {
  const perIp = new RateLimiter(ctx.config.FORGOT_MAX_PER_IP, FORGOT_WINDOW_MS, () => ctx.now().getTime());
  return async (req: Request, res: Response): Promise<void> => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const login = typeof body.login === 'string' ? body.login.trim() : '';
    const again = (status: number, errors: { login?: string; form?: string }) =>
      sendPage(res, status, forgotFormPage({ csrf: issueCsrf(ctx, res, COOKIE_PATH), login, errors }));
    if (!csrfMatches(req, body)) {
      return again(403, { form: 'This form expired or was opened elsewhere. Nothing was sent; please ask again.' });
    }
    if (login.length === 0) return again(422, { login: 'Enter your username or email address.' });
    if (login.length > 254 || !hasNoNul(login))
      return again(422, { login: 'Enter a username or email address of at most 254 characters.' });
    const ip = clientAddress(req);
    await requestPasswordLink(ctx, { login, ip, ipThrottled: perIp.hit(ip) !== null });
    sendPage(res, 200, forgotSentPage(FORGOT_ANSWER));
  };
}
