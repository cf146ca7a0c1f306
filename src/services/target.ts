import type { Transaction } from 'sequelize';
import { fail, type Failure } from '../domain/outcome';
import type { Permission } from '../domain/permissions';
import type { User } from '../store/models';
import { mayOn, orgsOfUsers, refusal, type Access } from './authz';
import { describeRef, findUserByRef } from './user-refs';

export interface Target {
  user: User;
  orgIds: number[];
}

export function notFound(ref: string): Failure {
  return fail('not_found', `No user matches “${describeRef(ref)}” in your organizations.`);
}

/**
 * Load the user a person named and check the actor may use `permission` on them. A user outside
 * every organization where the actor can view is reported as not found, so a refusal never tells
 * whether somebody exists elsewhere. With `t`, the row is locked for the rest of the transaction.
 */
export async function loadTarget(
  access: Access,
  ref: string,
  permission: Permission,
  t?: Transaction,
  mode: 'any' | 'all' = 'any',
): Promise<Target | Failure> {
  const user = await findUserByRef(ref, t, true);
  if (!user) return notFound(ref);
  const orgIds = (await orgsOfUsers([user.id], t)).get(user.id) ?? [];
  if (!mayOn(access, 'view', orgIds)) return notFound(ref);
  if (!mayOn(access, permission, orgIds, mode)) return refusal(permission, user.username);
  return { user, orgIds };
}

/** The organization under whose authority an action is recorded: the first of the target's where the actor holds it. */
export function authorityOrg(access: Access, permission: Permission, orgIds: number[]): number | null {
  if (access.system) return orgIds[0] ?? null;
  return orgIds.find((o) => mayOn(access, permission, [o])) ?? null;
}
