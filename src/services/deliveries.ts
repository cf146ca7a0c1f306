import { Op, QueryTypes } from 'sequelize';
import { SlackDelivery } from '../store/models';
import type { Ctx } from './context';

/**
 * Remember a delivery (a Slack trigger or event id) so a retry of it is recognised. Returns false
 * when the key was already recorded — by this instance or another one on the same database.
 */
export async function claimDelivery(ctx: Ctx, key: string): Promise<boolean> {
  // One plain statement: this runs for every Slack request, and a model instance cost the event
  // loop more than the insert itself (npm run bench).
  // Both dialects answer an INSERT with [id or rows, rows inserted]; 0 inserted: the key was there.
  const [, inserted] = await SlackDelivery.sequelize!.query(
    'INSERT INTO slack_deliveries ("key", created_at) VALUES (:key, :at) ON CONFLICT ("key") DO NOTHING',
    { replacements: { key: key.slice(0, 200), at: ctx.now() }, type: QueryTypes.INSERT },
  );
  return inserted === 1;
}

/** Forget deliveries older than a day; Slack never retries that late. */
export async function pruneDeliveries(ctx: Ctx): Promise<number> {
  return SlackDelivery.destroy({ where: { createdAt: { [Op.lt]: new Date(ctx.now().getTime() - 86_400_000) } } });
}
