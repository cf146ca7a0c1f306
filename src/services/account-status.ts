import { Op, type Transaction } from 'sequelize';
import { User, accountState } from '../store/models';
import { BULK_DONE_VERB, BULK_PERMISSION, bulkStateCheck } from '../domain/bulk-actions';
import { fail, ok, type Outcome } from '../domain/outcome';
import { activate as activateState, setEnabled } from '../domain/status';
import { accountRefusal, decide, isFailure, loadAccess, mayView, rolesOfUsers, type Access } from './authz';
import { approvalGate, type ApprovedBy } from './approval-gate';
import { writeAudit, writeBatchAudit } from './audit';
import type { Actor, Ctx } from './context';
import { authorityOrg, loadTarget, notFound } from './target';

/** One line of a per-user result summary. */
export interface PerUserResult {
  ref: string;
  userId?: number;
  username?: string;
  status: 'done' | 'noop' | 'skipped' | 'refused' | 'not_found';
  message: string;
}

export const MAX_REFS_PER_COMMAND = 100;

export function checkRefs(refs: string[]): string | null {
  if (refs.length === 0) return 'Name at least one user (username, email or id).';
  if (refs.length > MAX_REFS_PER_COMMAND) return `Name at most ${MAX_REFS_PER_COMMAND} users at once; use bulk actions for more.`;
  return null;
}

function unique(refs: string[]): string[] {
  const seen = new Set<string>();
  return refs.filter((r) => {
    const k = r.trim().toLowerCase();
    if (k.length === 0 || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Enable or disable one or many users; each user is its own transaction and gets its own result line. */
export async function setUsersEnabled(
  ctx: Ctx,
  actor: Actor,
  input: { refs: string[]; enabled: boolean; approved?: ApprovedBy | null },
): Promise<Outcome<{ results: PerUserResult[] }>> {
  const refs = unique(input.refs);
  const problem = checkRefs(refs);
  if (problem) return fail('invalid_input', problem);
  // An actor who may not act at all gets one answer, not the same refusal once per user.
  const pre = await loadAccess(ctx, actor);
  if (isFailure(pre)) return pre;
  const verb = input.enabled ? 'enabled' : 'disabled';
  const results: PerUserResult[] = [];
  for (const ref of refs) {
    const r = await ctx.db.tx(async (t): Promise<PerUserResult> => {
      const access = await loadAccess(ctx, actor, t);
      if (isFailure(access)) return { ref, status: 'refused', message: access.message };
      const target = await loadTarget(access, ref, 'enable_disable', t);
      if (isFailure(target)) return { ref, status: target.code === 'not_found' ? 'not_found' : 'refused', message: target.message };
      const { user } = target;
      if (!input.enabled && access.userId === user.id) {
        return { ref, userId: user.id, username: user.username, status: 'refused', message: 'You cannot disable your own account.' };
      }
      const next = setEnabled(accountState(user), input.enabled);
      if (!next.ok) return { ref, status: 'refused', message: next.reason };
      const needed = approvalGate(
        ctx,
        actor,
        { kind: 'single', action: input.enabled ? 'enable' : 'disable' },
        [target.roles],
        input.approved,
      );
      if (needed) return { ref, userId: user.id, username: user.username, status: 'refused', message: needed.message };
      if (!next.changed) {
        return { ref, userId: user.id, username: user.username, status: 'noop', message: `${user.username} was already ${verb}.` };
      }
      user.enabled = input.enabled;
      await user.save({ transaction: t });
      await writeAudit(ctx, t, actor, {
        action: input.enabled ? 'enable' : 'disable',
        target: user,
        organizationId: authorityOrg(access, 'enable_disable', target.orgIds),
        details: input.approved ? { approvalId: input.approved.approvalId } : undefined,
      });
      return { ref, userId: user.id, username: user.username, status: 'done', message: `${user.username} ${verb}.` };
    });
    results.push(r);
  }
  return ok({ results });
}

export async function activateUser(
  ctx: Ctx,
  actor: Actor,
  input: { ref: string; approved?: ApprovedBy | null },
): Promise<Outcome<{ result: PerUserResult }>> {
  return ctx.db.tx(async (t) => {
    const access = await loadAccess(ctx, actor, t);
    if (isFailure(access)) return access;
    const target = await loadTarget(access, input.ref, 'activate', t);
    if (isFailure(target)) return target;
    const { user } = target;
    const next = activateState(accountState(user));
    if (!next.ok) {
      return ok({
        result: {
          ref: input.ref,
          userId: user.id,
          username: user.username,
          status: 'noop' as const,
          message: `${user.username} ${next.reason}.`,
        },
      });
    }
    const needed = approvalGate(ctx, actor, { kind: 'single', action: 'activate' }, [target.roles], input.approved);
    if (needed) return needed;
    Object.assign(user, { authStatus: next.state.authStatus, failedLoginCount: 0, lockedAt: null, lockedUntil: null, consecutiveLocks: 0 });
    await user.save({ transaction: t });
    await writeAudit(ctx, t, actor, {
      action: 'activate',
      target: user,
      organizationId: authorityOrg(access, 'activate', target.orgIds),
      details: input.approved ? { approvalId: input.approved.approvalId } : undefined,
    });
    return ok({
      result: { ref: input.ref, userId: user.id, username: user.username, status: 'done' as const, message: `${user.username} unlocked.` },
    });
  });
}

export type StatusAction = 'enable' | 'disable' | 'activate';

/**
 * Enable, disable or unlock a batch of already-locked user rows inside the caller's transaction:
 * every user is checked again (visible, permission in all their organizations, never upward, self,
 * state), the changed ones are written with one statement, and their audit rows in the same
 * transaction, each carrying the reason and the job — a user's state and its audit line commit
 * together or not at all.
 */
export async function statusBatch(
  ctx: Ctx,
  t: Transaction,
  actor: Actor,
  access: Access,
  users: User[],
  opts: { action: StatusAction; reason?: string | null; jobId?: number | null; approvalId?: number | null },
): Promise<PerUserResult[]> {
  const permission = BULK_PERMISSION[opts.action];
  const rolesMap = await rolesOfUsers(
    users.map((u) => u.id),
    t,
  );
  const results: PerUserResult[] = [];
  const chosen: User[] = [];
  for (const u of users) {
    const roles = rolesMap.get(u.id) ?? new Map();
    const base = { ref: u.username, userId: u.id, username: u.username };
    const decision = decide(access, roles, permission);
    const state = bulkStateCheck(opts.action, u, access.userId === u.id);
    if (!mayView(access, [...roles.keys()])) results.push({ ...base, status: 'not_found', message: notFound(u.username).message });
    else if (!decision.allowed) results.push({ ...base, status: 'refused', message: accountRefusal(decision, u.username).message });
    else if (!state.go && state.reason === 'self')
      results.push({ ...base, status: 'refused', message: 'You cannot disable your own account.' });
    else if (!state.go) results.push({ ...base, status: 'noop', message: `${u.username} ${state.why}.` });
    else chosen.push(u);
  }
  if (chosen.length === 0) return results;
  const ids = chosen.map((u) => u.id);
  const now = ctx.now();
  const change =
    opts.action === 'activate'
      ? { authStatus: 'active' as const, failedLoginCount: 0, lockedAt: null, lockedUntil: null, consecutiveLocks: 0, updatedAt: now }
      : { enabled: opts.action === 'enable', updatedAt: now };
  await User.update(change, { where: { id: { [Op.in]: ids } }, transaction: t });
  await writeBatchAudit(ctx, t, actor, chosen, {
    action: opts.action,
    organizationOf: (id) => authorityOrg(access, permission, [...(rolesMap.get(id)?.keys() ?? [])]),
    reason: opts.reason,
    jobId: opts.jobId,
    approvalId: opts.approvalId,
  });
  for (const u of chosen) {
    results.push({
      ref: u.username,
      userId: u.id,
      username: u.username,
      status: 'done',
      message: `${u.username} ${BULK_DONE_VERB[opts.action]}.`,
    });
  }
  return results;
}
