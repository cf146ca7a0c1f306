import { Op, type Transaction } from 'sequelize';
import { randomToken, sha256Hex } from '../domain/tokens';
import { enqueueMail } from '../mail/outbox';
import { selfServiceLinkMail } from '../mail/templates';
import { ResetToken, User } from '../store/models';
import { orgsOfUsers } from './authz';
import { writeAudit } from './audit';
import type { Actor, Ctx } from './context';
import { resetLink } from './passwords';
import { normalizeEmail, normalizeUsername } from './user-refs';
import { displayName } from './user-shapes';

/** The one answer to every request on /password/forgot, whatever happened behind it. */
export const FORGOT_ANSWER = 'If an account matches, we have sent a link.';

/** FORGOT_MAX_PER_ACCOUNT and FORGOT_MAX_PER_IP count per hour. */
export const FORGOT_WINDOW_MS = 3_600_000;

const FORM: Actor = { kind: 'system', label: 'forgot-password form' };

/** What happened to one request: for the audit row only, never for the person who asked. */
export type LinkRequestResult = 'link_sent' | 'unknown' | 'disabled' | 'throttled_account';

/** By username or email, never by id: a stranger must not walk the id space. */
async function findAccount(login: string, t: Transaction): Promise<User | null> {
  const where = login.includes('@') ? { emailNormalized: normalizeEmail(login) } : { username: normalizeUsername(login) };
  return User.findOne({ where, transaction: t, lock: t.LOCK.UPDATE });
}

/**
 * Someone asked for a link to choose a new password. Returns nothing on purpose: the adapter shows
 * FORGOT_ANSWER whatever happened, so the page cannot tell an existing account from an unknown,
 * disabled or throttled one. Every path does the same work up to the decision — a token and its
 * hash, the account lookup (row-locked, so two instances cannot both pass the per-account count),
 * the count, the organization, one audit row — and only a link actually sent adds the token row and
 * the mail. Nothing about the account changes: the current password keeps working until the link
 * is used (completeReset), and older self-service links are revoked so only the newest works.
 * `ipThrottled` (the adapter's in-memory FORGOT_MAX_PER_IP counter) skips the database entirely:
 * a flood from one address costs a log line, not an audit row each.
 */
export async function requestPasswordLink(ctx: Ctx, input: { login: string; ip: string; ipThrottled: boolean }): Promise<void> {
  if (input.ipThrottled) {
    ctx.logger.warn('forgot password: client address over FORGOT_MAX_PER_IP; nothing sent', { ip: input.ip });
    return;
  }
  const login = input.login.trim().slice(0, 254);
  const token = randomToken();
  const tokenHash = sha256Hex(token);
  await ctx.db.tx(async (t) => {
    const now = ctx.now();
    const user = login.length > 0 ? await findAccount(login, t) : null;
    const userId = user?.id ?? -1;
    const recent = await ResetToken.count({
      where: { userId, purpose: 'self_service', createdAt: { [Op.gt]: new Date(now.getTime() - FORGOT_WINDOW_MS) } },
      transaction: t,
    });
    const organizationId = (await orgsOfUsers([userId], t)).get(userId)?.[0] ?? null;
    const result: LinkRequestResult = !user
      ? 'unknown'
      : !user.enabled
        ? 'disabled'
        : recent >= ctx.config.FORGOT_MAX_PER_ACCOUNT
          ? 'throttled_account'
          : 'link_sent';
    await writeAudit(ctx, t, FORM, {
      action: 'forgot_password_requested',
      target: user,
      organizationId,
      outcome: result === 'link_sent' ? 'ok' : 'skipped',
      // The typed login is not kept: people type passwords into the wrong field.
      details: { result, ip: input.ip },
    });
    if (!user || result !== 'link_sent') return;
    await ResetToken.update(
      { revokedAt: now },
      { where: { userId: user.id, purpose: 'self_service', usedAt: null, revokedAt: null }, transaction: t },
    );
    const expiresAt = new Date(now.getTime() + ctx.config.RESET_TOKEN_TTL_HOURS * 3600_000);
    await ResetToken.create({ userId: user.id, tokenHash, purpose: 'self_service', expiresAt, createdAt: now }, { transaction: t });
    await enqueueMail(ctx, t, [
      {
        kind: 'reset_link',
        to: user.email,
        userId: user.id,
        mail: selfServiceLinkMail({ name: displayName(user), link: resetLink(ctx, token), expiresHours: ctx.config.RESET_TOKEN_TTL_HOURS }),
      },
    ]);
    await writeAudit(ctx, t, FORM, { action: 'forgot_password_mail_queued', target: user, organizationId, details: { ip: input.ip } });
  });
}
