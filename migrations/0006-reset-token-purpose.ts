import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * Who asked for a reset link: `admin` (an administrator's reset, which also requires the reset) or
 * `self_service` (the person, through /password/forgot, which changes nothing until the link is
 * used). Self-service links are counted per account from this table, so the "links per hour" limit
 * holds across instances; the index serves that count.
 */
export const name = '0006-reset-token-purpose';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn('reset_tokens', 'purpose', { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'admin' });
  await qi.addIndex('reset_tokens', ['user_id', 'purpose', 'created_at'], { name: 'reset_tokens_user_purpose_created' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeIndex('reset_tokens', 'reset_tokens_user_purpose_created');
  // Plain DROP COLUMN (SQLite 3.35+ and PostgreSQL): Sequelize's SQLite removeColumn copies the table.
  await qi.sequelize.query('ALTER TABLE reset_tokens DROP COLUMN purpose');
}
