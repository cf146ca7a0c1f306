import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { neutralizeCell } from '../domain/csv-safety';
import { BULK_DONE_VERB, BULK_TITLE, type BulkAction } from '../domain/bulk-actions';
import { PRIVATE_FILE_MODE, settlePrivateFile } from '../lib/private-files';
import {
  BULK_KINDS,
  CSV_OVER,
  bulkActionSummary,
  bulkProgress,
  payloadOf,
  runBulkActionBatch,
  summaryLine,
  type BulkActionProgress,
} from '../services/bulk-actions';
import type { Ctx } from '../services/context';
import { emitBulkJobCompleted } from '../services/webhook-events';
import { jobItemOutcomes } from '../store/bulk-queries';
import type { Job } from '../store/models';
import { csvField } from './export-csv';
import type { FileShare, ShareOutcome } from './export';
import { newExportPath, removeExportFile } from './export-files';
import type { JobNotifier } from './notifier';
import { parseJson, type JobHandler } from './runner';

export { BULK_KINDS };

/** What the job keeps in its progress row: the counts, and once shared, where the CSV went. */
type StoredProgress = BulkActionProgress & { csv?: ShareOutcome };

const ACTIVE_VERB: Record<BulkAction, string> = {
  reset_password: 'Resetting passwords',
  disable: 'Disabling users',
  enable: 'Enabling users',
  activate: 'Unlocking users',
};

function outcomeWord(action: BulkAction, status: string): string {
  if (status === 'done') return BULK_DONE_VERB[action];
  if (status === 'failed') return 'refused';
  return status;
}

/** The per-user outcomes as CSV, every cell neutralised against spreadsheet formulas. */
async function writeOutcomesCsv(jobId: number, action: BulkAction, path: string): Promise<number> {
  const out = createWriteStream(path, { mode: PRIVATE_FILE_MODE });
  const line = (cells: string[]) => `${cells.map((c) => csvField(neutralizeCell(c))).join(',')}\r\n`;
  let rows = 0;
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(line(['user_id', 'username', 'email', 'outcome', 'detail']));
  for await (const page of jobItemOutcomes(jobId)) {
    for (const r of page) {
      await write(line([String(r.userId), r.username ?? '', r.email ?? '', outcomeWord(action, r.status), r.detail ?? '']));
      rows++;
    }
  }
  out.end();
  await finished(out);
  await settlePrivateFile(path);
  return rows;
}

/**
 * The job of every bulk action (reset, disable, enable, activate): batches until no item is
 * pending, progress to the requester in place at most every `progressEveryMs` (Slack rate limits
 * chat.update) and at the end, then a summary; over CSV_OVER users a CSV of per-user outcomes
 * is shared with the requester through `share` (their DM with the app).
 */
export function bulkActionJob(
  notifier: JobNotifier,
  share: FileShare | null,
  opts: { batchSize?: number; progressEveryMs?: number } = {},
): JobHandler {
  const batchSize = opts.batchSize ?? 250;
  const every = opts.progressEveryMs ?? 2000;
  return async (job, ctx, control) => {
    const { action, requestedBySlack, reason, total } = payloadOf(job);
    // The share is recorded in the progress row: a restart after it must not upload the file again.
    let csv = parseJson<StoredProgress | null>(job.progress, null)?.csv;
    const warn = (what: string) => (e: unknown) => ctx.logger.warn(what, { jobId: job.id, kind: job.kind, error: String(e) });
    let lastReport = 0;
    // Counted once per start (a restart counts again: the items are the truth), then carried batch by batch.
    let progress = await bulkProgress(job.id, total);
    for (;;) {
      if (control.stopping()) return { status: 'checkpoint' };
      let processed: number;
      ({ processed, progress } = await runBulkActionBatch(ctx, job.id, batchSize, progress));
      if (!(await control.progress({ ...progress, ...(csv ? { csv } : {}) }))) return { status: 'checkpoint' };
      if (processed === 0) break;
      if (Date.now() - lastReport >= every) {
        lastReport = Date.now();
        await notifier
          .progress(
            job,
            `${ACTIVE_VERB[action]}: ${progress.done} of ${progress.total} processed (${progress.changed} ${BULK_DONE_VERB[action]}, ${progress.skipped} skipped).`,
            progress.total === 0 ? 1 : progress.done / progress.total,
          )
          .catch(warn('bulk progress report failed'));
      }
    }
    const s = await bulkActionSummary(job.id);
    // Written before the Slack summary; a restart after it announces nothing twice (one per endpoint and job).
    await emitBulkJobCompleted(ctx, job, { action, reason });
    if (s.total > CSV_OVER && !csv) {
      csv = await shareOutcomes(ctx, job, action, share, requestedBySlack ?? null);
      if (!(await control.progress({ ...s, csv }))) return { status: 'checkpoint' };
    }
    const lines = [
      summaryLine(s),
      ...(s.mails ? [`Mails: ${s.mails.queued} queued, ${s.mails.sent} sent so far, ${s.mails.failed} failed.`] : []),
      ...(csv
        ? [
            csv.ok
              ? 'Per-user outcomes: the CSV is in this conversation.'
              : `⚠️ The CSV of per-user outcomes could not be shared (${csv.reason}).`,
          ]
        : []),
      ...s.skippedDetails.slice(0, 10).map((d) => `• ${d}`),
    ];
    await notifier
      .finished(job, { title: `${BULK_TITLE[action]} #${job.id} finished`, lines, ok: s.refused === 0 })
      .catch(warn('bulk summary report failed'));
    const { mails, skippedDetails, title: _title, ...counts } = s;
    const result: Record<string, unknown> = { ...counts, skippedDetails, ...(csv ? { csv } : {}) };
    if (mails) Object.assign(result, { reset: s.changed, mailsQueued: mails.queued, mailsSent: mails.sent, mailsFailed: mails.failed });
    return { status: 'done', result };
  };
}

async function shareOutcomes(
  ctx: Ctx,
  job: Job,
  action: BulkAction,
  share: FileShare | null,
  slackUserId: string | null,
): Promise<ShareOutcome> {
  if (!share) return { ok: false, reason: 'Slack is not configured' };
  const path = await newExportPath(ctx.config, job.id);
  try {
    const rows = await writeOutcomesCsv(job.id, action, path);
    return await share.share(
      {
        path,
        filename: `${job.kind.replace('_', '-')}-${job.id}-outcomes.csv`,
        title: `${BULK_TITLE[action]} #${job.id}: per-user outcomes`,
        comment: `${BULK_TITLE[action]} #${job.id}: the outcome for each of ${rows} users.`,
      },
      { slackUserId },
    );
  } finally {
    await removeExportFile(ctx.config, path);
  }
}
