import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { redact, type Logger } from '../lib/logger';
import { MailMessage } from '../store/models';
import { claimDueMail, mailCountsByStatus, settleMailRow, type MailOutcomeValues } from '../store/outbox-queries';
import type { MailCtx, OutboxAttachment } from './outbox';
import { createMailTransport, MailDeliveryError, type MailTransport, type OutgoingAttachment, type OutgoingMail } from './transport';
import type { NotifyTopic } from '../lib/topics';
import { PollLoop } from '../lib/poll-loop';

/**
 * The outbox worker. Rows written by `enqueueMail` are claimed under a lease, sent, and settled;
 * several instances on one PostgreSQL share the table without ever holding the same row at once.
 *
 * The lease end doubles as a fencing token: a row can only be re-claimed after its lease ran out,
 * and the new lease ends later than the old one, so an instance settles a row only while
 * `lease_until` still holds the value it wrote. A worker that lost its lease (it took too long,
 * or another instance recovered the row) therefore cannot overwrite the newer owner's outcome.
 */

export interface MailSenderOptions {
  /** First retry delay; doubles per attempt (default 30 s). */
  baseDelayMs?: number;
  /** Longest retry delay (default 1 h). */
  maxDelayMs?: number;
  /** Attempts before a temporarily failing mail is given up (default 8). */
  maxAttempts?: number;
  /** Rows claimed per round trip (default 50). */
  batchSize?: number;
  /** How long a claim protects a row from other instances (default 5 min); also the crash-recovery delay. */
  leaseMs?: number;
  /** Poll interval once started (default 1 s). */
  pollMs?: number;
  /** Names this worker in logs. */
  instanceId?: string;
  onFailed?: (row: MailMessage) => void;
  onSent?: (row: MailMessage) => void;
  /**
   * While this holds (a job runs on this instance), each claim waits twice as long as the lanes
   * worked since the previous one (at most 2 s): the sender takes at most about a third of the
   * time, and the job (one write lock on SQLite, two cores) the rest. Full speed again after.
   */
  giveWayWhile?: () => boolean;
}

export interface DrainResult {
  sent: number;
  failed: number;
  retried: number;
}

type Outcome = keyof DrainResult | 'released';

/** What a reset-link mail keeps once it left: the link inside is a live credential. */
export const SCRUBBED_RESET_BODY = '[delivered; body removed because it held a reset link]';
const SCRUBBED_UNSENT_RESET_BODY = '[not delivered; body removed because it held a reset link]';

/** Parallel sends per batch; matches the SMTP pool's connections. */
const CONCURRENCY = 5;

/** `base · 2^(attempts-1)` with ±20 % jitter, capped; jitter keeps instances from retrying in lockstep. */
export function retryDelayMs(attempts: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exp = baseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30);
  return Math.max(1, Math.min(maxMs, Math.round(exp * (0.8 + 0.4 * random()))));
}

function parseAttachments(json: string | null): OutboxAttachment[] {
  if (!json) return [];
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new MailDeliveryError('permanent', 'attachment list is not valid JSON');
  }
  if (!Array.isArray(value) || !value.every((a) => a && typeof a === 'object' && typeof (a as OutboxAttachment).filename === 'string')) {
    throw new MailDeliveryError('permanent', 'attachment list is malformed');
  }
  return value as OutboxAttachment[];
}

async function loadAttachment(a: OutboxAttachment): Promise<OutgoingAttachment> {
  if (!a.path) throw new MailDeliveryError('permanent', `attachment ${a.filename} has no file`);
  try {
    const content = await readFile(a.path);
    return { filename: a.filename, content, ...(a.contentType ? { contentType: a.contentType } : {}) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // A file that is gone will not come back; anything else (EMFILE, EIO) may pass.
    const gone = code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR';
    throw new MailDeliveryError(gone ? 'permanent' : 'temporary', `attachment ${a.filename} could not be read (${code ?? 'error'})`, code);
  }
}

async function compose(row: MailMessage): Promise<OutgoingMail> {
  const attachments = await Promise.all(parseAttachments(row.attachments).map(loadAttachment));
  return {
    messageId: row.messageId,
    to: row.toAddress,
    subject: row.subject,
    text: row.textBody,
    html: row.htmlBody,
    attachments,
  };
}

function errorText(e: unknown): MailDeliveryError {
  if (e instanceof MailDeliveryError) return e;
  // Not a transport verdict (a bug or an unexpected throw): retry rather than lose the mail.
  return new MailDeliveryError('temporary', redact(String((e as Error)?.message ?? e)).slice(0, 300));
}

function lastErrorOf(err: MailDeliveryError, prefix = ''): string {
  // The column holds 500 characters; redact again in case a transport forgot to.
  return redact(`${prefix}${err.failure}: ${err.message}`).slice(0, 500);
}

type SettleValues = MailOutcomeValues;

interface PendingSettle {
  id: number;
  lease: Date;
  values: SettleValues;
  resolve: (count: number) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit for outcomes. The parallel sends of a batch finish close together; each outcome
 * joins the transaction being prepared instead of opening its own, so five sends cost one
 * BEGIN/COMMIT rather than five (the mail drain of a bulk reset spent most of its database time on
 * them). An outcome waits at most for the transaction in front of it: none is held back to fill a
 * group, so a sent mail is recorded as soon as it would have been, and a crash can repeat no more
 * sends than before. Each row keeps its own lease-fenced UPDATE and its own count.
 */
class Settler {
  private pending: PendingSettle[] = [];
  private flushing = false;

  constructor(private readonly ctx: MailCtx) {}

  settle(id: number, lease: Date, values: SettleValues): Promise<number> {
    return new Promise((resolve, reject) => {
      this.pending.push({ id, lease, values, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.pending.length > 0) {
      const group = this.pending;
      this.pending = [];
      try {
        const counts = await this.ctx.db.tx(async (t) => {
          const out: number[] = [];
          for (const p of group) out.push(await settleMailRow(p.id, p.lease, p.values, t));
          return out;
        });
        group.forEach((p, i) => p.resolve(counts[i]));
      } catch (e) {
        for (const p of group) p.reject(e);
      }
    }
    this.flushing = false;
  }
}

interface Claimed {
  row: MailMessage;
  lease: Date;
}

/**
 * Claimed rows for the sender's lanes, claiming the next batch while the lanes still have work
 * (when `low` or fewer rows are left), one claim at a time. A claim that fails ends the feed with
 * its error; `close` waits for a claim in flight and returns every row not handed out.
 */
class ClaimFeed {
  private readonly queue: Claimed[] = [];
  private claiming: Promise<void> | null = null;
  private exhausted = false;
  private error: unknown = null;

  constructor(
    private readonly claim: () => Promise<{ rows: MailMessage[]; lease: Date }>,
    private readonly low: number,
  ) {}

  async next(): Promise<Claimed | undefined> {
    for (;;) {
      if (this.error !== null) throw this.error;
      if (!this.exhausted && !this.claiming && this.queue.length <= this.low) this.claiming = this.fill();
      const item = this.queue.shift();
      if (item) return item;
      if (!this.claiming) return undefined;
      await this.claiming;
    }
  }

  async close(): Promise<Claimed[]> {
    this.exhausted = true;
    await this.claiming;
    return this.queue.splice(0);
  }

  private async fill(): Promise<void> {
    try {
      const { rows, lease } = await this.claim();
      if (rows.length === 0) this.exhausted = true;
      for (const row of rows) this.queue.push({ row, lease });
    } catch (e) {
      this.error = e ?? new Error('claim failed');
      this.exhausted = true;
    } finally {
      this.claiming = null;
    }
  }
}

export class MailSender {
  private readonly opts: Required<Omit<MailSenderOptions, 'onFailed' | 'onSent' | 'giveWayWhile'>>;
  private readonly settler: Settler;
  private readonly log: Logger;
  private readonly loop: PollLoop<DrainResult>;

  constructor(
    private readonly ctx: MailCtx,
    private readonly transport: MailTransport,
    private readonly hooks: MailSenderOptions = {},
  ) {
    this.opts = {
      baseDelayMs: Math.max(1, hooks.baseDelayMs ?? 30_000),
      maxDelayMs: Math.max(1, hooks.maxDelayMs ?? 3_600_000),
      maxAttempts: Math.max(1, hooks.maxAttempts ?? 8),
      batchSize: Math.max(1, hooks.batchSize ?? 50),
      leaseMs: Math.max(1_000, hooks.leaseMs ?? 300_000),
      pollMs: Math.max(10, hooks.pollMs ?? 1_000),
      instanceId: hooks.instanceId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
    };
    this.log = ctx.logger.child({ component: 'mail-sender', instance: this.opts.instanceId, transport: transport.kind });
    this.settler = new Settler(ctx);
    this.loop = new PollLoop({
      pollMs: this.opts.pollMs,
      pass: () => this.pass(),
      onError: (e: unknown) => this.log.error('mail pass failed', { error: redact(String((e as Error)?.message ?? e)) }),
    });
  }

  start(): void {
    this.loop.start();
  }

  kick(): void {
    this.loop.kick();
  }

  /** One pass over every row due now; passes of one instance never overlap. */
  drainOnce(): Promise<DrainResult> {
    return this.loop.runOnce();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await this.transport.close();
  }

  /**
   * Everything due when the pass starts. Rows this pass retries get a later `nextAttemptAt` and
   * rows it claims a later lease, so the loop cannot pick its own work up again.
   *
   * CONCURRENCY lanes send one mail at a time each, fed from claims made ahead of need (the next
   * claim runs while the lanes send), and a lane records a mail's outcome while it sends the next
   * one: a lane never idles on the database (issue 22: the drain of a bulk reset at 3× nodemailer
   * alone, with each lane waiting for its batch's slowest send, the next claim and its own UPDATE).
   * A lane still has at most one outcome unrecorded, and the pass ends only once every outcome is
   * recorded. Rows claimed but never started (the worker stops) are handed back at once.
   */
  private async pass(): Promise<DrainResult> {
    const result: DrainResult = { sent: 0, failed: 0, retried: 0 };
    if (this.loop.stopped) return result;
    const cutoff = this.ctx.now();
    let worked = performance.now();
    const claimNext = async () => {
      if (this.hooks.giveWayWhile?.()) await this.loop.pause(Math.min(2 * (performance.now() - worked), 2_000));
      try {
        return await this.claim(cutoff);
      } finally {
        worked = performance.now();
      }
    };
    const feed = new ClaimFeed(claimNext, Math.ceil(this.opts.batchSize / 2));
    const count = (o: Outcome) => {
      if (o !== 'released') result[o] += 1;
    };
    const lane = async () => {
      let recording: Promise<Outcome> | null = null;
      try {
        for (;;) {
          const next = this.loop.stopped ? undefined : await feed.next();
          if (!next) break;
          const sent = await this.deliver(next.row, next.lease);
          if (recording) count(await recording);
          recording = sent.outcome;
        }
      } finally {
        if (recording) count(await recording);
      }
    };
    const lanes = await Promise.allSettled(Array.from({ length: CONCURRENCY }, lane));
    const left = await feed.close();
    await Promise.all(left.map(({ row, lease }) => this.release(row, lease)));
    const failed = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
    if (failed) throw failed.reason;
    return result;
  }

  private async claim(cutoff: Date): Promise<{ rows: MailMessage[]; lease: Date }> {
    const lease = new Date(this.ctx.now().getTime() + this.opts.leaseMs);
    // The claim takes pending mail that is due and 'sending' mail whose lease ran out, counting the attempt.
    const rows = await claimDueMail(this.ctx.db, { cutoff, lease, batchSize: this.opts.batchSize });
    return { rows, lease };
  }

  /** Hand a claimed row back untouched: due now, its attempt not counted. */
  private async release(row: MailMessage, lease: Date): Promise<Outcome> {
    await this.settle(row, lease, { status: 'pending', leaseUntil: null, attempts: row.attempts - 1, nextAttemptAt: this.ctx.now() });
    return 'released';
  }

  /** Send one row; resolves when the send is over, with its outcome still being recorded. */
  private async deliver(row: MailMessage, lease: Date): Promise<{ outcome: Promise<Outcome> }> {
    const ctxLog = { id: row.id, messageId: row.messageId, kind: row.kind, attempt: row.attempts };
    if (row.attempts > this.opts.maxAttempts) {
      // Only reachable through lease expiry: the last allowed attempt was interrupted mid-send.
      const err = new MailDeliveryError('temporary', 'the last attempt was interrupted');
      return { outcome: this.fail(row, lease, lastErrorOf(err, `gave up after ${this.opts.maxAttempts} attempts; `), ctxLog) };
    }
    // Rows late in a slow batch must not start a send the lease no longer covers.
    if (this.ctx.now().getTime() > lease.getTime() - this.opts.leaseMs / 2) return { outcome: this.release(row, lease) };
    try {
      await this.transport.send(await compose(row));
    } catch (e) {
      const err = errorText(e);
      if (err.failure === 'permanent') return { outcome: this.fail(row, lease, lastErrorOf(err), ctxLog) };
      if (row.attempts >= this.opts.maxAttempts) {
        return { outcome: this.fail(row, lease, lastErrorOf(err, `gave up after ${row.attempts} attempts; `), ctxLog) };
      }
      const nextAttemptAt = new Date(this.ctx.now().getTime() + retryDelayMs(row.attempts, this.opts.baseDelayMs, this.opts.maxDelayMs));
      const lastError = lastErrorOf(err);
      const outcome = this.settle(row, lease, { status: 'pending', leaseUntil: null, nextAttemptAt, lastError }).then((): Outcome => {
        this.log.warn('mail send will be retried', { ...ctxLog, nextAttemptAt: nextAttemptAt.toISOString(), error: lastError });
        return 'retried';
      });
      return { outcome };
    }
    const sentAt = this.ctx.now();
    const scrub = row.kind === 'reset_link' ? { textBody: SCRUBBED_RESET_BODY, htmlBody: SCRUBBED_RESET_BODY } : {};
    // Marked sent and scrubbed in one statement: there is no moment where a sent row still holds the link.
    const outcome = this.settle(row, lease, { status: 'sent', sentAt, leaseUntil: null, lastError: null, ...scrub }).then(
      (owned): Outcome => {
        this.log.debug('mail sent', ctxLog);
        if (owned) this.notify(this.hooks.onSent, row);
        return 'sent';
      },
    );
    return { outcome };
  }

  private async fail(row: MailMessage, lease: Date, lastError: string, ctxLog: Record<string, unknown>): Promise<Outcome> {
    // A reset link that will never be sent is still a live credential at rest: it goes too.
    const scrub = row.kind === 'reset_link' ? { textBody: SCRUBBED_UNSENT_RESET_BODY, htmlBody: SCRUBBED_UNSENT_RESET_BODY } : {};
    const owned = await this.settle(row, lease, { status: 'failed', leaseUntil: null, lastError, ...scrub });
    this.log.error('mail failed', { ...ctxLog, to: row.toAddress, error: lastError });
    if (owned) this.notify(this.hooks.onFailed, row);
    return 'failed';
  }

  /** Write the outcome only while the row still carries our lease; the row object mirrors it for the hooks. */
  private async settle(row: MailMessage, lease: Date, values: SettleValues): Promise<boolean> {
    let count: number;
    try {
      count = await this.settler.settle(row.id, lease, values);
    } catch (e) {
      // The lease runs out and another pass settles the row; a sent mail may then go twice, with the same Message-ID.
      this.log.error('mail outcome not recorded', { id: row.id, error: redact(String((e as Error)?.message ?? e)) });
      return false;
    }
    if (count === 0) {
      this.log.warn('mail lease lost before the outcome was recorded', { id: row.id, messageId: row.messageId });
      return false;
    }
    row.set(values as Partial<MailMessage>, { raw: true });
    return true;
  }

  private notify(hook: ((row: MailMessage) => void) | undefined, row: MailMessage): void {
    if (!hook) return;
    try {
      hook(row);
    } catch (e) {
      this.log.error('mail hook failed', { id: row.id, error: redact(String((e as Error)?.message ?? e)) });
    }
  }
}

/**
 * Mail a job queued, by outcome, for its summary. `queued` counts every mail the job queued,
 * whatever became of it; `queued - sent - failed` are still on their way.
 */
export async function mailStats(jobId: number): Promise<{ queued: number; sent: number; failed: number }> {
  const stats = { queued: 0, sent: 0, failed: 0 };
  for (const { status, n } of await mailCountsByStatus(jobId)) {
    stats.queued += n;
    if (status === 'sent') stats.sent += n;
    if (status === 'failed') stats.failed += n;
  }
  return stats;
}

/** The running app's worker: the configured transport, woken whenever a transaction that queued mail commits. */
export function startMailSender(
  rt: MailCtx & { onNotify(fn: (topic: NotifyTopic) => void): void },
  opts: MailSenderOptions & { transport?: MailTransport } = {},
): MailSender {
  const { transport, ...rest } = opts;
  const sender = new MailSender(rt, transport ?? createMailTransport(rt.config, rt.logger), rest);
  rt.onNotify((topic) => {
    if (topic === 'mail') sender.kick();
  });
  sender.start();
  return sender;
}
