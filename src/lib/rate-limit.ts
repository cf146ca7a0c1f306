/**
 * A fixed-window counter per key, in memory. Per instance: with N instances behind a load balancer
 * the effective limit is up to N times higher, which the README states. Good enough to blunt
 * password guessing and runaway integrations; the lockout itself is in the database and exact.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Count one hit; returns null if allowed, else the seconds until the window resets. */
  hit(key: string): number | null {
    const t = this.now();
    let w = this.windows.get(key);
    if (!w || t - w.start >= this.windowMs) {
      w = { start: t, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    if (this.windows.size > 50_000) this.sweep(t);
    if (w.count > this.max) return Math.max(1, Math.ceil((w.start + this.windowMs - t) / 1000));
    return null;
  }

  private sweep(t: number): void {
    for (const [k, w] of this.windows) if (t - w.start >= this.windowMs) this.windows.delete(k);
  }
}
