import type { Transaction } from 'sequelize';
import { fail, type Failure } from '../domain/outcome';
import {
  PERMISSION_LABELS,
  decideAccountAction,
  parseRoles,
  rolesGrant,
  type AccountActionDecision,
  type Permission,
  type Role,
  type RolesByOrg,
} from '../domain/permissions';
import { canLogIn } from '../domain/status';
import { Membership, User } from '../store/models';
import { membershipsOfUsers } from '../store/organization-queries';
import { scimTokenById } from '../store/scim-queries';
import type { Actor, Ctx } from './context';

/** What an actor may do, per organization. Loaded fresh for every service call: roles change. */
export interface Access {
  actor: Actor;
  userId: number | null;
  system: boolean;
  roles: Map<number, Role[]>;
}

export async function loadAccess(_ctx: Ctx, actor: Actor, t?: Transaction): Promise<Access | Failure> {
  if (actor.kind === 'system') return { actor, userId: null, system: true, roles: new Map() };
  if (actor.kind === 'scim') {
    const token = await scimTokenById(actor.tokenId, t);
    if (!token || token.revokedAt !== null || token.organizationId !== actor.organizationId) {
      return fail('not_authenticated', 'The SCIM token was revoked.');
    }
    return { actor, userId: null, system: false, roles: new Map([[actor.organizationId, ['administrator' as Role]]]) };
  }
  const user = await User.findByPk(actor.userId, { transaction: t });
  if (!user || !canLogIn(user)) {
    return fail(
      'not_authenticated',
      'Your directory account is missing, disabled, locked or waiting for a password reset, so you cannot act on the directory.',
    );
  }
  const where: Record<string, unknown> = { userId: user.id };
  if (actor.kind === 'user' && actor.organizationId !== undefined) where.organizationId = actor.organizationId;
  const memberships = await Membership.findAll({ where, transaction: t });
  const roles = new Map<number, Role[]>();
  for (const m of memberships) {
    const r = parseRoles(m.roles).roles;
    if (r.length > 0) roles.set(m.organizationId, r);
  }
  return { actor, userId: user.id, system: false, roles };
}

export function isFailure(v: unknown): v is Failure {
  return typeof v === 'object' && v !== null && (v as { ok?: unknown }).ok === false;
}

/** Organizations where the actor holds `permission`; `null` means every organization (system). */
export function orgsWith(access: Access, permission: Permission): number[] | null {
  if (access.system) return null;
  return [...access.roles.entries()].filter(([, roles]) => rolesGrant(roles, permission)).map(([org]) => org);
}

/**
 * The "may view" rule (DESIGN §2): every read — find, list, show, App Home, export, REST, the
 * digest's buttons — shows only users of the organizations where the actor holds a role, and of a
 * user only those organizations. `viewableOrgs` is that set (null: all, for the system actor; []:
 * none), handed to the store's `usersInOrganizations`; `mayView` asks it of one user's
 * organizations; `viewableMemberships` keeps what a read may name of them.
 */
export function viewableOrgs(access: Access): number[] | null {
  return orgsWith(access, 'view');
}

/** Is a user with memberships in `orgIds` visible to the actor (a role, any role, in one of them)? */
export function mayView(access: Access, orgIds: number[]): boolean {
  return access.system || mayOn(access, 'view', orgIds);
}

/** The memberships of a user that a read may show the actor: those in organizations the actor can view. */
export function viewableMemberships<M extends { organizationId: number }>(access: Access, memberships: M[]): M[] {
  return memberships.filter((m) => mayView(access, [m.organizationId]));
}

/**
 * Does the actor hold `permission` in at least one of `orgIds`? For reads (a user is visible when
 * the actor holds `view` in one of their organizations) and for checks about one organization (a
 * record's, an API key's). Never for an action on somebody's account: that is `decide`.
 */
export function mayOn(access: Access, permission: Permission, orgIds: number[]): boolean {
  if (access.system) return true;
  return orgIds.some((org) => rolesGrant(access.roles.get(org) ?? [], permission));
}

/** May the actor use `permission` on the account of a user with these memberships (DESIGN §2: every organization, never upward)? */
export function decide(access: Access, targetRoles: RolesByOrg, permission: Permission): AccountActionDecision {
  if (access.system) return { allowed: true };
  return decideAccountAction(access.roles, targetRoles, permission);
}

/**
 * The refusal of an account action, naming the missing permission or the higher role and never an
 * organization (the target's other organizations may be ones the actor cannot see).
 */
export function accountRefusal(decision: Exclude<AccountActionDecision, { allowed: true }>, who: string): Failure {
  const label = PERMISSION_LABELS[decision.permission];
  if (decision.reason === 'higher_role') {
    return fail('forbidden', `You may not ${label} for ${who}: they hold a higher role than yours in one of their organizations.`);
  }
  return fail('forbidden', `You do not have permission to ${label} for ${who}: it is needed in every organization they belong to.`);
}

export function refusal(permission: Permission, who = 'this user'): Failure {
  return fail('forbidden', `You do not have permission to ${PERMISSION_LABELS[permission]} for ${who}.`);
}

export function anyOrgWith(access: Access, permission: Permission): boolean {
  const orgs = orgsWith(access, permission);
  return orgs === null || orgs.length > 0;
}

/** The organizations each of `userIds` belongs to. */
export async function orgsOfUsers(userIds: number[], t?: Transaction): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>();
  for (const id of userIds) out.set(id, []);
  if (userIds.length === 0) return out;
  for (const r of await membershipsOfUsers(userIds, t)) out.get(r.userId)?.push(r.organizationId);
  return out;
}

/** The memberships of each of `userIds` with their roles (organization id → roles; [] is a membership without roles). */
export async function rolesOfUsers(userIds: number[], t?: Transaction): Promise<Map<number, Map<number, Role[]>>> {
  const out = new Map<number, Map<number, Role[]>>();
  for (const id of userIds) out.set(id, new Map());
  if (userIds.length === 0) return out;
  for (const r of await membershipsOfUsers(userIds, t)) out.get(r.userId)?.set(r.organizationId, parseRoles(r.roles).roles);
  return out;
}
