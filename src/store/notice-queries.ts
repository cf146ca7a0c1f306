/** Statements over the owner-notice outbox (`notices`) and the password-expiry claims. */
import { Op, UniqueConstraintError, type Transaction, type WhereOptions } from 'sequelize';
import type { Database } from './db';
import type { ExpiryStep } from '../domain/password-expiry';
import type { User } from './models';
import { Notice, PasswordExpiryClaim } from './notice-models';
import { claimDueRows } from './outbox-queries';

/** Claim due notices under `lease`, exactly as mail is claimed (see `claimDueRows`). */
export function claimDueNotices(db: Database, opts: { cutoff: Date; lease: Date; batchSize: number }): Promise<Notice[]> {
  return claimDueRows(db, Notice, opts);
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
