/**
 * The rhythm of a background worker (the mail, notice and webhook senders): passes run one at a
 * time; a wake while a pass runs makes one more pass right after it (work queued during a pass may
 * have missed its cut-off); otherwise a pass every `pollMs`. `runOnce` queues a pass behind any in
 * flight (tests and drains); `stop` waits for the pass in flight.
 */
export class PollLoop<R> {
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private polling = false;
  private again = false;
  private started = false;
  private halted = false;
  private readonly pauses = new Set<() => void>();

  constructor(private readonly opts: { pollMs: number; pass: () => Promise<R>; onError: (error: unknown) => void }) {}

  /** True once `stop` was called: a pass checks it between rows. */
  get stopped(): boolean {
    return this.halted;
  }

  start(): void {
    if (this.started || this.halted) return;
    this.started = true;
    this.wake();
  }

  /** Something was queued: pass now (or right after the pass in flight). Nothing before `start`. */
  kick(): void {
    if (this.started && !this.halted) this.wake();
  }

  runOnce(): Promise<R> {
    const run = this.chain.then(this.opts.pass, this.opts.pass);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** A wait inside a pass that `stop` cuts short. */
  pause(ms: number): Promise<void> {
    if (this.halted || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const end = () => {
        clearTimeout(timer);
        this.pauses.delete(end);
        resolve();
      };
      const timer = setTimeout(end, ms);
      this.pauses.add(end);
    });
  }

  async stop(): Promise<void> {
    this.halted = true;
    for (const end of [...this.pauses]) end();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.chain;
  }

  private wake(): void {
    if (this.polling) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.polling = true;
    void this.runOnce()
      .catch((e: unknown) => this.opts.onError(e))
      .finally(() => {
        this.polling = false;
        if (this.halted) return;
        if (this.again) {
          this.again = false;
          this.wake();
          return;
        }
        this.timer = setTimeout(() => {
          this.timer = null;
          this.wake();
        }, this.opts.pollMs);
        this.timer.unref();
      });
  }
}
