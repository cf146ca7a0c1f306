import type { Transaction } from 'sequelize';
import { fail, ok, type Failure, type Outcome } from '../domain/outcome';
import {
  afterFailedLogin,
  afterLockExpired,
  afterSuccessfulLogin,
  lockExpired,
  loginRefusal,
  signInNoticeDue,
  type LockoutLadder,
  type LoginRefusal,
} from '../domain/status';
import { enqueueMail } from '../mail/outbox';
import { enqueueNotices } from '../mail/notices';
import { signInBlockedMail } from '../mail/templates';
import { LockoutEvent, Membership, Organization, User, accountState } from '../store/models';
import { writeAudit } from './audit';
import { orgsOfUsers } from './authz';
import type { Actor, Ctx } from './context';
import { checkPassword } from './password-hashing';
import { findUserByRef } from './user-refs';
import { displayName } from './user-shapes';

export interface LoginInput {
  login: string;
  password: string;
  ip?: string | null;
}

export interface LoginSuccess {
  user: { id: number; username: string; email: string; organizations: Array<{ slug: string; roles: string[] }> };
}

/** The one message for every refused login: unknown user, wrong password, or an account that cannot log in. */
export const GENERIC_LOGIN_FAILURE = 'The username or password is incorrect.';

const refused = (): Failure => fail('not_authenticated', GENERIC_LOGIN_FAILURE);

/**
 * An application logs a user in. The outcome is success, `not_authenticated` (always the same
 * sentence) or `unavailable` (the hashing pool is full; nothing was counted). Every refusal costs
 * one bcrypt compare, and none tells an unknown user, a wrong password and an account that may not
 * log in apart: that would confirm a guessed password for a locked, disabled or reset-pending
 * account. A wrong password is counted (an active account locks at LOCKOUT_THRESHOLD, recorded for
 * the digest); the right password for an account that cannot log in mails its owner why, at most
 * once an hour.
 */
export async function login(ctx: Ctx, input: LoginInput): Promise<Outcome<LoginSuccess>> {
  const loginName = input.login.trim();
  // Lookups by id are not a login name; only username or email.
  const user = /^\d+$/.test(loginName) ? null : await findUserByRef(loginName);
  const checked = await checkPassword(ctx, input.password, user?.passwordHash ?? null);
  if (!checked.ok) return checked;
  if (!user) return refused();
  if (!checked.matches) {
    await recordFailure(ctx, user.id, input.ip ?? null);
    return refused();
  }
  return ctx.db.tx(async (t) => {
    const fresh = await User.findByPk(user.id, { transaction: t, lock: t.LOCK.UPDATE });
    // The row changed under us (deleted, or a new password set meanwhile): answer as for a wrong password.
    if (!fresh || fresh.passwordHash !== user.passwordHash) return refused();
    await liftExpiredLock(ctx, t, fresh);
    const refusal = loginRefusal(fresh);
    if (refusal) {
      await noticeSignInBlocked(ctx, t, fresh, refusal);
      return refused();
    }
    const next = afterSuccessfulLogin(fresh);
    Object.assign(fresh, { failedLoginCount: next.failedLoginCount, consecutiveLocks: next.consecutiveLocks, lastLoginAt: ctx.now() });
    await fresh.save({ transaction: t, silent: true });
    const memberships = await Membership.findAll({ where: { userId: fresh.id }, transaction: t });
    const orgs = await Organization.findAll({ where: { id: memberships.map((m) => m.organizationId) }, transaction: t });
    const slug = new Map(orgs.map((o) => [o.id, o.slug]));
    return ok({
      user: {
        id: fresh.id,
        username: fresh.username,
        email: fresh.email,
        organizations: memberships.map((m) => ({ slug: slug.get(m.organizationId) ?? '?', roles: m.roles ? m.roles.split(';') : [] })),
      },
    });
  });
}

/** The deployment's LOCKOUT_MODE, LOCKOUT_BASE_MINUTES and LOCKOUT_MAX_MINUTES. */
export function lockoutLadder(config: Ctx['config']): LockoutLadder {
  return { mode: config.LOCKOUT_MODE, baseMinutes: config.LOCKOUT_BASE_MINUTES, maxMinutes: config.LOCKOUT_MAX_MINUTES };
}

/**
 * A temporary lock whose time is up ends at the next login attempt, under the row lock that
 * attempt already holds, before its password counts: no timer, and two instances cannot both lift
 * it. Audited as the system ("unlocked by time"). The ladder is kept: the next lock lasts longer.
 */
async function liftExpiredLock(ctx: Ctx, t: Transaction, user: User): Promise<void> {
  if (!lockExpired(user, ctx.now())) return;
  const until = user.lockedUntil;
  const next = afterLockExpired(accountState(user));
  Object.assign(user, {
    authStatus: next.authStatus,
    failedLoginCount: next.failedLoginCount,
    lockedAt: next.lockedAt,
    lockedUntil: next.lockedUntil,
  });
  await user.save({ transaction: t });
  const system: Actor = { kind: 'system', label: 'login api' };
  await writeAudit(ctx, t, system, {
    action: 'unlock_expired',
    target: user,
    reason: 'unlocked by time',
    organizationId: (await orgsOfUsers([user.id], t)).get(user.id)?.[0] ?? null,
    details: { lockedUntil: until?.toISOString() ?? null },
  });
}

/** Tell the owner (by mail, through the outbox in this transaction) why the right password was refused; at most once an hour. */
async function noticeSignInBlocked(ctx: Ctx, t: Transaction, user: User, reason: LoginRefusal): Promise<void> {
  const now = ctx.now();
  if (!signInNoticeDue(user.signInNoticeAt, now)) return;
  user.signInNoticeAt = now;
  await user.save({ transaction: t, silent: true });
  await enqueueMail(ctx, t, [
    {
      kind: 'sign_in_blocked',
      to: user.email,
      userId: user.id,
      mail: signInBlockedMail({ name: displayName(user), reason, at: now, lockedUntil: user.lockedUntil }),
    },
  ]);
}

async function recordFailure(ctx: Ctx, userId: number, ip: string | null): Promise<void> {
  await ctx.db.tx(async (t) => {
    // Re-read under the row lock: concurrent failures must each count.
    const user = await User.findByPk(userId, { transaction: t, lock: t.LOCK.UPDATE });
    if (!user) return;
    const now = ctx.now();
    await liftExpiredLock(ctx, t, user);
    // A plain state, not the model: spreading a Sequelize instance drops its attributes.
    const state = accountState(user);
    const next = afterFailedLogin(state, ctx.config.LOCKOUT_THRESHOLD, now, lockoutLadder(ctx.config));
    Object.assign(user, {
      failedLoginCount: next.state.failedLoginCount,
      authStatus: next.state.authStatus,
      lockedAt: next.state.lockedAt,
      lockedUntil: next.state.lockedUntil ?? null,
      consecutiveLocks: next.state.consecutiveLocks ?? 0,
    });
    await user.save({ transaction: t, silent: !next.lockedNow });
    if (next.lockedNow) {
      await LockoutEvent.create(
        { userId: user.id, lockedAt: now, failedCount: next.state.failedLoginCount, sourceIp: ip },
        { transaction: t },
      );
      const system: Actor = { kind: 'system', label: 'login api' };
      await writeAudit(ctx, t, system, {
        action: 'lockout',
        target: user,
        organizationId: (await orgsOfUsers([user.id], t)).get(user.id)?.[0] ?? null,
        details: {
          failedAttempts: next.state.failedLoginCount,
          ip,
          ...(next.state.lockedUntil ? { lockedUntil: next.state.lockedUntil.toISOString() } : {}),
        },
      });
      // The owner is told (a DM, or an email when Slack does not know them), with the address and the forgot-password link.
      await enqueueNotices(ctx, t, [
        {
          kind: 'lockout',
          user,
          facts: {
            at: now.toISOString(),
            ip,
            attempts: next.state.failedLoginCount,
            until: next.state.lockedUntil ? next.state.lockedUntil.toISOString() : null,
          },
        },
      ]);
    }
  });
}
