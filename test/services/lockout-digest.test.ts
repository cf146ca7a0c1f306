import { SYSTEM_ACTOR } from '../../src/services/context';
import { deleteUser } from '../../src/services/delete-user';
import { lockoutDigest, markLockoutsReported, recentLockouts, spikeUsers } from '../../src/services/lockout-digest';
import { LockoutEvent } from '../../src/store/models';
import { DIALECTS } from '../support/db';
import { actorFor, makeUser, testEnv, type TestEnv } from '../support/fixtures';

const t0 = new Date('2026-11-02T09:00:00Z');
const min = (m: number) => new Date(t0.getTime() + m * 60_000);

describe.each(DIALECTS)('lockout digest data on %s', (dialect) => {
  let env: TestEnv;

  beforeAll(async () => {
    env = await testEnv(dialect, { DIGEST_SPIKE_THRESHOLD: '2' });
  });
  afterAll(async () => env.close());

  async function locked(username: string, orgs: Record<string, []>, ...at: Date[]) {
    const u = await makeUser({ username, orgs, authStatus: 'locked', lockedAt: at[at.length - 1], failedLoginCount: 10 });
    for (const [i, a] of at.entries()) await LockoutEvent.create({ userId: u.id, lockedAt: a, failedCount: 10 + i, sourceIp: null });
    return u;
  }

  test('new lockouts: unreported ones up to `until`; a user locked twice shows once; deleted users are left out; spikes are found', async () => {
    const edge = await locked('edge', { acme: [] }, min(0)); // reported by the previous digest
    await LockoutEvent.update({ digestSlot: 'previous' }, { where: { userId: edge.id } });
    await locked('stale', { acme: [] }, min(-11)); // before since, beyond the grace for late commits
    await locked('twice', { acme: [] }, min(5), min(20));
    await locked('last', { acme: [], globex: [] }, min(60)); // exactly at `until`: this digest
    await locked('after', { acme: [] }, min(61));
    const gone = await locked('gone', { acme: [] }, min(10));
    expect((await deleteUser(env.rt, SYSTEM_ACTOR, { ref: gone.username })).ok).toBe(true);

    const d = await lockoutDigest(env.rt, { since: min(0), until: min(60) });
    expect(d.newLockouts.map((e) => [e.username, e.lockedAt, e.failedAttempts, e.organizations])).toEqual([
      ['twice', min(20), 11, ['acme']],
      ['last', min(60), 10, ['acme', 'globex']],
    ]);
    expect(d.lockoutCount).toBe(3);
    // Reported lockouts include the deleted user's, so it is not considered again.
    expect(d.eventIds).toHaveLength(4);
    // Still locked from before (edge, stale), and after the window (after) — locked now, not new.
    expect(d.stillLocked.map((e) => e.username).sort()).toEqual(['after', 'edge', 'stale']);
    // Plain rows (issue 22), typed as the models would: dates as Dates, enabled a boolean, oldest lockout first.
    expect(d.stillLocked.map((e) => e.username)).toEqual(['stale', 'edge', 'after']);
    const stale = d.stillLocked[0];
    expect(stale).toEqual({
      userId: expect.any(Number),
      username: 'stale',
      name: 'Stale Tester',
      email: 'stale@example.com',
      organizations: ['acme'],
      lockedAt: min(-11),
      failedAttempts: 10,
      sourceIp: null,
      enabled: true,
      authStatus: 'locked',
      lockedUntil: null,
    });
    expect(stale.lockedAt).toBeInstanceOf(Date);
    expect(d.spike).toEqual({ count: 3, from: min(5), to: min(65), userIds: [expect.any(Number), expect.any(Number)] });
    await env.rt.db.tx((t) => markLockoutsReported(d.eventIds, 'slot-0', t));
  });

  test('spike users and recent lockouts are scoped to what the actor can see', async () => {
    const admin = await makeUser({ username: 'boss', orgs: { globex: ['administrator'] } });
    const users = await spikeUsers(env.rt, actorFor(admin), { from: min(0), to: min(120) });
    expect(users.ok && users.users.map((u) => u.username)).toEqual(['last']);
    const recent = await recentLockouts(env.rt, actorFor(admin));
    // Visible through globex, but `last` is also in acme, where boss holds no role: no Activate button.
    expect(recent.ok && recent.lockouts.map((l) => [l.username, l.canActivate])).toEqual([['last', false]]);
    const both = await makeUser({ username: 'bothadmin', orgs: { acme: ['administrator'], globex: ['administrator'] } });
    const fromBoth = await recentLockouts(env.rt, actorFor(both));
    expect(fromBoth.ok && fromBoth.lockouts.filter((l) => l.username === 'last').map((l) => l.canActivate)).toEqual([true]);
    const all = await recentLockouts(env.rt, SYSTEM_ACTOR, 3);
    expect(all.ok && all.lockouts.map((l) => l.username)).toEqual(['after', 'last', 'twice']);
  });

  test('a lockout committed after a digest read the table is new in the next one, and none is new twice', async () => {
    const first = await lockoutDigest(env.rt, { since: min(60), until: min(120) });
    expect(first.newLockouts.map((e) => e.username)).toEqual(['after']);
    await env.rt.db.tx((t) => markLockoutsReported(first.eventIds, 'slot-a', t));
    // Committed late: its time lies inside the window just reported.
    await locked('late', { acme: [] }, min(119));
    const second = await lockoutDigest(env.rt, { since: min(120), until: min(180) });
    expect(second.newLockouts.map((e) => e.username)).toEqual(['late']);
    await env.rt.db.tx((t) => markLockoutsReported(second.eventIds, 'slot-b', t));
    const third = await lockoutDigest(env.rt, { since: min(180), until: min(240) });
    expect(third.newLockouts).toEqual([]);
    expect(third.stillLocked.map((e) => e.username)).toContain('late');
    expect((await LockoutEvent.findAll({ where: { digestSlot: 'slot-b' } })).map((e) => e.lockedAt)).toEqual([min(119)]);
    // The reporting digest's slot is kept; marking again changes nothing.
    await env.rt.db.tx((t) => markLockoutsReported(first.eventIds, 'slot-c', t));
    expect(await LockoutEvent.count({ where: { digestSlot: 'slot-c' } })).toBe(0);
    await LockoutEvent.update({ digestSlot: 'test' }, { where: { digestSlot: null } });
  });
});
