import type { Transaction } from 'sequelize';
import type { Outcome } from '../domain/outcome';
import { formatRoles, parseRoles, type Role } from '../domain/permissions';
import { Membership, type Organization, type User } from '../store/models';
import { countOtherAdministrators } from '../store/organization-queries';
import type { Actor, Ctx } from './context';
import { grantRole, revokeRole, writeRoleAudit } from './roles';

export const ORG_SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** How many members of `organizationId` other than `userId` hold the administrator role. */
export async function otherAdministrators(organizationId: number, userId: number, t: Transaction): Promise<number> {
  return countOtherAdministrators(organizationId, userId, t);
}

/**
 * Give or take a role: the CLI's `grant`/`revoke` (system actor; a grant adds a missing membership).
 * The rules are those of services/roles.ts, shared with Slack.
 */
export async function changeRole(
  ctx: Ctx,
  actor: Actor,
  input: { email: string; role: string; org: string; grant: boolean },
): Promise<Outcome<{ message: string; roles: Role[] }>> {
  const args = { ref: input.email, role: input.role, org: input.org };
  return input.grant ? grantRole(ctx, actor, args, { createMembership: true }) : revokeRole(ctx, actor, args);
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
  await writeRoleAudit(ctx, t, actor, { action: grant ? 'role_granted' : 'role_revoked', user, org, role });
  return m;
}
