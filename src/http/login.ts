import type { Request, Response } from 'express';
import { z } from 'zod';
import { RateLimiter } from '../lib/rate-limit';
import type { Ctx } from '../services/context';
import { GENERIC_LOGIN_FAILURE, login } from '../services/login';
import { clientAddress } from './client-address';
import { describeIssues, sendError } from './errors';
import { hasNoNul, NO_NUL } from './text';

const LoginBody = z.object({
  login: z.string().trim().min(1, 'is required').max(254, 'is longer than 254 characters').refine(hasNoNul, NO_NUL),
  // Not the password policy (that applies when a password is set); a bound so nobody can make us bcrypt 100 kB.
  password: z.string().min(1, 'is required').max(1024, 'is longer than 1024 characters'),
});

/**
 * POST /api/v1/auth/login: 200, or one 401 for every refusal (unknown user, wrong password, an
 * account that cannot log in — byte for byte the same answer), 429 when throttled (per client
 * address and per account, before any password work) and 503 when the hashing pool is full; both
 * with Retry-After.
 */
export function loginRoute(ctx: Ctx) {
  const windowMs = ctx.config.LOGIN_WINDOW_SECONDS * 1000;
  const perIp = new RateLimiter(ctx.config.LOGIN_MAX_PER_IP, windowMs);
  const perAccount = new RateLimiter(ctx.config.LOGIN_MAX_PER_ACCOUNT, windowMs);
  return async (req: Request, res: Response): Promise<void> => {
    const parsed = LoginBody.safeParse(req.body);
    if (!parsed.success) return sendError(res, 400, 'invalid_input', describeIssues(parsed.error.issues));
    const ip = clientAddress(req);
    const account = parsed.data.login.toLowerCase();
    const wait = perIp.hit(`ip:${ip}`) ?? perAccount.hit(`acct:${account}`);
    if (wait !== null) {
      res.setHeader('Retry-After', String(wait));
      return sendError(res, 429, 'rate_limited', `Too many login attempts; try again in ${wait} seconds.`, { retryAfterSeconds: wait });
    }
    const result = await login(ctx, { login: parsed.data.login, password: parsed.data.password, ip });
    res.setHeader('Cache-Control', 'no-store');
    if (result.ok) {
      res.status(200).json({ user: result.user });
      return;
    }
    if (result.code === 'unavailable') {
      // Nothing was checked or counted: the client may simply try again in a second.
      res.setHeader('Retry-After', '1');
      return sendError(res, 503, 'busy', result.message);
    }
    return sendError(res, 401, 'invalid_credentials', GENERIC_LOGIN_FAILURE);
  };
}
