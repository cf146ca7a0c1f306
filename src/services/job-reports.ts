// What a finished job reports again when mail sent on its behalf finally failed.
import { Job } from '../store/models';
import { BULK_RESET_KIND, bulkResetSummary } from './bulk-reset';

export interface JobReport {
  job: Job;
  summary: { title: string; lines: string[]; ok: boolean };
}

/**
 * The summary a finished bulk reset shows once some of its mails failed for good: the same
 * numbers, with the mail side up to date. Null for any other job, or one still running (its own
 * final report will carry the numbers).
 */
export async function jobMailFailureSummary(jobId: number): Promise<JobReport | null> {
  const job = await Job.findByPk(jobId);
  if (!job || job.kind !== BULK_RESET_KIND || job.status !== 'done') return null;
  const s = await bulkResetSummary(jobId);
  return {
    job,
    summary: {
      title: `Bulk password reset #${job.id} finished`,
      lines: [
        `${s.reset} reset, ${s.skipped} skipped, ${s.refused} refused (of ${s.total}).`,
        `Mails: ${s.mailsQueued} queued, ${s.mailsSent} sent, ${s.mailsFailed} failed — failed mails will not be retried; reset those users again once mail works.`,
      ],
      ok: s.mailsFailed === 0 && s.refused === 0,
    },
  };
}
