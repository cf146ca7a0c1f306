/** The account status model of DESIGN §2: pure functions over a user's state. */

export const AUTH_STATUSES = ['active', 'locked', 'password_reset'] as const;
export type AuthStatus = (typeof AUTH_STATUSES)[number];

export interface AccountState {
  enabled: boolean;
  authStatus: AuthStatus;
  failedLoginCount: number;
  lockedAt: Date | null;
  /** When a temporary lock ends by itself; null for a permanent lock (or no lock). */
  lockedUntil?: Date | null;
  /** Locks in a row since the last successful login or Activate: the rung of the temporary-lock ladder. */
  consecutiveLocks?: number;
}

/** How locks end: `permanent` (an admin's Activate) or `temporary` (also by themselves, after a doubling time). */
export const LOCKOUT_MODES = ['permanent', 'temporary'] as const;
export type LockoutMode = (typeof LOCKOUT_MODES)[number];

/** What LOCKOUT_MODE, LOCKOUT_BASE_MINUTES and LOCKOUT_MAX_MINUTES say about the locks to come. */
export interface LockoutLadder {
  mode: LockoutMode;
  baseMinutes: number;
  maxMinutes: number;
}

/** How long the n-th lock in a row lasts (n ≥ 1): base, doubling each time, never more than max. */
export function lockDurationMs(n: number, baseMinutes: number, maxMinutes: number): number {
  const minutes = Math.min(baseMinutes * 2 ** Math.max(0, n - 1), maxMinutes);
  return Math.round(minutes * 60_000);
}

/**
 * A lock with an end time that has passed. It still reads `locked` until the next login attempt
 * clears it under the row lock; views say "lock expired" meanwhile. The recorded end time is kept
 * whatever LOCKOUT_MODE says later: a lock announced "until 10:42" ends at 10:42.
 */
export function lockExpired(s: Pick<AccountState, 'authStatus' | 'lockedUntil'>, now: Date): boolean {
  return s.authStatus === 'locked' && s.lockedUntil != null && s.lockedUntil.getTime() <= now.getTime();
}

/** An expired temporary lock, lifted: active again with a clean failure count; the ladder stays (it counts locks in a row). */
export function afterLockExpired(s: AccountState): AccountState {
  return { ...s, authStatus: 'active', failedLoginCount: 0, lockedAt: null, lockedUntil: null };
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
export function afterFailedLogin(
  s: AccountState,
  threshold: number,
  now: Date,
  ladder: LockoutLadder = { mode: 'permanent', baseMinutes: 15, maxMinutes: 1440 },
): { state: AccountState; lockedNow: boolean } {
  const failedLoginCount = s.failedLoginCount + 1;
  if (s.authStatus === 'active' && failedLoginCount >= threshold) {
    const locked: AccountState = { ...s, failedLoginCount, authStatus: 'locked', lockedAt: now, lockedUntil: null };
    if (ladder.mode !== 'temporary') return { state: locked, lockedNow: true };
    const consecutiveLocks = (s.consecutiveLocks ?? 0) + 1;
    const ms = lockDurationMs(consecutiveLocks, ladder.baseMinutes, ladder.maxMinutes);
    return { state: { ...locked, consecutiveLocks, lockedUntil: new Date(now.getTime() + ms) }, lockedNow: true };
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

/** A successful login clears the failure count and the temporary-lock ladder. */
export function afterSuccessfulLogin(s: AccountState): AccountState {
  return { ...s, failedLoginCount: 0, consecutiveLocks: 0 };
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
  // An admin's unlock is a fresh start: the next lock is the first of a new ladder.
  return {
    ok: true,
    state: { ...s, authStatus: 'active', failedLoginCount: 0, lockedAt: null, lockedUntil: null, consecutiveLocks: 0 },
    changed: true,
  };
}

export function requireReset(s: AccountState): Transition<AccountState> {
  if (!s.enabled) return { ok: false, reason: 'is disabled' };
  return {
    ok: true,
    state: { ...s, authStatus: 'password_reset', failedLoginCount: 0, lockedAt: null, lockedUntil: null },
    changed: s.authStatus !== 'password_reset',
  };
}

/** A new password was set (by an admin or through a reset link). A lock stays a lock for an admin change. */
export function afterPasswordSet(s: AccountState, via: 'admin' | 'reset_link'): AccountState {
  if (via === 'reset_link') return { ...s, authStatus: 'active', failedLoginCount: 0, lockedAt: null, lockedUntil: null };
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

/**
 * Saved views (Oro's grid views), and three that are not about the login state (issue 20):
 * `admins` (holders of the administrator role in the organizations read), `dormant` (enabled users
 * with no login for DORMANT_DAYS, or `dormant-N` for N days; never logged in counts from creation),
 * and `invited` (an invitation sent and not yet accepted).
 */
export const SAVED_VIEWS = [
  'all',
  'active',
  'disabled',
  'locked',
  'password-reset',
  'cannot-login',
  'admins',
  'dormant',
  'invited',
] as const;
export type NamedView = (typeof SAVED_VIEWS)[number];
/** A named view, or `dormant-N` (no login for N days, 1–3650). */
export type SavedView = NamedView | `dormant-${number}`;

/** The views about the login state, which a user's own row decides (`inView`). */
export const STATUS_VIEWS = ['all', 'active', 'disabled', 'locked', 'password-reset', 'cannot-login'] as const;
export type StatusView = (typeof STATUS_VIEWS)[number];

export const SAVED_VIEW_LABELS: Record<NamedView, string> = {
  all: 'All users',
  active: 'Active (enabled)',
  disabled: 'Disabled',
  locked: 'Locked',
  'password-reset': 'Password reset',
  'cannot-login': 'Cannot log in',
  admins: 'Administrators',
  dormant: 'Dormant',
  invited: 'Invited',
};

const DORMANT_N = /^dormant-([1-9][0-9]{0,3})$/;

export function isSavedView(v: string): v is SavedView {
  if ((SAVED_VIEWS as readonly string[]).includes(v)) return true;
  const m = DORMANT_N.exec(v);
  return m !== null && Number(m[1]) <= 3650;
}

/** The days of a dormant view (`dormant`: the deployment's DORMANT_DAYS), or null for any other view. */
export function dormantDaysOf(view: SavedView, defaultDays: number): number | null {
  if (view === 'dormant') return defaultDays;
  const m = DORMANT_N.exec(view);
  return m ? Number(m[1]) : null;
}

/** "Dormant (30 days)", "Locked". */
export function savedViewLabel(view: SavedView, defaultDays?: number): string {
  const days = dormantDaysOf(view, defaultDays ?? 0);
  if (days !== null && days > 0) return `Dormant (${days} ${days === 1 ? 'day' : 'days'})`;
  return (SAVED_VIEW_LABELS as Record<string, string>)[view] ?? view;
}

export function inView(s: Pick<AccountState, 'enabled' | 'authStatus'>, view: StatusView): boolean {
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
