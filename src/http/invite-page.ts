import type { Request, Response } from 'express';
import type { Ctx } from '../services/context';
import { acceptInvitation, checkInvitation, type InvitationState } from '../services/invitations';
import { clearCsrf, csrfMatches, issueCsrf, sendPage } from './page';
import { inviteDonePage, inviteFormPage } from './views/invite-page';
import { resetProblemPage } from './views/reset-page';

/**
 * Invitation links share the reset page's address (`/password/reset/TOKEN`) and its headers, CSRF
 * and error pages; the token's purpose decides which form shows. `handled` false: the token is not
 * an invitation's, and the reset page carries on.
 */
type Known = { ok: true; state: InvitationState } | { ok: false; code: 'token_invalid' | 'token_expired'; message: string };

async function lookUp(ctx: Ctx, token: string): Promise<Known | null> {
  const r = await checkInvitation(ctx, token);
  if (r.ok) return { ok: true, state: r };
  // An unknown token may be a reset link: the reset page decides.
  if (r.code === 'token_invalid') return null;
  return { ok: false, code: 'token_expired', message: r.message };
}

function gone(res: Response, message: string): void {
  sendPage(res, 410, resetProblemPage('Link no longer valid', message));
}

export async function inviteForm(ctx: Ctx, res: Response, token: string): Promise<boolean> {
  const known = await lookUp(ctx, token);
  if (!known) return false;
  if (!known.ok) {
    gone(res, known.message);
    return true;
  }
  const csrf = issueCsrf(ctx, res, '/password/reset');
  const s = known.state;
  sendPage(
    res,
    200,
    inviteFormPage({
      username: s.username,
      organizations: s.organizations,
      newAccount: s.newAccount,
      csrf,
      minLength: ctx.config.PASSWORD_MIN_LENGTH,
    }),
  );
  return true;
}

export async function inviteSubmit(ctx: Ctx, req: Request, res: Response, token: string): Promise<boolean> {
  const known = await lookUp(ctx, token);
  if (!known) return false;
  if (!known.ok) {
    gone(res, known.message);
    return true;
  }
  const s = known.state;
  const body = (req.body ?? {}) as Record<string, unknown>;
  const password = typeof body.password === 'string' ? body.password : '';
  const confirm = typeof body.confirm === 'string' ? body.confirm : '';
  const render = (status: number, errors: { password?: string; confirm?: string; form?: string }) => {
    const csrf = issueCsrf(ctx, res, '/password/reset');
    sendPage(
      res,
      status,
      inviteFormPage({
        username: s.username,
        organizations: s.organizations,
        newAccount: s.newAccount,
        csrf,
        minLength: ctx.config.PASSWORD_MIN_LENGTH,
        errors,
      }),
    );
  };
  if (!csrfMatches(req, body))
    return (render(403, { form: 'This form expired or was opened elsewhere. Nothing was changed; please try again.' }), true);
  if (s.newAccount) {
    if (password.length === 0) return (render(422, { password: 'Choose a password.' }), true);
    if (password !== confirm) return (render(422, { confirm: 'The two passwords are not the same.' }), true);
  }
  const result = await acceptInvitation(ctx, { token, password: s.newAccount ? password : undefined });
  if (result.ok) {
    clearCsrf(res, '/password/reset');
    sendPage(res, 200, inviteDonePage(result.username, result.organizations));
    return true;
  }
  if (result.code === 'password_policy') render(422, { password: result.message });
  else if (result.code === 'token_invalid' || result.code === 'token_expired') gone(res, result.message);
  else if (result.code === 'unavailable') {
    res.setHeader('Retry-After', '1');
    render(503, { form: result.message });
  } else render(400, { form: result.message });
  return true;
}
