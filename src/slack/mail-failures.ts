// Tells the person behind a mail, in Slack, that it finally failed.
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../lib/logger';
import type { MailSenderOptions } from '../mail/sender';
import { jobMailFailureSummary } from '../services/job-reports';
import { SlackJobNotifier } from './job-notifier';
import { esc } from './views/common';

const KIND_WORDS: Record<string, string> = {
  reset_link: 'password reset link',
  password_changed: 'password-changed notice',
  lockout_notice: 'lockout notice',
  sign_in_blocked: 'cannot-sign-in notice',
  account_notice: 'account notice',
  export: 'export copy',
  job_result: 'job report',
};

/**
 * Tell the person behind a mail that it finally failed. A job's mails update that job's summary
 * (at most every few seconds, so a dead SMTP server does not become hundreds of DMs); a mail queued
 * by a Slack action goes to that person's DM once.
 */
export function mailFailureReporter(client: WebClient, logger: Logger, throttleMs = 5000): NonNullable<MailSenderOptions['onFailed']> {
  const notifier = new SlackJobNotifier(client, logger);
  const pendingJobs = new Map<number, NodeJS.Timeout>();

  const refreshJob = async (jobId: number) => {
    const report = await jobMailFailureSummary(jobId);
    if (report) await notifier.finished(report.job, report.summary);
  };

  return (row) => {
    if (row.jobId) {
      const jobId = row.jobId;
      if (pendingJobs.has(jobId)) return;
      const timer = setTimeout(() => {
        pendingJobs.delete(jobId);
        refreshJob(jobId).catch((e: unknown) => logger.warn('could not report failed job mail', { jobId, error: String(e) }));
      }, throttleMs);
      timer.unref();
      pendingJobs.set(jobId, timer);
      return;
    }
    if (!row.notifySlackUser) return;
    const what = KIND_WORDS[row.kind] ?? 'email';
    const text = `⚠️ The ${what} to ${row.toAddress} could not be delivered after ${row.attempts} attempt${row.attempts === 1 ? '' : 's'}${row.lastError ? ` (${row.lastError.slice(0, 200)})` : ''}. What you did is in place; the mail is not.`;
    (async () => {
      const dm = await client.conversations.open({ users: row.notifySlackUser! });
      if (dm.channel?.id)
        await client.chat.postMessage({
          channel: dm.channel.id,
          text,
          blocks: [{ type: 'section', text: { type: 'mrkdwn', text: esc(text) } }],
        });
    })().catch((e: unknown) => logger.warn('could not report a failed mail', { error: String((e as Error).message ?? e) }));
  };
}
