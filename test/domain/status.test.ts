import { availableActions } from '../../src/domain/actions';
import {
  activate,
  afterFailedLogin,
  afterPasswordSet,
  afterSuccessfulLogin,
  canLogIn,
  inView,
  loginRefusal,
  requireReset,
  setEnabled,
  signInNoticeDue,
  SIGN_IN_NOTICE_INTERVAL_MS,
  afterLockExpired,
  lockDurationMs,
  lockExpired,
  type AccountState,
  type LockoutLadder,
} from '../../src/domain/status';

const base: AccountState = {
  enabled: true,
  authStatus: 'active',
  failedLoginCount: 0,
  lockedAt: null,
  lockedUntil: null,
  consecutiveLocks: 0,
};
const now = new Date('2026-11-02T10:00:00Z');

describe('status model', () => {
  test('can log in only when enabled and active', () => {
    expect(canLogIn(base)).toBe(true);
    expect(canLogIn({ ...base, enabled: false })).toBe(false);
    expect(canLogIn({ ...base, authStatus: 'locked' })).toBe(false);
    expect(canLogIn({ ...base, authStatus: 'password_reset' })).toBe(false);
    expect(loginRefusal({ ...base, enabled: false, authStatus: 'locked' })).toBe('disabled');
    expect(loginRefusal({ ...base, authStatus: 'password_reset' })).toBe('password_reset');
  });

  test('failed logins count up and lock at the threshold', () => {
    let s = base;
    for (let i = 1; i < 3; i++) {
      const r = afterFailedLogin(s, 3, now);
      expect(r.lockedNow).toBe(false);
      s = r.state;
      expect(s.failedLoginCount).toBe(i);
    }
    const r = afterFailedLogin(s, 3, now);
    expect(r).toEqual({ state: { ...s, failedLoginCount: 3, authStatus: 'locked', lockedAt: now }, lockedNow: true });
    // Still counted while locked (the digest's still-locked rows show it), never locked a second time.
    const later = new Date(now.getTime() + 60_000);
    const again = afterFailedLogin(r.state, 3, later);
    expect(again).toEqual({ state: { ...r.state, failedLoginCount: 4 }, lockedNow: false });
  });

  test('a user waiting for a reset has failures counted but never turns into locked; a disabled active account locks', () => {
    const r = afterFailedLogin({ ...base, authStatus: 'password_reset', failedLoginCount: 5 }, 1, now);
    expect(r).toEqual({ state: { ...base, authStatus: 'password_reset', failedLoginCount: 6 }, lockedNow: false });
    const d = afterFailedLogin({ ...base, enabled: false, failedLoginCount: 2 }, 3, now);
    expect(d).toEqual({ state: { ...base, enabled: false, authStatus: 'locked', failedLoginCount: 3, lockedAt: now }, lockedNow: true });
  });

  test('the cannot-sign-in notice is due at most once an hour', () => {
    expect(signInNoticeDue(null, now)).toBe(true);
    expect(signInNoticeDue(now, new Date(now.getTime() + SIGN_IN_NOTICE_INTERVAL_MS - 1))).toBe(false);
    expect(signInNoticeDue(now, new Date(now.getTime() + SIGN_IN_NOTICE_INTERVAL_MS))).toBe(true);
  });

  test('successful login resets the counter', () => {
    expect(afterSuccessfulLogin({ ...base, failedLoginCount: 4 }).failedLoginCount).toBe(0);
  });

  test('enable/disable flips, already-in-state is a no-op', () => {
    expect(setEnabled(base, false)).toEqual({ ok: true, state: { ...base, enabled: false }, changed: true });
    expect(setEnabled(base, true)).toEqual({ ok: true, state: base, changed: false });
  });

  test('activate needs locked; resets the counter', () => {
    const locked = { ...base, authStatus: 'locked' as const, failedLoginCount: 10, lockedAt: now };
    expect(activate(locked)).toEqual({ ok: true, state: base, changed: true });
    expect(activate(base).ok).toBe(false);
    expect(activate({ ...base, authStatus: 'password_reset' }).ok).toBe(false);
  });

  test('reset needs enabled and clears a lock', () => {
    expect(requireReset({ ...base, enabled: false }).ok).toBe(false);
    const r = requireReset({ ...base, authStatus: 'locked', failedLoginCount: 9, lockedAt: now });
    expect(r).toEqual({ ok: true, state: { ...base, authStatus: 'password_reset' }, changed: true });
  });

  test('password set: by reset link → active; by admin → active only from password_reset', () => {
    expect(afterPasswordSet({ ...base, authStatus: 'password_reset' }, 'reset_link').authStatus).toBe('active');
    expect(afterPasswordSet({ ...base, authStatus: 'password_reset' }, 'admin').authStatus).toBe('active');
    expect(afterPasswordSet({ ...base, authStatus: 'locked' }, 'admin').authStatus).toBe('locked');
  });

  test('saved views', () => {
    const states: AccountState[] = [
      base,
      { ...base, enabled: false },
      { ...base, authStatus: 'locked' },
      { ...base, authStatus: 'password_reset' },
      { ...base, enabled: false, authStatus: 'locked' },
    ];
    const names = (v: Parameters<typeof inView>[1]) => states.map((s) => inView(s, v));
    expect(names('all')).toEqual([true, true, true, true, true]);
    expect(names('active')).toEqual([true, false, true, true, false]);
    expect(names('disabled')).toEqual([false, true, false, false, true]);
    expect(names('locked')).toEqual([false, false, true, false, true]);
    expect(names('password-reset')).toEqual([false, false, false, true, false]);
    expect(names('cannot-login')).toEqual([false, true, true, true, true]);
  });

  test('available actions follow state, permission and self', () => {
    const all = new Set(['enable_disable', 'activate', 'reset_password', 'change_password', 'api_keys', 'delete'] as const);
    expect(availableActions(base, all, false)).toEqual(['disable', 'reset_password', 'change_password', 'api_key', 'delete']);
    expect(availableActions(base, all, true)).toEqual(['reset_password', 'change_password', 'api_key']);
    expect(availableActions({ enabled: false, authStatus: 'locked' }, all, false)).toEqual([
      'enable',
      'activate',
      'change_password',
      'api_key',
      'delete',
    ]);
    expect(availableActions({ enabled: true, authStatus: 'locked' }, new Set(['activate', 'reset_password'] as const), false)).toEqual([
      'activate',
      'reset_password',
    ]);
  });
});

describe('temporary locks (LOCKOUT_MODE=temporary)', () => {
  const ladder: LockoutLadder = { mode: 'temporary', baseMinutes: 15, maxMinutes: 1440 };
  const min = 60_000;

  test('the n-th lock in a row lasts base × 2^(n-1), capped at max; decimals allowed', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => lockDurationMs(n, 15, 1440) / min)).toEqual([15, 30, 60, 120, 240, 480, 960, 1440]);
    expect(lockDurationMs(40, 15, 1440) / min).toBe(1440);
    expect(lockDurationMs(1, 0.05, 1440)).toBe(3000);
    expect(lockDurationMs(1, 30, 10) / min).toBe(10);
  });

  test('locking climbs the ladder and sets the end time; permanent mode sets none and leaves the ladder', () => {
    const first = afterFailedLogin({ ...base, failedLoginCount: 2 }, 3, now, ladder);
    expect(first.lockedNow).toBe(true);
    expect(first.state).toMatchObject({ authStatus: 'locked', lockedAt: now, consecutiveLocks: 1 });
    expect(first.state.lockedUntil).toEqual(new Date(now.getTime() + 15 * min));
    const second = afterFailedLogin({ ...base, failedLoginCount: 2, consecutiveLocks: 1 }, 3, now, ladder);
    expect(second.state.lockedUntil).toEqual(new Date(now.getTime() + 30 * min));
    expect(second.state.consecutiveLocks).toBe(2);
    const perm = afterFailedLogin({ ...base, failedLoginCount: 2, consecutiveLocks: 3 }, 3, now, { ...ladder, mode: 'permanent' });
    expect(perm.state).toEqual({ ...base, failedLoginCount: 3, authStatus: 'locked', lockedAt: now, consecutiveLocks: 3 });
  });

  test('a lock is expired only when locked with an end time at or before now', () => {
    const until = new Date(now.getTime() + 15 * min);
    const locked = { ...base, authStatus: 'locked' as const, lockedAt: now, lockedUntil: until };
    expect(lockExpired(locked, new Date(until.getTime() - 1))).toBe(false);
    expect(lockExpired(locked, until)).toBe(true);
    expect(lockExpired({ ...locked, lockedUntil: null }, new Date(until.getTime() + 1e9))).toBe(false);
    expect(lockExpired({ ...locked, authStatus: 'active' }, new Date(until.getTime() + 1))).toBe(false);
  });

  test('an expired lock is lifted without resetting the ladder; success and Activate reset it', () => {
    const locked = { ...base, authStatus: 'locked' as const, failedLoginCount: 3, lockedAt: now, lockedUntil: now, consecutiveLocks: 2 };
    expect(afterLockExpired(locked)).toEqual({ ...base, consecutiveLocks: 2 });
    expect(afterSuccessfulLogin({ ...base, consecutiveLocks: 2 }).consecutiveLocks).toBe(0);
    const a = activate(locked);
    expect(a.ok && a.state).toEqual(base);
  });
});
