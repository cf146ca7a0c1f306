/** The Slack delivery keys (trigger, event and signed-request ids) remembered so a retry or replay is recognised. */
import { Op, QueryTypes, type Transaction } from 'sequelize';
import { SlackDelivery } from './models';

/**
 * Record `key` unless it is there already; true when this call inserted it. One plain statement:
 * this runs for every Slack request, and a model instance cost the event loop more than the insert
 * itself (npm run bench).
 */
export async function insertDeliveryKey(key: string, at: Date, transaction?: Transaction): Promise<boolean> {
  const [, inserted] = await SlackDelivery.sequelize!.query(
    'INSERT INTO slack_deliveries ("key", created_at) VALUES (:key, :at) ON CONFLICT ("key") DO NOTHING',
    { replacements: { key, at }, type: QueryTypes.INSERT, transaction },
  );
  // Both dialects answer an INSERT with [id or rows, rows inserted]; 0 inserted: the key was there.
  return inserted === 1;
}

/** Forget keys created before `before`, and keys starting with `prefix` created before `prefixBefore`. */
export async function pruneDeliveryKeys(before: Date, prefix: string, prefixBefore: Date): Promise<number> {
  return SlackDelivery.destroy({
    where: {
      [Op.or]: [{ createdAt: { [Op.lt]: before } }, { key: { [Op.like]: `${prefix}%` }, createdAt: { [Op.lt]: prefixBefore } }],
    },
  });
}
