import { Op, type Transaction } from 'sequelize';
import { fail, type Failure } from '../domain/outcome';
import { PERMISSION_LABELS, parseRoles, rolesGrant, type Permission, type Role } from '../domain/permissions';
import { canLogIn } from '../domain/status';
import { Membership, User } from '../store/models';
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
 * May the actor use `permission` on a user who belongs to `targetOrgIds`? `any`: in at least one of
 * the target's organizations (most actions). `all`: in every one of them (delete, which removes the
 * person from all of them at once).
 */
export function mayOn(access: Access, permission: Permission, targetOrgIds: number[], mode: 'any' | 'all' = 'any'): boolean {
  if (access.system) return true;
  if (targetOrgIds.length === 0) return false;
  const check = (org: number) => rolesGrant(access.roles.get(org) ?? [], permission);
  return mode === 'all' ? targetOrgIds.every(check) : targetOrgIds.some(check);
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
  const rows = await Membership.findAll({
    where: { userId: { [Op.in]: userIds } },
    attributes: ['userId', 'organizationId'],
    transaction: t,
  });
  for (const r of rows) out.get(r.userId)?.push(r.organizationId);
  return out;
}
