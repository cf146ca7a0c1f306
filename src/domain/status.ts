/** The account status model of DESIGN §2: pure functions over a user's state. */

export const AUTH_STATUSES = ['active', 'locked', 'password_reset'] as const;
export type AuthStatus = (typeof AUTH_STATUSES)[number];

export interface AccountState {
  enabled: boolean;
  authStatus: AuthStatus;
  failedLoginCount: number;
  lockedAt: Date | null;
}

export function canLogIn(s: Pick<AccountState, 'enabled' | 'authStatus'>): boolean {
  return s.enabled && s.authStatus === 'active';
}

export type LoginRefusal = 'disabled' | 'locked' | 'password_reset';

/** Why an account with a correct password still may not log in (checked in this order). */
export function loginRefusal(s: Pick<AccountState, 'enabled' | 'authStatus'>): LoginRefusal | null {
  if (!s.enabled) return 'disabled';
  if (s.authStatus === 'locked') return 'locked';
  if (s.authStatus === 'password_reset') return 'password_reset';
  return null;
}

/**
 * A failed login (a wrong password). Every one is counted, whatever the account's state, so an
 * admin (the card, the digest's still-locked rows) sees guessing go on against an account that
 * cannot log in. Only an active account locks at the threshold: one already locked stays locked
 * (its lockout was recorded once), and one waiting for a reset stays `password_reset` rather than
 * turn into `locked` and lose the reset requirement.
 */
export function afterFailedLogin(s: AccountState, threshold: number, now: Date): { state: AccountState; lockedNow: boolean } {
  const failedLoginCount = s.failedLoginCount + 1;
  if (s.authStatus === 'active' && failedLoginCount >= threshold) {
    return { state: { ...s, failedLoginCount, authStatus: 'locked', lockedAt: now }, lockedNow: true };
  }
  return { state: { ...s, failedLoginCount }, lockedNow: false };
}

/**
 * The right password for an account that cannot log in gets the same answer as a wrong one; the
 * person is told by mail instead, at most once per this interval, so whoever holds the password
 * cannot use the login API to flood the owner's inbox.
 */
export const SIGN_IN_NOTICE_INTERVAL_MS = 3_600_000;

export function signInNoticeDue(lastNoticeAt: Date | null, now: Date): boolean {
  return lastNoticeAt === null || now.getTime() - lastNoticeAt.getTime() >= SIGN_IN_NOTICE_INTERVAL_MS;
}

export function afterSuccessfulLogin(s: AccountState): AccountState {
  return { ...s, failedLoginCount: 0 };
}

export type Transition<T> = { ok: true; state: T; changed: boolean } | { ok: false; reason: string };

export function setEnabled(s: AccountState, enabled: boolean): Transition<AccountState> {
  if (s.enabled === enabled) return { ok: true, state: s, changed: false };
  return { ok: true, state: { ...s, enabled }, changed: true };
}

export function activate(s: AccountState): Transition<AccountState> {
  if (s.authStatus !== 'locked') {
    return { ok: false, reason: s.authStatus === 'active' ? 'is not locked' : 'is waiting for a password reset, not locked' };
  }
  return { ok: true, state: { ...s, authStatus: 'active', failedLoginCount: 0, lockedAt: null }, changed: true };
}

export function requireReset(s: AccountState): Transition<AccountState> {
  if (!s.enabled) return { ok: false, reason: 'is disabled' };
  return {
    ok: true,
    state: { ...s, authStatus: 'password_reset', failedLoginCount: 0, lockedAt: null },
    changed: s.authStatus !== 'password_reset',
  };
}

/** A new password was set (by an admin or through a reset link). A lock stays a lock for an admin change. */
export function afterPasswordSet(s: AccountState, via: 'admin' | 'reset_link'): AccountState {
  if (via === 'reset_link') return { ...s, authStatus: 'active', failedLoginCount: 0, lockedAt: null };
  return s.authStatus === 'password_reset' ? { ...s, authStatus: 'active' } : s;
}

/**
 * A new password set through a self-service link (/password/forgot). It ends a pending reset; it
 * ends a lock only when the deployment allows it (SELF_SERVICE_UNLOCK), else the lock and its
 * count stay for an administrator to review.
 */
export function afterSelfServiceReset(s: AccountState, unlock: boolean): AccountState {
  if (s.authStatus === 'locked' && !unlock) return s;
  return { ...s, authStatus: 'active', failedLoginCount: 0, lockedAt: null };
}

/** Saved views (Oro's grid views). */
export const SAVED_VIEWS = ['all', 'active', 'disabled', 'locked', 'password-reset', 'cannot-login'] as const;
export type SavedView = (typeof SAVED_VIEWS)[number];

export const SAVED_VIEW_LABELS: Record<SavedView, string> = {
  all: 'All users',
  active: 'Active (enabled)',
  disabled: 'Disabled',
  locked: 'Locked',
  'password-reset': 'Password reset',
  'cannot-login': 'Cannot log in',
};

export function isSavedView(v: string): v is SavedView {
  return (SAVED_VIEWS as readonly string[]).includes(v);
}

export function inView(s: Pick<AccountState, 'enabled' | 'authStatus'>, view: SavedView): boolean {
  switch (view) {
    case 'all':
      return true;
    case 'active':
      return s.enabled;
    case 'disabled':
      return !s.enabled;
    case 'locked':
      return s.authStatus === 'locked';
    case 'password-reset':
      return s.authStatus === 'password_reset';
    case 'cannot-login':
      return !canLogIn(s);
  }
}
