import { enqueueMail } from '../mail/outbox';
import { jobResultMail } from '../mail/templates';
import { User, type Job } from '../store/models';
import type { Ctx } from './context';
import { displayName } from './user-shapes';

export type JobResultMailer = (job: Job, summary: { title: string; lines: string[] }) => Promise<{ queued: boolean }>;

/**
 * The last way a job's result reaches its requester: a mail through the durable outbox, when
 * Slack would take neither the update of the progress message nor a new DM. Nothing is queued for
 * a job without a requester (the CLI) or whose requester is gone.
 */
export function queueJobResultMail(ctx: Ctx): JobResultMailer {
  return async (job, summary) => {
    if (job.actorUserId === null) return { queued: false };
    return ctx.db.tx(async (t) => {
      const user = await User.findByPk(job.actorUserId!, { transaction: t });
      if (!user) return { queued: false };
      await enqueueMail(ctx, t, [
        {
          kind: 'job_result',
          to: user.email,
          // No jobId: a job's mails are what its summary counts (mailStats), and this one is about the job.
          userId: user.id,
          mail: jobResultMail({ name: displayName(user), title: summary.title, lines: summary.lines }),
        },
      ]);
      return { queued: true };
    });
  };
}
