import { insertDeliveryKey, pruneDeliveryKeys } from '../store/delivery-queries';
import type { Ctx } from './context';

/** Prefix of the keys that name one signed request (see claimRequest). */
export const REQUEST_KEY_PREFIX = 'sig:';

/**
 * How long a request key is kept. A signed request is accepted for 5 minutes after its timestamp,
 * and its timestamp may be at most 5 minutes ahead of our clock (src/slack/middleware/retries.ts),
 * so 10 minutes after we first saw it no copy can be accepted any more; one more minute covers
 * instances whose clocks differ a little.
 */
export const REQUEST_KEY_TTL_MS = 11 * 60_000;

/** Delivery keys (trigger and event ids) are kept a day; Slack never retries that late. */
const DELIVERY_KEY_TTL_MS = 86_400_000;

/**
 * Remember a delivery (a Slack trigger or event id, or a signed request's key) so a retry or a
 * replay of it is recognised. Returns false when the key was already recorded — by this instance
 * or another one on the same database.
 *
 * `beforeAck`: the caller waits for the answer before Slack gets its ack. On SQLite a statement
 * outside a transaction shares the one read connection, first come first served, so it would wait
 * behind a directory search in flight (README, "Replays"); a write transaction waits only behind
 * other writers. PostgreSQL takes a pooled connection either way.
 */
export async function claimDelivery(ctx: Ctx, key: string, opts: { beforeAck?: boolean } = {}): Promise<boolean> {
  const k = key.slice(0, 200);
  if (opts.beforeAck && ctx.db.dialect === 'sqlite') return ctx.db.tx((t) => insertDeliveryKey(k, ctx.now(), t));
  return insertDeliveryKey(k, ctx.now());
}

/** Forget request keys past REQUEST_KEY_TTL_MS and delivery keys older than a day. */
export async function pruneDeliveries(ctx: Ctx): Promise<number> {
  const now = ctx.now().getTime();
  return pruneDeliveryKeys(new Date(now - DELIVERY_KEY_TTL_MS), REQUEST_KEY_PREFIX, new Date(now - REQUEST_KEY_TTL_MS));
}
