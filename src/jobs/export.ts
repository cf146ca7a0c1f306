import { formatBytes, exportMail } from '../mail/templates';
import type { OutboxAttachment } from '../mail/outbox';
import type { MailSenderOptions } from '../mail/sender';
import type { Ctx } from '../services/context';
import {
  EXPORT_KIND,
  exportActor,
  exportScope,
  exportViewUserIds,
  recordExportDelivery,
  type ExportPayload,
  type ExportRecord,
} from '../services/export';
import { exportableFields } from '../services/export-fields';
import { Job, MailMessage, User } from '../store/models';
import { writeExportCsv, type ExportCsvResult } from './export-csv';
import { gzipFile, newExportPath, removeExportFile, sweepExportFiles } from './export-files';
import type { JobNotifier } from './notifier';
import { parseJson, type JobHandler } from './runner';

export { EXPORT_KIND };

/**
 * Where the file goes, seen from the job: to the requester and nobody else. The Slack adapter
 * implements it with filesUploadV2 into the requester's DM with the app; jobs never import Slack.
 */
export interface FileShare {
  share(file: SharedFile, to: { slackUserId: string | null }): Promise<ShareOutcome>;
}

export interface SharedFile {
  path: string;
  filename: string;
  title: string;
  comment: string;
}

/** `channel`: the requester's DM with the app, where the file was shared. */
export type ShareOutcome = { ok: true; channel: string } | { ok: false; reason: string };

interface ExportProgress {
  stage?: 'writing' | 'shared' | 'mailed';
  rows?: number;
  total?: number;
  slack?: ShareOutcome;
  lines?: string[];
  ok?: boolean;
}

type Attachment = { kind: 'csv' | 'gzip'; path: string; bytes: number } | { kind: 'none' };

class Interrupted extends Error {}

/** The CSV as mailed: itself if small enough, else gzip if that fits, else nothing (a notice). */
async function emailAttachment(csvPath: string, csvBytes: number, maxBytes: number): Promise<Attachment> {
  if (csvBytes <= maxBytes) return { kind: 'csv', path: csvPath, bytes: csvBytes };
  const gz = await gzipFile(csvPath);
  return gz.bytes <= maxBytes ? { kind: 'gzip', ...gz } : { kind: 'none' };
}

function fileName(ctx: Ctx, jobId: number): string {
  return `users-export-${ctx.now().toISOString().slice(0, 10)}-${jobId}.csv`;
}

function slackLine(s: ShareOutcome, attachment: Attachment['kind']): string {
  if (s.ok) return 'The CSV is in this conversation (your direct messages with userops).';
  return attachment === 'none'
    ? `⚠️ The Slack upload failed (${s.reason}) and the file is too large for email: run the export again later.`
    : `⚠️ The Slack upload failed (${s.reason}); the email carries the file.`;
}

function mailLine(to: string | null, a: Attachment, maxBytes: number): string {
  if (!to) return 'No email copy: your directory account no longer exists.';
  const what = {
    csv: 'CSV attached',
    gzip: 'gzip-compressed CSV attached',
    none: `without the file, which is larger than ${formatBytes(maxBytes)} even compressed`,
  }[a.kind];
  return `A copy is on its way to ${to} (${what}).`;
}

function mailSlackNote(s: ShareOutcome, attachment: Attachment['kind']): string {
  if (s.ok) return 'It is also in your direct messages with userops in Slack.';
  return attachment === 'none'
    ? `The Slack upload failed too (${s.reason}): run the export again later.`
    : `The Slack upload failed (${s.reason}), so this email is your copy.`;
}

/**
 * Render the requester's final message from what the database says: the lines the job stored
 * when it queued the mail, plus a warning once that mail has failed. The job and the mail
 * sender's failure hook both call this, so whichever reports last shows the whole truth.
 */
export async function reportExport(notifier: JobNotifier, jobId: number): Promise<void> {
  const job = await Job.findByPk(jobId);
  if (!job || job.kind !== EXPORT_KIND) return;
  const progress = parseJson<ExportProgress>(job.progress, {});
  if (progress.stage !== 'mailed' || !progress.lines) return;
  const failed = await MailMessage.findOne({ where: { jobId, kind: 'export', status: 'failed' } });
  const lines = [...progress.lines];
  if (failed) {
    lines.push(
      `⚠️ The email copy to ${failed.toAddress} could not be delivered (${(failed.lastError ?? 'unknown error').slice(0, 200)}). The Slack file is not affected.`,
    );
  }
  await notifier.finished(job, { title: `Export #${job.id} finished`, lines, ok: Boolean(progress.ok) && !failed });
}

/**
 * The export job: check the requester's scope again, stream the CSV to a file, share it in Slack,
 * queue the email copy. A crash before the mail is queued reruns the export (without a second
 * Slack upload if the first one was recorded); after it, only the report is repeated.
 */
export function exportJob(
  notifier: JobNotifier,
  share: FileShare | null,
  opts: { pageSize?: number; progressEveryMs?: number } = {},
): JobHandler {
  const every = opts.progressEveryMs ?? 2000;
  return async (job, ctx, control) => {
    const payload = parseJson<ExportPayload | null>(job.payload, null);
    if (!payload) return { status: 'failed', error: 'The export job has no readable payload.' };
    const prior = parseJson<ExportProgress>(job.progress, {});
    const warn = (what: string) => (e: unknown) => ctx.logger.warn(what, { jobId: job.id, error: String((e as Error)?.message ?? e) });
    if (prior.stage === 'mailed') {
      await reportExport(notifier, job.id).catch(warn('export report failed'));
      return { status: 'done', result: { lines: prior.lines ?? [] } };
    }
    await sweepExportFiles(ctx.config, ctx.now()).catch(warn('export file sweep failed'));

    const scope = await exportScope(ctx, exportActor(job));
    if (!scope.ok) {
      await notifier
        .finished(job, { title: `Export #${job.id} did not run`, lines: [scope.message], ok: false })
        .catch(warn('export report failed'));
      return { status: 'failed', error: scope.message };
    }

    const path = await newExportPath(ctx.config, job.id);
    let written: ExportCsvResult;
    let lastReport = 0;
    try {
      // Re-checked here too: a job queued while the deployment allowed hashes exports none once it does not.
      const fields = exportableFields(ctx.config, payload.fields);
      const userIds = payload.view ? await exportViewUserIds(ctx, scope.orgIds, payload.view) : undefined;
      written = await writeExportCsv({ orgIds: scope.orgIds, fields, userIds }, path, {
        pageSize: opts.pageSize,
        onPage: async ({ rows, total }) => {
          if (control.stopping() || !(await control.progress({ ...prior, stage: 'writing', rows, total }))) throw new Interrupted();
          if (Date.now() - lastReport < every) return;
          lastReport = Date.now();
          await notifier
            .progress(job, `Writing the CSV: ${rows} of ${total} rows.`, (rows / Math.max(total, 1)) * 0.8)
            .catch(warn('export progress report failed'));
        },
      });
    } catch (e) {
      await removeExportFile(ctx.config, path);
      if (e instanceof Interrupted) return { status: 'checkpoint' };
      throw e;
    }

    const name = fileName(ctx, job.id);
    const orgs = scope.orgSlugs.join(', ') || 'no organizations';
    let slack = prior.slack;
    if (!slack) {
      await notifier.progress(job, `Sharing ${written.rows} rows in Slack…`, 0.85).catch(warn('export progress report failed'));
      slack = share
        ? await share.share(
            {
              path,
              filename: name,
              title: `User export #${job.id}`,
              comment: `User export #${job.id}: ${written.users} users, ${written.rows} rows (${orgs}).`,
            },
            { slackUserId: payload.requestedBySlack },
          )
        : { ok: false, reason: 'Slack is not configured' };
      if (!(await control.progress({ stage: 'shared', rows: written.rows, total: written.rows, slack }))) {
        await removeExportFile(ctx.config, path);
        return { status: 'checkpoint' };
      }
    }

    const max = ctx.config.EXPORT_EMAIL_MAX_BYTES;
    const attachment = await emailAttachment(path, written.bytes, max);
    const user = job.actorUserId ? await User.findByPk(job.actorUserId, { attributes: ['email'] }) : null;
    const lines = [
      `${written.rows} rows for ${written.users} users (${orgs}), ${written.columns.length} columns.`,
      slackLine(slack, attachment.kind),
      mailLine(user?.email ?? null, attachment, max),
    ];
    const record: ExportRecord = {
      rows: written.rows,
      users: written.users,
      organizations: scope.orgSlugs,
      columns: written.columns,
      slack: slack.ok ? { ok: true, detail: slack.channel } : { ok: false, detail: slack.reason },
      attachment: attachment.kind,
    };
    const attachments: OutboxAttachment[] =
      attachment.kind === 'none'
        ? []
        : [
            attachment.kind === 'csv'
              ? { filename: name, path: attachment.path, contentType: 'text/csv; charset=utf-8' }
              : { filename: `${name}.gz`, path: attachment.path, contentType: 'application/gzip' },
          ];
    let delivered: Awaited<ReturnType<typeof recordExportDelivery>> = null;
    try {
      delivered = await recordExportDelivery(ctx, job, control.instanceId, {
        record,
        progress: { stage: 'mailed', lines, ok: slack.ok },
        mail: (to) => ({
          mail: exportMail({
            name: to.name,
            users: written.users,
            rows: written.rows,
            fileName: name,
            attachment: attachment.kind,
            maxBytes: max,
            slackNote: mailSlackNote(slack, attachment.kind),
          }),
          attachments,
        }),
      });
    } finally {
      // Every file but the one a queued email carries; the mail sender's hooks delete that one once it is sent.
      const carried = delivered?.to && attachment.kind !== 'none' ? attachment.path : null;
      for (const p of [path, `${path}.gz`]) if (p !== carried) await removeExportFile(ctx.config, p);
    }
    if (!delivered) return { status: 'checkpoint' };
    await reportExport(notifier, job.id).catch(warn('export report failed'));
    return { status: 'done', result: { ...record, file: name, lines } };
  };
}

/**
 * Mail sender hooks for export mails: the attached file is deleted once the mail is sent or has
 * failed for good, and a failure is added to the requester's final message.
 */
export function withExportMailHooks(ctx: Ctx, notifier: JobNotifier, hooks: MailSenderOptions): MailSenderOptions {
  const cleanup = (row: MailMessage) => {
    for (const a of parseJson<OutboxAttachment[]>(row.attachments, [])) {
      if (a.path)
        void removeExportFile(ctx.config, a.path).catch((e: unknown) => ctx.logger.warn('export file not removed', { error: String(e) }));
    }
  };
  return {
    ...hooks,
    onSent: (row) => {
      hooks.onSent?.(row);
      if (row.kind === 'export') cleanup(row);
    },
    onFailed: (row) => {
      hooks.onFailed?.(row);
      if (row.kind !== 'export') return;
      cleanup(row);
      if (row.jobId !== null)
        void reportExport(notifier, row.jobId).catch((e: unknown) =>
          ctx.logger.warn('export mail failure not reported', { error: String(e) }),
        );
    },
  };
}
