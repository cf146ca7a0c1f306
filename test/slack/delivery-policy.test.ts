import {
  DEFAULT_DELIVERY_POLICY,
  backoffDelay,
  classifyStatus,
  delivery,
  webClientRetryConfig,
  withRetries,
  type AttemptResult,
} from '../../src/slack/delivery';

/** The retry policy as values: no timers, the sleep records what it was asked to wait. */

const policy = { ...DEFAULT_DELIVERY_POLICY, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 10_000 };

describe('backoffDelay', () => {
  test('doubles per attempt from the base, capped, with half of each step random', () => {
    const low = [1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, policy, () => 0));
    const high = [1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, policy, () => 1));
    expect(low).toEqual([50, 100, 200, 400, 500, 500]);
    expect(high).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(300);
  });

  test("a 429's Retry-After wins over the backoff, in whole seconds", () => {
    expect(backoffDelay(1, policy, () => 0, 1)).toBe(1000);
    expect(backoffDelay(4, policy, () => 1, 7)).toBe(7000);
    expect(backoffDelay(1, policy, () => 0, 0)).toBe(0);
  });

  test('a Retry-After beyond maxRetryAfterMs is not waited for', () => {
    expect(backoffDelay(1, policy, () => 0, 11)).toBeNull();
  });
});

test('classifyStatus: 2xx done, 429 and 5xx retried (with Retry-After), other statuses final', () => {
  expect(classifyStatus(200, null)).toEqual({ kind: 'ok' });
  expect(classifyStatus(429, '2')).toEqual({ kind: 'retry', reason: 'HTTP 429', retryAfterSec: 2 });
  expect(classifyStatus(429, null)).toEqual({ kind: 'retry', reason: 'HTTP 429', retryAfterSec: undefined });
  expect(classifyStatus(503, null)).toEqual({ kind: 'retry', reason: 'HTTP 503' });
  expect(classifyStatus(404, null)).toEqual({ kind: 'fatal', reason: 'HTTP 404' });
});

test('the WebClient gets the same policy as p-retry options, jitter on', () => {
  expect(webClientRetryConfig(DEFAULT_DELIVERY_POLICY)).toEqual({
    retries: 3,
    factor: 2,
    minTimeout: 250,
    maxTimeout: 4000,
    randomize: true,
  });
});

describe('withRetries', () => {
  function scripted(results: Array<AttemptResult | Error>) {
    const waits: number[] = [];
    const d = delivery(policy, { sleep: async (ms) => void waits.push(ms), random: () => 0 });
    let calls = 0;
    const attempt = async (): Promise<AttemptResult> => {
      const r = results[calls++];
      if (r instanceof Error) throw r;
      return r;
    };
    return { d, waits, attempt, calls: () => calls };
  }

  test('429 then OK: one wait of Retry-After, then done', async () => {
    const s = scripted([{ kind: 'retry', reason: 'HTTP 429', retryAfterSec: 1 }, { kind: 'ok' }]);
    expect(await withRetries(s.d, 4, s.attempt)).toEqual({ ok: true, attempts: 2 });
    expect(s.waits).toEqual([1000]);
  });

  test('5xx and a network error are retried with backoff', async () => {
    const s = scripted([{ kind: 'retry', reason: 'HTTP 500' }, new TypeError('fetch failed'), { kind: 'ok' }]);
    expect(await withRetries(s.d, 4, s.attempt)).toEqual({ ok: true, attempts: 3 });
    expect(s.waits).toEqual([50, 100]);
  });

  test('always 5xx: stops after maxAttempts without a last wait, and says why', async () => {
    const s = scripted(Array(10).fill({ kind: 'retry', reason: 'HTTP 500' }));
    expect(await withRetries(s.d, 4, s.attempt)).toEqual({ ok: false, attempts: 4, reason: 'HTTP 500' });
    expect(s.calls()).toBe(4);
    expect(s.waits).toHaveLength(3);
  });

  test('a final status is not retried', async () => {
    const s = scripted([{ kind: 'fatal', reason: 'HTTP 404' }]);
    expect(await withRetries(s.d, 4, s.attempt)).toEqual({ ok: false, attempts: 1, reason: 'HTTP 404' });
    expect(s.waits).toEqual([]);
  });

  test('a Retry-After too long gives up at once (the caller falls back)', async () => {
    const s = scripted([{ kind: 'retry', reason: 'HTTP 429', retryAfterSec: 60 }, { kind: 'ok' }]);
    const out = await withRetries(s.d, 4, s.attempt);
    expect(out).toMatchObject({ ok: false, attempts: 1 });
    expect(s.waits).toEqual([]);
  });

  test('no attempts allowed (a spent response_url budget): nothing is tried', async () => {
    const s = scripted([{ kind: 'ok' }]);
    expect((await withRetries(s.d, 0, s.attempt)).ok).toBe(false);
    expect(s.calls()).toBe(0);
  });
});
