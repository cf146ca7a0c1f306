import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * When the account was last sent the "you cannot sign in right now" notice (the right password
 * given to a locked, disabled or reset-pending account). The login answer no longer says why, so
 * the person is told by mail instead — at most once an hour, which this column enforces under the
 * user row's lock, across instances.
 */
export const name = '0005-sign-in-notice';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn('users', 'sign_in_notice_at', { type: DataTypes.DATE, allowNull: true });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  // Plain DROP COLUMN (SQLite 3.35+ and PostgreSQL): Sequelize's SQLite removeColumn copies the table.
  await qi.sequelize.query('ALTER TABLE users DROP COLUMN sign_in_notice_at');
}
