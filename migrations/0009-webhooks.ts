import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * Signed outbound events (issue 18). `webhook_endpoints` are an organization's receivers, each
 * with its signing secret encrypted (AES-256-GCM under WEBHOOK_SECRET_KEY; the table alone does not
 * reveal it). `webhook_deliveries` is the transactional outbox: one row per event and endpoint,
 * written in the transaction of the change it reports, claimed under a lease by the sender.
 * `ordering_key` (user:ID, job:ID) is what must arrive in order at one endpoint; `dedupe_key`
 * keeps a restarted job from announcing its end twice.
 */
export const name = '0009-webhooks';

const id = { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false };
const now = { type: DataTypes.DATE, allowNull: false };

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('webhook_endpoints', {
    id,
    organization_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'organizations', key: 'id' }, onDelete: 'CASCADE' },
    url: { type: DataTypes.STRING(2000), allowNull: false },
    events: { type: DataTypes.STRING(1000), allowNull: false, defaultValue: '*' },
    secret_box: { type: DataTypes.STRING(300), allowNull: false },
    enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    disabled_reason: { type: DataTypes.STRING(500), allowNull: true },
    failure_run: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    created_by: { type: DataTypes.STRING(200), allowNull: false },
    created_at: now,
    updated_at: now,
  });
  await qi.addIndex('webhook_endpoints', ['organization_id'], { name: 'webhook_endpoints_org' });

  await qi.createTable('webhook_deliveries', {
    id,
    endpoint_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'webhook_endpoints', key: 'id' }, onDelete: 'CASCADE' },
    message_id: { type: DataTypes.STRING(64), allowNull: false },
    event_type: { type: DataTypes.STRING(64), allowNull: false },
    ordering_key: { type: DataTypes.STRING(64), allowNull: false },
    dedupe_key: { type: DataTypes.STRING(100), allowNull: true },
    payload: { type: DataTypes.TEXT, allowNull: false },
    status: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'pending' },
    attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    next_attempt_at: now,
    lease_until: { type: DataTypes.DATE, allowNull: true },
    last_error: { type: DataTypes.STRING(500), allowNull: true },
    last_status: { type: DataTypes.INTEGER, allowNull: true },
    created_at: now,
    delivered_at: { type: DataTypes.DATE, allowNull: true },
  });
  await qi.addIndex('webhook_deliveries', ['status', 'next_attempt_at'], { name: 'webhook_deliveries_due' });
  await qi.addIndex('webhook_deliveries', ['endpoint_id', 'ordering_key', 'id'], { name: 'webhook_deliveries_order' });
  await qi.addIndex('webhook_deliveries', ['endpoint_id', 'dedupe_key'], { unique: true, name: 'webhook_deliveries_dedupe' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('webhook_deliveries');
  await qi.dropTable('webhook_endpoints');
}
