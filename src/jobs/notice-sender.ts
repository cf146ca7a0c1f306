import { redact, type Logger } from '../lib/logger';
import { NOTICE_MAIL_KIND, renderNotice, type NoticeFacts, type NoticeKind, type RenderedNotice } from '../mail/notice-templates';
import { enqueueMail, type MailCtx } from '../mail/outbox';
import { retryDelayMs } from '../mail/sender';
import type { Notice } from '../store/notice-models';
import { claimDueNotices, settleNotice, type NoticeSettle } from '../store/notice-queries';
import { User } from '../store/models';
import { displayName } from '../services/user-shapes';
import type { NotifyTopic } from '../lib/topics';
import { PollLoop } from '../lib/poll-loop';

/**
 * Delivers owner notices (src/mail/notices.ts). Every instance runs one; rows are claimed under a
 * lease and settled only while the lease still holds, so two instances never deliver one notice
 * (as the mail sender does). Per notice: ask Slack who owns the email (`users.lookupByEmail`); a
 * member gets a DM (`chat.postMessage` to the user id opens it); no member (`users_not_found`), or
 * no Slack configured, hands the notice to the mail outbox in the transaction that marks it done —
 * or skips it when it is a DM-only notice. A Slack error retries later with backoff; after
 * `maxAttempts` Slack errors the notice falls back to email rather than being lost.
 */

/** The Slack side (src/slack/notice-slack.ts); a port, so jobs never import Slack. */
export interface NoticeSlack {
  /** The member's user id for `email`, or null when no live member has it. Throws on any other Slack error. */
  memberByEmail(email: string): Promise<string | null>;
  /** Post `text` to the member's DM with the app. Throws when Slack refused. */
  postDirect(userId: string, text: string): Promise<void>;
}

export interface NoticeSenderOptions {
  /** First retry delay after a Slack error; doubles per attempt (default 30 s, at most 1 h). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Slack attempts before falling back to email (default 8). */
  maxAttempts?: number;
  batchSize?: number;
  /** How long a claim protects a row (default 5 min). */
  leaseMs?: number;
  pollMs?: number;
}

type Outcome = 'slack' | 'email' | 'skipped' | 'retried' | 'lost';

export class NoticeSender {
  private readonly opts: Required<NoticeSenderOptions>;
  private readonly log: Logger;
  private readonly loop: PollLoop<Record<Outcome, number>>;

  constructor(
    private readonly ctx: MailCtx,
    private readonly slack: NoticeSlack | null,
    opts: NoticeSenderOptions = {},
  ) {
    this.opts = {
      baseDelayMs: Math.max(1, opts.baseDelayMs ?? 30_000),
      maxDelayMs: Math.max(1, opts.maxDelayMs ?? 3_600_000),
      maxAttempts: Math.max(1, opts.maxAttempts ?? 8),
      batchSize: Math.max(1, opts.batchSize ?? 50),
      leaseMs: Math.max(1_000, opts.leaseMs ?? 300_000),
      pollMs: Math.max(10, opts.pollMs ?? 1_000),
    };
    this.log = ctx.logger.child({ component: 'notice-sender' });
    this.loop = new PollLoop({
      pollMs: this.opts.pollMs,
      pass: () => this.pass(),
      onError: (e: unknown) => this.log.error('notice pass failed', { error: redact(String((e as Error)?.message ?? e)) }),
    });
  }

  start(): this {
    this.loop.start();
    return this;
  }

  kick(): void {
    this.loop.kick();
  }

  /** One pass over every row due now; passes of one instance never overlap. */
  drainOnce(): Promise<Record<Outcome, number>> {
    return this.loop.runOnce();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  private async pass(): Promise<Record<Outcome, number>> {
    const result: Record<Outcome, number> = { slack: 0, email: 0, skipped: 0, retried: 0, lost: 0 };
    if (this.loop.stopped) return result;
    const cutoff = this.ctx.now();
    while (!this.loop.stopped) {
      const lease = new Date(this.ctx.now().getTime() + this.opts.leaseMs);
      const rows = await claimDueNotices(this.ctx.db, { cutoff, lease, batchSize: this.opts.batchSize });
      if (rows.length === 0) break;
      // One at a time: Slack's rate limits (users.lookupByEmail is Tier 3) set the pace anyway.
      for (const row of rows) result[await this.deliver(row, lease)] += 1;
    }
    return result;
  }

  private async deliver(row: Notice, lease: Date): Promise<Outcome> {
    const kind = row.kind as NoticeKind;
    const logCtx = { id: row.id, kind, attempt: row.attempts };
    const owner = row.userId === null ? null : await User.findByPk(row.userId);
    let rendered: RenderedNotice;
    try {
      const facts = JSON.parse(row.params) as NoticeFacts[NoticeKind];
      rendered = renderNotice(kind, facts, owner ? displayName(owner) : 'there', this.ctx.config.PUBLIC_URL);
    } catch (e) {
      // A row this version cannot read (an unknown kind, damaged facts) will not improve by retrying.
      const error = redact(String((e as Error)?.message ?? e)).slice(0, 500);
      this.log.error('notice cannot be rendered; marked failed', { ...logCtx, error });
      return this.settle(row, lease, { status: 'failed', lastError: error }, 'lost');
    }
    if (this.slack) {
      try {
        const member = await this.slack.memberByEmail(row.toAddress);
        if (member) {
          await this.slack.postDirect(member, rendered.slack);
          return this.settle(row, lease, { status: 'sent', channel: 'slack', deliveredAt: this.ctx.now(), lastError: null }, 'slack');
        }
      } catch (e) {
        const error = redact(String((e as Error)?.message ?? e)).slice(0, 500);
        if (row.attempts < this.opts.maxAttempts) {
          const nextAttemptAt = new Date(
            this.ctx.now().getTime() + retryDelayMs(row.attempts, this.opts.baseDelayMs, this.opts.maxDelayMs),
          );
          this.log.warn('notice will be retried', { ...logCtx, error, nextAttemptAt: nextAttemptAt.toISOString() });
          return this.settle(row, lease, { status: 'pending', leaseUntil: null, nextAttemptAt, lastError: error }, 'retried');
        }
        this.log.warn('Slack kept refusing a notice; it goes by email', { ...logCtx, error });
      }
    }
    if (!row.emailFallback) {
      return this.settle(row, lease, { status: 'skipped', leaseUntil: null, deliveredAt: this.ctx.now() }, 'skipped');
    }
    // The mail row and the notice's end in one transaction: either both or neither (then the lease runs out and it is tried again).
    try {
      return await this.ctx.db.tx(async (t) => {
        const owned = await settleNotice(
          row.id,
          lease,
          { status: 'sent', channel: 'email', leaseUntil: null, deliveredAt: this.ctx.now() },
          t,
        );
        if (owned === 0) return 'lost' as const;
        await enqueueMail(this.ctx, t, [
          {
            kind: NOTICE_MAIL_KIND[kind],
            to: row.toAddress,
            userId: row.userId,
            notifySlackUser: row.notifySlackUser,
            mail: rendered.mail,
          },
        ]);
        return 'email' as const;
      });
    } catch (e) {
      this.log.error('notice could not be handed to the mail outbox; retried when its lease ends', {
        ...logCtx,
        error: redact(String((e as Error)?.message ?? e)),
      });
      return 'lost';
    }
  }

  private async settle(row: Notice, lease: Date, values: NoticeSettle, outcome: Outcome): Promise<Outcome> {
    const owned = await settleNotice(row.id, lease, { leaseUntil: null, ...values });
    if (owned === 0) {
      this.log.warn('notice lease lost before the outcome was recorded', { id: row.id });
      return 'lost';
    }
    return outcome;
  }
}

/** The running app's notice worker, woken whenever a transaction that queued notices commits. */
export function startNoticeSender(
  rt: MailCtx & { onNotify(fn: (topic: NotifyTopic) => void): void },
  slack: NoticeSlack | null,
  opts: NoticeSenderOptions = {},
): NoticeSender {
  const sender = new NoticeSender(rt, slack, opts);
  rt.onNotify((topic) => {
    if (topic === 'notices') sender.kick();
  });
  return sender.start();
}
