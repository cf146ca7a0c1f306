import { Op, UniqueConstraintError } from 'sequelize';
import { SlackDelivery } from '../store/models';
import type { Ctx } from './context';

/**
 * Remember a delivery (a Slack trigger or event id) so a retry of it is recognised. Returns false
 * when the key was already recorded — by this instance or another one on the same database.
 */
export async function claimDelivery(ctx: Ctx, key: string): Promise<boolean> {
  try {
    await SlackDelivery.create({ key: key.slice(0, 200), createdAt: ctx.now() });
    return true;
  } catch (e) {
    if (e instanceof UniqueConstraintError) return false;
    throw e;
  }
}

/** Forget deliveries older than a day; Slack never retries that late. */
export async function pruneDeliveries(ctx: Ctx): Promise<number> {
  return SlackDelivery.destroy({ where: { createdAt: { [Op.lt]: new Date(ctx.now().getTime() - 86_400_000) } } });
}
