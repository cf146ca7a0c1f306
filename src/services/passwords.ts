import { Op, type Transaction } from 'sequelize';
import type { ApprovalKind } from '../domain/approvals';
import { fail, ok, type Outcome } from '../domain/outcome';
import { passwordProblem } from '../domain/password-policy';
import { afterPasswordSet, afterSelfServiceReset, requireReset } from '../domain/status';
import { RESET_TOKEN_PATTERN, constantTimeEqual, randomToken, sha256Hex } from '../domain/tokens';
import { BY_ADMIN, enqueueNotices } from '../mail/notices';
import { enqueueMail, type NewMail } from '../mail/outbox';
import { resetLinkMail } from '../mail/templates';
import { ResetToken, User, accountState, type ResetPurpose } from '../store/models';
import { insertPlainRows } from '../store/plain-rows';
import { accountRefusal, decide, isFailure, loadAccess, mayView, orgsOfUsers, rolesOfUsers, type Access } from './authz';
import { writeAudit, writeBatchAudit } from './audit';
import type { Actor, Ctx } from './context';
import { checkRefs, type PerUserResult } from './account-status';
import { approvalGate, approvalNeeded, approvalRequired, type ApprovedBy } from './approval-gate';
import { hashPassword } from './password-hashing';
import { authorityOrg, loadTarget, notFound } from './target';
import { findUserByRef } from './user-refs';
import { displayName } from './user-shapes';

export function resetLink(ctx: Ctx, token: string): string {
  return `${ctx.config.PUBLIC_URL}/password/reset/${token}`;
}

/**
 * Revoke every outstanding reset link of `userIds`: a password set by an admin, by import or by a
 * new reset makes earlier links useless, so a leaked old email cannot be used afterwards.
 */
export async function revokeResetTokens(userIds: number[], now: Date, t: Transaction): Promise<void> {
  if (userIds.length === 0) return;
  // An invitation's link is not a password link: it stays (an existing account's owner may still accept).
  await ResetToken.update(
    { revokedAt: now },
    { where: { userId: { [Op.in]: userIds }, usedAt: null, revokedAt: null, purpose: { [Op.ne]: 'invite' } }, transaction: t },
  );
}

export interface ResetOptions {
  reason?: string | null;
  /** Bulk: the actor is skipped rather than reset ("never reset yourself by accident"). */
  skipSelf: boolean;
  jobId?: number | null;
  /** The approval request the reset runs under (issue 19). */
  approvalId?: number | null;
  /** Bulk resets need `bulk_reset` on top of seeing the user. */
  permission?: 'reset_password' | 'bulk_reset';
  /**
   * The owner's Slack DM besides the reset mail (DM only: the mail already tells them, so no second
   * email): 'admin_reset' (default) or 'password_expired' (the expiry job).
   */
  notice?: 'admin_reset' | 'password_expired';
}

/**
 * Reset a batch of already-loaded users inside one transaction: checks permission and state per
 * user, revokes earlier tokens, creates one token each, sets `password_reset`, and writes the audit
 * rows and the reset mails in the same transaction — a user is either fully reset or untouched.
 * Set-based writes keep a 500-user batch to a handful of statements.
 */
export async function resetBatch(
  ctx: Ctx,
  t: Transaction,
  actor: Actor,
  access: Access,
  users: User[],
  opts: ResetOptions,
): Promise<PerUserResult[]> {
  const rolesMap = await rolesOfUsers(
    users.map((u) => u.id),
    t,
  );
  const orgMap = new Map([...rolesMap].map(([id, roles]) => [id, [...roles.keys()]]));
  const results: PerUserResult[] = [];
  const chosen: User[] = [];
  for (const u of users) {
    const orgs = orgMap.get(u.id) ?? [];
    const base = { ref: u.username, userId: u.id, username: u.username };
    const decision = decide(access, rolesMap.get(u.id) ?? new Map(), opts.permission ?? 'reset_password');
    if (!mayView(access, orgs)) results.push({ ...base, status: 'not_found', message: notFound(u.username).message });
    else if (!decision.allowed) results.push({ ...base, status: 'refused', message: accountRefusal(decision, u.username).message });
    else if (opts.skipSelf && access.userId === u.id) results.push({ ...base, status: 'skipped', message: 'Skipped yourself.' });
    else if (!requireReset(accountState(u)).ok)
      results.push({ ...base, status: 'skipped', message: `${u.username} is disabled; skipped.` });
    else chosen.push(u);
  }
  if (chosen.length === 0) return results;

  const now = ctx.now();
  const ids = chosen.map((u) => u.id);
  await revokeResetTokens(ids, now, t);
  const expiresAt = new Date(now.getTime() + ctx.config.RESET_TOKEN_TTL_HOURS * 3600_000);
  const tokens = chosen.map(() => randomToken());
  await insertPlainRows(
    ResetToken,
    chosen.map((u, i) => ({ userId: u.id, tokenHash: sha256Hex(tokens[i]), expiresAt, createdAt: now })),
    t,
  );
  await User.update(
    { authStatus: 'password_reset', failedLoginCount: 0, lockedAt: null, lockedUntil: null, updatedAt: now },
    { where: { id: { [Op.in]: ids } }, transaction: t },
  );
  await writeBatchAudit(ctx, t, actor, chosen, {
    action: 'reset_password',
    organizationOf: (id) => authorityOrg(access, 'reset_password', orgMap.get(id) ?? []),
    reason: opts.reason,
    jobId: opts.jobId,
    approvalId: opts.approvalId,
  });
  const mails: NewMail[] = chosen.map((u, i) => ({
    kind: 'reset_link',
    to: u.email,
    userId: u.id,
    jobId: opts.jobId ?? null,
    notifySlackUser: actor.kind === 'user' ? (actor.slackUserId ?? null) : null,
    mail: resetLinkMail({
      name: displayName(u),
      link: resetLink(ctx, tokens[i]),
      expiresHours: ctx.config.RESET_TOKEN_TTL_HOURS,
      reason: opts.reason,
    }),
  }));
  await enqueueMail(ctx, t, mails);
  const at = now.toISOString();
  await enqueueNotices(
    ctx,
    t,
    chosen.map((u) =>
      opts.notice === 'password_expired'
        ? { kind: 'password_expired' as const, user: u, facts: { at }, emailFallback: false }
        : { kind: 'admin_reset' as const, user: u, facts: { at, by: BY_ADMIN }, emailFallback: false },
    ),
  );
  for (const u of chosen) {
    results.push({
      ref: u.username,
      userId: u.id,
      username: u.username,
      status: 'done',
      message: `${u.username}: reset link sent to ${u.email}.`,
    });
  }
  return results;
}

/** Reset one or many named users (the command, a card button, a list row). */
export async function resetPasswords(
  ctx: Ctx,
  actor: Actor,
  input: { refs: string[]; reason?: string | null; approved?: ApprovedBy | null },
): Promise<Outcome<{ results: PerUserResult[] }>> {
  const refs = [...new Set(input.refs.map((r) => r.trim()).filter((r) => r.length > 0))];
  const problem = checkRefs(refs);
  if (problem) return fail('invalid_input', problem);
  const reason = input.reason?.trim() || null;
  if (reason && reason.length > 500) return fail('invalid_input', 'Keep the reason under 500 characters.');
  return ctx.db.tx(async (t) => {
    const access = await loadAccess(ctx, actor, t);
    if (isFailure(access)) return access;
    const missing: PerUserResult[] = [];
    const users: User[] = [];
    for (const ref of refs) {
      // Someone outside the actor's organizations is answered as somebody who does not exist, by the name typed.
      const u = await findUserByRef(ref, t, true);
      const visible = u !== null && mayView(access, (await orgsOfUsers([u.id], t)).get(u.id) ?? []);
      if (!u || !visible) missing.push({ ref, status: 'not_found', message: notFound(ref).message });
      else if (!users.some((x) => x.id === u.id)) users.push(u);
    }
    const roles = await rolesOfUsers(
      users.map((u) => u.id),
      t,
    );
    const needed = approvalGate(ctx, actor, { kind: 'single', action: 'reset_password' }, roles.values(), input.approved);
    if (needed) return needed;
    const results = await resetBatch(ctx, t, actor, access, users, {
      reason,
      skipSelf: refs.length > 1,
      approvalId: input.approved?.approvalId,
    });
    return ok({ results: [...results, ...missing] });
  });
}

/** Whose password the actor may change (the form is offered only then; the refusal says why not). */
export async function changePasswordTarget(
  ctx: Ctx,
  actor: Actor,
  input: { ref: string },
): Promise<Outcome<{ user: User; needsApproval: ApprovalKind | null }>> {
  const access = await loadAccess(ctx, actor);
  if (isFailure(access)) return access;
  const target = await loadTarget(access, input.ref, 'change_password');
  if (isFailure(target)) return target;
  return ok({ user: target.user, needsApproval: approvalNeeded(ctx, { kind: 'single', action: 'change_password' }, [target.roles]) });
}

/**
 * The checks of a password change that need no hashing: permission on the target and the policy.
 * Modals call it before acknowledging, so a weak password is shown under the field.
 */
export async function precheckChangePassword(
  ctx: Ctx,
  actor: Actor,
  input: { ref: string; password: string },
): Promise<Outcome<{ userId: number; username: string; email: string; needsApproval: ApprovalKind | null }>> {
  const target = await changePasswordTarget(ctx, actor, input);
  if (!target.ok) return target;
  const u = target.user;
  const problem = passwordProblem(input.password, {
    username: u.username,
    email: u.email,
    firstName: u.firstName,
    lastName: u.lastName,
    minLength: ctx.config.PASSWORD_MIN_LENGTH,
  });
  if (problem) return fail('password_policy', problem, { password: problem });
  return ok({ userId: u.id, username: u.username, email: u.email, needsApproval: target.needsApproval });
}

/** Admin sets a password. The owner is told that it changed (a DM or an email), never what it is. */
export async function changePassword(
  ctx: Ctx,
  actor: Actor,
  input: { ref: string; password: string },
): Promise<Outcome<{ username: string }>> {
  // Check permission and policy before the slow hash, then again inside the transaction.
  const pre = await precheckChangePassword(ctx, actor, input);
  if (!pre.ok) return pre;
  if (pre.needsApproval) return approvalRequired(pre.needsApproval, 'submit the form again to request it');
  const hashed = await hashPassword(ctx, input.password);
  if (!hashed.ok) return hashed;
  return setPasswordHash(ctx, actor, { ref: input.ref, hash: hashed.hash });
}

/** A password checked and hashed before (at request time, when it waited for an approval): the hash only is kept. */
export async function hashForApproval(
  ctx: Ctx,
  actor: Actor,
  input: { ref: string; password: string },
): Promise<Outcome<{ hash: string; userId: number }>> {
  const pre = await precheckChangePassword(ctx, actor, input);
  if (!pre.ok) return pre;
  const hashed = await hashPassword(ctx, input.password);
  return hashed.ok ? ok({ hash: hashed.hash, userId: pre.userId }) : hashed;
}

/** Set an already-hashed password, checking the actor (and the need for approval) again inside the transaction. */
export async function setPasswordHash(
  ctx: Ctx,
  actor: Actor,
  input: { ref: string; hash: string; approved?: ApprovedBy | null },
): Promise<Outcome<{ username: string }>> {
  const { hash } = input;
  return ctx.db.tx(async (t) => {
    const access = await loadAccess(ctx, actor, t);
    if (isFailure(access)) return access;
    const target = await loadTarget(access, input.ref, 'change_password', t);
    if (isFailure(target)) return target;
    const needed = approvalGate(ctx, actor, { kind: 'single', action: 'change_password' }, [target.roles], input.approved);
    if (needed) return needed;
    const { user } = target;
    const now = ctx.now();
    const next = afterPasswordSet(accountState(user), 'admin');
    Object.assign(user, { passwordHash: hash, passwordChangedAt: now, authStatus: next.authStatus });
    await user.save({ transaction: t });
    await revokeResetTokens([user.id], now, t);
    await writeAudit(ctx, t, actor, {
      action: 'change_password',
      target: user,
      organizationId: authorityOrg(access, 'change_password', target.orgIds),
      details: input.approved ? { approvalId: input.approved.approvalId } : undefined,
    });
    await enqueueNotices(ctx, t, [
      {
        kind: 'admin_password_change',
        user,
        facts: { at: now.toISOString(), by: BY_ADMIN },
        notifySlackUser: actor.kind === 'user' ? (actor.slackUserId ?? null) : null,
      },
    ]);
    return ok({ username: user.username });
  });
}

export type TokenState =
  | { ok: true; userId: number; username: string; tokenId: number; purpose: ResetPurpose }
  | { ok: false; code: 'token_invalid' | 'token_expired'; message: string };

/** Look up a reset token: unknown (404), used/revoked/expired (410), or good. */
export async function checkResetToken(ctx: Ctx, token: string, t?: Transaction): Promise<TokenState> {
  const unknown = {
    ok: false as const,
    code: 'token_invalid' as const,
    message: 'This reset link is not valid. Ask your administrator for a new one.',
  };
  if (!RESET_TOKEN_PATTERN.test(token)) return unknown;
  const hash = sha256Hex(token);
  // Invitation links (purpose `invite`) are accepted through services/invitations, never as a reset.
  const row = await ResetToken.findOne({
    where: { tokenHash: hash, purpose: { [Op.ne]: 'invite' } },
    transaction: t,
    lock: t ? t.LOCK.UPDATE : undefined,
  });
  if (!row || !constantTimeEqual(row.tokenHash, hash)) return unknown;
  const gone = (message: string) => ({ ok: false as const, code: 'token_expired' as const, message });
  if (row.usedAt) return gone('This reset link has already been used. If you did not use it, ask your administrator for a new one.');
  if (row.revokedAt) return gone('This reset link was replaced by a newer one. Use the latest email, or ask for a new link.');
  if (row.expiresAt.getTime() <= ctx.now().getTime()) return gone('This reset link has expired. Ask your administrator for a new one.');
  const user = await User.findByPk(row.userId, { transaction: t });
  if (!user) return unknown;
  if (!user.enabled) return gone('This account is disabled, so its password cannot be reset. Contact your administrator.');
  return { ok: true, userId: user.id, username: user.username, tokenId: row.id, purpose: row.purpose };
}

/**
 * The end of a reset: the token's owner sets a new password on the reset page. `stillLocked`: a
 * self-service link on a locked account with SELF_SERVICE_UNLOCK=false set the password, but an
 * administrator must still unlock the account.
 */
export async function completeReset(
  ctx: Ctx,
  input: { token: string; password: string },
): Promise<Outcome<{ username: string; stillLocked: boolean }>> {
  const pre = await checkResetToken(ctx, input.token);
  if (!pre.ok) return fail(pre.code, pre.message);
  const user0 = await User.findByPk(pre.userId);
  if (!user0) return fail('token_invalid', 'This reset link is not valid.');
  const problem = passwordProblem(input.password, { ...user0.get(), minLength: ctx.config.PASSWORD_MIN_LENGTH });
  if (problem) return fail('password_policy', problem, { password: problem });
  const hashed = await hashPassword(ctx, input.password);
  if (!hashed.ok) return hashed;
  const { hash } = hashed;
  return ctx.db.tx(async (t) => {
    // Re-check inside the transaction: two tabs submitting at once must not both succeed.
    const state = await checkResetToken(ctx, input.token, t);
    if (!state.ok) return fail(state.code, state.message);
    const user = await User.findByPk(state.userId, { transaction: t, lock: t.LOCK.UPDATE });
    if (!user) return fail('token_invalid', 'This reset link is not valid.');
    const now = ctx.now();
    const selfService = state.purpose === 'self_service';
    const next = selfService
      ? afterSelfServiceReset(accountState(user), ctx.config.SELF_SERVICE_UNLOCK)
      : afterPasswordSet(accountState(user), 'reset_link');
    Object.assign(user, {
      passwordHash: hash,
      passwordChangedAt: now,
      authStatus: next.authStatus,
      failedLoginCount: next.failedLoginCount,
      lockedAt: next.lockedAt,
      // A lock the link leaves in place (SELF_SERVICE_UNLOCK=false) keeps its end; any other ends here.
      lockedUntil: next.authStatus === 'locked' ? user.lockedUntil : null,
    });
    await user.save({ transaction: t });
    await ResetToken.update({ usedAt: now }, { where: { id: state.tokenId }, transaction: t });
    await revokeResetTokens([user.id], now, t);
    const self: Actor = { kind: 'system', label: `${user.username} (reset link)` };
    // Recorded under the user's organization, so its administrators see it in the audit log.
    const orgId = (await orgsOfUsers([user.id], t)).get(user.id)?.[0] ?? null;
    await writeAudit(ctx, t, self, {
      action: selfService ? 'forgot_password_completed' : 'complete_reset',
      target: user,
      organizationId: orgId,
      details: selfService ? { authStatus: next.authStatus } : undefined,
    });
    await enqueueNotices(ctx, t, [{ kind: 'password_reset_completed', user, facts: { at: now.toISOString(), selfService } }]);
    return ok({ username: user.username, stillLocked: next.authStatus === 'locked' });
  });
}
