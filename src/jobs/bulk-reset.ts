import { BULK_RESET_KIND } from '../services/bulk-reset';
import { bulkActionJob } from './bulk-actions';
import type { FileShare } from './export';
import type { JobHandler } from './runner';
import type { JobNotifier } from './notifier';

export { BULK_RESET_KIND };

/** The bulk reset job: the one bulk job (./bulk-actions), which reads the action from the job's payload. */
export function bulkResetJob(
  notifier: JobNotifier,
  opts: { batchSize?: number; progressEveryMs?: number; share?: FileShare | null } = {},
): JobHandler {
  return bulkActionJob(notifier, opts.share ?? null, opts);
}
