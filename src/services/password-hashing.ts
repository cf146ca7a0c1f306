import { fail, ok, type Outcome } from '../domain/outcome';
import { HasherBusyError } from '../lib/hasher';
import type { Ctx } from './context';

/** The one sentence for a full hashing pool, wherever a password is hashed or checked. */
export const HASHER_BUSY_MESSAGE = 'The server is busy checking passwords right now. Try again in a moment.';

/** Run hashing work; a full pool becomes the `unavailable` outcome, anything else stays an exception (a bug or an outage). */
async function unlessBusy<T extends object>(work: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return ok(await work());
  } catch (e) {
    if (e instanceof HasherBusyError) return fail('unavailable', HASHER_BUSY_MESSAGE);
    throw e;
  }
}

/** Hash a new password in the worker pool. */
export function hashPassword(ctx: Ctx, password: string): Promise<Outcome<{ hash: string }>> {
  return unlessBusy(async () => ({ hash: await ctx.hasher.hash(password) }));
}

/**
 * Check a password. Without a stored hash (an unknown login, or an account that never had a
 * password) it compares against the pool's dummy hash, so every answer costs one bcrypt compare.
 */
export function checkPassword(ctx: Ctx, password: string, storedHash: string | null): Promise<Outcome<{ matches: boolean }>> {
  return unlessBusy(async () => {
    if (storedHash === null) {
      await ctx.hasher.dummyCompare(password);
      return { matches: false };
    }
    return { matches: await ctx.hasher.compare(password, storedHash) };
  });
}
