import { lockedUsersExcept } from '../../src/store/lockout-queries';
import { User } from '../../src/store/models';
import { DIALECTS } from '../support/db';
import { makeUser, testEnv } from '../support/fixtures';

/**
 * The digest's "still locked" list comes from a partial index of the locked users (migration 0014,
 * issue 22): every user locked now, in lockout order, with the columns the digest shows, and nobody
 * else — whatever moves a user in or out of the lock.
 */
describe.each(DIALECTS)('the locked users index on %s', (dialect) => {
  let env: Awaited<ReturnType<typeof testEnv>>;
  beforeAll(async () => {
    env = await testEnv(dialect);
  });
  afterAll(async () => env.close());

  test('lists exactly the users locked now, oldest lockout first, with the columns the digest shows, as plain values', async () => {
    const at = (h: number) => new Date(Date.UTC(2026, 10, 1, h, 30, 15, 123));
    const late = await makeUser({ username: 'late', authStatus: 'locked', lockedAt: at(9), failedLoginCount: 12, lastName: "O'Brien" });
    const early = await makeUser({ username: 'early', authStatus: 'locked', lockedAt: at(7), lockedUntil: at(8), enabled: false });
    const unlocked = await makeUser({ username: 'was-locked', authStatus: 'locked', lockedAt: at(8) });
    const skipped = await makeUser({ username: 'reported-new', authStatus: 'locked', lockedAt: at(6) });
    await makeUser({ username: 'never-locked' });
    await makeUser({ username: 'in-reset', authStatus: 'password_reset' });
    // Out of the lock by an update, and into it by one: the index follows the rows.
    await User.update({ authStatus: 'active', lockedAt: null }, { where: { id: unlocked.id } });
    const relocked = await makeUser({ username: 'relocked' });
    await User.update({ authStatus: 'locked', lockedAt: at(10), failedLoginCount: 10 }, { where: { id: relocked.id } });

    const list = await lockedUsersExcept([skipped.id]);
    expect(list.map((u) => u.username)).toEqual(['early', 'late', 'relocked']);
    expect(list[0]).toEqual({
      id: early.id,
      username: 'early',
      firstName: 'Early',
      lastName: 'Tester',
      email: 'early@example.com',
      enabled: false,
      authStatus: 'locked',
      lockedAt: at(7),
      lockedUntil: at(8),
      failedLoginCount: 0,
    });
    expect(list[1]).toMatchObject({ id: late.id, lastName: "O'Brien", enabled: true, lockedUntil: null, failedLoginCount: 12 });
    expect(await lockedUsersExcept([])).toHaveLength(4);
  });

  test('the index holds only locked users and every column the list reads (SQLite reads the index alone)', async () => {
    const sequelize = env.rt.db.sequelize;
    if (dialect === 'sqlite') {
      const spy = jest.spyOn(sequelize, 'query');
      let sql: string;
      try {
        await lockedUsersExcept([1, 2]);
        sql = String(spy.mock.calls.at(-1)![0]);
      } finally {
        spy.mockRestore();
      }
      const [plan] = (await sequelize.query(`EXPLAIN QUERY PLAN ${sql}`)) as [Array<{ detail: string }>, unknown];
      expect(plan.map((p) => p.detail)).toEqual(['SCAN users USING COVERING INDEX users_locked_digest']);
    } else {
      const [rows] = (await sequelize.query(`SELECT indexdef FROM pg_indexes WHERE indexname = 'users_locked_digest'`)) as [
        Array<{ indexdef: string }>,
        unknown,
      ];
      expect(rows[0].indexdef).toMatch(
        /\(locked_at, id, username, .*failed_login_count\) WHERE \(\(auth_status\)::text = 'locked'::text\)/,
      );
    }
  });
});
