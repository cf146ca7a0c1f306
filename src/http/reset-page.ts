import { randomBytes } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Ctx } from '../services/context';
import { checkResetToken, completeReset } from '../services/passwords';
import { forgotForm, forgotSubmit, FORGOT_PATH } from './forgot-page';
import { inviteForm, inviteSubmit } from './invite-page';
import { clearCsrf, csrfMatches, issueCsrf, sendPage } from './page';
import { route } from './route';
import { resetDonePage, resetFormPage, resetProblemPage } from './views/reset-page';

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
  router.get('/password/forgot', route(forgotForm(ctx)));
  router.post('/password/forgot', form, route(forgotSubmit(ctx)));
  router.get('/password/reset/:token', route(resetForm(ctx)));
  router.post('/password/reset/:token', form, route(resetSubmit(ctx)));
  router.use('/password', resetPageFallback);
  router.use('/password', resetPageErrors(ctx));
  return router;
}

/** Nothing under /password/ matched: a wrong method on a page (405), else no such page (404). */
function resetPageFallback(req: Request, res: Response): void {
  if (RESET_PATH.test(req.path) || FORGOT_PATH.test(req.path)) {
    res.setHeader('Allow', 'GET, HEAD, POST');
    const message = FORGOT_PATH.test(req.path)
      ? 'This address only shows the form to ask for a link and takes its answer. Open it again to ask for a link.'
      : 'This address only opens the reset form from your email and takes its answer. Open the link from the email again.';
    return sendPage(res, 405, resetProblemPage('Not available', message));
  }
  sendPage(
    res,
    404,
    resetProblemPage('Page not found', 'There is no page at this address. To set a new password, open the link in your reset email.'),
  );
}

/** Errors under /password/ as pages: a link that cannot be decoded, a form that cannot be read, a crash. */
function resetPageErrors(ctx: Ctx) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
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
    const again = FORGOT_PATH.test(req.path)
      ? 'Nothing was sent; go back and ask again.'
      : 'Nothing was changed; go back and enter the new password again.';
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

function problem(res: Response, code: 'token_invalid' | 'token_expired', message: string): void {
  const status = code === 'token_invalid' ? 404 : 410;
  sendPage(res, status, resetProblemPage(status === 404 ? 'Link not valid' : 'Link no longer valid', message));
}

/** GET /password/reset/:token — the form (or a clear 404/410 page). */
function resetForm(ctx: Ctx) {
  return async (req: Request, res: Response): Promise<void> => {
    const token = String(req.params.token ?? '');
    if (await inviteForm(ctx, res, token)) return;
    const state = await checkResetToken(ctx, token);
    if (!state.ok) return problem(res, state.code, state.message);
    // Double-submit CSRF token: a random value in a SameSite=Strict cookie and in the form.
    const csrf = issueCsrf(ctx, res, '/password/reset');
    sendPage(res, 200, resetFormPage({ username: state.username, csrf, minLength: ctx.config.PASSWORD_MIN_LENGTH }));
  };
}

/** POST /password/reset/:token — set the password; policy errors next to the field, nothing changed. */
function resetSubmit(ctx: Ctx) {
  return async (req: Request, res: Response): Promise<void> => {
    const token = String(req.params.token ?? '');
    if (await inviteSubmit(ctx, req, res, token)) return;
    const state = await checkResetToken(ctx, token);
    if (!state.ok) return problem(res, state.code, state.message);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const password = typeof body.password === 'string' ? body.password : '';
    const confirm = typeof body.confirm === 'string' ? body.confirm : '';
    const render = (status: number, errors: { password?: string; confirm?: string; form?: string }) => {
      const csrf = issueCsrf(ctx, res, '/password/reset');
      sendPage(res, status, resetFormPage({ username: state.username, csrf, minLength: ctx.config.PASSWORD_MIN_LENGTH, errors }));
    };
    if (!csrfMatches(req, body)) {
      return render(403, { form: 'This form expired or was opened elsewhere. Nothing was changed; please enter the new password again.' });
    }
    if (password.length === 0) return render(422, { password: 'Enter a new password.' });
    if (password !== confirm) return render(422, { confirm: 'The two passwords are not the same.' });
    const result = await completeReset(ctx, { token, password });
    if (result.ok) {
      clearCsrf(res, '/password/reset');
      sendPage(res, 200, resetDonePage(result.username, result.stillLocked));
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
