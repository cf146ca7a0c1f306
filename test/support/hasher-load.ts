import { WorkerPoolHasher, type PasswordHasher } from '../../src/lib/hasher';
import { until } from './wait';

/** A bcrypt hash of cost 14: comparing against it keeps a hashing thread busy for a second or more. */
export const SLOW_HASH = '$2b$14$J8rtmkC6Z6br3xdZ66/e1e3G0qXZJbWPz.88SaSbL1Eh2ac.IE5cq';

/** A test that waits for slow compares to drain gets this long (the suite default of 30 s is tight on a loaded machine). */
export const SLOW_POOL_TIMEOUT_MS = 180_000;

/**
 * Fill the runtime's real hashing pool: every thread on a slow compare and the waiting line at its
 * `HASH_QUEUE_MAX`, so the next hash or compare is refused as busy. `drained` settles when the
 * filling compares are done (the pool then takes work again).
 */
export async function saturateHasher(hasher: PasswordHasher): Promise<{ drained: Promise<unknown> }> {
  if (!(hasher instanceof WorkerPoolHasher)) throw new Error('saturateHasher needs the real worker pool');
  const { workers, maxWaiting } = hasher.stats();
  if (!Number.isFinite(maxWaiting)) throw new Error('the pool has no bound (set HASH_QUEUE_MAX)');
  const filling = Array.from({ length: workers + maxWaiting }, () => hasher.compare('not-it', SLOW_HASH));
  await until(() => {
    const s = hasher.stats();
    return s.running === workers && s.waiting === maxWaiting;
  }, 'the hashing pool to be full');
  return { drained: Promise.allSettled(filling) };
}
