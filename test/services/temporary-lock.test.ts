import { activateUser } from '../../src/services/account-status';
import { searchUsers, showUser } from '../../src/services/directory';
import { lockoutDigest } from '../../src/services/lockout-digest';
import { GENERIC_LOGIN_FAILURE, login } from '../../src/services/login';
import { AuditEvent, LockoutEvent, MailMessage, User } from '../../src/store/models';
import { DIALECTS } from '../support/db';
import { GOOD_PASSWORD, actorFor, makeUser, testEnv } from '../support/fixtures';
import { deliverNotices } from '../support/notices';
import { uniq } from '../support/state';

type Env = Awaited<ReturnType<typeof testEnv>>;

const MIN = 60_000;
const WRONG = 'not-the-password-1';

describe.each(DIALECTS)('temporary locks (LOCKOUT_MODE=temporary) on %s', (dialect) => {
  let env: Env;
  let admin: User;
  const ORG = 'templock-org';

  beforeAll(async () => {
    env = await testEnv(dialect, {
      LOCKOUT_MODE: 'temporary',
      LOCKOUT_THRESHOLD: '2',
      LOCKOUT_BASE_MINUTES: '15',
      LOCKOUT_MAX_MINUTES: '40',
    });
    admin = await makeUser({ username: 'templockadmin', orgs: { [ORG]: ['administrator'] } });
  });
  afterAll(async () => env.close());
  beforeEach(() => {
    env.clock.now = new Date('2026-11-02T10:00:00Z');
  });

  const person = () => makeUser({ username: uniq('tl'), orgs: { [ORG]: [] } });
  const reload = async (u: User) => (await User.findByPk(u.id))!;
  const tryLogin = (u: User, password: string) => login(env.rt, { login: u.username, password });
  const advance = (ms: number) => {
    env.clock.now = new Date(env.clock.now.getTime() + ms);
  };
  async function lockOut(u: User): Promise<User> {
    await tryLogin(u, WRONG);
    await tryLogin(u, WRONG);
    const r = await reload(u);
    expect(r.authStatus).toBe('locked');
    return r;
  }

  test('a lock ends by itself at the first attempt after its time, under the uniform refusal until then; the next lock lasts twice as long', async () => {
    const u = await person();
    const start = env.clock.now.getTime();
    const locked = await lockOut(u);
    expect(locked.lockedAt!.getTime()).toBe(start);
    expect(locked.lockedUntil!.getTime() - start).toBe(15 * MIN);
    expect(locked.consecutiveLocks).toBe(1);
    // A moment before the end, the right password gets exactly the answer of a wrong one.
    advance(15 * MIN - 1000);
    expect(await tryLogin(u, GOOD_PASSWORD)).toEqual({ ok: false, code: 'not_authenticated', message: GENERIC_LOGIN_FAILURE });
    expect((await reload(u)).authStatus).toBe('locked');
    // The time is up: the next attempt (a wrong one) lifts the lock first, then counts from zero.
    advance(1000);
    await tryLogin(u, WRONG);
    expect(await reload(u)).toMatchObject({
      authStatus: 'active',
      failedLoginCount: 1,
      lockedAt: null,
      lockedUntil: null,
      consecutiveLocks: 1,
    });
    const audit = await AuditEvent.findAll({ where: { targetUserId: u.id, action: 'unlock_expired' } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ reason: 'unlocked by time', actorUserId: null });
    // One more failure reaches the threshold again: the second lock in a row, 30 minutes.
    const second = env.clock.now.getTime();
    await tryLogin(u, WRONG);
    const again = await reload(u);
    expect(again).toMatchObject({ authStatus: 'locked', consecutiveLocks: 2 });
    expect(again.lockedUntil!.getTime() - second).toBe(30 * MIN);
    expect(await LockoutEvent.count({ where: { userId: u.id } })).toBe(2);
  });

  test('locks in a row double up to LOCKOUT_MAX_MINUTES; the right password after the time logs in and resets the ladder', async () => {
    const u = await person();
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      const start = env.clock.now.getTime();
      const locked = await lockOut(u);
      seen.push((locked.lockedUntil!.getTime() - start) / MIN);
      advance(locked.lockedUntil!.getTime() - start);
    }
    expect(seen).toEqual([15, 30, 40, 40]);
    expect(await LockoutEvent.count({ where: { userId: u.id } })).toBe(4);
    const ok = await tryLogin(u, GOOD_PASSWORD);
    expect(ok.ok).toBe(true);
    expect(await reload(u)).toMatchObject({ authStatus: 'active', failedLoginCount: 0, consecutiveLocks: 0, lastLoginAt: env.clock.now });
    const start = env.clock.now.getTime();
    const fresh = await lockOut(u);
    expect((fresh.lockedUntil!.getTime() - start) / MIN).toBe(15);
  });

  test('the lockout mail and the cannot-sign-in notice name the time the lock ends', async () => {
    const u = await person();
    await lockOut(u);
    await deliverNotices(env.rt);
    const lockMail = await MailMessage.findOne({ where: { userId: u.id, kind: 'lockout_notice' } });
    expect(lockMail!.textBody).toContain('It unlocks by itself at 2026-11-02 10:15 UTC');
    await tryLogin(u, GOOD_PASSWORD);
    const notice = await MailMessage.findOne({ where: { userId: u.id, kind: 'sign_in_blocked' } });
    expect(notice!.textBody).toContain('It unlocks by itself at 2026-11-02 10:15 UTC');
  });

  test("an admin's Activate unlocks at once and restarts the ladder", async () => {
    const u = await person();
    await lockOut(u);
    advance(15 * MIN);
    await lockOut(u);
    expect((await reload(u)).consecutiveLocks).toBe(2);
    const r = await activateUser(env.rt, actorFor(admin), { ref: u.username });
    expect(r.ok && r.result.status).toBe('done');
    expect(await reload(u)).toMatchObject({
      authStatus: 'active',
      failedLoginCount: 0,
      lockedAt: null,
      lockedUntil: null,
      consecutiveLocks: 0,
    });
    expect((await tryLogin(u, GOOD_PASSWORD)).ok).toBe(true);
    const start = env.clock.now.getTime();
    expect(((await lockOut(u)).lockedUntil!.getTime() - start) / MIN).toBe(15);
  });

  test('the card, the saved view locked and the digest carry the end time; an expired lock stays in the view until a login lifts it', async () => {
    const u = await person();
    const start = env.clock.now;
    const locked = await lockOut(u);
    const shown = await showUser(env.rt, actorFor(admin), { ref: u.username });
    expect(shown.ok && shown.user.lockedUntil).toEqual(locked.lockedUntil);
    const digest = await lockoutDigest(env.rt, { since: new Date(start.getTime() - 1000), until: new Date(start.getTime() + 1000) });
    expect(digest.newLockouts.find((e) => e.userId === u.id)?.lockedUntil).toEqual(locked.lockedUntil);
    advance(15 * MIN);
    const inView = async () => {
      const r = await searchUsers(env.rt, actorFor(admin), { view: 'locked', text: u.username, offset: 0, limit: 10 });
      return r.ok ? r.users.map((x) => x.username) : [];
    };
    expect(await inView()).toEqual([u.username]);
    expect((await tryLogin(u, GOOD_PASSWORD)).ok).toBe(true);
    expect(await inView()).toEqual([]);
  });

  test('a permanent lock (no end time, e.g. from before the switch) never ends by itself', async () => {
    const u = await makeUser({ username: uniq('tlperm'), orgs: { [ORG]: [] }, authStatus: 'locked', failedLoginCount: 2 });
    advance(365 * 24 * 60 * MIN);
    expect((await tryLogin(u, GOOD_PASSWORD)).ok).toBe(false);
    expect((await reload(u)).authStatus).toBe('locked');
  });
});

describe.each(DIALECTS)('permanent locks (the default LOCKOUT_MODE) on %s', (dialect) => {
  let env: Env;
  beforeAll(async () => {
    env = await testEnv(dialect, { LOCKOUT_THRESHOLD: '2' });
  });
  afterAll(async () => env.close());

  test('a lock has no end time, does not climb a ladder, and outlasts any wait', async () => {
    env.clock.now = new Date('2026-11-02T10:00:00Z');
    const u = await makeUser({ username: uniq('perm') });
    await login(env.rt, { login: u.username, password: WRONG });
    await login(env.rt, { login: u.username, password: WRONG });
    const locked = (await User.findByPk(u.id))!;
    expect(locked).toMatchObject({ authStatus: 'locked', lockedUntil: null, consecutiveLocks: 0 });
    env.clock.now = new Date(env.clock.now.getTime() + 365 * 24 * 60 * MIN);
    expect((await login(env.rt, { login: u.username, password: GOOD_PASSWORD })).ok).toBe(false);
    expect((await User.findByPk(u.id))!.authStatus).toBe('locked');
  });
});
