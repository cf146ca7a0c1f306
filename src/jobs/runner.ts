// src/jobs: persisted, restartable background work (bulk actions, export, digest, audit mirror) on
// top of services. Talks to Slack only through ports (notifier, file share) that src/server plugs
// in.
import { randomUUID } from 'node:crypto';
import type { Ctx } from '../services/context';
import { claimJob } from '../store/job-queries';
import { Job } from '../store/models';

/**
 * Persisted background jobs (bulk reset, export). A job row is claimed with a lease by one instance;
 * the lease is renewed while it runs, so if the process dies (kill -9, a deploy) another instance —
 * or the same one after restart — claims it once the lease expires and resumes from its checkpoint
 * (each handler keeps its progress in the database, batch by batch).
 */

export interface JobControl {
  /** Extend the lease; false if this instance lost the job (then stop without writing more). */
  renew(): Promise<boolean>;
  /** Persist progress (shown to the actor) and renew the lease. */
  progress(progress: Record<string, unknown>): Promise<boolean>;
  /** True once shutdown began: finish the current batch, then return `checkpoint()`. */
  stopping(): boolean;
  readonly instanceId: string;
}

export type JobOutcome =
  | { status: 'done'; result: Record<string, unknown> }
  | { status: 'failed'; error: string; result?: Record<string, unknown> }
  | { status: 'checkpoint' };

export type JobHandler = (job: Job, ctx: Ctx, control: JobControl) => Promise<JobOutcome>;

export interface JobRunnerOptions {
  leaseMs?: number;
  pollMs?: number;
  instanceId?: string;
  /** Called after a job finishes (done or failed), for reporting. */
  onFinished?: (job: Job) => void;
}

export class JobRunner {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly leaseMs: number;
  private readonly pollMs: number;
  readonly instanceId: string;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private jobsInHand = 0;
  private again = false;
  private stoppingFlag = false;

  constructor(
    private readonly ctx: Ctx,
    private readonly opts: JobRunnerOptions = {},
  ) {
    this.leaseMs = opts.leaseMs ?? 30_000;
    this.pollMs = opts.pollMs ?? 2_000;
    this.instanceId = opts.instanceId ?? `${process.pid}-${randomUUID().slice(0, 8)}`;
  }

  register(kind: string, handler: JobHandler): this {
    this.handlers.set(kind, handler);
    return this;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.kick(), this.pollMs);
    this.timer.unref();
    this.kick();
  }

  /** Look for work now (after a job was queued). Coalesces concurrent kicks. */
  kick(): void {
    if (this.stoppingFlag) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .then(() => undefined)
      .catch((e: unknown) => this.ctx.logger.error('job runner pass failed', { error: e instanceof Error ? e : String(e) }))
      .finally(() => {
        this.running = null;
        if (this.again && !this.stoppingFlag) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Whether this instance is running a job now (background senders give way meanwhile). */
  get busy(): boolean {
    return this.jobsInHand > 0;
  }

  /** Run every claimable job until none is left. Exposed for tests and the CLI. */
  async drain(): Promise<number> {
    let n = 0;
    while (!this.stoppingFlag) {
      const job = await this.claim();
      if (!job) break;
      this.jobsInHand += 1;
      try {
        await this.run(job);
      } finally {
        this.jobsInHand -= 1;
      }
      n++;
    }
    return n;
  }

  /** Stop claiming; let the running job reach its next checkpoint; leave the rest for the next start. */
  async stop(): Promise<void> {
    this.stoppingFlag = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  private async claim(): Promise<Job | null> {
    const now = this.ctx.now();
    // A conditional update is the claim: of several instances, exactly one gets a job.
    return claimJob([...this.handlers.keys()], now, this.instanceId, new Date(now.getTime() + this.leaseMs));
  }

  private control(job: Job): JobControl {
    const renew = async (extra: Record<string, unknown> = {}) => {
      const [changed] = await Job.update(
        { leaseUntil: new Date(this.ctx.now().getTime() + this.leaseMs), ...extra },
        { where: { id: job.id, leaseOwner: this.instanceId, status: 'running' } },
      );
      return changed === 1;
    };
    return {
      renew: () => renew(),
      progress: (p) => renew({ progress: JSON.stringify(p) }),
      stopping: () => this.stoppingFlag,
      instanceId: this.instanceId,
    };
  }

  private async run(job: Job): Promise<void> {
    const handler = this.handlers.get(job.kind);
    if (!handler) return;
    let outcome: JobOutcome;
    try {
      outcome = await handler(job, this.ctx, this.control(job));
    } catch (e) {
      this.ctx.logger.error('job failed', { jobId: job.id, kind: job.kind, error: e instanceof Error ? e : String(e) });
      // Leave it to be retried after the lease unless it has failed repeatedly.
      if (job.attempts < 3) {
        await Job.update(
          { status: 'queued', leaseOwner: null, leaseUntil: null, error: String((e as Error).message ?? e).slice(0, 1000) },
          { where: { id: job.id, leaseOwner: this.instanceId } },
        );
        return;
      }
      outcome = { status: 'failed', error: 'The job failed repeatedly; see the server log.' };
    }
    const mine = { id: job.id, leaseOwner: this.instanceId };
    if (outcome.status === 'checkpoint') {
      await Job.update({ status: 'queued', leaseOwner: null, leaseUntil: null }, { where: mine });
      return;
    }
    await Job.update(
      {
        status: outcome.status,
        result: JSON.stringify(outcome.result ?? {}),
        error: outcome.status === 'failed' ? outcome.error.slice(0, 1000) : null,
        leaseOwner: null,
        leaseUntil: null,
        finishedAt: this.ctx.now(),
      },
      { where: mine },
    );
    const finished = await Job.findByPk(job.id);
    if (finished) this.opts.onFinished?.(finished);
  }
}

export function parseJson<T>(text: string | null | undefined, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}
