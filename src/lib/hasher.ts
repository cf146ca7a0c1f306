import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * bcryptjs is pure JavaScript: a cost-12 hash takes ~250 ms of CPU. Run on the main thread it would
 * stall every Slack ack and API call behind it, so hashing and comparing run in a small pool of
 * worker threads. The worker is inline (eval) so the same code runs from TypeScript under jest and
 * from compiled JavaScript.
 */

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  compare(password: string, hash: string): Promise<boolean>;
  /** Compare against a fixed hash of the same cost, so an unknown login costs what a known one does. */
  dummyCompare(password: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The pool already has its limit of tasks waiting (`HASH_QUEUE_MAX`): the caller is told at once,
 * instead of queueing without bound (memory, and latency nobody waits for). Callers answer "busy,
 * try again" (the login API: 503 with Retry-After); it is not a wrong password.
 */
export class HasherBusyError extends Error {
  constructor() {
    super('password hashing is at capacity; try again shortly');
    this.name = 'HasherBusyError';
  }
}

/** Threads for bcrypt: one per core, at most four (the rest of the process needs a core too). */
export function defaultPoolSize(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const bcrypt = require(workerData.bcryptPath);
parentPort.on('message', (m) => {
  try {
    const result = m.op === 'hash' ? bcrypt.hashSync(m.password, m.cost) : bcrypt.compareSync(m.password, m.hash);
    parentPort.postMessage({ id: m.id, result });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String(e && e.message || e) });
  }
});
`;

type Task = {
  id: number;
  msg: Record<string, unknown>;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
};

export class WorkerPoolHasher implements PasswordHasher {
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly queue: Task[] = [];
  private readonly inflight = new Map<Worker, Task>();
  private nextId = 1;
  private dummyHash: Promise<string> | null = null;
  private closed = false;

  /**
   * @param maxWaiting how many tasks may wait for a thread (those running are not counted); one
   *   more is refused with HasherBusyError.
   */
  constructor(
    private readonly cost: number,
    private readonly size = defaultPoolSize(),
    private readonly maxWaiting = Number.POSITIVE_INFINITY,
  ) {
    // bcryptjs silently clamps a cost above 31 to 31: a hash that never finishes.
    if (!Number.isInteger(cost) || cost < 4 || cost > 31) throw new RangeError(`bcrypt cost must be an integer from 4 to 31, not ${cost}`);
    if (!(maxWaiting >= 1)) throw new RangeError(`the hashing queue must allow at least one waiting task, not ${maxWaiting}`);
    for (let i = 0; i < size; i++) this.spawn();
  }

  private spawn(): void {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { bcryptPath: require.resolve('bcryptjs') } });
    let failure: Error | null = null;
    worker.on('message', (m: { id: number; result?: unknown; error?: string }) => {
      const task = this.inflight.get(worker);
      this.inflight.delete(worker);
      if (task) {
        if (m.error !== undefined) task.reject(new Error(`password hashing failed: ${m.error}`));
        else task.resolve(m.result);
      }
      this.idle.push(worker);
      this.pump();
    });
    worker.on('error', (err) => {
      failure = err instanceof Error ? err : new Error(String(err));
    });
    // Every way a worker ends (crash, uncaught error, terminate, close) arrives here: its task must
    // settle, and the dead worker must leave the pool so no later task is posted to it.
    worker.on('exit', (code) => {
      const task = this.inflight.get(worker);
      this.inflight.delete(worker);
      remove(this.all, worker);
      remove(this.idle, worker);
      if (task) {
        if (this.closed) task.reject(new Error('password hasher is closed'));
        else task.reject(new Error(`password hashing worker stopped (exit code ${code})${failure ? `: ${failure.message}` : ''}`));
      }
      this.topUp();
    });
    this.all.push(worker);
    this.idle.push(worker);
    this.pump();
  }

  /** Replace workers that died, but only when there is work for them: a worker that cannot start must not respawn in a loop. */
  private topUp(): void {
    while (!this.closed && this.queue.length > 0 && this.all.length < this.size) this.spawn();
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.shift()!;
      const task = this.queue.shift()!;
      this.inflight.set(worker, task);
      worker.postMessage({ id: task.id, ...task.msg });
    }
  }

  /** What the pool is doing now (tests wait on it; nothing in the product reads it). */
  stats(): { workers: number; running: number; waiting: number; maxWaiting: number } {
    return { workers: this.size, running: this.inflight.size, waiting: this.queue.length, maxWaiting: this.maxWaiting };
  }

  private run<T>(msg: Record<string, unknown>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('password hasher is closed'));
    // A task waits only when no thread is idle; refuse it when the waiting line is already full.
    if (this.queue.length + 1 > this.maxWaiting + this.idle.length) return Promise.reject(new HasherBusyError());
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, msg, resolve: resolve as (v: unknown) => void, reject });
      this.topUp();
      this.pump();
    });
  }

  hash(password: string): Promise<string> {
    return this.run<string>({ op: 'hash', password, cost: this.cost });
  }

  compare(password: string, hash: string): Promise<boolean> {
    return this.run<boolean>({ op: 'compare', password, hash });
  }

  async dummyCompare(password: string): Promise<void> {
    // A failed first hash (busy, a crashed thread) must not be kept: every later unknown login would fail too.
    this.dummyHash ??= this.hash('userops-timing-equaliser-not-a-password').catch((e: unknown) => {
      this.dummyHash = null;
      throw e;
    });
    await this.compare(password, await this.dummyHash);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue.splice(0)) t.reject(new Error('password hasher is closed'));
    await Promise.all(this.all.map((w) => w.terminate()));
  }
}

function remove<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}
