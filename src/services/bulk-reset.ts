import { Op } from 'sequelize';
import { fail, ok, type Failure, type Outcome } from '../domain/outcome';
import type { SavedView } from '../domain/status';
import { Job, JobItem, MailMessage, Organization, User } from '../store/models';
import { organizationsIn } from '../store/organization-queries';
import { userIdsInView } from '../store/user-queries';
import { decide, isFailure, loadAccess, mayView, orgsWith, rolesOfUsers, type Access } from './authz';
import { writeAudit } from './audit';
import type { Actor, Ctx } from './context';
import { resetBatch } from './passwords';
import { normalizeEmail, normalizeUsername } from './user-refs';

/**
 * Bulk password reset for security teams, in three steps: preview (resolve targets, create a
 * draft job holding exactly those users), confirm (draft → queued), then batches run by the job
 * runner. Each batch is one transaction over `resetBatch`, so a crash leaves every user fully
 * reset or untouched and the job resumes at the first pending item.
 */

export const BULK_RESET_KIND = 'bulk_reset';
export const MAX_PASTED_LINES = 10_000;
export const DRAFT_TTL_MS = 60 * 60 * 1000;

export interface BulkSelection {
  userIds?: number[];
  pasted?: string;
  view?: SavedView | null;
  orgSlug?: string | null;
  reason: string;
}

export interface BulkPreview {
  jobId: number;
  count: number;
  sample: string[];
  /** Names and picked ids that match nobody the actor can see: missing and outside their organizations alike. */
  unknown: string[];
  skippedDisabled: number;
  skippedSelf: boolean;
  /** Users the actor may not reset (DESIGN §2): counts by reason, and the first names of each. */
  skippedNoPermission: number;
  skippedHigherRole: number;
  refusedSample: { noPermission: string[]; higherRole: string[] };
}

/** How many names of skipped users a preview carries per reason. */
export const PREVIEW_NAMES = 50;

export interface BulkPayload {
  reason: string;
  total: number;
  notify?: { channel: string; ts: string } | null;
  requestedBySlack?: string | null;
}

export interface BulkProgress {
  total: number;
  done: number;
  reset: number;
  skipped: number;
  refused: number;
}

function parsePasted(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\r\n,;]+/)
        .map((l) => l.trim())
        .filter((l) => l.length > 0),
    ),
  ];
}

/** The user id each pasted entry (username or email) names; entries naming nobody are left out. */
async function resolvePasted(entries: string[]): Promise<Map<string, number>> {
  const emails = entries.filter((e) => e.includes('@'));
  const names = entries.filter((e) => !e.includes('@'));
  const found = new Map<string, number>();
  for (let i = 0; i < emails.length; i += 500) {
    const chunk = emails.slice(i, i + 500).map(normalizeEmail);
    for (const u of await User.findAll({ where: { emailNormalized: { [Op.in]: chunk } }, attributes: ['id', 'emailNormalized'] })) {
      found.set(u.emailNormalized, u.id);
    }
  }
  for (let i = 0; i < names.length; i += 500) {
    const chunk = names.slice(i, i + 500).map(normalizeUsername);
    for (const u of await User.findAll({ where: { username: { [Op.in]: chunk } }, attributes: ['id', 'username'] }))
      found.set(u.username, u.id);
  }
  const idOf = new Map<string, number>();
  for (const e of entries) {
    const id = found.get(e.includes('@') ? normalizeEmail(e) : normalizeUsername(e));
    if (id !== undefined) idOf.set(e, id);
  }
  return idOf;
}

/**
 * The form checks of a selection, needing no database: a reason, at most MAX_PASTED_LINES pasted
 * entries, and someone chosen. Every problem is in `fields` (keyed like the modal's inputs), so a
 * form can show them all at once; `message` is the first.
 */
export function checkBulkSelection(sel: BulkSelection): Failure | null {
  const fields: Record<string, string> = {};
  const messages: string[] = [];
  const problem = (field: string, fieldText: string, message: string) => {
    fields[field] = fieldText;
    messages.push(message);
  };
  const reason = sel.reason.trim();
  if (reason.length < 3)
    problem('reason', 'Give a reason of at least 3 characters.', 'Give a reason (it goes into the audit log and the email).');
  else if (reason.length > 500) problem('reason', 'Keep the reason under 500 characters.', 'Keep the reason under 500 characters.');
  const pasted = parsePasted(sel.pasted ?? '');
  if (pasted.length > MAX_PASTED_LINES) {
    problem('pasted', `Paste at most ${MAX_PASTED_LINES} entries.`, `Paste at most ${MAX_PASTED_LINES} entries.`);
  }
  const picked = (sel.userIds ?? []).filter((n) => Number.isSafeInteger(n));
  if (pasted.length === 0 && picked.length === 0 && !sel.view && !sel.orgSlug) {
    problem(
      'picked',
      'Pick users, paste a list, or choose a view or organization.',
      'Choose users: pick them, paste a list, or choose a view or organization.',
    );
  }
  return messages.length > 0 ? fail('invalid_input', messages[0], fields) : null;
}

/** Resolve a selection, report what would happen, and hold the exact target list in a draft job. */
export async function previewBulkReset(ctx: Ctx, actor: Actor, sel: BulkSelection): Promise<Outcome<BulkPreview>> {
  const access = await loadAccess(ctx, actor);
  if (isFailure(access)) return access;
  const orgs = orgsWith(access, 'bulk_reset');
  if (orgs !== null && orgs.length === 0) return fail('forbidden', 'You do not have permission to run bulk password resets.');
  const bad = checkBulkSelection(sel);
  if (bad) return bad;
  const reason = sel.reason.trim();
  const pasted = parsePasted(sel.pasted ?? '');
  const picked = (sel.userIds ?? []).filter((n) => Number.isSafeInteger(n));
  const hasScope = Boolean(sel.view) || Boolean(sel.orgSlug);

  const candidates = new Set<number>(picked);
  const idOf = await resolvePasted(pasted);
  idOf.forEach((id) => candidates.add(id));
  if (hasScope) {
    let scopeOrgs = orgs;
    if (sel.orgSlug) {
      const org = await Organization.findOne({ where: { slug: sel.orgSlug } });
      if (!org || (orgs !== null && !orgs.includes(org.id))) {
        return fail('forbidden', `You cannot run bulk resets in ${sel.orgSlug}.`, { scope_org: 'Choose one of your organizations.' });
      }
      scopeOrgs = [org.id];
    }
    for (const id of await userIdsInView(scopeOrgs, sel.view ?? 'all')) candidates.add(id);
  }

  const all = [...candidates];
  const rolesMap = await rolesOfUsers(all);
  const users = new Map<number, { enabled: boolean; username: string }>();
  for (let i = 0; i < all.length; i += 500) {
    for (const u of await User.findAll({ where: { id: { [Op.in]: all.slice(i, i + 500) } }, attributes: ['id', 'enabled', 'username'] }))
      users.set(u.id, { enabled: u.enabled, username: u.username });
  }
  const visible = (id: number) => users.has(id) && mayView(access, [...(rolesMap.get(id)?.keys() ?? [])]);
  // Somebody outside the actor's organizations reads exactly like a name that matches nobody, in the order pasted.
  const unknown = [...pasted.filter((e) => !idOf.has(e) || !visible(idOf.get(e)!)), ...picked.filter((id) => !visible(id)).map(String)];
  const eligible: number[] = [];
  let skippedDisabled = 0;
  let skippedSelf = false;
  const refused = { noPermission: [] as string[], higherRole: [] as string[] };
  for (const id of all) {
    if (!visible(id)) continue;
    const decision = decide(access, rolesMap.get(id) ?? new Map(), 'bulk_reset');
    if (id === access.userId) skippedSelf = true;
    else if (!decision.allowed) refused[decision.reason === 'higher_role' ? 'higherRole' : 'noPermission'].push(users.get(id)!.username);
    else if (!users.get(id)!.enabled) skippedDisabled++;
    else eligible.push(id);
  }
  refused.noPermission.sort();
  refused.higherRole.sort();
  eligible.sort((a, b) => a - b);
  const sampleRows = await User.findAll({
    where: { id: { [Op.in]: eligible.slice(0, 10) } },
    attributes: ['username'],
    order: [['username', 'ASC']],
  });
  const job = await ctx.db.tx(async (t) => {
    const j = await Job.create(
      {
        kind: BULK_RESET_KIND,
        status: 'draft',
        actorUserId: access.userId,
        actorLabel: actor.label,
        payload: JSON.stringify({ reason, total: eligible.length } satisfies BulkPayload),
      },
      { transaction: t },
    );
    for (let i = 0; i < eligible.length; i += 1000) {
      await JobItem.bulkCreate(
        eligible.slice(i, i + 1000).map((userId) => ({ jobId: j.id, userId })),
        { transaction: t },
      );
    }
    return j;
  });
  return ok({
    jobId: job.id,
    count: eligible.length,
    sample: sampleRows.map((u) => u.username),
    unknown: [...new Set(unknown)].slice(0, PREVIEW_NAMES),
    skippedDisabled,
    skippedSelf,
    skippedNoPermission: refused.noPermission.length,
    skippedHigherRole: refused.higherRole.length,
    refusedSample: { noPermission: refused.noPermission.slice(0, PREVIEW_NAMES), higherRole: refused.higherRole.slice(0, PREVIEW_NAMES) },
  });
}

/** The actor confirms a preview: the draft becomes a queued job. */
export async function confirmBulkReset(
  ctx: Ctx,
  actor: Actor,
  input: { jobId: number; notify?: { channel: string; ts: string } | null; requestedBySlack?: string | null },
): Promise<Outcome<{ jobId: number; total: number }>> {
  return ctx.db.tx(async (t) => {
    const access = await loadAccess(ctx, actor, t);
    if (isFailure(access)) return access;
    if (orgsWith(access, 'bulk_reset')?.length === 0) return fail('forbidden', 'You do not have permission to run bulk password resets.');
    const job = await Job.findByPk(input.jobId, { transaction: t, lock: t.LOCK.UPDATE });
    if (!job || job.kind !== BULK_RESET_KIND || job.actorUserId !== access.userId)
      return fail('not_found', 'That bulk reset preview does not exist.');
    if (job.status !== 'draft') return fail('conflict', 'That bulk reset was already started.');
    if (ctx.now().getTime() - job.createdAt.getTime() > DRAFT_TTL_MS)
      return fail('precondition_failed', 'That preview is more than an hour old; start again.');
    const payload = JSON.parse(job.payload) as BulkPayload;
    job.status = 'queued';
    job.payload = JSON.stringify({
      ...payload,
      notify: input.notify ?? null,
      requestedBySlack: input.requestedBySlack ?? null,
    } satisfies BulkPayload);
    job.progress = JSON.stringify({ total: payload.total, done: 0, reset: 0, skipped: 0, refused: 0 } satisfies BulkProgress);
    await job.save({ transaction: t });
    await writeAudit(ctx, t, actor, {
      action: 'bulk_reset_started',
      reason: payload.reason,
      organizationId: orgsWith(access, 'bulk_reset')?.[0] ?? null,
      details: { jobId: job.id, users: payload.total },
    });
    t.afterCommit(() => ctx.notify?.('jobs'));
    return ok({ jobId: job.id, total: payload.total });
  });
}

/**
 * Process the next batch of pending items of a running bulk reset, in one transaction. The job's
 * actor is re-checked each batch: someone who lost the role mid-job stops resetting.
 */
export async function runBulkResetBatch(ctx: Ctx, jobId: number, batchSize = 250): Promise<{ processed: number; progress: BulkProgress }> {
  return ctx.db.tx(async (t) => {
    const job = await Job.findByPk(jobId, { transaction: t });
    if (!job) throw new Error(`job ${jobId} vanished`);
    const payload = JSON.parse(job.payload) as BulkPayload;
    const items = await JobItem.findAll({ where: { jobId, status: 'pending' }, order: [['id', 'ASC']], limit: batchSize, transaction: t });
    const progress = await countProgress(jobId, payload.total, t);
    if (items.length === 0) return { processed: 0, progress };
    const actor: Actor = job.actorUserId
      ? { kind: 'user', userId: job.actorUserId, label: job.actorLabel, via: 'slack' }
      : { kind: 'system', label: job.actorLabel };
    const access = await loadAccess(ctx, actor, t);
    const users = await User.findAll({ where: { id: { [Op.in]: items.map((i) => i.userId) } }, transaction: t, lock: t.LOCK.UPDATE });
    const byId = new Map(users.map((u) => [u.id, u]));
    const statusOf = new Map<number, { status: 'done' | 'skipped' | 'failed'; detail: string }>();
    if (isFailure(access)) {
      for (const i of items) statusOf.set(i.userId, { status: 'failed', detail: 'the requester can no longer act' });
    } else {
      const results = await resetBatch(ctx, t, actor, access as Access, users, {
        reason: payload.reason,
        skipSelf: true,
        jobId,
        permission: 'bulk_reset',
      });
      for (const r of results) {
        if (r.userId === undefined) continue;
        statusOf.set(r.userId, {
          status: r.status === 'done' ? 'done' : r.status === 'skipped' ? 'skipped' : 'failed',
          detail: r.message.slice(0, 300),
        });
      }
      for (const i of items) if (!byId.has(i.userId)) statusOf.set(i.userId, { status: 'skipped', detail: 'deleted before the reset ran' });
    }
    for (const kind of ['done', 'skipped', 'failed'] as const) {
      const ids = items.filter((i) => statusOf.get(i.userId)?.status === kind).map((i) => i.id);
      if (ids.length > 0) await JobItem.update({ status: kind }, { where: { id: { [Op.in]: ids } }, transaction: t });
    }
    // Details only for the unusual items (keeps 10,000-user jobs to a few statements per batch).
    for (const i of items) {
      const s = statusOf.get(i.userId);
      if (s && s.status !== 'done') await JobItem.update({ detail: s.detail }, { where: { id: i.id }, transaction: t });
    }
    return { processed: items.length, progress: await countProgress(jobId, payload.total, t) };
  });
}

async function countProgress(jobId: number, total: number, t?: import('sequelize').Transaction): Promise<BulkProgress> {
  const rows = (await JobItem.count({ where: { jobId }, group: ['status'], transaction: t })) as unknown as Array<{
    status: string;
    count: number;
  }>;
  const by = new Map(rows.map((r) => [r.status, Number(r.count)]));
  const reset = by.get('done') ?? 0;
  const skipped = by.get('skipped') ?? 0;
  const refused = by.get('failed') ?? 0;
  return { total, done: reset + skipped + refused, reset, skipped, refused };
}

/** Final summary numbers, including the mail side (queued, sent, failed so far). */
export async function bulkResetSummary(
  jobId: number,
): Promise<BulkProgress & { mailsQueued: number; mailsSent: number; mailsFailed: number; skippedDetails: string[] }> {
  const job = await Job.findByPk(jobId);
  const payload = job ? (JSON.parse(job.payload) as BulkPayload) : { total: 0, reason: '' };
  const progress = await countProgress(jobId, payload.total);
  const mails = (await MailMessage.count({ where: { jobId }, group: ['status'] })) as unknown as Array<{ status: string; count: number }>;
  const m = new Map(mails.map((r) => [r.status, Number(r.count)]));
  const details = await JobItem.findAll({ where: { jobId, status: { [Op.ne]: 'done' } }, order: [['id', 'ASC']], limit: 20 });
  return {
    ...progress,
    mailsQueued: [...m.values()].reduce((a, b) => a + b, 0),
    mailsSent: m.get('sent') ?? 0,
    mailsFailed: m.get('failed') ?? 0,
    skippedDetails: details.map((d) => d.detail ?? `user ${d.userId}`),
  };
}

/** The organizations the bulk-reset modal offers (where the actor holds `bulk_reset`). */
export async function bulkResetOrgs(ctx: Ctx, actor: Actor): Promise<Outcome<{ orgs: Array<{ slug: string; name: string }> }>> {
  const access = await loadAccess(ctx, actor);
  if (isFailure(access)) return access;
  const ids = orgsWith(access, 'bulk_reset');
  if (ids !== null && ids.length === 0) return fail('forbidden', 'You do not have permission to run bulk password resets.');
  const orgs = await organizationsIn(ids);
  return ok({ orgs: orgs.map((o) => ({ slug: o.slug, name: o.name })) });
}
