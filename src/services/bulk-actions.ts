import { Op, type Transaction } from 'sequelize';
import { BULK_ACTIONS, BULK_DONE_VERB, BULK_PERMISSION, BULK_TITLE, type BulkAction, type SkipReason } from '../domain/bulk-actions';
import type { ApprovalKind } from '../domain/approvals';
import { fail, ok, type Failure, type Outcome } from '../domain/outcome';
import { PERMISSION_LABELS } from '../domain/permissions';
import { createDraftJob, itemCounts, pendingItems, settleItems } from '../store/bulk-queries';
import { Job, JobItem, MailMessage, Organization, User } from '../store/models';
import { statusBatch, type PerUserResult } from './account-status';
import { isFailure, loadAccess, orgsWith, type Access } from './authz';
import { writeAudit } from './audit';
import type { Actor, Ctx } from './context';
import { resetBatch } from './passwords';
import { approvalGate, approvalNeeded, approvalRequired } from './approval-gate';
import { notFound } from './target';
import { viewClock } from './directory';
import { checkBulkSelection, MAX_PASTED_LINES, select, validReason, type BulkSelectionInput, type Selected } from './bulk-selection';

/**
 * One bulk flow for reset, disable, enable and activate (DESIGN §11, issue 15), in three steps:
 * preview (resolve the selection, hold exactly the users who will change in a draft job), confirm
 * (draft → queued), then batches run by the job runner. Each batch is one transaction, so a crash
 * leaves every user fully changed (state, audit line, item marked done) or untouched, and the job
 * resumes at the first pending item. Inputs and outcomes are plain values: Slack, the CLI or a
 * test call the same functions.
 */

export { BULK_ACTIONS, type BulkAction, type SkipReason };
export { checkBulkSelection, MAX_PASTED_LINES, type BulkSelectionInput };

/** The job kind of each action; a bulk reset keeps the kind its jobs always had. */
export const BULK_KIND: Record<BulkAction, string> = {
  reset_password: 'bulk_reset',
  disable: 'bulk_disable',
  enable: 'bulk_enable',
  activate: 'bulk_activate',
};
export const BULK_KINDS: readonly string[] = Object.values(BULK_KIND);

export const DRAFT_TTL_MS = 60 * 60 * 1000;
/** How many names of skipped users a preview carries per reason. */
export const PREVIEW_NAMES = 50;
/** How many of the users who will change a preview names. */
export const PREVIEW_SAMPLE = 10;
/** A typed command naming at most this many users acts at once; more go through a preview. */
export const INLINE_MAX = 10;
/** Above this many users the job shares a CSV of per-user outcomes with the requester. */
export const CSV_OVER = 50;

export interface BulkActionInput extends BulkSelectionInput {
  action: BulkAction;
  reason: string;
}

export interface BulkSkipped {
  reason: SkipReason;
  count: number;
  /** The first names (sorted), at most PREVIEW_NAMES. */
  names: string[];
}

export interface BulkActionPreview {
  jobId: number;
  action: BulkAction;
  reason: string;
  /** Exactly the number of users the confirmed job will act on. */
  count: number;
  /** The first PREVIEW_SAMPLE of them by username. */
  sample: string[];
  /** Names and picked ids that match nobody the actor can see: missing and outside their organizations alike. */
  notFound: string[];
  /** How many entries matched nobody the actor can see (`notFound` names the first PREVIEW_NAMES). */
  notFoundCount: number;
  /** Only reasons that apply, in a stable order. */
  skipped: BulkSkipped[];
  /** Why confirming needs a second person's approval (APPROVAL_REQUIRED); absent or null: it does not. */
  needsApproval?: ApprovalKind | null;
}

export interface BulkActionPayload {
  action?: BulkAction;
  /** What was chosen (picked, pasted, a view, the filter): an approval re-computes it and compares. */
  selection?: BulkSelectionInput & { idsToo?: boolean };
  /** Why the job needs a second person's approval before it may be queued (null: it does not). */
  needsApproval?: ApprovalKind | null;
  /** The approval request it runs under; every audit line of its users carries it. */
  approvalId?: number | null;
  approvedBy?: string | null;
  /** Kept when approval is needed: the preview an approver is shown. */
  preview?: Omit<BulkActionPreview, 'jobId' | 'needsApproval'>;
  reason: string;
  total: number;
  title?: string;
  notify?: { channel: string; ts: string } | null;
  requestedBySlack?: string | null;
}

export interface BulkActionProgress {
  total: number;
  done: number;
  changed: number;
  skipped: number;
  refused: number;
}

/** Roles standing for "some target is an administrator" when asking approvalNeeded. */
const PRIVILEGED = new Map([[0, ['administrator']]]);

const SKIP_ORDER: SkipReason[] = ['self', 'already', 'not_applicable', 'outside_org', 'no_permission', 'higher_role'];

export function payloadOf(job: Pick<Job, 'payload'>): BulkActionPayload & { action: BulkAction } {
  const p = JSON.parse(job.payload) as BulkActionPayload;
  // Bulk resets queued before issue 15 carry no action.
  return { ...p, action: p.action ?? 'reset_password' };
}

function noPermission(action: BulkAction): string {
  return `You do not have permission to ${PERMISSION_LABELS[BULK_PERMISSION[action]]}.`;
}

async function gate(ctx: Ctx, actor: Actor, action: BulkAction, t?: Transaction): Promise<Access | Failure> {
  const access = await loadAccess(ctx, actor, t);
  if (isFailure(access)) return access;
  const orgs = orgsWith(access, BULK_PERMISSION[action]);
  if (orgs !== null && orgs.length === 0) return fail('forbidden', noPermission(action));
  return access;
}

/** Resolve a selection, say exactly who will change and who is skipped why, and hold that set in a draft job. */
export async function previewBulkAction(ctx: Ctx, actor: Actor, input: BulkActionInput): Promise<Outcome<BulkActionPreview>> {
  if (!(BULK_ACTIONS as readonly string[]).includes(input.action)) return fail('invalid_input', 'Unknown bulk action.');
  const access = await gate(ctx, actor, input.action);
  if (isFailure(access)) return access;
  const reason = validReason(input.reason);
  if (!reason.ok) return reason;
  const selection = { userIds: input.userIds, pasted: input.pasted, view: input.view, orgSlug: input.orgSlug };
  const selected = await select(access, input.action, selection, { clock: viewClock(ctx) });
  if (!selected.ok) return selected;
  return previewFrom(ctx, actor, access, input.action, reason.reason, selected, selection);
}

async function previewFrom(
  ctx: Ctx,
  actor: Actor,
  access: Access,
  action: BulkAction,
  reason: string,
  selected: Selected,
  selection: BulkActionPayload['selection'],
): Promise<Outcome<BulkActionPreview>> {
  const eligible = selected.users.filter((u) => u.skip === null);
  const byName = (a: { username: string }, b: { username: string }) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0);
  const skipped: BulkSkipped[] = [];
  for (const reasonCode of SKIP_ORDER) {
    const names = selected.users.filter((u) => u.skip === reasonCode).sort(byName);
    if (names.length > 0)
      skipped.push({ reason: reasonCode, count: names.length, names: names.slice(0, PREVIEW_NAMES).map((u) => u.username) });
  }
  const ids = eligible.map((u) => u.id).sort((a, b) => a - b);
  const needsApproval =
    actor.kind === 'system'
      ? null
      : approvalNeeded(ctx, { kind: 'bulk', action, count: ids.length }, selected.privileged ? [PRIVILEGED] : []);
  const shown = {
    action,
    reason,
    count: ids.length,
    sample: [...eligible]
      .sort(byName)
      .slice(0, PREVIEW_SAMPLE)
      .map((u) => u.username),
    notFound: selected.notFound.slice(0, PREVIEW_NAMES),
    notFoundCount: selected.notFound.length,
    skipped,
  };
  const payload: BulkActionPayload = {
    action,
    reason,
    total: ids.length,
    title: BULK_TITLE[action],
    selection,
    needsApproval,
    // What an approver is shown: the preview exactly as the requester saw it.
    ...(needsApproval ? { preview: shown } : {}),
  };
  const job = await ctx.db.tx((t) =>
    createDraftJob(
      t,
      { kind: BULK_KIND[action], actorUserId: access.userId, actorLabel: actor.label, payload: JSON.stringify(payload) },
      ids,
    ),
  );
  return ok({ jobId: job.id, ...shown, needsApproval });
}

/** The actor confirms a preview: the draft becomes a queued job acting on exactly the previewed users. */
export async function confirmBulkAction(
  ctx: Ctx,
  actor: Actor,
  input: { jobId: number; notify?: { channel: string; ts: string } | null; requestedBySlack?: string | null },
): Promise<Outcome<{ jobId: number; total: number; action: BulkAction }>> {
  return ctx.db.tx(async (t) => {
    const job = await Job.findByPk(input.jobId, { transaction: t, lock: t.LOCK.UPDATE });
    const what = job && BULK_KINDS.includes(job.kind) ? payloadOf(job) : null;
    const access = await gate(ctx, actor, what?.action ?? 'reset_password', t);
    if (isFailure(access)) return access;
    if (!job || !what || job.actorUserId !== access.userId) return fail('not_found', 'That bulk action preview does not exist.');
    if (job.status !== 'draft') return fail('conflict', 'That bulk action was already started.');
    if (ctx.now().getTime() - job.createdAt.getTime() > DRAFT_TTL_MS)
      return fail('precondition_failed', 'That preview is more than an hour old; start again.');
    // A preview that needs a second person is queued only by an approval (services/approvals.ts).
    if (what.needsApproval) return approvalRequired(what.needsApproval, 'use Request approval on the preview');
    await queueDraft(ctx, t, actor, access, job, { notify: input.notify ?? null, requestedBySlack: input.requestedBySlack ?? null });
    return ok({ jobId: job.id, total: what.total, action: what.action });
  });
}

/**
 * Draft → queued, with the started audit line: a confirmed preview, or an approved request
 * (`approvalId`, `approvedBy`) — the job then runs on the requester's behalf, as the draft's actor.
 */
export async function queueDraft(
  ctx: Ctx,
  t: Transaction,
  actor: Actor,
  access: Access,
  job: Job,
  extra: Pick<BulkActionPayload, 'notify' | 'requestedBySlack' | 'approvalId' | 'approvedBy'>,
): Promise<void> {
  const what = payloadOf(job);
  job.status = 'queued';
  job.payload = JSON.stringify({ ...what, ...extra } satisfies BulkActionPayload);
  job.progress = JSON.stringify({ total: what.total, done: 0, changed: 0, skipped: 0, refused: 0 } satisfies BulkActionProgress);
  await job.save({ transaction: t });
  await writeAudit(ctx, t, actor, {
    action: what.action === 'reset_password' ? 'bulk_reset_started' : `bulk_${what.action}_started`,
    reason: what.reason,
    organizationId: orgsWith(access, BULK_PERMISSION[what.action])?.[0] ?? null,
    details: {
      jobId: job.id,
      users: what.total,
      ...(extra.approvalId ? { approvalId: extra.approvalId, approvedBy: extra.approvedBy } : {}),
    },
  });
  t.afterCommit(() => ctx.notify?.('jobs'));
}

function jobActor(job: Job): Actor {
  return job.actorUserId
    ? { kind: 'user', userId: job.actorUserId, label: job.actorLabel, via: 'slack' }
    : { kind: 'system', label: job.actorLabel };
}

/** What a per-user result means for the job's item. */
function itemStatus(r: PerUserResult): 'done' | 'skipped' | 'failed' {
  if (r.status === 'done') return 'done';
  return r.status === 'skipped' || r.status === 'noop' ? 'skipped' : 'failed';
}

/**
 * What the batch actions read of a user (the state checks, the audit label, the reset mail and its
 * notice): not the hash, the search text or the timestamps, which a 250-user batch built into
 * every instance for nothing.
 */
const BATCH_USER_ATTRIBUTES = [
  'id',
  'username',
  'email',
  'firstName',
  'lastName',
  'enabled',
  'authStatus',
  'failedLoginCount',
  'lockedAt',
  'lockedUntil',
  'consecutiveLocks',
] as const;

/**
 * Act on the next batch of pending items of a running bulk job, in one transaction: the rows are
 * locked and every user, and the requester's roles, are checked again — a user promoted, changed
 * or moved since the preview is skipped or refused, not acted on from a stale decision.
 *
 * `known`: the job's progress before this batch, as the previous batch returned it (the job runner
 * counts once when it starts the job, then carries the figures). The batch adds its own outcomes
 * instead of counting every item of the job again, which made a job's batches cost grow with the
 * square of its size (400 counts over 100,000 items for a 100,000-user job). Without it, a count.
 */
export async function runBulkActionBatch(
  ctx: Ctx,
  jobId: number,
  batchSize = 250,
  known?: BulkActionProgress,
): Promise<{ processed: number; progress: BulkActionProgress }> {
  return ctx.db.tx(async (t) => {
    const job = await Job.findByPk(jobId, { transaction: t });
    if (!job) throw new Error(`job ${jobId} vanished`);
    const payload = payloadOf(job);
    const items = await pendingItems(jobId, batchSize, t);
    if (items.length === 0) return { processed: 0, progress: known ?? (await bulkProgress(jobId, payload.total, t)) };
    const actor = jobActor(job);
    const access = await loadAccess(ctx, actor, t);
    const users = await User.findAll({
      attributes: [...BATCH_USER_ATTRIBUTES],
      where: { id: { [Op.in]: items.map((i) => i.userId) } },
      order: [['id', 'ASC']],
      transaction: t,
      lock: t.LOCK.UPDATE,
    });
    const outcome = new Map<number, { status: 'done' | 'skipped' | 'failed'; detail: string }>();
    if (isFailure(access)) {
      for (const i of items) outcome.set(i.userId, { status: 'failed', detail: 'the requester can no longer act' });
    } else {
      const results =
        payload.action === 'reset_password'
          ? await resetBatch(ctx, t, actor, access, users, {
              reason: payload.reason,
              skipSelf: true,
              jobId,
              permission: 'bulk_reset',
              approvalId: payload.approvalId,
            })
          : await statusBatch(ctx, t, actor, access, users, {
              action: payload.action,
              reason: payload.reason,
              jobId,
              approvalId: payload.approvalId,
            });
      for (const r of results)
        if (r.userId !== undefined) outcome.set(r.userId, { status: itemStatus(r), detail: r.message.slice(0, 300) });
      for (const i of items) if (!outcome.has(i.userId)) outcome.set(i.userId, { status: 'skipped', detail: 'deleted before the job ran' });
    }
    const settled = items.map((i) => ({ id: i.id, ...outcome.get(i.userId)! }));
    await settleItems(t, settled);
    return { processed: items.length, progress: known ? addOutcomes(known, settled) : await bulkProgress(jobId, payload.total, t) };
  });
}

/** `before` with a batch's settled items added. */
function addOutcomes(before: BulkActionProgress, settled: Array<{ status: 'done' | 'skipped' | 'failed' }>): BulkActionProgress {
  const p = { ...before, done: before.done + settled.length };
  for (const s of settled) {
    if (s.status === 'done') p.changed++;
    else if (s.status === 'skipped') p.skipped++;
    else p.refused++;
  }
  return p;
}

export async function bulkProgress(jobId: number, total: number, t?: Transaction): Promise<BulkActionProgress> {
  const by = await itemCounts(jobId, t);
  const changed = by.get('done') ?? 0;
  const skipped = by.get('skipped') ?? 0;
  const refused = by.get('failed') ?? 0;
  return { total, done: changed + skipped + refused, changed, skipped, refused };
}

export interface BulkActionSummary extends BulkActionProgress {
  action: BulkAction;
  title: string;
  /** The first details of users not changed, for the final message. */
  skippedDetails: string[];
  mails: { queued: number; sent: number; failed: number } | null;
}

/** Final numbers of a bulk job, with the mail side (queued, sent, failed so far) for a reset. */
export async function bulkActionSummary(jobId: number): Promise<BulkActionSummary> {
  const job = await Job.findByPk(jobId);
  const payload = job ? payloadOf(job) : { total: 0, reason: '', action: 'reset_password' as const };
  const progress = await bulkProgress(jobId, payload.total);
  let mails: BulkActionSummary['mails'] = null;
  if (payload.action === 'reset_password') {
    const rows = (await MailMessage.count({ where: { jobId }, group: ['status'] })) as unknown as Array<{ status: string; count: number }>;
    const m = new Map(rows.map((r) => [r.status, Number(r.count)]));
    mails = { queued: [...m.values()].reduce((a, b) => a + b, 0), sent: m.get('sent') ?? 0, failed: m.get('failed') ?? 0 };
  }
  const details = await JobItem.findAll({ where: { jobId, status: { [Op.ne]: 'done' } }, order: [['id', 'ASC']], limit: 20 });
  return {
    ...progress,
    action: payload.action,
    title: BULK_TITLE[payload.action],
    skippedDetails: details.map((d) => d.detail ?? `user ${d.userId}`),
    mails,
  };
}

/** The summary's first line: "40 disabled, 3 skipped, 1 refused (of 44)." */
export function summaryLine(s: BulkActionProgress & { action: BulkAction }): string {
  return `${s.changed} ${BULK_DONE_VERB[s.action]}, ${s.skipped} skipped, ${s.refused} refused (of ${s.total}).`;
}

/** The organizations a bulk form offers for the filter (where the actor holds the action's permission). */
export async function bulkActionOrgs(
  ctx: Ctx,
  actor: Actor,
  action: BulkAction,
): Promise<Outcome<{ orgs: Array<{ slug: string; name: string }> }>> {
  const access = await gate(ctx, actor, action);
  if (isFailure(access)) return access;
  const ids = orgsWith(access, BULK_PERMISSION[action]);
  const orgs = await Organization.findAll({ where: ids === null ? {} : { id: { [Op.in]: ids } }, order: [['slug', 'ASC']] });
  return ok({ orgs: orgs.map((o) => ({ slug: o.slug, name: o.name })) });
}

export type TypedAction = Exclude<BulkAction, 'reset_password'>;

export type TypedOutcome =
  /** ≤ INLINE_MAX names: done now, one line per name. */
  | { mode: 'inline'; results: PerUserResult[] }
  /** More, with a reason: a preview for the confirm step (then `confirmBulkAction`). */
  | { mode: 'preview'; preview: BulkActionPreview }
  /** More, without a reason: ask for one (e.g. the bulk form pre-filled with `pasted`), nothing changed. */
  | { mode: 'reason_needed'; count: number; pasted: string };

/**
 * `/users enable|disable|activate NAME…`: the same selection and batch code as the bulk flow. A few
 * names act at once (one transaction, a line per name, as the command always answered); more go
 * through a preview and a job, so there is no cap and no per-user loop in the handler.
 */
export async function actOnTypedRefs(
  ctx: Ctx,
  actor: Actor,
  input: { action: TypedAction; refs: string[]; reason?: string | null },
): Promise<Outcome<TypedOutcome>> {
  const refs = [...new Set(input.refs.map((r) => r.trim()).filter((r) => r.length > 0))];
  if (refs.length === 0) return fail('invalid_input', 'Name at least one user (username, email or id).');
  const access = await gate(ctx, actor, input.action);
  if (isFailure(access)) return access;
  const pasted = refs.join('\n');
  if (refs.length > INLINE_MAX) {
    if (!input.reason?.trim()) return ok({ mode: 'reason_needed' as const, count: refs.length, pasted });
    const reason = validReason(input.reason);
    if (!reason.ok) return reason;
    const selected = await select(access, input.action, { pasted }, { idsToo: true, clock: viewClock(ctx) });
    if (!selected.ok) return selected;
    const preview = await previewFrom(ctx, actor, access, input.action, reason.reason, selected, { pasted, idsToo: true });
    return preview.ok ? ok({ mode: 'preview' as const, preview }) : preview;
  }
  const reason = input.reason?.trim() ? validReason(input.reason) : ok({ reason: '' });
  if (!reason.ok) return reason;
  const selected = await select(access, input.action, { pasted }, { idsToo: true, clock: viewClock(ctx) });
  if (!selected.ok) return selected;
  const needed = approvalGate(ctx, actor, { kind: 'single', action: input.action }, selected.privileged ? [PRIVILEGED] : [], null);
  if (needed) return needed;
  const ids = selected.users.map((u) => u.id);
  const done = await ctx.db.tx(async (t): Promise<Outcome<{ results: PerUserResult[] }>> => {
    const now = await loadAccess(ctx, actor, t);
    if (isFailure(now)) return now;
    const users = await User.findAll({ where: { id: { [Op.in]: ids } }, order: [['id', 'ASC']], transaction: t, lock: t.LOCK.UPDATE });
    return ok({ results: await statusBatch(ctx, t, actor, now, users, { action: input.action, reason: reason.reason || null }) });
  });
  if (!done.ok) return done;
  const byId = new Map(done.results.map((r) => [r.userId, r]));
  const results = refs.map((ref): PerUserResult => {
    const r = byId.get(selected.idOf.get(ref) ?? -1);
    return r ? { ...r, ref } : { ref, status: 'not_found', message: notFound(ref).message };
  });
  return ok({ mode: 'inline' as const, results });
}
