import type { Transaction } from 'sequelize';
import { fail, type Failure } from '../domain/outcome';
import type { Permission, Role } from '../domain/permissions';
import type { User } from '../store/models';
import { accountRefusal, decide, isFailure, mayOn, mayView, rolesOfUsers, type Access } from './authz';
import { describeRef, findUserByRef } from './user-refs';

export interface Target {
  user: User;
  orgIds: number[];
  /** The target's memberships: organization id → roles there. */
  roles: Map<number, Role[]>;
}

/**
 * The one answer for a user the actor cannot see, whether they exist elsewhere or not at all: every
 * path (show, typed actions, bulk preview, App Home) uses it, so the two read the same word for word.
 */
export function notFound(ref: string): Failure {
  return fail('not_found', `No user matches “${describeRef(ref)}” in your organizations.`);
}

/**
 * Load a user the actor can see, for reads and for users an action only mentions (reassign's TO, a
 * record's owner). A user outside the actor's organizations is reported exactly as a missing one.
 * With `t`, the row is locked for the rest of the transaction.
 */
export async function loadVisible(access: Access, ref: string, t?: Transaction): Promise<Target | Failure> {
  const user = await findUserByRef(ref, t, true);
  if (!user) return notFound(ref);
  const roles = (await rolesOfUsers([user.id], t)).get(user.id) ?? new Map<number, Role[]>();
  const orgIds = [...roles.keys()];
  if (!mayView(access, orgIds)) return notFound(ref);
  return { user, orgIds, roles };
}

/**
 * Load the user whose account an action changes and check the actor may use `permission` on them:
 * in every organization of the user, and never on someone holding a higher role there (DESIGN §2).
 * Not visible → "not found", as for a user who does not exist; visible but refused → which
 * permission is missing or that the user holds a higher role, never which organization.
 */
export async function loadTarget(access: Access, ref: string, permission: Permission, t?: Transaction): Promise<Target | Failure> {
  const target = await loadVisible(access, ref, t);
  if (isFailure(target)) return target;
  const decision = decide(access, target.roles, permission);
  if (!decision.allowed) return accountRefusal(decision, target.user.username);
  return target;
}

/** The organization under whose authority an action is recorded: the first of the target's where the actor holds it. */
export function authorityOrg(access: Access, permission: Permission, orgIds: number[]): number | null {
  if (access.system) return orgIds[0] ?? null;
  return orgIds.find((o) => mayOn(access, permission, [o])) ?? null;
}
