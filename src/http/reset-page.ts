import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { constantTimeEqual } from '../domain/tokens';
import type { Ctx } from '../services/context';
import { checkResetToken, completeReset } from '../services/passwords';
import { resetDonePage, resetFormPage, resetProblemPage } from './views/reset-page';

const CSRF_COOKIE = 'userops_csrf';

/** Headers for every reset page: no referrer (the URL holds a secret), no caching, no framing, nothing external. */
export function resetPageHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  );
  next();
}

function readCookie(req: Request, name: string): string | null {
  const header = req.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return null;
}

function setCsrfCookie(ctx: Ctx, res: Response, value: string): void {
  const secure = ctx.config.PUBLIC_URL.startsWith('https:') ? '; Secure' : '';
  res.setHeader('Set-Cookie', `${CSRF_COOKIE}=${value}; Path=/password/reset; HttpOnly; SameSite=Strict; Max-Age=3600${secure}`);
}

function problem(res: Response, code: 'token_invalid' | 'token_expired', message: string): void {
  const status = code === 'token_invalid' ? 404 : 410;
  res
    .status(status)
    .type('html')
    .send(resetProblemPage(status === 404 ? 'Link not valid' : 'Link no longer valid', message));
}

/** GET /password/reset/:token — the form (or a clear 404/410 page). */
export function resetForm(ctx: Ctx) {
  return async (req: Request, res: Response): Promise<void> => {
    const token = String(req.params.token ?? '');
    const state = await checkResetToken(ctx, token);
    if (!state.ok) return problem(res, state.code, state.message);
    // Double-submit CSRF token: a random value in a SameSite=Strict cookie and in the form.
    const csrf = randomBytes(24).toString('base64url');
    setCsrfCookie(ctx, res, csrf);
    res
      .status(200)
      .type('html')
      .send(resetFormPage({ username: state.username, csrf, minLength: ctx.config.PASSWORD_MIN_LENGTH }));
  };
}

/** POST /password/reset/:token — set the password; policy errors next to the field, nothing changed. */
export function resetSubmit(ctx: Ctx) {
  return async (req: Request, res: Response): Promise<void> => {
    const token = String(req.params.token ?? '');
    const state = await checkResetToken(ctx, token);
    if (!state.ok) return problem(res, state.code, state.message);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const password = typeof body.password === 'string' ? body.password : '';
    const confirm = typeof body.confirm === 'string' ? body.confirm : '';
    const csrfField = typeof body.csrf === 'string' ? body.csrf : '';
    const csrfCookie = readCookie(req, CSRF_COOKIE);
    const render = (status: number, errors: { password?: string; confirm?: string; form?: string }) => {
      const csrf = randomBytes(24).toString('base64url');
      setCsrfCookie(ctx, res, csrf);
      res
        .status(status)
        .type('html')
        .send(resetFormPage({ username: state.username, csrf, minLength: ctx.config.PASSWORD_MIN_LENGTH, errors }));
    };
    if (!csrfCookie || !csrfField || !constantTimeEqual(csrfCookie, csrfField)) {
      return render(403, { form: 'This form expired or was opened elsewhere. Nothing was changed; please enter the new password again.' });
    }
    if (password.length === 0) return render(422, { password: 'Enter a new password.' });
    if (password !== confirm) return render(422, { confirm: 'The two passwords are not the same.' });
    const result = await completeReset(ctx, { token, password });
    if (result.ok) {
      res.setHeader('Set-Cookie', `${CSRF_COOKIE}=; Path=/password/reset; HttpOnly; SameSite=Strict; Max-Age=0`);
      res.status(200).type('html').send(resetDonePage(result.username));
      return;
    }
    if (result.code === 'password_policy') return render(422, { password: result.message });
    if (result.code === 'token_invalid' || result.code === 'token_expired') return problem(res, result.code, result.message);
    if (result.code === 'unavailable') {
      // The hashing pool is full: nothing changed and the link still works; the form asks again.
      res.setHeader('Retry-After', '1');
      return render(503, { form: result.message });
    }
    render(400, { form: result.message });
  };
}
