/**
 * Invitations (issue 20 §3): the only way someone from outside the actor's organizations comes in.
 * `/users invite EMAIL [to ORG] [as ROLE]` either creates the account — enabled, but unable to log
 * in (`password_reset`, no password) until its owner sets a password through the single-use link
 * mailed to them — or, when the email already belongs to an account, adds the membership only when
 * that account's owner accepts through the link. The inviter is answered the same either way, and
 * an account that exists elsewhere stays invisible to them until it accepts. Links are reset tokens
 * of purpose `invite` (stored as SHA-256, single use, expiring after INVITE_TTL_DAYS); resend
 * replaces the link, revoke ends it (and removes an account that the invitation created and that
 * never accepted).
 */
import type { Transaction } from 'sequelize';
import { fail, ok, type Failure, type Outcome } from '../domain/outcome';
import { formatRoles, parseRoles, rolesAbove, type Role } from '../domain/permissions';
import { constantTimeEqual, randomToken, RESET_TOKEN_PATTERN, sha256Hex } from '../domain/tokens';
import { enqueueMail } from '../mail/outbox';
import { invitationMail } from '../mail/templates';
import { openInvitationsOf } from '../store/invitation-queries';
import { Invitation, Membership, type Organization, ResetToken, User } from '../store/models';
import { organizationsIn } from '../store/organization-queries';
import { isFailure, loadAccess, type Access } from './authz';
import { writeAudit } from './audit';
import type { Actor, Ctx } from './context';
import { hashPassword } from './password-hashing';
import { passwordProblem } from '../domain/password-policy';
import { adminOrg, readRole } from './roles';
import { describeRef, isValidEmail, normalizeEmail, USERNAME_PATTERN } from './user-refs';
import { displayName } from './user-shapes';

const DAY_MS = 86_400_000;

export function invitationLink(ctx: Ctx, token: string): string {
  // The reset page's address: the page tells an invitation from a reset by the token's purpose.
  return `${ctx.config.PUBLIC_URL}/password/reset/${token}`;
}

/** A username from the email's local part, made unique with a number. */
async function freeUsername(email: string, t: Transaction): Promise<string> {
  const local = email
    .split('@')[0]
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '.')
    .replace(/^[^a-z0-9]+/, '');
  const base = (local.length > 0 ? local : 'user').slice(0, 56);
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base}${n}`;
    if (!USERNAME_PATTERN.test(candidate)) continue;
    if (!(await User.findOne({ where: { username: candidate }, transaction: t, attributes: ['id'] }))) return candidate;
  }
}

/** A new link for `invitation`: older links revoked, the token row created, the mail queued (all in `t`). */
async function sendLink(ctx: Ctx, t: Transaction, invitation: Invitation, user: User, org: Organization, by: string): Promise<void> {
  const now = ctx.now();
  await ResetToken.update(
    { revokedAt: now },
    { where: { userId: user.id, purpose: 'invite', usedAt: null, revokedAt: null }, transaction: t },
  );
  const token = randomToken();
  const expiresAt = new Date(now.getTime() + ctx.config.INVITE_TTL_DAYS * DAY_MS);
  const row = await ResetToken.create(
    { userId: user.id, tokenHash: sha256Hex(token), purpose: 'invite', expiresAt, createdAt: now },
    { transaction: t },
  );
  invitation.tokenId = row.id;
  invitation.expiresAt = expiresAt;
  await invitation.save({ transaction: t });
  await enqueueMail(ctx, t, [
    {
      kind: 'reset_link',
      to: user.email,
      userId: user.id,
      mail: invitationMail({
        name: displayName(user),
        organization: org.name || org.slug,
        by,
        link: invitationLink(ctx, token),
        expiresDays: ctx.config.INVITE_TTL_DAYS,
        newAccount: invitation.newAccount,
      }),
    },
  ]);
}

function invitedWords(email: string, slug: string): string {
  return `Invitation sent to ${email} for ${slug}. They join once they accept it from the email.`;
}

/** `/users invite EMAIL [to ORG] [as ROLE]` (the modal's submission). */
export async function inviteUser(
  ctx: Ctx,
  actor: Actor,
  input: { email: string; org: string; role?: string | null; firstName?: string; lastName?: string },
): Promise<Outcome<{ message: string }>> {
  const email = normalizeEmail(input.email);
  if (!isValidEmail(email))
    return fail('invalid_input', `“${describeRef(input.email)}” is not an email address.`, { email: 'Enter an email address.' });
  const role = input.role ? readRole(input.role) : null;
  if (isFailure(role)) return role;
  const firstName = (input.firstName ?? '').trim().slice(0, 100);
  const lastName = (input.lastName ?? '').trim().slice(0, 100);
  return ctx.db.tx(async (t) => {
    const access = await loadAccess(ctx, actor, t);
    if (isFailure(access)) return access;
    const org = await adminOrg(access, input.org, 'invite people', t);
    if (isFailure(org)) return org;
    if (role && !access.system && rolesAbove([role], access.roles.get(org.id) ?? [])) {
      return fail('forbidden', `You cannot grant ${role} in ${org.slug}: it is above your own role there.`);
    }
    const now = ctx.now();
    let user = await User.findOne({ where: { emailNormalized: email }, transaction: t, lock: t.LOCK.UPDATE });
    const newAccount = !user;
    if (!user) {
      user = await User.create(
        {
          username: await freeUsername(email, t),
          email,
          emailNormalized: email,
          firstName,
          lastName,
          enabled: true,
          // Cannot log in until the link sets a password.
          authStatus: 'password_reset',
          passwordHash: null,
        },
        { transaction: t },
      );
      await Membership.create({ userId: user.id, organizationId: org.id, roles: role ?? '' }, { transaction: t });
    }
    // One open invitation per person and organization: inviting again replaces the link.
    let invitation = await Invitation.findOne({
      where: { userId: user.id, organizationId: org.id, acceptedAt: null, revokedAt: null },
      transaction: t,
      lock: t.LOCK.UPDATE,
    });
    if (invitation) {
      invitation.roles = role ?? invitation.roles;
    } else {
      invitation = await Invitation.create(
        {
          userId: user.id,
          organizationId: org.id,
          roles: role ?? '',
          newAccount,
          tokenId: null,
          invitedByUserId: access.userId,
          invitedByLabel: actor.label,
          createdAt: now,
          expiresAt: now,
        },
        { transaction: t },
      );
    }
    await sendLink(ctx, t, invitation, user, org, actor.label);
    // The audit row of an existing account names no target: the inviter must not learn it from the log.
    await writeAudit(ctx, t, actor, {
      action: 'invitation_created',
      target: newAccount ? user : null,
      organizationId: org.id,
      details: { email, organization: org.slug, roles: role ? [role] : [] },
    });
    return ok({ message: invitedWords(email, org.slug) });
  });
}

/** The open invitations for `email` in the organizations the actor administers (or `org` only). */
async function openInvitations(
  access: Access,
  email: string,
  orgText: string | undefined,
  t: Transaction,
): Promise<Array<{ invitation: Invitation; user: User; org: Organization }> | Failure> {
  const user = await User.findOne({ where: { emailNormalized: normalizeEmail(email) }, transaction: t, lock: t.LOCK.UPDATE });
  let orgIds: number[] | null = access.system
    ? null
    : [...access.roles.entries()].filter(([, r]) => r.includes('administrator')).map(([o]) => o);
  if (orgText) {
    const org = await adminOrg(access, orgText, 'manage invitations', t);
    if (isFailure(org)) return org;
    orgIds = [org.id];
  }
  const none = fail('not_found', `No open invitation for “${describeRef(email)}” in your organizations.`);
  if (!user) return none;
  const rows = await openInvitationsOf(user.id, orgIds, t);
  if (rows.length === 0) return none;
  const orgs = await organizationsIn(
    rows.map((r) => r.organizationId),
    t,
  );
  return rows.map((invitation) => ({ invitation, user, org: orgs.find((o) => o.id === invitation.organizationId)! }));
}

/** In one transaction: the open invitations of `input` the actor may manage (or the refusal), then `fn` on them. */
function withOpenInvitations<T extends object>(
  ctx: Ctx,
  actor: Actor,
  input: { email: string; org?: string },
  fn: (open: Array<{ invitation: Invitation; user: User; org: Organization }>, t: Transaction) => Promise<Outcome<T>>,
): Promise<Outcome<T>> {
  return ctx.db.tx(async (t) => {
    const access = await loadAccess(ctx, actor, t);
    if (isFailure(access)) return access;
    const open = await openInvitations(access, input.email, input.org, t);
    if (isFailure(open)) return open;
    return fn(open, t);
  });
}

/** `/users invite resend EMAIL [ORG]`: a fresh link (the old one stops working), the same expiry from now. */
export async function resendInvitation(
  ctx: Ctx,
  actor: Actor,
  input: { email: string; org?: string },
): Promise<Outcome<{ message: string }>> {
  return withOpenInvitations(ctx, actor, input, async (open, t) => {
    for (const { invitation, user, org } of open) {
      await sendLink(ctx, t, invitation, user, org, actor.label);
      await writeAudit(ctx, t, actor, {
        action: 'invitation_resent',
        target: invitation.newAccount ? user : null,
        organizationId: org.id,
        details: { email: user.email, organization: org.slug },
      });
    }
    return ok({ message: `Invitation sent again to ${user0(open).email} for ${open.map((o) => o.org.slug).join(', ')}.` });
  });
}

function user0(open: Array<{ user: User }>): User {
  return open[0].user;
}

/**
 * `/users invite revoke EMAIL [ORG]`: the link stops working. An account the invitation created and
 * that never accepted is removed with it (it never had a password; nothing else points at it).
 */
export async function revokeInvitation(
  ctx: Ctx,
  actor: Actor,
  input: { email: string; org?: string },
): Promise<Outcome<{ message: string }>> {
  return withOpenInvitations(ctx, actor, input, async (open, t) => {
    const now = ctx.now();
    const user = user0(open);
    for (const { invitation, org } of open) {
      invitation.revokedAt = now;
      await invitation.save({ transaction: t });
      await writeAudit(ctx, t, actor, {
        action: 'invitation_revoked',
        target: invitation.newAccount ? user : null,
        organizationId: org.id,
        details: { email: user.email, organization: org.slug },
      });
    }
    const stillOpen = await Invitation.count({ where: { userId: user.id, acceptedAt: null, revokedAt: null }, transaction: t });
    if (stillOpen === 0) {
      await ResetToken.update(
        { revokedAt: now },
        { where: { userId: user.id, purpose: 'invite', usedAt: null, revokedAt: null }, transaction: t },
      );
    }
    const created = open.some((o) => o.invitation.newAccount);
    if (created && stillOpen === 0 && user.passwordHash === null && user.lastLoginAt === null) {
      await Membership.destroy({ where: { userId: user.id }, transaction: t });
      await ResetToken.destroy({ where: { userId: user.id }, transaction: t });
      await Invitation.destroy({ where: { userId: user.id }, transaction: t });
      await user.destroy({ transaction: t });
    }
    return ok({ message: `Invitation for ${user.email} revoked (${open.map((o) => o.org.slug).join(', ')}).` });
  });
}

export interface InvitationState {
  tokenId: number;
  userId: number;
  username: string;
  newAccount: boolean;
  organizations: string[];
}

/** The invitation behind a link, or why it does not work (the same words as the reset page's). */
export async function checkInvitation(ctx: Ctx, token: string, t?: Transaction): Promise<Outcome<InvitationState> & { code?: string }> {
  const unknown = fail('token_invalid', 'This invitation link is not valid. Ask the person who invited you for a new one.');
  if (!RESET_TOKEN_PATTERN.test(token)) return unknown;
  const hash = sha256Hex(token);
  const row = await ResetToken.findOne({
    where: { tokenHash: hash, purpose: 'invite' },
    transaction: t,
    lock: t ? t.LOCK.UPDATE : undefined,
  });
  if (!row || !constantTimeEqual(row.tokenHash, hash)) return unknown;
  if (row.usedAt) return fail('token_expired', 'This invitation has already been accepted. Sign in with your password.');
  if (row.revokedAt)
    return fail('token_expired', 'This invitation link was replaced or withdrawn. Use the latest email, or ask for a new invitation.');
  if (row.expiresAt.getTime() <= ctx.now().getTime())
    return fail('token_expired', 'This invitation has expired. Ask the person who invited you to send it again.');
  const user = await User.findByPk(row.userId, { transaction: t });
  if (!user) return unknown;
  const open = await Invitation.findAll({ where: { userId: user.id, tokenId: row.id, acceptedAt: null, revokedAt: null }, transaction: t });
  if (open.length === 0) return unknown;
  const orgs = await organizationsIn(
    open.map((i) => i.organizationId),
    t,
  );
  return ok({
    tokenId: row.id,
    userId: user.id,
    username: user.username,
    newAccount: open.some((i) => i.newAccount),
    organizations: orgs.map((o) => o.name || o.slug),
  });
}

/**
 * The invited person accepts through the link. A new account must choose a password (policy as
 * everywhere) and becomes active; an existing account only confirms, and its memberships are added
 * then. The link is used once (re-checked under its row lock inside the transaction).
 */
export async function acceptInvitation(
  ctx: Ctx,
  input: { token: string; password?: string },
): Promise<Outcome<{ username: string; organizations: string[] }>> {
  const pre = await checkInvitation(ctx, input.token);
  if (!pre.ok) return pre;
  let hash: string | null = null;
  if (pre.newAccount) {
    const user0 = await User.findByPk(pre.userId);
    if (!user0) return fail('token_invalid', 'This invitation link is not valid.');
    const problem = passwordProblem(input.password ?? '', { ...user0.get(), minLength: ctx.config.PASSWORD_MIN_LENGTH });
    if (problem) return fail('password_policy', problem, { password: problem });
    const hashed = await hashPassword(ctx, input.password ?? '');
    if (!hashed.ok) return hashed;
    hash = hashed.hash;
  }
  return ctx.db.tx(async (t) => {
    const state = await checkInvitation(ctx, input.token, t);
    if (!state.ok) return state;
    const user = await User.findByPk(state.userId, { transaction: t, lock: t.LOCK.UPDATE });
    if (!user) return fail('token_invalid', 'This invitation link is not valid.');
    const now = ctx.now();
    const self: Actor = { kind: 'system', label: `${user.username} (invitation link)` };
    if (hash !== null) {
      Object.assign(user, {
        passwordHash: hash,
        passwordChangedAt: now,
        authStatus: 'active',
        failedLoginCount: 0,
        lockedAt: null,
        lockedUntil: null,
      });
      await user.save({ transaction: t });
    }
    const open = await Invitation.findAll({
      where: { userId: user.id, tokenId: state.tokenId, acceptedAt: null, revokedAt: null },
      transaction: t,
    });
    for (const inv of open) {
      const m = await Membership.findOne({
        where: { userId: user.id, organizationId: inv.organizationId },
        transaction: t,
        lock: t.LOCK.UPDATE,
      });
      const wanted = parseRoles(inv.roles).roles;
      if (!m) {
        await Membership.create({ userId: user.id, organizationId: inv.organizationId, roles: inv.roles }, { transaction: t });
      } else if (!inv.newAccount) {
        const merged: Role[] = [...new Set([...parseRoles(m.roles).roles, ...wanted])];
        m.roles = formatRoles(merged);
        await m.save({ transaction: t });
      }
      inv.acceptedAt = now;
      await inv.save({ transaction: t });
      await writeAudit(ctx, t, self, {
        action: 'invitation_accepted',
        target: user,
        organizationId: inv.organizationId,
        details: { roles: wanted },
      });
    }
    await ResetToken.update({ usedAt: now }, { where: { id: state.tokenId }, transaction: t });
    return ok({ username: user.username, organizations: state.organizations });
  });
}

/** The organizations the actor may invite people to (those they administer), in slug order. */
export async function invitableOrganizations(ctx: Ctx, actor: Actor): Promise<Outcome<{ organizations: string[] }>> {
  const access = await loadAccess(ctx, actor);
  if (isFailure(access)) return access;
  const ids = access.system ? null : [...access.roles.entries()].filter(([, r]) => r.includes('administrator')).map(([o]) => o);
  const orgs = await organizationsIn(ids);
  if (orgs.length === 0)
    return fail('forbidden', 'Only an administrator of an organization can invite people to it, and you administer none.');
  return ok({ organizations: orgs.map((o) => o.slug) });
}
