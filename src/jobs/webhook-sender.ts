/**
 * The webhook delivery worker: like the mail sender (src/mail/sender.ts), rows of the outbox
 * (`webhook_deliveries`) are claimed under a lease, so two instances never deliver the same attempt
 * twice, and settled only while the lease still holds (a worker that lost it cannot overwrite the
 * newer owner's outcome). The claim takes only the head of each (endpoint, user) queue: one user's
 * events reach an endpoint in the order they happened, each after the one before was delivered or
 * finally failed.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { redact, type Logger } from '../lib/logger';
import { mapLimit } from '../lib/map-limit';
import type { Ctx } from '../services/context';
import type { PostResult } from '../lib/webhook-post';
import { DeliverySettler, attemptDelivery, displayUrl, recordFinalFailure, type DisabledEndpoint } from '../services/webhook-delivery';
import { WebhookEndpoint, type WebhookDelivery } from '../store/webhook-models';
import { claimDueDeliveries } from '../store/webhook-queries';
import { PollLoop } from '../lib/poll-loop';

export interface WebhookSenderOptions {
  /** Rows claimed per round trip (default 50). */
  batchSize?: number;
  /** Parallel requests (default 10); one user's events are never among them twice. */
  concurrency?: number;
  /** How long a claim protects a row (default: a timeout per round of the batch, plus a minute); also the crash-recovery delay. */
  leaseMs?: number;
  /** Poll interval (default 1 s). */
  pollMs?: number;
  instanceId?: string;
  /** The jitter's dice (tests). */
  random?: () => number;
  /**
   * True while foreground work of this instance runs (a bulk job): the sender then spends at most a
   * third of the time delivering, pausing twice as long as each batch took, so the job it is
   * reporting on is not slowed by the reporting. Events still go out meanwhile, in order.
   */
  giveWayWhile?: () => boolean;
  /** Told when an endpoint was disabled after a run of failures (Slack DMs its administrators). */
  onDisabled?: (endpoint: DisabledEndpoint) => void;
}

export interface WebhookDrainResult {
  delivered: number;
  retried: number;
  failed: number;
}

/** The wait after failed attempt `attempt` (from 1): the schedule's step plus up to 10 % jitter; null once the schedule is spent. */
export function retryDelayMs(schedule: number[], attempt: number, random: () => number = Math.random): number | null {
  const step = schedule[attempt - 1];
  if (step === undefined) return null;
  return Math.round(step * 1000 * (1 + 0.1 * random()));
}

export class WebhookSender {
  private readonly opts: Required<Omit<WebhookSenderOptions, 'onDisabled' | 'giveWayWhile'>>;
  private readonly log: Logger;
  private readonly settler: DeliverySettler;
  private readonly loop: PollLoop<WebhookDrainResult>;

  constructor(
    private readonly ctx: Ctx,
    private readonly hooks: WebhookSenderOptions = {},
  ) {
    const batchSize = Math.max(1, hooks.batchSize ?? 50);
    const concurrency = Math.max(1, hooks.concurrency ?? 10);
    // A batch's outcomes are written after its last attempt: the lease covers every round of it.
    const rounds = Math.ceil(batchSize / concurrency);
    this.opts = {
      batchSize,
      concurrency,
      leaseMs: Math.max(1_000, hooks.leaseMs ?? rounds * ctx.config.WEBHOOK_TIMEOUT_SECONDS * 1000 + 60_000),
      pollMs: Math.max(10, hooks.pollMs ?? 1_000),
      instanceId: hooks.instanceId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
      random: hooks.random ?? Math.random,
    };
    this.log = ctx.logger.child({ component: 'webhook-sender', instance: this.opts.instanceId });
    this.settler = new DeliverySettler(ctx);
    this.loop = new PollLoop({
      pollMs: this.opts.pollMs,
      pass: () => this.pass(),
      onError: (e: unknown) => this.log.error('webhook pass failed', { error: redact(String((e as Error)?.message ?? e)) }),
    });
  }

  start(): void {
    this.loop.start();
  }

  kick(): void {
    this.loop.kick();
  }

  /** One pass over every row due now; passes of one instance never overlap. */
  drainOnce(): Promise<WebhookDrainResult> {
    return this.loop.runOnce();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  private async pass(): Promise<WebhookDrainResult> {
    const result: WebhookDrainResult = { delivered: 0, retried: 0, failed: 0 };
    const endpoints = new Map<number, WebhookEndpoint | null>();
    while (!this.loop.stopped) {
      const started = performance.now();
      const cutoff = this.ctx.now();
      const lease = new Date(cutoff.getTime() + this.opts.leaseMs);
      const rows = await claimDueDeliveries(this.ctx.db, { cutoff, lease, batchSize: this.opts.batchSize });
      if (rows.length === 0) break;
      for (const id of new Set(rows.map((r) => r.endpointId))) {
        if (!endpoints.has(id)) endpoints.set(id, await WebhookEndpoint.findByPk(id));
      }
      // Every attempt of the batch first, then their outcomes together: a claim and one settling
      // transaction per batch, so a backlog of thousands of events takes the write lock a few
      // hundred times, not once per event, while a bulk job waits for the same lock.
      const attempts = await mapLimit(rows, this.opts.concurrency, (row) => this.attempt(row, endpoints.get(row.endpointId) ?? null));
      this.settler.hold();
      const outcomes = rows.map((row, i) => this.record(row, lease, endpoints.get(row.endpointId) ?? null, attempts[i]));
      this.settler.release();
      for (const o of await Promise.all(outcomes)) if (o) result[o] += 1;
      if (this.hooks.giveWayWhile?.()) await this.loop.pause(Math.min(2 * (performance.now() - started), 2_000));
    }
    return result;
  }

  /** One attempt (none for a row whose endpoint was removed meanwhile: its rows went with it). */
  private async attempt(row: WebhookDelivery, endpoint: WebhookEndpoint | null): Promise<PostResult | null> {
    if (!endpoint) return null;
    if (row.attempts > this.ctx.config.WEBHOOK_RETRY_SCHEDULE.length + 1) {
      return { ok: false, status: null, error: 'the last attempt was interrupted' };
    }
    return attemptDelivery(this.ctx, endpoint, row);
  }

  /** What an attempt's end means: delivered, retried later, or finally failed. */
  private async record(
    row: WebhookDelivery,
    lease: Date,
    endpoint: WebhookEndpoint | null,
    outcome: PostResult | null,
  ): Promise<keyof WebhookDrainResult | null> {
    const schedule = this.ctx.config.WEBHOOK_RETRY_SCHEDULE;
    const ctxLog = { deliveryId: row.id, webhookId: row.messageId, type: row.eventType, attempt: row.attempts, endpointId: row.endpointId };
    if (!endpoint || !outcome) return null;
    try {
      if (outcome.ok) {
        const owned = await this.settler.delivered(row, lease, outcome.status);
        if (!owned) this.log.warn('webhook lease lost before the outcome was recorded', ctxLog);
        else this.log.debug('webhook delivered', { ...ctxLog, status: outcome.status });
        return 'delivered';
      }
      const wait = retryDelayMs(schedule, row.attempts, this.opts.random);
      if (wait !== null) {
        const nextAttemptAt = new Date(this.ctx.now().getTime() + wait);
        await this.settler.retry(row, lease, outcome, nextAttemptAt);
        this.log.warn('webhook delivery will be retried', {
          ...ctxLog,
          url: displayUrl(endpoint.url),
          error: outcome.error,
          nextAttemptAt: nextAttemptAt.toISOString(),
        });
        return 'retried';
      }
      const { disabled } = await recordFinalFailure(this.ctx, row, lease, {
        status: outcome.status,
        error: `gave up after ${row.attempts} attempts; ${outcome.error}`,
      });
      this.log.error('webhook delivery failed', { ...ctxLog, url: displayUrl(endpoint.url), error: outcome.error });
      if (disabled) {
        endpoint.enabled = false;
        this.log.error('webhook endpoint disabled after a run of failures', {
          endpointId: disabled.endpointId,
          organizationId: disabled.organizationId,
          url: disabled.url,
        });
        try {
          this.hooks.onDisabled?.(disabled);
        } catch (e) {
          this.log.error('webhook hook failed', { error: redact(String((e as Error)?.message ?? e)) });
        }
      }
      return 'failed';
    } catch (e) {
      // The lease runs out and another pass retries the row; the receiver may see this webhook-id twice.
      this.log.error('webhook outcome not recorded', { ...ctxLog, error: redact(String((e as Error)?.message ?? e)) });
      return null;
    }
  }
}

/** The running app's webhook worker, woken whenever a transaction that wrote deliveries commits. */
export function startWebhookSender(
  rt: Ctx & { onNotify(fn: (topic: string) => void): void },
  opts: WebhookSenderOptions = {},
): WebhookSender {
  const sender = new WebhookSender(rt, opts);
  rt.onNotify((topic) => {
    if (topic === 'webhooks') sender.kick();
  });
  sender.start();
  return sender;
}
