import { fail, ok, type Outcome } from '../domain/outcome';
import { afterFailedLogin, afterSuccessfulLogin, loginRefusal } from '../domain/status';
import { enqueueMail } from '../mail/outbox';
import { lockoutMail } from '../mail/templates';
import { LockoutEvent, Membership, Organization, User, accountState } from '../store/models';
import { writeAudit } from './audit';
import { orgsOfUsers } from './authz';
import type { Actor, Ctx } from './context';
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

/** The one message for an unknown user and a wrong password alike. */
export const GENERIC_LOGIN_FAILURE = 'The username or password is incorrect.';

/**
 * An application logs a user in. The password is compared before anything about the account is
 * revealed: a wrong password always gets the generic answer (and an unknown login costs the same
 * bcrypt compare), a right one learns why the account may not log in. Failed attempts count only
 * against an active account; at LOCKOUT_THRESHOLD it locks and the lockout is recorded for the digest.
 */
export async function login(ctx: Ctx, input: LoginInput): Promise<Outcome<LoginSuccess>> {
  const loginName = input.login.trim();
  // Lookups by id are not a login name; only username or email.
  const user = /^\d+$/.test(loginName) ? null : await findUserByRef(loginName);
  if (!user || !user.passwordHash) {
    await ctx.hasher.dummyCompare(input.password);
    return fail('not_authenticated', GENERIC_LOGIN_FAILURE);
  }
  const matches = await ctx.hasher.compare(input.password, user.passwordHash);
  if (!matches) {
    await recordFailure(ctx, user.id, input.ip ?? null);
    return fail('not_authenticated', GENERIC_LOGIN_FAILURE);
  }
  return ctx.db.tx(async (t) => {
    const fresh = await User.findByPk(user.id, { transaction: t, lock: t.LOCK.UPDATE });
    // The row changed under us (deleted, or a new password set meanwhile): answer as for a wrong password.
    if (!fresh || fresh.passwordHash !== user.passwordHash) return fail('not_authenticated', GENERIC_LOGIN_FAILURE);
    const refusal = loginRefusal(fresh);
    if (refusal === 'disabled') return fail('forbidden', 'This account is disabled.');
    if (refusal === 'locked')
      return fail('precondition_failed', 'This account is locked after too many failed attempts. Ask an administrator to unlock it.');
    if (refusal === 'password_reset')
      return fail('conflict', 'A password reset is required. Use the link in your email to choose a new password.');
    const next = afterSuccessfulLogin(fresh);
    Object.assign(fresh, { failedLoginCount: next.failedLoginCount, lastLoginAt: ctx.now() });
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

async function recordFailure(ctx: Ctx, userId: number, ip: string | null): Promise<void> {
  await ctx.db.tx(async (t) => {
    // Re-read under the row lock: concurrent failures must each count.
    const user = await User.findByPk(userId, { transaction: t, lock: t.LOCK.UPDATE });
    if (!user) return;
    const now = ctx.now();
    // A plain state, not the model: spreading a Sequelize instance drops its attributes.
    const state = accountState(user);
    const next = afterFailedLogin(state, ctx.config.LOCKOUT_THRESHOLD, now);
    if (!next.counted) return;
    Object.assign(user, {
      failedLoginCount: next.state.failedLoginCount,
      authStatus: next.state.authStatus,
      lockedAt: next.state.lockedAt,
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
        details: { failedAttempts: next.state.failedLoginCount, ip },
      });
      await enqueueMail(ctx, t, [
        {
          kind: 'lockout_notice',
          to: user.email,
          userId: user.id,
          mail: lockoutMail({ name: displayName(user), attempts: next.state.failedLoginCount, at: now }),
        },
      ]);
    }
  });
}
