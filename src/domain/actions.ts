import type { Permission } from './permissions';
import type { AccountState } from './status';

/** The actions a person can take on one user from a card or a list row. */
export const USER_ACTIONS = ['enable', 'disable', 'activate', 'reset_password', 'change_password', 'api_key', 'delete'] as const;
export type UserAction = (typeof USER_ACTIONS)[number];

export const ACTION_PERMISSION: Record<UserAction, Permission> = {
  enable: 'enable_disable',
  disable: 'enable_disable',
  activate: 'activate',
  reset_password: 'reset_password',
  change_password: 'change_password',
  api_key: 'api_keys',
  delete: 'delete',
};

/**
 * Which actions make sense and are allowed, given the target's state, the permissions the actor
 * holds for this target, and whether the actor is the target. Offering only these keeps buttons
 * honest; the services still check everything again.
 */
export function availableActions(
  state: Pick<AccountState, 'enabled' | 'authStatus'>,
  permissions: ReadonlySet<Permission>,
  isSelf: boolean,
): UserAction[] {
  const out: UserAction[] = [];
  const has = (a: UserAction) => permissions.has(ACTION_PERMISSION[a]);
  if (!state.enabled && has('enable')) out.push('enable');
  if (state.enabled && !isSelf && has('disable')) out.push('disable');
  if (state.authStatus === 'locked' && has('activate')) out.push('activate');
  if (state.enabled && has('reset_password')) out.push('reset_password');
  if (has('change_password')) out.push('change_password');
  if (has('api_key')) out.push('api_key');
  if (!isSelf && has('delete')) out.push('delete');
  return out;
}
