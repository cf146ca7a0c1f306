import bcrypt from 'bcryptjs';
import type { Worker } from 'node:worker_threads';
import { HasherBusyError, WorkerPoolHasher } from '../../src/lib/hasher';
import { saturateHasher } from '../support/hasher-load';

const PASSWORD = 'Correct-Horse-42-Battery';

/** Settles like `p`, or rejects with "hung" if `p` never settles: a hang detector, not a timing assertion. */
function settles<T>(p: Promise<T>, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('hung')), ms);
  });
  return Promise.race([p, hung]).finally(() => clearTimeout(timer));
}

/** The pool's workers, to kill one from outside as a crash would. */
function workersOf(h: WorkerPoolHasher): Worker[] {
  return (h as unknown as { all: Worker[] }).all;
}

describe('WorkerPoolHasher', () => {
  const open: WorkerPoolHasher[] = [];
  const pool = (cost: number, size?: number, maxWaiting?: number) => {
    const h = new WorkerPoolHasher(cost, size, maxWaiting);
    open.push(h);
    return h;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((h) => h.close()));
  });

  test('hashes verify, with the configured cost, and compare tells right from wrong', async () => {
    const h = pool(4, 2);
    const hash = await h.hash(PASSWORD);
    expect(hash).toMatch(/^\$2b\$04\$[./A-Za-z0-9]{53}$/);
    expect(await bcrypt.compare(PASSWORD, hash)).toBe(true);
    expect(await h.compare(PASSWORD, hash)).toBe(true);
    expect(await h.compare(`${PASSWORD}x`, hash)).toBe(false);
    expect(await h.hash(PASSWORD)).not.toBe(hash); // salted
    await expect(h.dummyCompare(PASSWORD)).resolves.toBeUndefined();
  });

  test('more tasks than workers queue and all complete', async () => {
    const h = pool(4, 2);
    const hashes = await Promise.all(Array.from({ length: 9 }, (_, i) => h.hash(`${PASSWORD}-${i}`)));
    const checks = await Promise.all(hashes.map((hash, i) => h.compare(`${PASSWORD}-${i}`, hash)));
    expect(checks).toEqual(Array(9).fill(true));
  });

  test('an error inside the worker rejects the call instead of hanging, and the pool keeps working', async () => {
    const h = pool(4, 1);
    await expect(settles(h.hash(undefined as unknown as string))).rejects.toThrow(/password hashing failed: Illegal arguments/);
    await expect(settles(h.compare(PASSWORD, 'not-a-bcrypt-hash'))).resolves.toBe(false);
    await expect(settles(h.compare(PASSWORD, undefined as unknown as string))).rejects.toThrow(/password hashing failed/);
    expect(await settles(h.compare(PASSWORD, await h.hash(PASSWORD)))).toBe(true);
  });

  test('a full waiting line refuses at once with HasherBusyError, and the pool takes work again once it drains', async () => {
    const h = pool(4, 1, 2);
    const { drained } = await saturateHasher(h);
    expect(h.stats()).toEqual({ workers: 1, running: 1, waiting: 2, maxWaiting: 2 });
    await expect(settles(h.hash(PASSWORD))).rejects.toBeInstanceOf(HasherBusyError);
    await expect(settles(h.compare(PASSWORD, 'x'))).rejects.toBeInstanceOf(HasherBusyError);
    // The first unknown login builds the dummy hash: refused while busy, and not remembered as failed.
    await expect(settles(h.dummyCompare(PASSWORD))).rejects.toBeInstanceOf(HasherBusyError);
    expect(h.stats().waiting).toBe(2);
    await settles(drained, 60_000);
    expect(h.stats()).toMatchObject({ running: 0, waiting: 0 });
    expect(await settles(h.compare(PASSWORD, await h.hash(PASSWORD)))).toBe(true);
    await expect(settles(h.dummyCompare(PASSWORD))).resolves.toBeUndefined();
  });

  test('an idle thread takes a task even when the waiting line allows only one', async () => {
    const h = pool(4, 2, 1);
    expect(await Promise.all([h.hash('a-password-one'), h.hash('a-password-two'), h.hash('a-password-three')])).toHaveLength(3);
    expect(() => new WorkerPoolHasher(4, 1, 0)).toThrow(RangeError);
  });

  test('a cost bcryptjs would clamp (and so never finish) is refused up front', () => {
    expect(() => new WorkerPoolHasher(99, 1)).toThrow(RangeError);
    expect(() => new WorkerPoolHasher(3, 1)).toThrow(RangeError);
  });

  test('a worker that dies mid-task rejects that task, and a new worker takes the next one', async () => {
    const h = pool(12, 1);
    const inflight = h.hash(PASSWORD);
    const [worker] = workersOf(h);
    await worker.terminate();
    await expect(settles(inflight)).rejects.toThrow(/worker/);
    // The same pool recovers.
    expect(await settles(h.compare(PASSWORD, bcrypt.hashSync(PASSWORD, 4)))).toBe(true);
  });

  test('an idle worker that dies is not handed the next task', async () => {
    const h = pool(4, 1);
    await h.hash(PASSWORD);
    await workersOf(h)[0].terminate();
    expect(await settles(h.compare(PASSWORD, bcrypt.hashSync(PASSWORD, 4)))).toBe(true);
  });

  test('close() rejects queued and in-flight calls instead of leaving them pending; later calls reject', async () => {
    const h = new WorkerPoolHasher(12, 1);
    const inflight = expect(settles(h.hash(PASSWORD))).rejects.toThrow(/closed/);
    const queued = expect(settles(h.hash(PASSWORD))).rejects.toThrow(/closed/);
    await h.close();
    await inflight;
    await queued;
    await expect(h.hash(PASSWORD)).rejects.toThrow(/closed/);
  });

  test('hashing at cost 12 does not block the event loop', async () => {
    const h = pool(12, 1);
    await h.hash('warm-up-the-worker'); // first use loads bcryptjs in the worker
    let ticks = 0;
    let spinning = true;
    const spin = () => {
      ticks += 1;
      if (spinning) setImmediate(spin);
    };
    setImmediate(spin);
    const hash = await h.hash(PASSWORD);
    spinning = false;
    expect(hash).toMatch(/^\$2b\$12\$/);
    // On the main thread a cost-12 hash is one uninterrupted block: the loop would turn once or twice.
    expect(ticks).toBeGreaterThan(100);
  });
});
