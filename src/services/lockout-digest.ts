import { findSpike, type Spike } from '../domain/lockout-spike';
import { ok, type Outcome } from '../domain/outcome';
import type { AuthStatus } from '../domain/status';
import {
  digestUsersById,
  latestLockouts,
  lockedUsersExcept,
  lockoutsBetween,
  organizationSlugsOf,
  unreportedLockouts,
  type DigestUser,
} from '../store/lockout-queries';
import type { LockoutEvent } from '../store/models';
import { usersById } from '../store/user-queries';
import { decide, isFailure, loadAccess, rolesOfUsers, viewableOrgs } from './authz';
import type { Actor, Ctx } from './context';
import { displayName } from './user-shapes';

/** One locked-out user as the digest and App Home show them. */
export interface LockoutEntry {
  userId: number;
  username: string;
  name: string;
  email: string;
  organizations: string[];
  lockedAt: Date;
  failedAttempts: number;
  sourceIp: string | null;
  /** The user's state now, which may have moved on since the lockout. */
  enabled: boolean;
  authStatus: AuthStatus;
  /** While locked: when the temporary lock ends by itself; null for a permanent lock (or no lock now). */
  lockedUntil: Date | null;
}

export interface LockoutDigest {
  since: Date;
  until: Date;
  /** Users with a lockout no digest has reported yet, oldest first, one entry per user (their latest lockout). */
  newLockouts: LockoutEntry[];
  /** Those lockouts (a user locked, unlocked and locked again counts twice). */
  lockoutCount: number;
  /** Ids of every lockout this digest reports (deleted users' too): marked once it is posted. */
  eventIds: number[];
  /** Users locked before the window and still locked. */
  stillLocked: LockoutEntry[];
  spike: Spike | null;
  spikeThreshold: number;
}

function entry(u: DigestUser, orgs: Map<number, string[]>, lock: { at: Date; failed: number; ip: string | null }): LockoutEntry {
  return {
    userId: u.id,
    username: u.username,
    name: displayName(u),
    email: u.email,
    organizations: orgs.get(u.id) ?? [],
    lockedAt: lock.at,
    failedAttempts: lock.failed,
    sourceIp: lock.ip,
    enabled: u.enabled,
    authStatus: u.authStatus,
    lockedUntil: u.authStatus === 'locked' ? u.lockedUntil : null,
  };
}

/**
 * How far before `since` an unreported lockout is still picked up: one whose transaction committed
 * after the previous digest had read the table, with a time already inside that digest's window.
 * Nothing holds a transaction open for anywhere near this long.
 */
export const LATE_LOCKOUT_GRACE_MS = 10 * 60_000;

/**
 * What the lockout digest reports for the window (since, until]: who got locked (every lockout no
 * digest has reported yet, up to `until`; late ones from a little before `since` too), who is still
 * locked from before, and whether the lockouts bunch into a possible attack. The digest goes to a
 * security channel, so it covers every organization (it runs as the system, not as a person).
 * `markLockoutsReported` records what was posted, so each lockout is new in exactly one digest.
 */
export async function lockoutDigest(ctx: Ctx, window: { since: Date; until: Date }): Promise<LockoutDigest> {
  const events = await unreportedLockouts(new Date(window.since.getTime() - LATE_LOCKOUT_GRACE_MS), window.until);
  // Users deleted since their lockout have nothing left to act on.
  const users = await digestUsersById([...new Set(events.map((e) => e.userId))]);
  const live = events.filter((e) => users.has(e.userId));
  const latest = new Map<number, LockoutEvent>();
  for (const e of live) {
    latest.delete(e.userId);
    latest.set(e.userId, e);
  }
  const still = await lockedUsersExcept([...latest.keys()]);
  const orgs = await organizationSlugsOf([...latest.keys(), ...still.map((u) => u.id)], null);
  const threshold = ctx.config.DIGEST_SPIKE_THRESHOLD;
  return {
    since: window.since,
    until: window.until,
    newLockouts: [...latest.values()].map((e) =>
      entry(users.get(e.userId)!, orgs, { at: e.lockedAt, failed: e.failedCount, ip: e.sourceIp }),
    ),
    lockoutCount: live.length,
    eventIds: events.map((e) => e.id),
    stillLocked: still.map((u) => entry(u, orgs, { at: u.lockedAt ?? window.since, failed: u.failedLoginCount, ip: null })),
    spike: findSpike(
      live.map((e) => ({ userId: e.userId, at: e.lockedAt })),
      threshold,
    ),
    spikeThreshold: threshold,
  };
}

/** Mark the lockouts a posted digest reported, in the transaction that finishes its slot. */
export { markLockoutsReported } from '../store/lockout-queries';

/**
 * The users locked in [from, to) that the actor can see, oldest lockout first: what the spike
 * warning's button pre-fills the bulk-reset form with. The form's own preview checks the actor's
 * bulk-reset permission again.
 */
export async function spikeUsers(
  ctx: Ctx,
  actor: Actor,
  window: { from: Date; to: Date },
): Promise<Outcome<{ users: Array<{ id: number; username: string; firstName: string; lastName: string; email: string }> }>> {
  const access = await loadAccess(ctx, actor);
  if (isFailure(access)) return access;
  const events = await lockoutsBetween(viewableOrgs(access), window.from, window.to);
  const ids = [...new Set(events.map((e) => e.userId))];
  const byId = await usersById(ids);
  const users = ids.flatMap((id) => {
    const u = byId.get(id);
    return u ? [{ id: u.id, username: u.username, firstName: u.firstName, lastName: u.lastName, email: u.email }] : [];
  });
  return ok({ users });
}

export interface RecentLockout extends LockoutEntry {
  /** The asking actor may unlock this user now (still locked, `activate` in each of their organizations, not above the actor). */
  canActivate: boolean;
}

/** The latest lockouts among users the actor can see, newest first (App Home). */
export async function recentLockouts(ctx: Ctx, actor: Actor, limit = 10): Promise<Outcome<{ lockouts: RecentLockout[] }>> {
  const access = await loadAccess(ctx, actor);
  if (isFailure(access)) return access;
  const orgIds = viewableOrgs(access);
  // A user locked several times shows once, at their latest lockout.
  const events = await latestLockouts(orgIds, limit * 4);
  const latest = new Map<number, LockoutEvent>();
  for (const e of events) if (!latest.has(e.userId)) latest.set(e.userId, e);
  const ids = [...latest.keys()];
  const users = await usersById(ids);
  // Only the organizations the actor can view are named (issue 14).
  const orgs = await organizationSlugsOf(ids, orgIds);
  const roles = await rolesOfUsers(ids);
  const lockouts = [...latest.values()]
    .filter((e) => users.has(e.userId))
    .slice(0, limit)
    .map((e) => {
      const u = users.get(e.userId)!;
      return {
        ...entry(u, orgs, { at: e.lockedAt, failed: e.failedCount, ip: e.sourceIp }),
        canActivate: u.authStatus === 'locked' && decide(access, roles.get(u.id) ?? new Map(), 'activate').allowed,
      };
    });
  return ok({ lockouts });
}
