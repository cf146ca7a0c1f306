import { randomBytes } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { constantTimeEqual } from '../domain/tokens';
import type { Ctx } from '../services/context';
import { checkResetToken, completeReset } from '../services/passwords';
import { route } from './route';
import { resetDonePage, resetFormPage, resetProblemPage } from './views/reset-page';

const CSRF_COOKIE = 'userops_csrf';
const RESET_PATH = /^\/reset\/[^/]+\/?$/;

/**
 * Everything under /password/ — the form, its answers, an undecodable or unknown link, a wrong
 * method, an unreadable or oversize form, a route that does not exist, a crash — is an HTML page
 * with the page's security headers, never express's or the API's JSON. Full paths (not a mounted
 * prefix) so the route table reads as written (test/http/openapi.test.ts).
 */
export function resetPageRoutes(ctx: Ctx): Router {
  const router = express.Router();
  const form = express.urlencoded({ limit: '8kb', extended: false, parameterLimit: 20 });
  router.get('/password/reset/:token', route(resetForm(ctx)));
  router.post('/password/reset/:token', form, route(resetSubmit(ctx)));
  router.use('/password', resetPageFallback);
  router.use('/password', resetPageErrors(ctx));
  return router;
}

/** Headers for every reset page: no referrer (the URL holds a secret), no caching, no framing, nothing external. */
function setPageHeaders(res: Response): void {
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  );
}

/** The one way a page under /password/ is sent. */
function sendPage(res: Response, status: number, html: string): void {
  setPageHeaders(res);
  res.status(status).type('html').send(html);
}

/** Nothing under /password/ matched: a wrong method on the reset link (405), else no such page (404). */
function resetPageFallback(req: Request, res: Response): void {
  if (RESET_PATH.test(req.path)) {
    res.setHeader('Allow', 'GET, HEAD, POST');
    return sendPage(
      res,
      405,
      resetProblemPage(
        'Not available',
        'This address only opens the reset form from your email and takes its answer. Open the link from the email again.',
      ),
    );
  }
  sendPage(
    res,
    404,
    resetProblemPage('Page not found', 'There is no page at this address. To set a new password, open the link in your reset email.'),
  );
}

/** Errors under /password/ as pages: a link that cannot be decoded, a form that cannot be read, a crash. */
function resetPageErrors(ctx: Ctx) {
  return (err: unknown, _req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(err);
    const e = err as { type?: string; status?: number };
    // The router could not percent-decode the token (it marks that 400): a link cut short or mangled on its way.
    if (err instanceof URIError && e.status === 400) {
      return sendPage(
        res,
        404,
        resetProblemPage(
          'Link not valid',
          'This link is damaged or incomplete. Open it again from the email, or ask your administrator for a new one.',
        ),
      );
    }
    const again = 'Nothing was changed; go back and enter the new password again.';
    if (e.type === 'entity.too.large' || e.type === 'parameters.too.many') {
      return sendPage(res, 413, resetProblemPage('Form too large', `The form was larger than this page accepts. ${again}`));
    }
    if (e.type === 'charset.unsupported' || e.type === 'encoding.unsupported') {
      return sendPage(
        res,
        415,
        resetProblemPage('Form not readable', `The form was sent in an encoding this page does not read. ${again}`),
      );
    }
    const status = e.status ?? 500;
    if (status >= 400 && status < 500) {
      return sendPage(res, 400, resetProblemPage('Form not readable', `The form could not be read. ${again}`));
    }
    const reference = randomBytes(5).toString('hex');
    ctx.logger.error('reset page failed', { correlationId: reference, error: err instanceof Error ? err : String(err) });
    sendPage(
      res,
      500,
      resetProblemPage(
        'Something went wrong',
        `The page could not be shown. Try the link again in a moment; if it keeps failing, tell your administrator (reference ${reference}).`,
      ),
    );
  };
}

function readCookie(req: Request, name: string): string | null {
  const header = req.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k !== name) continue;
    try {
      return decodeURIComponent(v.join('='));
    } catch {
      return null; // a cookie we did not write: the CSRF check fails, as for a missing one
    }
  }
  return null;
}

function setCsrfCookie(ctx: Ctx, res: Response, value: string): void {
  const secure = ctx.config.PUBLIC_URL.startsWith('https:') ? '; Secure' : '';
  res.setHeader('Set-Cookie', `${CSRF_COOKIE}=${value}; Path=/password/reset; HttpOnly; SameSite=Strict; Max-Age=3600${secure}`);
}

function problem(res: Response, code: 'token_invalid' | 'token_expired', message: string): void {
  const status = code === 'token_invalid' ? 404 : 410;
  sendPage(res, status, resetProblemPage(status === 404 ? 'Link not valid' : 'Link no longer valid', message));
}

/** GET /password/reset/:token — the form (or a clear 404/410 page). */
function resetForm(ctx: Ctx) {
  return async (req: Request, res: Response): Promise<void> => {
    const token = String(req.params.token ?? '');
    const state = await checkResetToken(ctx, token);
    if (!state.ok) return problem(res, state.code, state.message);
    // Double-submit CSRF token: a random value in a SameSite=Strict cookie and in the form.
    const csrf = randomBytes(24).toString('base64url');
    setCsrfCookie(ctx, res, csrf);
    sendPage(res, 200, resetFormPage({ username: state.username, csrf, minLength: ctx.config.PASSWORD_MIN_LENGTH }));
  };
}

/** POST /password/reset/:token — set the password; policy errors next to the field, nothing changed. */
function resetSubmit(ctx: Ctx) {
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
      sendPage(res, status, resetFormPage({ username: state.username, csrf, minLength: ctx.config.PASSWORD_MIN_LENGTH, errors }));
    };
    if (!csrfCookie || !csrfField || !constantTimeEqual(csrfCookie, csrfField)) {
      return render(403, { form: 'This form expired or was opened elsewhere. Nothing was changed; please enter the new password again.' });
    }
    if (password.length === 0) return render(422, { password: 'Enter a new password.' });
    if (password !== confirm) return render(422, { confirm: 'The two passwords are not the same.' });
    const result = await completeReset(ctx, { token, password });
    if (result.ok) {
      res.setHeader('Set-Cookie', `${CSRF_COOKIE}=; Path=/password/reset; HttpOnly; SameSite=Strict; Max-Age=0`);
      sendPage(res, 200, resetDonePage(result.username));
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
