import { BULK_KINDS, bulkActionJob } from '../jobs/bulk-actions';
import { withExportMailHooks, type FileShare } from '../jobs/export';
import { silentNotifier, type JobNotifier } from '../jobs/notifier';
import { startNoticeSender, type NoticeSender, type NoticeSenderOptions, type NoticeSlack } from '../jobs/notice-sender';
import { startPasswordExpiryScheduler, type PasswordExpiryScheduler } from '../jobs/password-expiry';
import { JobRunner, type JobHandler, type JobRunnerOptions } from '../jobs/runner';
import { startWebhookSender, type WebhookSender, type WebhookSenderOptions } from '../jobs/webhook-sender';
import { startMailSender, type MailSender, type MailSenderOptions } from '../mail/sender';
import type { MailTransport } from '../mail/transport';
import type { Runtime } from './runtime';

export interface WorkerOptions {
  mail?: MailSenderOptions & { transport?: MailTransport };
  jobs?: JobRunnerOptions;
  /** The webhook delivery worker (onDisabled: tell the organization's administrators). */
  webhooks?: WebhookSenderOptions;
  notifier?: JobNotifier;
  /** Where bulk jobs share their CSV of per-user outcomes (the requester's DM); none without Slack. */
  share?: FileShare | null;
  /** More job kinds (export) registered by the parts that own them. */
  handlers?: Record<string, JobHandler>;
  /** Where owner notices go as Slack DMs; without it (no Slack configured) they go by email. */
  noticeSlack?: NoticeSlack | null;
  notices?: NoticeSenderOptions;
}

export interface Workers {
  mail: MailSender;
  jobs: JobRunner;
  notices: NoticeSender;
  /** The daily password-expiry job; `null` unless PASSWORD_MAX_AGE_DAYS is set. */
  passwordExpiry: PasswordExpiryScheduler | null;
  webhooks: WebhookSender;
  stop(): Promise<void>;
}

/**
 * The background side of an instance: the mail outbox sender, the owner-notice sender, the webhook
 * sender, the job runner and the password-expiry schedule, woken by commits (onNotify) and by
 * polling. Every instance runs them all; leases and claims keep them from doing a thing twice.
 */
export function startWorkers(rt: Runtime, opts: WorkerOptions = {}): Workers {
  const notifier = opts.notifier ?? silentNotifier;
  const jobs = new JobRunner(rt, opts.jobs ?? {});
  // Background delivery gives way to a job running on this instance (the job is what its admin waits for).
  const mail = startMailSender(rt, withExportMailHooks(rt, notifier, { giveWayWhile: () => jobs.busy, ...opts.mail }));
  const bulk = bulkActionJob(notifier, opts.share ?? null, { batchSize: rt.config.BULK_BATCH_SIZE });
  for (const kind of BULK_KINDS) jobs.register(kind, bulk);
  for (const [kind, handler] of Object.entries(opts.handlers ?? {})) jobs.register(kind, handler);
  rt.onNotify((topic) => {
    if (topic === 'jobs') jobs.kick();
  });
  jobs.start();
  const notices = startNoticeSender(rt, opts.noticeSlack ?? null, opts.notices);
  const passwordExpiry = rt.config.PASSWORD_MAX_AGE_DAYS !== null ? startPasswordExpiryScheduler(rt) : null;
  const webhooks = startWebhookSender(rt, { giveWayWhile: () => jobs.busy, ...opts.webhooks });
  return {
    mail,
    jobs,
    notices,
    passwordExpiry,
    webhooks,
    // Jobs and the expiry job first: they may still queue notices and mail, which the senders then deliver.
    stop: async () => {
      await passwordExpiry?.stop();
      await jobs.stop();
      await notices.stop();
      await Promise.all([mail.stop(), webhooks.stop()]);
    },
  };
}
