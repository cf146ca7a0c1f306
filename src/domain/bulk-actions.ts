import type { Permission } from './permissions';
import { activate, requireReset, setEnabled, type AccountState } from './status';

/** The actions one bulk flow runs (issue 15): the same selection, preview, job and summary for each. */
export const BULK_ACTIONS = ['reset_password', 'disable', 'enable', 'activate'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

export function isBulkAction(v: string): v is BulkAction {
  return (BULK_ACTIONS as readonly string[]).includes(v);
}

/**
 * The permission a bulk action needs, both to start it (in at least one organization) and on each
 * user (in every organization of the user, never upward). A bulk reset needs `bulk_reset`, which
 * only roles that also hold `reset_password` grant; the others need their single-user permission.
 */
export const BULK_PERMISSION: Record<BulkAction, Permission> = {
  reset_password: 'bulk_reset',
  disable: 'enable_disable',
  enable: 'enable_disable',
  activate: 'activate',
};

/** Why a selected user is left out of a bulk action. */
export type SkipReason = 'self' | 'already' | 'not_applicable' | 'no_permission' | 'higher_role' | 'outside_org';

/** Past tense for summaries and per-user lines ("bob disabled."). */
export const BULK_DONE_VERB: Record<BulkAction, string> = {
  reset_password: 'reset',
  disable: 'disabled',
  enable: 'enabled',
  activate: 'unlocked',
};

export const BULK_TITLE: Record<BulkAction, string> = {
  reset_password: 'Bulk password reset',
  disable: 'Bulk disable',
  enable: 'Bulk enable',
  activate: 'Bulk unlock',
};

/**
 * Does `action` change this user, judged on state alone (permission is checked apart)? Self comes
 * first for the actions that must never hit the actor by accident: disabling (you would lock
 * yourself out) and a bulk reset. Enabling or unlocking yourself cannot happen: an actor who can
 * act is enabled and active, so that reads "already".
 */
export function bulkStateCheck(
  action: BulkAction,
  state: Pick<AccountState, 'enabled' | 'authStatus'>,
  isSelf: boolean,
): { go: true } | { go: false; reason: 'self' | 'already' | 'not_applicable'; why: string } {
  // Only the two fields, read one by one: `state` may be a model instance, whose attributes a spread does not copy.
  const s: AccountState = { enabled: state.enabled, authStatus: state.authStatus, failedLoginCount: 0, lockedAt: null };
  if (isSelf && (action === 'disable' || action === 'reset_password')) return { go: false, reason: 'self', why: 'is you' };
  switch (action) {
    case 'reset_password': {
      // A user already waiting for a reset gets a fresh link: after a breach the old one may be the leaked one.
      const next = requireReset(s);
      return next.ok ? { go: true } : { go: false, reason: 'not_applicable', why: next.reason };
    }
    case 'disable':
    case 'enable': {
      const next = setEnabled(s, action === 'enable');
      return next.ok && next.changed ? { go: true } : { go: false, reason: 'already', why: `was already ${BULK_DONE_VERB[action]}` };
    }
    case 'activate': {
      const next = activate(s);
      if (next.ok) return { go: true };
      return s.authStatus === 'active'
        ? { go: false, reason: 'already', why: next.reason }
        : { go: false, reason: 'not_applicable', why: next.reason };
    }
  }
}
