import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * A lockout is reported by the digest that posted it: `digest_slot` names that slot. The digest
 * used to report the lockouts whose time fell in (previous claim, this claim], so one committed a
 * moment after a digest read the table — its time already inside the window just read — was never
 * reported as new (seen once in CI with a slot every two seconds). Lockouts the digests before
 * this migration covered are marked as reported by them.
 */
export const name = '0004-lockout-digest-marks';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn('lockout_events', 'digest_slot', { type: DataTypes.STRING(40), allowNull: true });
  await qi.sequelize.query(
    `UPDATE lockout_events SET digest_slot = 'before-0004'
      WHERE locked_at <= (SELECT MAX(claimed_at) FROM job_slots WHERE name = 'lockout_digest' AND finished_at IS NOT NULL)`,
  );
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  // Plain DROP COLUMN (SQLite 3.35+ and PostgreSQL): Sequelize's SQLite removeColumn copies the table.
  await qi.sequelize.query('ALTER TABLE lockout_events DROP COLUMN digest_slot');
}
