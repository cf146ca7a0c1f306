// Job progress and results in the requester's DM (the Slack side of the JobNotifier port).
import type { WebClient } from '@slack/web-api';
import { fail, type Outcome } from '../domain/outcome';
import type { JobNotifier } from '../jobs/notifier';
import { parseJson } from '../jobs/runner';
import type { Logger } from '../lib/logger';
import type { JobResultMailer } from '../services/job-result-mail';
import { correlationId } from './correlation';
import { slackFailureReason } from './slack-errors';
import { jobFinishedMessage, jobProgressMessage } from './views/job-progress';

/** A job as the runner hands it over (the Slack side never loads one itself). */
type Job = Parameters<JobNotifier['progress']>[0];

export interface NotifyTarget {
  channel: string;
  ts: string;
}

/** Where the progress message went, or (`unavailable`) what Slack said instead. */
export type ProgressStart = Outcome<{ target: NotifyTarget }>;

/**
 * Job progress lives in one message in the requester's DM with the app, updated in place: unlike
 * a response_url (5 posts, 30 minutes) it can be updated for as long as the job runs, and after a
 * restart, because the channel and ts are stored with the job.
 */
export class SlackJobNotifier implements JobNotifier {
  constructor(
    private readonly client: WebClient,
    private readonly logger: Logger,
    /** Where a final report goes when Slack takes it nowhere (email through the outbox). */
    private readonly mailResult?: JobResultMailer,
  ) {}

  /** Post the first progress message: where later updates go, or what Slack said. */
  async start(slackUserId: string, title: string, text: string): Promise<ProgressStart> {
    try {
      const dm = await this.client.conversations.open({ users: slackUserId });
      const channel = dm.channel?.id;
      if (!channel) return fail('unavailable', 'Slack did not open a direct message');
      const m = jobProgressMessage(title, text, 0);
      const posted = await this.client.chat.postMessage({ channel, text: m.text, blocks: m.blocks });
      return posted.ts ? { ok: true, target: { channel, ts: posted.ts } } : fail('unavailable', 'Slack did not say where it posted');
    } catch (e) {
      this.logger.warn('could not post job progress message', { error: String((e as Error).message ?? e) });
      return fail('unavailable', slackFailureReason(e) ?? 'the message could not be posted');
    }
  }

  /** Rewrite a progress message to say the job did not start. */
  async fail(to: NotifyTarget, text: string): Promise<void> {
    await this.client.chat
      .update({ channel: to.channel, ts: to.ts, text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:warning: ${text}` } }] })
      .catch(() => undefined);
  }

  private target(job: Job): NotifyTarget | null {
    const p = parseJson<{ notify?: NotifyTarget | null }>(job.payload, {});
    return p.notify?.channel && p.notify.ts ? p.notify : null;
  }

  async progress(job: Job, text: string, fraction: number): Promise<void> {
    const to = this.target(job);
    if (!to) return;
    // Bulk jobs name their action in the payload (issue 15); older bulk resets do not.
    const named = parseJson<{ title?: string }>(job.payload, {}).title;
    const title = job.kind === 'export' ? `Export #${job.id}` : `${named ?? 'Bulk password reset'} #${job.id}`;
    const m = jobProgressMessage(title, text, fraction);
    await this.client.chat.update({ channel: to.channel, ts: to.ts, text: m.text, blocks: m.blocks });
  }

  /**
   * The final report: the progress message rewritten; failing that (after the WebClient's
   * retries), a new message in the requester's DM; failing that, an email. The result of a job
   * is what someone is waiting for, so it is never only logged.
   */
  async finished(job: Job, summary: { title: string; lines: string[]; ok: boolean }): Promise<void> {
    const to = this.target(job);
    const requester = parseJson<{ requestedBySlack?: string | null }>(job.payload, {}).requestedBySlack ?? null;
    if (!to && !requester) return;
    const m = jobFinishedMessage(summary);
    const id = correlationId();
    const failed =
      (step: string) =>
      (e: unknown): false => {
        this.logger.warn('job result not delivered to Slack', {
          correlationId: id,
          jobId: job.id,
          step,
          error: slackFailureReason(e) ?? String((e as Error)?.message ?? e),
        });
        return false;
      };
    if (to) {
      const updated = await this.client.chat
        .update({ channel: to.channel, ts: to.ts, text: m.text, blocks: m.blocks })
        .then(() => true, failed('chat.update'));
      if (updated) return;
    }
    if (requester) {
      const posted = await this.client.conversations
        .open({ users: requester })
        .then((dm) =>
          dm.channel?.id
            ? this.client.chat.postMessage({ channel: dm.channel.id, text: m.text, blocks: m.blocks })
            : Promise.reject(new Error('no DM channel')),
        )
        .then(() => true, failed('chat.postMessage'));
      if (posted) return;
    }
    const mailed = this.mailResult ? await this.mailResult(job, summary).catch(failed('email')) : false;
    if (mailed && mailed.queued) {
      this.logger.error('job result could not reach Slack; emailed to the requester instead', { correlationId: id, jobId: job.id });
      return;
    }
    this.logger.error('job result could not reach Slack and was not emailed', { correlationId: id, jobId: job.id });
    throw new Error(`the result of job #${job.id} reached no one (reference ${id})`);
  }
}
