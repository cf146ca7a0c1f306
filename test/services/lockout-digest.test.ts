import { SYSTEM_ACTOR } from '../../src/services/context';
import { deleteUser } from '../../src/services/delete-user';
import { lockoutDigest, recentLockouts, spikeUsers } from '../../src/services/lockout-digest';
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

  test('the window is (since, until]; a user locked twice shows once; deleted users are left out; spikes are found', async () => {
    await locked('edge', { acme: [] }, min(0)); // exactly at `since`: belongs to the previous digest
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
    // Still locked from before the window (edge), and after it (after) — both locked now, neither new.
    expect(d.stillLocked.map((e) => e.username).sort()).toEqual(['after', 'edge']);
    expect(d.spike).toEqual({ count: 3, from: min(5), to: min(65), userIds: [expect.any(Number), expect.any(Number)] });
  });

  test('spike users and recent lockouts are scoped to what the actor can see', async () => {
    const admin = await makeUser({ username: 'boss', orgs: { globex: ['administrator'] } });
    const users = await spikeUsers(env.rt, actorFor(admin), { from: min(0), to: min(120) });
    expect(users.ok && users.users.map((u) => u.username)).toEqual(['last']);
    const recent = await recentLockouts(env.rt, actorFor(admin));
    expect(recent.ok && recent.lockouts.map((l) => [l.username, l.canActivate])).toEqual([['last', true]]);
    const all = await recentLockouts(env.rt, SYSTEM_ACTOR, 3);
    expect(all.ok && all.lockouts.map((l) => l.username)).toEqual(['after', 'last', 'twice']);
  });
});
