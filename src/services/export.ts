import type { Transaction } from 'sequelize';
import { fail, ok, type Outcome } from '../domain/outcome';
import { enqueueMail, type OutboxAttachment } from '../mail/outbox';
import type { RenderedMail } from '../mail/templates';
import { Job, User } from '../store/models';
import { organizationsIn } from '../store/organization-queries';
import { userIdsInView } from '../store/user-queries';
import type { SavedView } from '../domain/status';
import { isFailure, loadAccess, orgsWith } from './authz';
import { writeAudit } from './audit';
import type { Actor, Ctx } from './context';
import { viewClock } from './directory';
import { enabledFields, loadExportFieldSettings, type ExportFieldName } from './export-fields';

/**
 * `/users export`: who may export what, the persisted job, and the last step (email + audit).
 * Writing the CSV and sharing it live in src/jobs/export.ts; this file holds the rules.
 */

export const EXPORT_KIND = 'export';

export interface ExportPayload {
  /** The optional fields switched on when the export was requested (the columns stay as asked). */
  fields: ExportFieldName[];
  /** The requester's progress message (DM), see SlackJobNotifier. */
  notify: { channel: string; ts: string } | null;
  /**
   * The requester's Slack id: the file goes to their DM with the app and nowhere else. Where the
   * command was typed is not recorded at all, so nothing can ever post the export there.
   */
  requestedBySlack: string | null;
  /** Only the users of this saved view (`/users export VIEW`); absent: everyone in scope. */
  view?: SavedView;
}

export interface ExportScope {
  /** null: every organization (system actor). */
  orgIds: number[] | null;
  orgSlugs: string[];
}

/**
 * The organizations an export covers: those where the actor holds `export`. An administrator of
 * several organizations exports all of them; a security member of one, that one.
 */
export async function exportScope(ctx: Ctx, actor: Actor, t?: Transaction): Promise<Outcome<ExportScope>> {
  const access = await loadAccess(ctx, actor, t);
  if (isFailure(access)) return access;
  const orgIds = orgsWith(access, 'export');
  if (orgIds !== null && orgIds.length === 0) return fail('forbidden', 'You do not have permission to export users.');
  const orgs = await organizationsIn(orgIds, t);
  return ok({ orgIds: orgIds === null ? null : [...orgIds].sort((a, b) => a - b), orgSlugs: orgs.map((o) => o.slug) });
}

/** Queue an export job with the current field settings. */
export async function requestExport(
  ctx: Ctx,
  actor: Actor,
  input: { notify?: ExportPayload['notify']; requestedBySlack?: string | null; view?: SavedView },
): Promise<Outcome<{ jobId: number; orgSlugs: string[]; email: string | null }>> {
  return ctx.db.tx(async (t) => {
    const scope = await exportScope(ctx, actor, t);
    if (!scope.ok) return scope;
    const fields = enabledFields(await loadExportFieldSettings(t), ctx.config);
    const payload: ExportPayload = {
      fields,
      notify: input.notify ?? null,
      requestedBySlack: input.requestedBySlack ?? null,
      ...(input.view ? { view: input.view } : {}),
    };
    const userId = actor.kind === 'user' ? actor.userId : null;
    const job = await Job.create(
      { kind: EXPORT_KIND, status: 'queued', actorUserId: userId, actorLabel: actor.label, payload: JSON.stringify(payload) },
      { transaction: t },
    );
    await writeAudit(ctx, t, actor, {
      action: 'export_requested',
      details: { jobId: job.id, organizations: scope.orgSlugs, fields, ...(input.view ? { view: input.view } : {}) },
    });
    t.afterCommit(() => ctx.notify?.('jobs'));
    const me = userId === null ? null : await User.findByPk(userId, { attributes: ['email'], transaction: t });
    return ok({ jobId: job.id, orgSlugs: scope.orgSlugs, email: me?.email ?? null });
  });
}

/**
 * The users of a saved view within the export's organizations: the same query as `/users list VIEW`
 * (admins counts the administrator role in those organizations; dormant reads the service clock).
 */
export async function exportViewUserIds(ctx: Ctx, orgIds: number[] | null, view: SavedView): Promise<Set<number>> {
  return new Set(await userIdsInView({ orgIds, ...viewClock(ctx) }, view));
}

/** Who a job acts for: its recorded user, re-checked like any actor. */
export function exportActor(job: Pick<Job, 'actorUserId' | 'actorLabel'>): Actor {
  return job.actorUserId
    ? { kind: 'user', userId: job.actorUserId, label: job.actorLabel, via: 'slack' }
    : { kind: 'system', label: job.actorLabel };
}

export interface ExportRecord {
  rows: number;
  users: number;
  organizations: string[];
  columns: string[];
  slack: { ok: boolean; detail: string };
  attachment: 'csv' | 'gzip' | 'none';
}

/**
 * The export's last step, in one transaction: the email copy goes into the outbox, the audit row
 * is written, and the job's progress says "mailed" (with the requester's summary) — so a job
 * resumed after a crash never mails twice. Returns null, writing nothing, if this instance no
 * longer holds the job.
 */
export async function recordExportDelivery(
  ctx: Ctx,
  job: Pick<Job, 'id' | 'actorUserId' | 'actorLabel'>,
  instanceId: string,
  input: {
    record: ExportRecord;
    progress: Record<string, unknown>;
    mail: (to: { name: string; email: string }) => { mail: RenderedMail; attachments: OutboxAttachment[] };
  },
): Promise<{ to: string | null } | null> {
  return ctx.db.tx(async (t) => {
    const [owned] = await Job.update(
      { progress: JSON.stringify(input.progress) },
      { where: { id: job.id, leaseOwner: instanceId, status: 'running' }, transaction: t },
    );
    if (owned !== 1) return null;
    const user = job.actorUserId ? await User.findByPk(job.actorUserId, { transaction: t }) : null;
    if (user) {
      const m = input.mail({ name: user.firstName || user.username, email: user.email });
      await enqueueMail(ctx, t, [
        { kind: 'export', to: user.email, mail: m.mail, attachments: m.attachments, userId: user.id, jobId: job.id },
      ]);
    }
    await writeAudit(ctx, t, exportActor(job), {
      action: 'export',
      details: { jobId: job.id, ...input.record, emailedTo: user?.email ?? null },
    });
    return { to: user?.email ?? null };
  });
}
