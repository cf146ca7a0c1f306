import { CountCache } from '../../src/services/count-cache';

/** A counting that resolves when told to, and says how often it ran. */
function counter(startAt = 0) {
  let n = startAt;
  let runs = 0;
  const pending: Array<() => void> = [];
  return {
    count: () => {
      runs += 1;
      const value = ++n;
      return new Promise<number>((resolve) => pending.push(() => resolve(value)));
    },
    finishAll: () => pending.splice(0).forEach((f) => f()),
    get runs() {
      return runs;
    },
  };
}

describe('CountCache', () => {
  const clock = { now: new Date('2026-11-02T10:00:00Z') };
  const at = (ms: number) => (clock.now = new Date(Date.parse('2026-11-02T10:00:00Z') + ms));
  beforeEach(() => at(0));

  test('a slow counting is kept for maxAge and says when it was taken; past maxAge it is counted anew', async () => {
    const cache = new CountCache<number>({ maxAgeMs: 60_000, slowMs: 0 }, () => clock.now);
    const c = counter();
    const first = cache.get('1,2', c.count);
    c.finishAll();
    expect(await first).toEqual({ value: 1, asOf: new Date('2026-11-02T10:00:00Z'), reused: false });
    at(60_000);
    expect(await cache.get('1,2', c.count)).toEqual({ value: 1, asOf: new Date('2026-11-02T10:00:00Z'), reused: true });
    at(60_001);
    const third = cache.get('1,2', c.count);
    c.finishAll();
    expect(await third).toEqual({ value: 2, asOf: new Date('2026-11-02T10:01:00.001Z'), reused: false });
    expect(c.runs).toBe(2);
  });

  test('a quick counting is never reused: a small directory always shows exact counts', async () => {
    const cache = new CountCache<number>({ maxAgeMs: 60_000, slowMs: 60_000 }, () => clock.now);
    const c = counter();
    for (let i = 1; i <= 3; i++) {
      const r = cache.get('all', c.count);
      c.finishAll();
      expect(await r).toMatchObject({ value: i, reused: false });
    }
  });

  test('maxAge 0 counts on every call', async () => {
    const cache = new CountCache<number>({ maxAgeMs: 0, slowMs: 0 }, () => clock.now);
    const c = counter();
    const a = cache.get('all', c.count);
    c.finishAll();
    await a;
    at(1);
    const b = cache.get('all', c.count);
    c.finishAll();
    expect(await b).toMatchObject({ value: 2, reused: false });
  });

  test('concurrent callers of one scope share one counting; other scopes and `fresh` callers count their own', async () => {
    const cache = new CountCache<number>({ maxAgeMs: 60_000, slowMs: 0 }, () => clock.now);
    const c = counter();
    const a = cache.get('1', c.count);
    const b = cache.get('1', c.count);
    const other = cache.get('2', c.count);
    const fresh = cache.get('1', c.count, { fresh: true });
    expect(c.runs).toBe(3);
    c.finishAll();
    expect((await a).value).toBe(1);
    expect(await b).toMatchObject({ value: 1, reused: true });
    expect(await other).toMatchObject({ value: 2, reused: false });
    expect(await fresh).toMatchObject({ value: 3, reused: false });
    // The fresh counting replaced the scope's entry: later callers get it.
    expect(await cache.get('1', c.count)).toMatchObject({ value: 3, reused: true });
  });

  test('a failed counting is forgotten: the next caller counts again', async () => {
    const cache = new CountCache<number>({ maxAgeMs: 60_000, slowMs: 0 }, () => clock.now);
    await expect(cache.get('1', () => Promise.reject(new Error('database is locked')))).rejects.toThrow('database is locked');
    expect(await cache.get('1', () => Promise.resolve(7))).toMatchObject({ value: 7, reused: false });
  });
});
