import { Op } from 'sequelize';
import { LockoutEvent, User } from '../../src/store/models';
import { usersInOrganizations } from '../../src/store/user-queries';
import { DIALECTS } from '../support/db';
import { makeUser, org, testEnv, type TestEnv } from '../support/fixtures';

describe.each(DIALECTS)('usersInOrganizations on %s', (dialect) => {
  let env: TestEnv;
  let acme: number;
  let beta: number;
  beforeAll(async () => {
    env = await testEnv(dialect);
    const people: Array<[string, Record<string, []>]> = [
      ['a1', { acme: [] }],
      ['b1', { beta: [] }],
      ['ab', { acme: [], beta: [] }],
      ['g1', { globex: [] }],
    ];
    for (const [username, orgs] of people) {
      const u = await makeUser({ username, orgs });
      await LockoutEvent.create({ userId: u.id, lockedAt: new Date('2026-11-02T09:00:00Z'), failedCount: 10, sourceIp: null });
    }
    // A lockout of a user id with no memberships at all.
    await LockoutEvent.create({ userId: 999_999, lockedAt: new Date('2026-11-02T09:00:00Z'), failedCount: 10, sourceIp: null });
    acme = (await org('acme')).id;
    beta = (await org('beta')).id;
  });
  afterAll(async () => env.close());

  const names = async (orgIds: number[] | null) =>
    (await User.findAll({ where: usersInOrganizations(orgIds), order: [['username', 'ASC']] })).map((u) => u.username);

  test('users of the given organizations, each once; null is everyone; [] is nobody', async () => {
    expect(await names([acme])).toEqual(['a1', 'ab']);
    expect(await names([acme, beta])).toEqual(['a1', 'ab', 'b1']);
    expect(await names(null)).toEqual(['a1', 'ab', 'b1', 'g1']);
    expect(await names([])).toEqual([]);
    expect(await User.count({ where: usersInOrganizations([beta]) })).toBe(2);
  });

  test('combines with other conditions and scopes another table by its user column', async () => {
    const where = { [Op.and]: [{ username: { [Op.like]: 'a%' } }, usersInOrganizations([beta])] };
    expect((await User.findAll({ where })).map((u) => u.username)).toEqual(['ab']);
    const lockouts = (orgIds: number[] | null) => LockoutEvent.count({ where: usersInOrganizations<LockoutEvent>(orgIds, 'lockouts') });
    expect(await lockouts([beta])).toBe(2);
    expect(await lockouts([])).toBe(0);
    expect(await lockouts(null)).toBe(5);
  });
});
