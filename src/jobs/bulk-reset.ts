import { BULK_RESET_KIND, bulkResetSummary, runBulkResetBatch } from '../services/bulk-reset';
import type { JobHandler } from './runner';
import type { JobNotifier } from './notifier';

export { BULK_RESET_KIND };

/**
 * The bulk reset job: batches until no item is pending. Progress goes to the requester at most
 * every `progressEveryMs` (Slack rate limits chat.update) and always at the end.
 */
export function bulkResetJob(notifier: JobNotifier, opts: { batchSize?: number; progressEveryMs?: number } = {}): JobHandler {
  const batchSize = opts.batchSize ?? 250;
  const every = opts.progressEveryMs ?? 2000;
  return async (job, ctx, control) => {
    let lastReport = 0;
    for (;;) {
      if (control.stopping()) return { status: 'checkpoint' };
      const { processed, progress } = await runBulkResetBatch(ctx, job.id, batchSize);
      if (!(await control.progress({ ...progress }))) return { status: 'checkpoint' };
      if (processed === 0) break;
      if (Date.now() - lastReport >= every) {
        lastReport = Date.now();
        await notifier
          .progress(
            job,
            `Resetting passwords: ${progress.done} of ${progress.total} processed (${progress.reset} reset, ${progress.skipped} skipped).`,
            progress.total === 0 ? 1 : progress.done / progress.total,
          )
          .catch((e: unknown) => ctx.logger.warn('bulk reset progress report failed', { jobId: job.id, error: String(e) }));
      }
    }
    const s = await bulkResetSummary(job.id);
    const result = { ...s };
    const lines = [
      `${s.reset} reset, ${s.skipped} skipped, ${s.refused} refused (of ${s.total}).`,
      `Mails: ${s.mailsQueued} queued, ${s.mailsSent} sent so far, ${s.mailsFailed} failed.`,
      ...s.skippedDetails.slice(0, 10).map((d) => `• ${d}`),
    ];
    await notifier
      .finished(job, { title: `Bulk password reset #${job.id} finished`, lines, ok: s.refused === 0 })
      .catch((e: unknown) => ctx.logger.warn('bulk reset summary report failed', { jobId: job.id, error: String(e) }));
    return { status: 'done', result };
  };
}
