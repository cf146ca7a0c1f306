/**
 * Roles and memberships from Slack (issue 20): grant, revoke or set a user's roles in one
 * organization, add a visible user to an organization, remove them from one. One set of guards for
 * every path (typed commands, the card's "Roles…" modal, the CLI through `changeRole`):
 * - only an administrator of that organization acts there; an organization the actor does not
 *   administer and one that does not exist read the same;
 * - the target must be someone the actor can already see (`loadVisible`): anybody else reads exactly
 *   like a user who does not exist — invitation is the only way in for them;
 * - nobody changes their own roles or memberships;
 * - nobody grants a role above their own there;
 * - the last administrator of an organization is never demoted or removed: the organization row is
 *   locked before the others are counted, so two administrators demoting each other at once cannot
 *   both pass;
 * - the last membership of a user is never removed (delete the user instead).
 * The operator at the CLI (system actor) skips the first four; the last-administrator rule holds for
 * everyone.
 */
import type { Transaction } from 'sequelize';
import { fail, ok, type Failure, type Outcome } from '../domain/outcome';
import { formatRoles, isRole, parseRoles, rolesAbove, ROLES, type Role } from '../domain/permissions';
import { Membership, type Organization, type User } from '../store/models';
import { countMemberships, countOtherAdministrators, lockMembership, lockOrganizationBySlug } from '../store/organization-queries';
import { isFailure, loadAccess, type Access } from './authz';
import { writeAudit } from './audit';
import type { Actor, Ctx } from './context';
import { loadVisible } from './target';
import { describeRef, findUserByRef } from './user-refs';

export interface RoleChange {
  username: string;
  organization: string;
  roles: Role[];
  /** False when the request asked for what already was (nothing written, nothing audited). */
  changed: boolean;
  message: string;
}

function orgRefusal(slug: string, what: string): Failure {
  return fail('forbidden', `You are not an administrator of “${describeRef(slug)}”, so you cannot ${what} there.`);
}

export function readRole(text: string): Role | Failure {
  const role = text.trim().toLowerCase();
  return isRole(role) ? role : fail('invalid_input', `Unknown role “${describeRef(text)}”. Roles: ${ROLES.join(', ')}.`);
}

/** The organization, locked, if the actor administers it (the system actor: if it exists). */
export async function adminOrg(access: Access, slugText: string, what: string, t: Transaction): Promise<Organization | Failure> {
  const slug = slugText.trim().toLowerCase();
  if (slug.length === 0 || slug.length > 63) return fail('invalid_input', 'Name the organization (its slug, e.g. acme).');
  const org = await lockOrganizationBySlug(slug, t);
  if (access.system) return org ?? fail('not_found', `No organization “${describeRef(slugText)}”.`);
  if (!org || !(access.roles.get(org.id) ?? []).includes('administrator')) return orgRefusal(slugText, what);
  return org;
}

/** The target, locked: for a directory actor only someone they can see, never themselves. */
async function targetUser(access: Access, ref: string, t: Transaction): Promise<User | Failure> {
  if (access.system) return (await findUserByRef(ref, t, true)) ?? fail('not_found', `No user “${describeRef(ref)}”.`);
  const target = await loadVisible(access, ref, t);
  if (isFailure(target)) return target;
  if (target.user.id === access.userId) {
    return fail('self_action', 'You cannot change your own roles or memberships; ask another administrator.');
  }
  return target.user;
}

async function lastAdministratorGuard(org: Organization, user: User, t: Transaction, what: string): Promise<Failure | null> {
  if ((await countOtherAdministrators(org.id, user.id, t)) > 0) return null;
  return fail(
    'last_administrator',
    `${user.username} is the last administrator of ${org.slug}, so you cannot ${what}; make someone else an administrator there first.`,
  );
}

/** The audit line of one role given or taken (Slack, the CLI and SCIM groups write it alike). */
export async function writeRoleAudit(
  ctx: Ctx,
  t: Transaction,
  actor: Actor,
  e: { action: 'role_granted' | 'role_revoked'; user: User; org: Organization; role: Role },
): Promise<void> {
  await writeAudit(ctx, t, actor, {
    action: e.action,
    target: e.user,
    organizationId: e.org.id,
    details: { role: e.role, organization: e.org.slug },
  });
}

function describeRoles(roles: readonly Role[]): string {
  return roles.length > 0 ? roles.join(', ') : 'no roles';
}

/**
 * Set `user`'s roles in `org` to what `next` makes of the current ones, with every guard, in one
 * transaction; one audit row per role granted or revoked.
 */
async function changeRoles(
  ctx: Ctx,
  actor: Actor,
  input: { ref: string; org: string },
  next: (current: Role[]) => Role[] | Failure,
  opts: { createMembership?: boolean; noop?: (username: string, org: string) => string } = {},
): Promise<Outcome<RoleChange>> {
  return ctx.db.tx(async (t) => {
    const access = await loadAccess(ctx, actor, t);
    if (isFailure(access)) return access;
    const org = await adminOrg(access, input.org, 'change roles', t);
    if (isFailure(org)) return org;
    const user = await targetUser(access, input.ref, t);
    if (isFailure(user)) return user;
    const m = await lockMembership(user.id, org.id, t);
    if (!m && !(access.system && opts.createMembership)) {
      return fail('precondition_failed', `${user.username} is not a member of ${org.slug}; add them to it first.`);
    }
    const current = m ? parseRoles(m.roles).roles : [];
    const wanted = next(current);
    if (isFailure(wanted)) return wanted;
    const target = ROLES.filter((r) => wanted.includes(r));
    const granted = target.filter((r) => !current.includes(r));
    const revoked = current.filter((r) => !target.includes(r));
    if (!access.system) {
      const mine = access.roles.get(org.id) ?? [];
      const above = granted.find((r) => rolesAbove([r], mine));
      if (above) return fail('forbidden', `You cannot grant ${above} in ${org.slug}: it is above your own role there.`);
    }
    if (revoked.includes('administrator')) {
      const refused = await lastAdministratorGuard(org, user, t, 'take the administrator role away');
      if (refused) return refused;
    }
    if (granted.length === 0 && revoked.length === 0) {
      return ok({
        username: user.username,
        organization: org.slug,
        roles: current,
        changed: false,
        message:
          opts.noop?.(user.username, org.slug) ?? `Nothing to change: ${user.username} has ${describeRoles(current)} in ${org.slug}.`,
      });
    }
    if (m) {
      m.roles = formatRoles(target);
      await m.save({ transaction: t });
    } else {
      await Membership.create({ userId: user.id, organizationId: org.id, roles: formatRoles(target) }, { transaction: t });
    }
    for (const [action, list] of [
      ['role_granted', granted],
      ['role_revoked', revoked],
    ] as const) {
      for (const role of list) await writeRoleAudit(ctx, t, actor, { action, user, org, role });
    }
    return ok({
      username: user.username,
      organization: org.slug,
      roles: target,
      changed: true,
      message: `${user.username} now has ${describeRoles(target)} in ${org.slug}.`,
    });
  });
}

/** `/users grant USER ROLE in ORG` (and the CLI's `grant`, which also adds a missing membership). */
export async function grantRole(
  ctx: Ctx,
  actor: Actor,
  input: { ref: string; role: string; org: string },
  opts: { createMembership?: boolean } = {},
): Promise<Outcome<RoleChange>> {
  const role = readRole(input.role);
  if (isFailure(role)) return role;
  return changeRoles(ctx, actor, input, (current) => [...current, role], {
    ...opts,
    noop: (who, org) => `${who} already has ${role} in ${org}.`,
  });
}

/** `/users revoke USER ROLE in ORG`. */
export async function revokeRole(ctx: Ctx, actor: Actor, input: { ref: string; role: string; org: string }): Promise<Outcome<RoleChange>> {
  const role = readRole(input.role);
  if (isFailure(role)) return role;
  return changeRoles(ctx, actor, input, (current) => current.filter((r) => r !== role), {
    noop: (who, org) => `${who} does not have ${role} in ${org}.`,
  });
}

/** The "Roles…" modal: the roles of one membership, as a whole set. */
export async function setRoles(ctx: Ctx, actor: Actor, input: { ref: string; org: string; roles: string[] }): Promise<Outcome<RoleChange>> {
  const roles: Role[] = [];
  for (const text of input.roles) {
    const role = readRole(text);
    if (isFailure(role)) return role;
    roles.push(role);
  }
  return changeRoles(ctx, actor, input, () => roles);
}

export interface MembershipChange {
  username: string;
  organization: string;
  changed: boolean;
  message: string;
}

/**
 * `/users add USER to ORG [as ROLE]`: someone the actor already sees (in another of their
 * organizations) joins ORG. Anybody else reads as nobody; they come in by invitation.
 */
export async function addMembership(
  ctx: Ctx,
  actor: Actor,
  input: { ref: string; org: string; role?: string },
): Promise<Outcome<MembershipChange>> {
  const role = input.role !== undefined ? readRole(input.role) : null;
  if (isFailure(role)) return role;
  return ctx.db.tx(async (t) => {
    const access = await loadAccess(ctx, actor, t);
    if (isFailure(access)) return access;
    const org = await adminOrg(access, input.org, 'add members', t);
    if (isFailure(org)) return org;
    const user = await targetUser(access, input.ref, t);
    if (isFailure(user)) return user;
    if (await lockMembership(user.id, org.id, t)) {
      return ok({
        username: user.username,
        organization: org.slug,
        changed: false,
        message: `${user.username} is already a member of ${org.slug}.`,
      });
    }
    if (role && !access.system && rolesAbove([role], access.roles.get(org.id) ?? [])) {
      return fail('forbidden', `You cannot grant ${role} in ${org.slug}: it is above your own role there.`);
    }
    await Membership.create({ userId: user.id, organizationId: org.id, roles: role ? role : '' }, { transaction: t });
    await writeAudit(ctx, t, actor, {
      action: 'membership_added',
      target: user,
      organizationId: org.id,
      details: { organization: org.slug, roles: role ? [role] : [] },
    });
    if (role) await writeRoleAudit(ctx, t, actor, { action: 'role_granted', user, org, role });
    return ok({
      username: user.username,
      organization: org.slug,
      changed: true,
      message: `${user.username} is now a member of ${org.slug}${role ? ` (${role})` : ''}.`,
    });
  });
}

/** `/users remove USER from ORG`: never the last administrator there, never someone's last membership. */
export async function removeMembership(ctx: Ctx, actor: Actor, input: { ref: string; org: string }): Promise<Outcome<MembershipChange>> {
  return ctx.db.tx(async (t) => {
    const access = await loadAccess(ctx, actor, t);
    if (isFailure(access)) return access;
    const org = await adminOrg(access, input.org, 'remove members', t);
    if (isFailure(org)) return org;
    const user = await targetUser(access, input.ref, t);
    if (isFailure(user)) return user;
    const m = await lockMembership(user.id, org.id, t);
    if (!m)
      return ok({
        username: user.username,
        organization: org.slug,
        changed: false,
        message: `${user.username} is not a member of ${org.slug}.`,
      });
    const roles = parseRoles(m.roles).roles;
    if (roles.includes('administrator')) {
      const refused = await lastAdministratorGuard(org, user, t, `remove them from ${org.slug}`);
      if (refused) return refused;
    }
    if ((await countMemberships(user.id, t)) <= 1) {
      return fail(
        'precondition_failed',
        `${org.slug} is the only organization of ${user.username}; a user must belong somewhere, so delete the user instead.`,
      );
    }
    await m.destroy({ transaction: t });
    await writeAudit(ctx, t, actor, {
      action: 'membership_removed',
      target: user,
      organizationId: org.id,
      details: { organization: org.slug, roles },
    });
    return ok({
      username: user.username,
      organization: org.slug,
      changed: true,
      message: `${user.username} was removed from ${org.slug}.`,
    });
  });
}
