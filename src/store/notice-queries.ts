/** Statements over the owner-notice outbox (`notices`) and the password-expiry claims. */
import { literal, Op, UniqueConstraintError, type Transaction, type WhereOptions } from 'sequelize';
import type { Database } from './db';
import type { ExpiryStep } from '../domain/password-expiry';
import type { User } from './models';
import { Notice, PasswordExpiryClaim } from './notice-models';

/**
 * Claim up to `batchSize` due notices under `lease`, as `claimDueMail` does for mail: pending ones
 * whose time has come and 'sending' ones whose lease ran out, the attempt counted at claim time.
 * PostgreSQL instances take disjoint rows (SKIP LOCKED); SQLite's write transaction is exclusive.
 */
export async function claimDueNotices(db: Database, opts: { cutoff: Date; lease: Date; batchSize: number }): Promise<Notice[]> {
  const { cutoff, lease } = opts;
  const due: WhereOptions<Notice> = {
    [Op.or]: [
      { status: 'pending', nextAttemptAt: { [Op.lte]: cutoff } },
      { status: 'sending', [Op.or]: [{ leaseUntil: null }, { leaseUntil: { [Op.lt]: cutoff } }] },
    ],
  };
  return db.tx(async (t) => {
    const candidates = await Notice.findAll({
      attributes: ['id'],
      where: due,
      order: [
        ['nextAttemptAt', 'ASC'],
        ['id', 'ASC'],
      ],
      limit: opts.batchSize,
      transaction: t,
      ...(db.dialect === 'postgres' ? { lock: t.LOCK.UPDATE, skipLocked: true } : {}),
    });
    if (candidates.length === 0) return [];
    const ids = candidates.map((c) => c.id);
    await Notice.update(
      { status: 'sending', leaseUntil: lease, attempts: literal('attempts + 1') },
      { where: { [Op.and]: [{ id: ids }, due] }, transaction: t },
    );
    return Notice.findAll({ where: { id: ids, status: 'sending', leaseUntil: lease }, order: [['id', 'ASC']], transaction: t });
  });
}

export type NoticeSettle = Partial<Pick<Notice, 'status' | 'channel' | 'leaseUntil' | 'lastError' | 'nextAttemptAt' | 'deliveredAt'>>;

/** Record an outcome only while the row still carries `lease` (a fencing token); 1 when it did, 0 when the lease was lost. */
export async function settleNotice(id: number, lease: Date, values: NoticeSettle, t?: Transaction): Promise<number> {
  const [count] = await Notice.update(values, { where: { id, status: 'sending', leaseUntil: lease }, transaction: t });
  return count;
}

/**
 * Claim one step of the password-expiry job for one user's current password, in the caller's
 * transaction. The unique index (user, step, cycle) lets exactly one instance win: the loser's
 * insert throws `UniqueConstraintError` (see `isClaimTaken`) and its transaction rolls back whole.
 */
export async function claimExpiryStep(
  t: Transaction,
  claim: { userId: number; step: ExpiryStep; cycle: string; claimedBy: string; claimedAt: Date },
): Promise<void> {
  await PasswordExpiryClaim.create({ ...claim, claimedBy: claim.claimedBy.slice(0, 100) }, { transaction: t });
}

export function isClaimTaken(e: unknown): boolean {
  return e instanceof UniqueConstraintError;
}

/**
 * Users the expiry job looks at, a keyset page after `afterId`: enabled, active, with a password
 * whose change time is known and at or before `changedBefore`.
 */
export function expiryCandidateWhere(changedBefore: Date, afterId: number): WhereOptions<User> {
  return {
    id: { [Op.gt]: afterId },
    enabled: true,
    authStatus: 'active',
    passwordHash: { [Op.ne]: null },
    passwordChangedAt: { [Op.ne]: null, [Op.lte]: changedBefore },
  };
}
