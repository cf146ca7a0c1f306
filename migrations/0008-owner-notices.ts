import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * Notices to account owners (issue 16, points 9–10 and 12). `notices` is an outbox like
 * `mail_outbox`: a row is written in the transaction of the change it tells about, then a worker
 * claims it under a lease and delivers it as a Slack DM, or hands it to the mail outbox. It holds
 * the facts the text is made of (`params`, JSON), never a password or a token.
 * `password_expiry_claims`: one row per user, step and password (`cycle` = the password's
 * `password_changed_at`), so a reminder or an expiry happens once across instances and days.
 */
export const name = '0008-owner-notices';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  const id = { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false };
  const now = { type: DataTypes.DATE, allowNull: false };
  await qi.createTable('notices', {
    id,
    kind: { type: DataTypes.STRING(40), allowNull: false },
    user_id: { type: DataTypes.INTEGER, allowNull: true },
    to_address: { type: DataTypes.STRING(254), allowNull: false },
    params: { type: DataTypes.TEXT, allowNull: false },
    email_fallback: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    notify_slack_user: { type: DataTypes.STRING(40), allowNull: true },
    status: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'pending' },
    channel: { type: DataTypes.STRING(20), allowNull: true },
    attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    next_attempt_at: now,
    lease_until: { type: DataTypes.DATE, allowNull: true },
    last_error: { type: DataTypes.STRING(500), allowNull: true },
    created_at: now,
    delivered_at: { type: DataTypes.DATE, allowNull: true },
  });
  await qi.addIndex('notices', ['status', 'next_attempt_at'], { name: 'notices_due' });
  await qi.addIndex('notices', ['user_id'], { name: 'notices_user' });

  await qi.createTable('password_expiry_claims', {
    id,
    user_id: { type: DataTypes.INTEGER, allowNull: false },
    step: { type: DataTypes.STRING(20), allowNull: false },
    cycle: { type: DataTypes.STRING(40), allowNull: false },
    claimed_by: { type: DataTypes.STRING(100), allowNull: false },
    claimed_at: now,
  });
  await qi.addIndex('password_expiry_claims', ['user_id', 'step', 'cycle'], { unique: true, name: 'password_expiry_claims_unique' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('password_expiry_claims');
  await qi.dropTable('notices');
}
