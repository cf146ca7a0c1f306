// Asking for a second person's approval (issue 19): storing a request, where it was posted, who may decide it.
import { Op } from 'sequelize';
import type { ApprovalKind, SingleApprovalAction } from '../domain/approvals';
import { ACTION_PERMISSION } from '../domain/actions';
import { BULK_PERMISSION } from '../domain/bulk-actions';
import { fail, ok, type Failure, type Outcome } from '../domain/outcome';
import { rolesGrant } from '../domain/permissions';
import { canLogIn } from '../domain/status';
import { ApprovalRequest, Job, JobItem, Membership, User } from '../store/models';
import { organizationsById } from '../store/user-queries';
import { approvalNeeded } from './approval-gate';
import {
  expiresAt,
  fingerprint,
  firstOrg,
  mayDecide,
  parsePayload,
  permissionOf,
  viewOf,
  type ApprovalView,
  type NotifyTarget,
  type Payload,
} from './approval-shapes';
import { writeAudit } from './audit';
import { keyOrganization } from './api-keys';
import { isFailure, loadAccess, refusal, rolesOfUsers } from './authz';
import { BULK_KINDS, DRAFT_TTL_MS, payloadOf } from './bulk-actions';
import type { Actor, Ctx } from './context';
import { loadTarget } from './target';

async function create(
  ctx: Ctx,
  actor: Actor & { kind: 'user' },
  row: {
    kind: 'bulk' | 'single';
    action: string;
    payload: Payload;
    ids: number[];
    fp: string;
    because: ApprovalKind;
    reason: string | null;
    jobId?: number;
  },
  organizationId: number | null,
): Promise<ApprovalView> {
  return ctx.db.tx(async (t) => {
    const req = await ApprovalRequest.create(
      {
        kind: row.kind,
        action: row.action,
        payload: JSON.stringify(row.payload),
        fingerprint: row.fp,
        userCount: row.ids.length,
        neededBecause: row.because,
        reason: row.reason,
        requesterUserId: actor.userId,
        requesterLabel: actor.label,
        requesterSlackId: actor.slackUserId ?? null,
        jobId: row.jobId ?? null,
        expiresAt: expiresAt(ctx),
      },
      { transaction: t },
    );
    await writeAudit(ctx, t, actor, {
      action: 'approval_requested',
      organizationId,
      reason: row.reason,
      details: { approvalId: req.id, kind: row.kind, action: row.action, users: row.ids.length, neededBecause: row.because },
    });
    return viewOf(req);
  });
}

function directoryActor(actor: Actor): (Actor & { kind: 'user' }) | Failure {
  return actor.kind === 'user' ? actor : fail('forbidden', 'Approvals are between two directory users.');
}

/** Ask for approval of a previewed bulk action (its draft job): the preview's users are fingerprinted. */
export async function requestBulkApproval(ctx: Ctx, actor: Actor, input: { jobId: number }): Promise<Outcome<{ request: ApprovalView }>> {
  const who = directoryActor(actor);
  if (isFailure(who)) return who;
  const access = await loadAccess(ctx, actor);
  if (isFailure(access)) return access;
  const job = await Job.findByPk(input.jobId);
  if (!job || !BULK_KINDS.includes(job.kind) || job.actorUserId !== access.userId)
    return fail('not_found', 'That bulk action preview does not exist.');
  if (job.status !== 'draft') return fail('conflict', 'That bulk action was already started or sent for approval.');
  if (ctx.now().getTime() - job.createdAt.getTime() > DRAFT_TTL_MS)
    return fail('precondition_failed', 'That preview is more than an hour old; start again.');
  const what = payloadOf(job);
  if (!what.needsApproval) return fail('precondition_failed', 'That bulk action does not need approval; confirm it instead.');
  const existing = await ApprovalRequest.count({ where: { kind: 'bulk', jobId: job.id } });
  if (existing > 0) return fail('conflict', 'Approval for that preview was already requested.');
  const ids = (await JobItem.findAll({ where: { jobId: job.id }, attributes: ['userId'] })).map((i) => i.userId);
  if (!what.preview) return fail('precondition_failed', 'That preview was made before approvals were required; start again.');
  const preview = what.preview;
  const request = await create(
    ctx,
    who,
    {
      kind: 'bulk',
      action: what.action,
      payload: { type: 'bulk', jobId: job.id, action: what.action, preview: { ...preview, jobId: job.id }, notify: null },
      ids,
      fp: fingerprint(ids),
      because: what.needsApproval,
      reason: what.reason,
      jobId: job.id,
    },
    firstOrg(access, BULK_PERMISSION[what.action]),
  );
  return ok({ request });
}

/**
 * One user's action needs approval? Then store the request (after the requester's own checks:
 * `loadTarget`, as the action itself would). `{ requested: false }` when no approval is needed.
 */
export async function requestSingleApproval(
  ctx: Ctx,
  actor: Actor,
  input: {
    action: SingleApprovalAction;
    ref: string;
    passwordHash?: string;
    /** api_key: the organization of the key (slug or id), checked as generating the key would. */
    organization?: string;
    reason?: string | null;
    notify?: NotifyTarget | null;
  },
): Promise<Outcome<{ requested: false } | { requested: true; request: ApprovalView }>> {
  const access = await loadAccess(ctx, actor);
  if (isFailure(access)) return access;
  const permission = ACTION_PERMISSION[input.action];
  const target = await loadTarget(access, input.ref, permission);
  if (isFailure(target)) return target;
  let keyOrg: { id: number; slug: string } | null = null;
  if (input.action === 'api_key') {
    const org = await keyOrganization(access, target, { organization: input.organization }, 'generate');
    if (isFailure(org)) return org;
    if (Array.isArray(org))
      return org.length > 0
        ? fail(
            'invalid_input',
            `${target.user.username} is in several organizations where you manage API keys: name the one the key is for.`,
          )
        : refusal('api_keys', target.user.username);
    keyOrg = { id: org.id, slug: org.slug };
  }
  const because = approvalNeeded(ctx, { kind: 'single', action: input.action }, [target.roles]);
  if (!because || actor.kind === 'system') return ok({ requested: false as const });
  const who = directoryActor(actor);
  if (isFailure(who)) return who;
  const { user } = target;
  const orgs = await organizationsById(target.orgIds);
  const request = await create(
    ctx,
    who,
    {
      kind: 'single',
      action: input.action,
      payload: {
        type: 'single',
        action: input.action,
        userId: user.id,
        username: user.username,
        email: user.email,
        organizations: target.orgIds.map((o) => orgs.get(o)?.slug ?? String(o)),
        roles: [...target.roles.entries()].map(([o, r]) => [o, [...r]] as [number, string[]]),
        ...(input.passwordHash ? { passwordHash: input.passwordHash } : {}),
        ...(keyOrg ? { keyOrganization: keyOrg } : {}),
        notify: input.notify ?? null,
      },
      ids: [user.id],
      fp: fingerprint([user.id], target.roles),
      because,
      reason: input.reason ?? null,
    },
    keyOrg?.id ?? target.orgIds.find((o) => rolesGrant(access.roles.get(o) ?? [], permission)) ?? null,
  );
  return ok({ requested: true as const, request });
}

/** Where the request was posted, so its messages can be rewritten when it is decided. */
export async function recordApprovalMessages(
  _ctx: Ctx,
  id: number,
  where: { messages: NotifyTarget[]; notify: NotifyTarget | null },
): Promise<void> {
  const req = await ApprovalRequest.findByPk(id);
  if (!req) return;
  // The requester's DM goes into the payload: an approved bulk job reports its progress there.
  const payload = { ...parsePayload(req), notify: where.notify };
  await ApprovalRequest.update(
    { messages: JSON.stringify(where.messages.slice(0, 100)), payload: JSON.stringify(payload) },
    { where: { id } },
  );
}

/**
 * Who may decide a request: every other enabled, active directory user holding its permission over
 * all of its users. Their emails, for a direct message each when APPROVALS_CHANNEL is unset.
 */
export async function approverEmails(ctx: Ctx, id: number): Promise<string[]> {
  const req = await ApprovalRequest.findByPk(id);
  if (!req) return [];
  const p = parsePayload(req);
  const permission = permissionOf(p);
  const ids =
    p.type === 'bulk' ? (await JobItem.findAll({ where: { jobId: p.jobId }, attributes: ['userId'] })).map((i) => i.userId) : [p.userId];
  const roles = await rolesOfUsers(ids);
  const orgs = [...new Set([...roles.values()].flatMap((r) => [...r.keys()]))];
  const members = await Membership.findAll({ where: { organizationId: { [Op.in]: orgs } } });
  const candidates = [...new Set(members.map((m) => m.userId))].filter((u) => u !== req.requesterUserId);
  const users = await User.findAll({ where: { id: { [Op.in]: candidates } }, order: [['id', 'ASC']] });
  const emails: string[] = [];
  for (const u of users) {
    if (!canLogIn(u)) continue;
    const access = await loadAccess(ctx, { kind: 'user', userId: u.id, label: u.username, via: 'slack' });
    if (!isFailure(access) && mayDecide(access, permission, { ids, roles })) emails.push(u.email);
  }
  return emails;
}
