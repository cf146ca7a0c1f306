import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * Two-person approval (issue 19): one row per request. `payload` holds the exact action (and, for a
 * bulk action, its selection); `fingerprint` and `user_count` the previewed set, so a changed
 * selection voids the request. People are kept by id and label, so a deleted account leaves the
 * facts. `messages` lists where the request was posted (channel and ts), to rewrite them when it is
 * decided.
 */
export const name = '0011-approval-requests';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('approval_requests', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
    kind: { type: DataTypes.STRING(20), allowNull: false },
    action: { type: DataTypes.STRING(40), allowNull: false },
    status: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'pending' },
    payload: { type: DataTypes.TEXT, allowNull: false },
    fingerprint: { type: DataTypes.STRING(64), allowNull: false },
    user_count: { type: DataTypes.INTEGER, allowNull: false },
    needed_because: { type: DataTypes.STRING(40), allowNull: false },
    reason: { type: DataTypes.TEXT, allowNull: true },
    requester_user_id: { type: DataTypes.INTEGER, allowNull: false },
    requester_label: { type: DataTypes.STRING(255), allowNull: false },
    requester_slack_id: { type: DataTypes.STRING(40), allowNull: true },
    approver_user_id: { type: DataTypes.INTEGER, allowNull: true },
    approver_label: { type: DataTypes.STRING(255), allowNull: true },
    approver_slack_id: { type: DataTypes.STRING(40), allowNull: true },
    deny_reason: { type: DataTypes.TEXT, allowNull: true },
    outcome: { type: DataTypes.TEXT, allowNull: true },
    job_id: { type: DataTypes.INTEGER, allowNull: true },
    messages: { type: DataTypes.TEXT, allowNull: true },
    expires_at: { type: DataTypes.DATE, allowNull: false },
    decided_at: { type: DataTypes.DATE, allowNull: true },
    created_at: { type: DataTypes.DATE, allowNull: false },
    updated_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('approval_requests', ['status', 'expires_at'], { name: 'approval_requests_status_expires' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('approval_requests');
}
