import type { Transaction } from 'sequelize';
import { fail, ok, type Outcome } from '../domain/outcome';
import { formatRoles, isRole, parseRoles, type Role } from '../domain/permissions';
import { Membership, Organization, type User } from '../store/models';
import { countOtherAdministrators } from '../store/organization-queries';
import { isFailure, loadAccess } from './authz';
import { writeAudit } from './audit';
import type { Actor, Ctx } from './context';
import { findUserByRef } from './user-refs';

export const ORG_SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** How many members of `organizationId` other than `userId` hold the administrator role. */
export async function otherAdministrators(organizationId: number, userId: number, t: Transaction): Promise<number> {
  return countOtherAdministrators(organizationId, userId, t);
}

/**
 * Give or take a role. Operators do this from the CLI (system actor); a directory actor needs the
 * administrator role in that organization. Taking the last administrator role of an organization
 * is refused so nobody can lock an organization out of its own directory.
 */
export async function changeRole(
  ctx: Ctx,
  actor: Actor,
  input: { email: string; role: string; org: string; grant: boolean },
): Promise<Outcome<{ message: string; roles: Role[] }>> {
  const role = input.role.trim().toLowerCase();
  if (!isRole(role)) return fail('invalid_input', `Unknown role “${input.role}”. Roles: administrator, security, helpdesk, viewer.`);
  const slug = input.org.trim().toLowerCase();
  return ctx.db.tx(async (t) => {
    const access = await loadAccess(ctx, actor, t);
    if (isFailure(access)) return access;
    const org = await Organization.findOne({ where: { slug }, transaction: t });
    if (!org) return fail('not_found', `No organization “${input.org}”.`);
    if (!access.system && !(access.roles.get(org.id) ?? []).includes('administrator')) {
      return fail('forbidden', `Only an administrator of ${org.slug} can change roles there.`);
    }
    const user = await findUserByRef(input.email, t, true);
    if (!user) return fail('not_found', `No user “${input.email}”.`);
    let m = await Membership.findOne({ where: { userId: user.id, organizationId: org.id }, transaction: t });
    const current = m ? parseRoles(m.roles).roles : [];
    if (input.grant === current.includes(role)) {
      return ok({ message: `${user.username} ${input.grant ? 'already has' : 'does not have'} ${role} in ${org.slug}.`, roles: current });
    }
    if (!input.grant && role === 'administrator') {
      if ((await otherAdministrators(org.id, user.id, t)) === 0)
        return fail(
          'last_administrator',
          `${user.username} is the last administrator of ${org.slug}; grant the role to someone else first.`,
        );
    }
    m = await writeRoleChange(ctx, t, actor, { user, org, membership: m, role, grant: input.grant });
    const roles = parseRoles(m.roles).roles;
    return ok({ message: `${user.username} now has ${roles.length > 0 ? roles.join(', ') : 'no roles'} in ${org.slug}.`, roles });
  });
}

/**
 * Write one role change (the membership, created when missing, and its audit row) in the caller's
 * transaction; the caller has checked permission and the last-administrator rule. `changeRole` and
 * SCIM group membership (services/scim-groups.ts) share it, so both audit alike.
 */
export async function writeRoleChange(
  ctx: Ctx,
  t: Transaction,
  actor: Actor,
  input: { user: User; org: Organization; membership: Membership | null; role: Role; grant: boolean },
): Promise<Membership> {
  const { user, org, role, grant } = input;
  let m = input.membership;
  const current = m ? parseRoles(m.roles).roles : [];
  const next = grant ? [...current.filter((r) => r !== role), role] : current.filter((r) => r !== role);
  if (m) {
    m.roles = formatRoles(next);
    await m.save({ transaction: t });
  } else {
    m = await Membership.create({ userId: user.id, organizationId: org.id, roles: formatRoles(next) }, { transaction: t });
  }
  await writeAudit(ctx, t, actor, {
    action: grant ? 'grant_role' : 'revoke_role',
    target: user,
    organizationId: org.id,
    details: { role, organization: org.slug },
  });
  return m;
}
