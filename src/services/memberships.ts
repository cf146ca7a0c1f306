import type { Transaction } from 'sequelize';
import type { Outcome } from '../domain/outcome';
import type { Role } from '../domain/permissions';
import { countOtherAdministrators } from '../store/organization-queries';
import type { Actor, Ctx } from './context';
import { grantRole, revokeRole } from './roles';

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
