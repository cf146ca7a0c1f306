import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * Temporary locks (LOCKOUT_MODE=temporary): when a lock ends by itself (null: only an admin's
 * Activate ends it), and how many locks in a row the account has had since its last successful
 * login or Activate — each one lasts twice as long as the one before, up to LOCKOUT_MAX_MINUTES.
 * Numbered 0007 because 0006 is taken by the reset-token-purpose migration on another branch.
 */
export const name = '0007-temporary-lockout';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn('users', 'locked_until', { type: DataTypes.DATE, allowNull: true });
  await qi.addColumn('users', 'consecutive_locks', { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  // Plain DROP COLUMN (SQLite 3.35+ and PostgreSQL): Sequelize's SQLite removeColumn copies the table.
  await qi.sequelize.query('ALTER TABLE users DROP COLUMN consecutive_locks');
  await qi.sequelize.query('ALTER TABLE users DROP COLUMN locked_until');
}
