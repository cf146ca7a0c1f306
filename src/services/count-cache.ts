import { performance } from 'node:perf_hooks';

/** Counting that took at least this long is worth keeping for a while (App Home at 1M users: 1.1–1.4 s). */
export const SLOW_COUNT_MS = 200;

/** Scopes remembered at most (the least recently computed go first). */
const MAX_SCOPES = 500;

export interface Counted<T> {
  value: T;
  /** When the counting that produced `value` started: nothing committed after it is in `value`. */
  asOf: Date;
  /** `value` was counted for an earlier caller, not for this one. */
  reused: boolean;
}

interface Entry<T> {
  startedAt: Date;
  promise: Promise<T>;
  /** How long the counting took, once it has finished. */
  tookMs?: number;
}

/**
 * Counts that are expensive to take (every user of a scope read once), kept per scope for a short
 * while (issue 22: App Home for an administrator of every organization at one million users).
 *
 * Exact by default: a count is reused only when taking it was slow (≥ `slowMs`) and it started at
 * most `maxAgeMs` ago, so a small directory always counts afresh and a large one counts at most once
 * per scope and period, however often its Home tabs are opened. Callers that must see their own
 * writes (the refresh after an action) ask with `fresh`. Concurrent callers of one scope share one
 * counting. A failed counting is forgotten at once.
 */
export class CountCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly opts: { maxAgeMs: number; slowMs?: number },
    private readonly clock: () => Date,
  ) {}

  async get(key: string, count: () => Promise<T>, opts: { fresh?: boolean } = {}): Promise<Counted<T>> {
    const now = this.clock();
    const entry = this.entries.get(key);
    if (entry && this.usable(entry, now, opts.fresh === true)) {
      return { value: await entry.promise, asOf: entry.startedAt, reused: true };
    }
    const started = performance.now();
    const fresh: Entry<T> = { startedAt: now, promise: count() };
    this.entries.delete(key);
    this.entries.set(key, fresh);
    while (this.entries.size > MAX_SCOPES) this.entries.delete(this.entries.keys().next().value as string);
    try {
      const value = await fresh.promise;
      fresh.tookMs = performance.now() - started;
      return { value, asOf: now, reused: false };
    } catch (e) {
      if (this.entries.get(key) === fresh) this.entries.delete(key);
      throw e;
    }
  }

  private usable(entry: Entry<T>, now: Date, fresh: boolean): boolean {
    // A caller after its own write counts anew: a counting already running may have begun before it.
    if (fresh) return false;
    // Otherwise one still running is the newest there is: share it.
    if (entry.tookMs === undefined) return true;
    return entry.tookMs >= (this.opts.slowMs ?? SLOW_COUNT_MS) && now.getTime() - entry.startedAt.getTime() <= this.opts.maxAgeMs;
  }
}
