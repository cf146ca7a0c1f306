import { DataTypes, type QueryInterface } from 'sequelize';

/** Who to tell when a mail finally fails: the Slack user whose action queued it. */
export const name = '0002-mail-notify';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn('mail_outbox', 'notify_slack_user', { type: DataTypes.STRING(32), allowNull: true });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeColumn('mail_outbox', 'notify_slack_user');
}
