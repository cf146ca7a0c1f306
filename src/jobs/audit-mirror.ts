import type { Ctx } from '../services/context';
import { auditRecord, type AuditRecord } from '../services/audit-query';
import { claimUnmirrored, releaseMirrored, skipUnmirroredBefore } from '../store/audit-queries';
import type { AuditEvent } from '../store/models';
import { retryDelayMs } from '../mail/sender';

/** Where mirrored audit lines go (AUDIT_CHANNEL in production). Throws when the post failed. */
export interface AuditPoster {
  post(events: AuditRecord[]): Promise<void>;
}

/** `mirrored_at` of an event that was already too old when the mirror first saw it: never posted. */
export const SKIPPED_STALE = new Date(0);

export interface AuditMirrorOptions {
  /** Poll interval for events written by other instances and the CLI (default 5 s). */
  pollMs?: number;
  /** Events per post (default 20): one line each. */
  batchSize?: number;
  /** Events older than this when first seen are marked skipped, not posted, so turning the mirror on does not replay history (default 24 h). */
  maxAgeMs?: number;
  /** First retry delay after a failed post; doubles per failure (default 5 s, at most 5 min). */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Mirrors every audit event to a channel, once across instances. An instance claims a batch by
 * stamping `mirrored_at` (row locks with SKIP LOCKED on PostgreSQL; SQLite has one writer), posts
 * it, and on failure clears the stamp so the batch is posted later — by this instance after a
 * back-off, or by another. Claim-then-post means an instance dying between the two loses that
 * batch's lines rather than posting them twice; the audit table itself keeps every event.
 */
export class AuditMirror {
  private readonly opts: Required<AuditMirrorOptions>;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private failures = 0;
  private retryAt = 0;
  private stopped = false;

  constructor(
    private readonly ctx: Ctx,
    private readonly poster: AuditPoster,
    opts: AuditMirrorOptions = {},
  ) {
    this.opts = {
      pollMs: opts.pollMs ?? 5_000,
      batchSize: opts.batchSize ?? 20,
      maxAgeMs: opts.maxAgeMs ?? 24 * 3_600_000,
      baseDelayMs: opts.baseDelayMs ?? 5_000,
      maxDelayMs: opts.maxDelayMs ?? 300_000,
    };
  }

  start(): this {
    this.schedule(0);
    return this;
  }

  /** Something was audited: mirror it soon (unless backing off after a failure). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (Date.now() >= this.retryAt) this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.drain().finally(() => this.schedule(this.nextDelay()));
    }, ms);
    this.timer.unref?.();
  }

  private nextDelay(): number {
    const wait = this.retryAt - Date.now();
    return wait > 0 ? wait : this.opts.pollMs;
  }

  /** Post everything unmirrored; resolves when nothing is left or a post failed. Never throws. */
  drain(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.skipStale().catch((e: unknown) =>
          this.ctx.logger.warn('audit mirror could not mark old events', { error: String((e as Error)?.message ?? e) }),
        );
        while (!this.stopped) {
          const posted = await this.round().catch((e: unknown) => {
            this.ctx.logger.warn('audit mirror round failed', { error: String((e as Error)?.message ?? e) });
            return 'failed' as const;
          });
          if (posted === 'failed') {
            this.failures += 1;
            this.retryAt = Date.now() + retryDelayMs(this.failures, this.opts.baseDelayMs, this.opts.maxDelayMs);
            return;
          }
          this.failures = 0;
          this.retryAt = 0;
          if (posted === 'empty') break;
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async round(): Promise<'posted' | 'empty' | 'failed'> {
    const batch = await this.claim();
    if (batch.length === 0) return 'empty';
    try {
      await this.poster.post(batch.map(auditRecord));
      return 'posted';
    } catch (e) {
      await this.release(batch.map((r) => r.id));
      this.ctx.logger.warn('could not mirror audit events; will retry', {
        events: batch.length,
        error: String((e as Error)?.message ?? e),
      });
      return 'failed';
    }
  }

  /**
   * Events older than `maxAgeMs` that were never mirrored are marked skipped (`mirrored_at` =
   * {@link SKIPPED_STALE}) instead of posted, so turning the mirror on does not replay history, and
   * the unmirrored set stays small for the claim query.
   */
  private async skipStale(): Promise<void> {
    const { ctx } = this;
    const cutoff = new Date(ctx.now().getTime() - this.opts.maxAgeMs);
    await skipUnmirroredBefore(ctx.db, cutoff, SKIPPED_STALE);
  }

  private claim(): Promise<AuditEvent[]> {
    const { ctx } = this;
    const now = ctx.now();
    return claimUnmirrored(ctx.db, { since: new Date(now.getTime() - this.opts.maxAgeMs), now, batchSize: this.opts.batchSize });
  }

  private async release(ids: number[]): Promise<void> {
    await releaseMirrored(this.ctx.db, ids);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}
