import { DAY_MS, REMINDER_DAYS, expiryStep, type ExpiryStep } from '../domain/password-expiry';
import { enqueueNotices } from '../mail/notices';
import { User } from '../store/models';
import { claimExpiryStep, expiryCandidateWhere, isClaimTaken } from '../store/notice-queries';
import { writeAudit } from './audit';
import { isFailure, loadAccess, orgsOfUsers } from './authz';
import type { Actor, Ctx } from './context';
import { resetBatch } from './passwords';

/** Who acts in the expiry job's audit rows. */
export const EXPIRY_ACTOR: Actor = { kind: 'system', label: 'system (password expiry)' };

export interface ExpiryRunResult {
  remind_7d: number;
  remind_1d: number;
  expired: number;
  /** Steps another instance (or an earlier run) had already taken. */
  taken: number;
}

/** Candidates read per page (ids and change times only). */
const PAGE = 500;

/**
 * One run of the daily password-expiry job (PASSWORD_MAX_AGE_DAYS). For every enabled, active
 * user whose password is within `REMINDER_DAYS[0]` days of its maximum age, or past it: a reminder
 * notice (7 days, then 1 day before), or — expired — the admin reset (same token rules and reset
 * mail; the system acts) with a DM saying why. Users with no password (never set, or only a
 * pending reset) are skipped, and so are disabled, locked and reset-pending ones: they cannot sign
 * in with that password anyway. Each step is claimed per user and per password in the
 * transaction that does it (unique index), so across instances and runs nobody gets the same
 * step twice; a new password starts a new cycle.
 */
export async function runPasswordExpiry(ctx: Ctx, claimedBy: string): Promise<ExpiryRunResult> {
  const result: ExpiryRunResult = { remind_7d: 0, remind_1d: 0, expired: 0, taken: 0 };
  const maxAgeDays = ctx.config.PASSWORD_MAX_AGE_DAYS;
  if (maxAgeDays === null) return result;
  const now = ctx.now();
  const changedBefore = new Date(now.getTime() - (maxAgeDays - REMINDER_DAYS[0]) * DAY_MS);
  let afterId = 0;
  for (;;) {
    const page = await User.findAll({
      attributes: ['id', 'passwordChangedAt'],
      where: expiryCandidateWhere(changedBefore, afterId),
      order: [['id', 'ASC']],
      limit: PAGE,
    });
    if (page.length === 0) break;
    afterId = page[page.length - 1].id;
    for (const candidate of page) {
      const decision = candidate.passwordChangedAt ? expiryStep(candidate.passwordChangedAt, maxAgeDays, now) : null;
      if (!decision) continue;
      const done = await applyStep(ctx, candidate.id, candidate.passwordChangedAt!, decision.step, {
        expiresAt: decision.expiresAt,
        daysLeft: decision.daysLeft,
        maxAgeDays,
        claimedBy,
      });
      if (done === 'done') result[decision.step] += 1;
      else if (done === 'taken') result.taken += 1;
    }
  }
  return result;
}

async function applyStep(
  ctx: Ctx,
  userId: number,
  changedAt: Date,
  step: ExpiryStep,
  d: { expiresAt: Date; daysLeft: number; maxAgeDays: number; claimedBy: string },
): Promise<'done' | 'taken' | 'changed'> {
  try {
    return await ctx.db.tx(async (t) => {
      const user = await User.findByPk(userId, { transaction: t, lock: t.LOCK.UPDATE });
      // Changed since the page was read (a new password, a lock, a reset): nothing to do for this cycle.
      if (!user || !user.enabled || user.authStatus !== 'active' || !user.passwordHash) return 'changed';
      if (user.passwordChangedAt?.getTime() !== changedAt.getTime()) return 'changed';
      const cycle = changedAt.toISOString();
      await claimExpiryStep(t, { userId, step, cycle, claimedBy: d.claimedBy, claimedAt: ctx.now() });
      const organizationId = (await orgsOfUsers([userId], t)).get(userId)?.[0] ?? null;
      if (step === 'expired') {
        const access = await loadAccess(ctx, EXPIRY_ACTOR, t);
        if (isFailure(access)) throw new Error('the system actor has no access');
        const reason = `Your password is older than ${d.maxAgeDays} days.`;
        await resetBatch(ctx, t, EXPIRY_ACTOR, access, [user], { reason, skipSelf: false, notice: 'password_expired' });
        await writeAudit(ctx, t, EXPIRY_ACTOR, {
          action: 'password_expired',
          target: user,
          organizationId,
          details: { passwordChangedAt: cycle, maxAgeDays: d.maxAgeDays },
        });
      } else {
        await enqueueNotices(ctx, t, [
          { kind: 'password_expiry_reminder', user, facts: { expiresAt: d.expiresAt.toISOString(), daysLeft: d.daysLeft } },
        ]);
        await writeAudit(ctx, t, EXPIRY_ACTOR, {
          action: 'password_expiry_reminder',
          target: user,
          organizationId,
          details: { step, daysLeft: d.daysLeft, expiresAt: d.expiresAt.toISOString() },
        });
      }
      return 'done';
    });
  } catch (e) {
    if (isClaimTaken(e)) return 'taken';
    throw e;
  }
}
