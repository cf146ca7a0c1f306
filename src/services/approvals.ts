import { ACTION_PERMISSION } from '../domain/actions';
import { fail, ok, type Failure, type Outcome } from '../domain/outcome';
import { PERMISSION_LABELS, type Permission } from '../domain/permissions';
import { duePending, openRequests, settlePending } from '../store/approval-queries';
import { ApprovalRequest, Job, JobItem, User } from '../store/models';
import { activateUser, setUsersEnabled } from './account-status';
import {
  fingerprint,
  firstOrg,
  keyWindowEnd,
  mayDecide,
  parsePayload,
  permissionOf,
  requesterOf,
  settledText,
  viewOf,
  type ApprovalView,
  type BulkPayload,
  type SinglePayload,
} from './approval-shapes';
import { writeAudit } from './audit';
import { decide, isFailure, loadAccess, rolesOfUsers, type Access } from './authz';
import { payloadOf, queueDraft } from './bulk-actions';
import { select } from './bulk-selection';
import type { Actor, Ctx } from './context';
import { deleteUser } from './delete-user';
import { viewClock } from './directory';
import { resetPasswords, setPasswordHash } from './passwords';

export { approverEmails, recordApprovalMessages, requestBulkApproval, requestSingleApproval } from './approval-requests';
export { createApprovedApiKey } from './approved-api-key';
export type { ApprovalView, NotifyTarget } from './approval-shapes';

/**
 * Two-person approval (issue 19). An action that APPROVAL_REQUIRED names is not done at once: a
 * request is stored with the exact action and a fingerprint of who it acts on, and a second person
 * decides. Deciding re-runs authorization for both people over every target (the trust-boundary
 * rules of `decide`/`loadTarget`), refuses the requester, re-computes the selection and voids the
 * request when it changed, and moves it out of `pending` with one conditional update, so two
 * clicks at once (on one instance or two) decide it once.
 *
 * An approved bulk action is its draft job queued in the same transaction as the approval, run on
 * the requester's behalf with the approval id in every audit line. An approved single action
 * (delete, reset, enable, disable, unlock, set password) runs right after the approval commits, in
 * the service's own transaction as the requester (the services cannot nest transactions: SQLite
 * has one writer); its result is stored on the request. An approved API key is the exception: see
 * approved-api-key.ts.
 */

/** The users a request acts on now, with their roles, and whether that is still what was requested. */
async function currentTargets(
  ctx: Ctx,
  req: ApprovalRequest,
  requester: Access | Failure,
): Promise<{ ids: number[]; roles: Map<number, Map<number, string[]>>; voidBecause: string | null }> {
  const p = parsePayload(req);
  if (p.type === 'bulk') {
    const job = await Job.findByPk(p.jobId);
    const stored = job ? (await JobItem.findAll({ where: { jobId: p.jobId }, attributes: ['userId'] })).map((i) => i.userId) : [];
    const storedRoles = await rolesOfUsers(stored);
    if (isFailure(requester)) return { ids: stored, roles: storedRoles, voidBecause: 'the requester can no longer act on the directory' };
    if (!job || job.status !== 'draft') return { ids: stored, roles: storedRoles, voidBecause: 'its preview is gone' };
    const sel = payloadOf(job).selection;
    if (!sel) return { ids: stored, roles: storedRoles, voidBecause: 'its selection was not recorded' };
    const { idsToo, ...selection } = sel;
    const selected = await select(requester, p.action, selection, { idsToo, clock: viewClock(ctx) });
    if (!selected.ok) return { ids: stored, roles: storedRoles, voidBecause: selected.message };
    const ids = selected.users.filter((u) => u.skip === null).map((u) => u.id);
    const roles = await rolesOfUsers(ids);
    const changed = fingerprint(ids) !== req.fingerprint;
    return {
      ids,
      roles,
      voidBecause: changed ? `the selection changed since the request (${ids.length} users now, ${req.userCount} requested)` : null,
    };
  }
  const roles = await rolesOfUsers([p.userId]);
  const user = await User.findByPk(p.userId);
  if (!user) return { ids: [p.userId], roles, voidBecause: `${p.username} no longer exists` };
  if (isFailure(requester)) return { ids: [p.userId], roles, voidBecause: 'the requester can no longer act on the directory' };
  const mine = roles.get(p.userId) ?? new Map<number, string[]>();
  const allowed = decide(requester, mine, ACTION_PERMISSION[p.action]);
  if (!allowed.allowed)
    return {
      ids: [p.userId],
      roles,
      voidBecause: `the requester may no longer ${PERMISSION_LABELS[ACTION_PERMISSION[p.action]]} for ${p.username}`,
    };
  if (fingerprint([p.userId], mine) !== req.fingerprint)
    return { ids: [p.userId], roles, voidBecause: `${p.username}'s roles changed since the request` };
  return { ids: [p.userId], roles, voidBecause: null };
}

/** The users a request was made for (a bulk request's previewed job items), with their roles now. */
async function storedTargets(p: BulkPayload | SinglePayload): Promise<{ ids: number[]; roles: Map<number, Map<number, string[]>> }> {
  // One user: the roles they held when asked (they may be deleted by now, by this very request).
  if (p.type === 'single') return { ids: [p.userId], roles: new Map([[p.userId, new Map(p.roles ?? [])]]) };
  const ids = (await JobItem.findAll({ where: { jobId: p.jobId }, attributes: ['userId'] })).map((i) => i.userId);
  return { ids, roles: await rolesOfUsers(ids) };
}

function cannotDecide(permission: Permission): Failure {
  return fail(
    'forbidden',
    `You may not decide this request: it needs the permission to ${PERMISSION_LABELS[permission]} for every user it acts on, in every organization they belong to (and no higher role than yours).`,
  );
}

export type Decided = { happened: 'approved' | 'denied' | 'void' | 'expired'; request: ApprovalView; result: string | null };

/**
 * Approve or deny a request. Refusals (not found, already decided, self, missing permission) are
 * failures and change nothing; an expired or changed request is settled as expired or void and
 * said so (`happened`).
 */
export async function decideApproval(
  ctx: Ctx,
  actor: Actor,
  input: { id: number; approve: boolean; denyReason?: string | null },
): Promise<Outcome<Decided>> {
  const denyReason = input.denyReason?.trim() ?? '';
  if (!input.approve && (denyReason.length < 3 || denyReason.length > 500))
    return fail('invalid_input', 'Give a reason for the denial (3 to 500 characters).', {
      reason: 'Give a reason of 3 to 500 characters.',
    });
  const req = await ApprovalRequest.findByPk(input.id);
  if (!req) return fail('not_found', 'That approval request does not exist.');
  const access = await loadAccess(ctx, actor);
  if (isFailure(access)) return access;
  const p = parsePayload(req);
  const permission = permissionOf(p);
  // Someone who could never decide it learns nothing about it (who asked, who decided, what became of it).
  if (access.userId !== req.requesterUserId && !mayDecide(access, permission, await storedTargets(p))) return cannotDecide(permission);
  if (req.status !== 'pending') return fail('conflict', settledText(viewOf(req)));
  const now = ctx.now();
  if (req.expiresAt.getTime() <= now.getTime()) {
    await expireOne(ctx, req);
    const again = await ApprovalRequest.findByPk(req.id);
    return ok({ happened: 'expired' as const, request: viewOf(again!), result: null });
  }
  if (access.userId === req.requesterUserId)
    return fail('self_action', 'You cannot approve or deny your own request: another person has to decide it.');
  const requester = await loadAccess(ctx, requesterOf(req));
  const targets = await currentTargets(ctx, req, requester);
  if (!mayDecide(access, permission, targets)) return cannotDecide(permission);
  const approver = {
    approverUserId: access.userId,
    approverLabel: actor.label,
    approverSlackId: actor.kind === 'user' ? (actor.slackUserId ?? null) : null,
  };
  const orgId = firstOrg(access, permission);
  if (targets.voidBecause) {
    const voided = await settle(ctx, actor, req, 'void', { ...approver, outcome: targets.voidBecause }, orgId, 'approval_void');
    if (!voided) return fail('conflict', settledText(viewOf((await ApprovalRequest.findByPk(req.id))!)));
    return ok({ happened: 'void' as const, request: voided, result: targets.voidBecause });
  }
  if (!input.approve) {
    const denied = await settle(ctx, actor, req, 'denied', { ...approver, denyReason }, orgId, 'approval_denied', denyReason);
    if (!denied) return fail('conflict', settledText(viewOf((await ApprovalRequest.findByPk(req.id))!)));
    return ok({ happened: 'denied' as const, request: denied, result: null });
  }
  if (p.type === 'bulk') return approveBulk(ctx, actor, req, p, approver, orgId, requester as Access);
  // An API key is a secret shown once: it is not made here, where it could only travel in a message,
  // but when the requester uses the approval (createApprovedApiKey), within APPROVAL_TTL_MINUTES from now.
  const keyLater = p.action === 'api_key';
  const changes = keyLater ? { ...approver, expiresAt: keyWindowEnd(ctx) } : approver;
  const approved = await settle(ctx, actor, req, 'approved', changes, orgId, 'approval_approved');
  if (!approved) return fail('conflict', settledText(viewOf((await ApprovalRequest.findByPk(req.id))!)));
  if (keyLater) return ok({ happened: 'approved' as const, request: approved, result: null });
  const result = await runSingle(ctx, requesterOf(req), p, req.id);
  await ApprovalRequest.update({ outcome: result.slice(0, 1000) }, { where: { id: req.id } });
  return ok({ happened: 'approved' as const, request: { ...approved, outcome: result }, result });
}

/** The one-time move out of `pending` and its audit line, in one transaction; null when someone else moved it first. */
async function settle(
  ctx: Ctx,
  actor: Actor,
  req: ApprovalRequest,
  to: 'approved' | 'denied' | 'void',
  changes: Parameters<typeof settlePending>[3],
  organizationId: number | null,
  auditAction: string,
  reason?: string,
): Promise<ApprovalView | null> {
  const done = await ctx.db.tx(async (t) => {
    if (!(await settlePending(req.id, to, ctx.now(), changes, t))) return false;
    await writeAudit(ctx, t, actor, {
      action: auditAction,
      organizationId,
      reason: reason ?? null,
      details: {
        approvalId: req.id,
        kind: req.kind,
        action: req.action,
        users: req.userCount,
        requester: req.requesterLabel,
        ...(changes.outcome ? { why: changes.outcome } : {}),
      },
    });
    return true;
  });
  return done ? viewOf((await ApprovalRequest.findByPk(req.id))!) : null;
}

async function approveBulk(
  ctx: Ctx,
  actor: Actor,
  req: ApprovalRequest,
  p: BulkPayload,
  approver: { approverUserId: number | null; approverLabel: string; approverSlackId: string | null },
  orgId: number | null,
  requester: Access,
): Promise<Outcome<Decided>> {
  const queued = await ctx.db.tx(async (t) => {
    // The approval and the queued job commit together: approved means the job will run, once.
    if (!(await settlePending(req.id, 'approved', ctx.now(), { ...approver, jobId: p.jobId }, t))) return false;
    const job = await Job.findByPk(p.jobId, { transaction: t, lock: t.LOCK.UPDATE });
    if (!job || job.status !== 'draft') throw new Error(`approval ${req.id}: draft job ${p.jobId} is gone`);
    await queueDraft(ctx, t, requesterOf(req), requester, job, {
      notify: p.notify,
      requestedBySlack: req.requesterSlackId,
      approvalId: req.id,
      approvedBy: actor.label,
    });
    await writeAudit(ctx, t, actor, {
      action: 'approval_approved',
      organizationId: orgId,
      details: {
        approvalId: req.id,
        kind: req.kind,
        action: req.action,
        users: req.userCount,
        requester: req.requesterLabel,
        jobId: p.jobId,
      },
    });
    return true;
  });
  const now = (await ApprovalRequest.findByPk(req.id))!;
  if (!queued) return fail('conflict', settledText(viewOf(now)));
  return ok({ happened: 'approved' as const, request: viewOf(now), result: `Job #${p.jobId} queued.` });
}

/** Run an approved single action as the requester, under the approval; the line the messages show. */
async function runSingle(ctx: Ctx, requester: Actor, p: SinglePayload, approvalId: number): Promise<string> {
  const ref = String(p.userId);
  const approved = { approvalId };
  const line = (out: Outcome<{ results: Array<{ message: string }> }>) =>
    out.ok ? out.results.map((r) => r.message).join(' ') : out.message;
  switch (p.action) {
    case 'delete': {
      const out = await deleteUser(ctx, requester, { ref, approved });
      return out.ok ? `${out.username} deleted.` : `Not done: ${out.message}`;
    }
    case 'reset_password':
      return line(await resetPasswords(ctx, requester, { refs: [ref], approved }));
    case 'enable':
    case 'disable':
      return line(await setUsersEnabled(ctx, requester, { refs: [ref], enabled: p.action === 'enable', approved }));
    case 'activate': {
      const out = await activateUser(ctx, requester, { ref, approved });
      return out.ok ? out.result.message : out.message;
    }
    case 'api_key':
      return 'Not done here: the requester creates the key themselves.';
    case 'change_password': {
      if (!p.passwordHash) return 'Not done: the password was not kept.';
      const out = await setPasswordHash(ctx, requester, { ref, hash: p.passwordHash, approved });
      return out.ok ? `Password of ${out.username} set; they were told by email.` : `Not done: ${out.message}`;
    }
  }
}

async function expireOne(ctx: Ctx, req: ApprovalRequest): Promise<boolean> {
  return ctx.db.tx(async (t) => {
    if (!(await settlePending(req.id, 'expired', ctx.now(), {}, t))) return false;
    await writeAudit(
      ctx,
      t,
      { kind: 'system', label: 'approvals (expiry)' },
      {
        action: 'approval_expired',
        details: { approvalId: req.id, kind: req.kind, action: req.action, users: req.userCount, requester: req.requesterLabel },
      },
    );
    return true;
  });
}

/** Settle every pending request past its time as expired (once each, across instances); the ones this call expired. */
export async function expireDueApprovals(ctx: Ctx): Promise<ApprovalView[]> {
  const out: ApprovalView[] = [];
  for (const req of await duePending(ctx.now())) {
    if (await expireOne(ctx, req)) out.push(viewOf((await ApprovalRequest.findByPk(req.id))!));
  }
  return out;
}

/** Pending requests the viewer may decide (not their own; the permission over every target). */
export async function approvalsFor(ctx: Ctx, actor: Actor): Promise<Outcome<{ requests: ApprovalView[] }>> {
  const access = await loadAccess(ctx, actor);
  if (isFailure(access)) return access;
  const out: ApprovalView[] = [];
  for (const req of await openRequests(ctx.now())) {
    if (req.requesterUserId === access.userId) continue;
    const p = parsePayload(req);
    if (mayDecide(access, permissionOf(p), await storedTargets(p))) out.push(viewOf(req));
  }
  return ok({ requests: out });
}
