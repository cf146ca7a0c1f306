import { Op, QueryTypes, type Transaction } from 'sequelize';
import { SlackDelivery } from '../store/models';
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
  // One plain statement: this runs for every Slack request, and a model instance cost the event
  // loop more than the insert itself (npm run bench).
  const insert = (transaction?: Transaction) =>
    SlackDelivery.sequelize!.query('INSERT INTO slack_deliveries ("key", created_at) VALUES (:key, :at) ON CONFLICT ("key") DO NOTHING', {
      replacements: { key: key.slice(0, 200), at: ctx.now() },
      type: QueryTypes.INSERT,
      transaction,
    });
  // Both dialects answer an INSERT with [id or rows, rows inserted]; 0 inserted: the key was there.
  const [, inserted] = opts.beforeAck && ctx.db.dialect === 'sqlite' ? await ctx.db.tx((t) => insert(t)) : await insert();
  return inserted === 1;
}

/** Forget request keys past REQUEST_KEY_TTL_MS and delivery keys older than a day. */
export async function pruneDeliveries(ctx: Ctx): Promise<number> {
  const now = ctx.now().getTime();
  return SlackDelivery.destroy({
    where: {
      [Op.or]: [
        { createdAt: { [Op.lt]: new Date(now - DELIVERY_KEY_TTL_MS) } },
        { key: { [Op.like]: `${REQUEST_KEY_PREFIX}%` }, createdAt: { [Op.lt]: new Date(now - REQUEST_KEY_TTL_MS) } },
      ],
    },
  });
}
