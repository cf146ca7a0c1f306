import { Op } from 'sequelize';
import { SAVED_VIEWS, type SavedView } from '../../src/domain/status';
import { ResetToken, User } from '../../src/store/models';
import { countUsersByView, usersInOrganizations, viewWhere, type ViewParams } from '../../src/store/user-queries';
import { DIALECTS } from '../support/db';
import { makeUser, org, testEnv } from '../support/fixtures';

/**
 * App Home's counts are one pass with a conditional sum per view (issue 22). Each must equal the
 * count of the view's own query (the one find and list use), for every saved view, inside and
 * outside the organization scope.
 */
describe.each(DIALECTS)('counting users by view in one pass on %s', (dialect) => {
  let env: Awaited<ReturnType<typeof testEnv>>;
  beforeAll(async () => {
    env = await testEnv(dialect);
  });
  afterAll(async () => env.close());

  test('every saved view counts what its own query finds, scoped and unscoped', async () => {
    const now = new Date('2026-11-02T10:00:00Z');
    const old = new Date('2026-01-01T00:00:00Z');
    const states = [
      {},
      { enabled: false },
      { authStatus: 'locked' as const, lockedAt: old },
      { authStatus: 'password_reset' as const },
      { enabled: false, authStatus: 'locked' as const, lockedAt: old },
      { lastLoginAt: old },
      { lastLoginAt: now },
    ];
    for (const [i, st] of states.entries()) {
      await makeUser({ username: `vc-in-${i}`, orgs: { 'vc-acme': i === 0 ? ['administrator'] : [] }, ...st });
      await makeUser({ username: `vc-out-${i}`, orgs: { 'vc-globex': i === 1 ? ['administrator'] : [] }, ...st });
    }
    const invited = await makeUser({ username: 'vc-invited', orgs: { 'vc-acme': [] }, password: null });
    await ResetToken.create({ userId: invited.id, tokenHash: 'vc-invite', purpose: 'invite', expiresAt: now, createdAt: now });
    const acme = (await org('vc-acme')).id;
    const views: SavedView[] = [...SAVED_VIEWS, 'dormant-30', 'dormant-3650'];
    for (const orgIds of [[acme], null, []]) {
      const p: ViewParams = { orgIds, now, dormantDays: 90 };
      const counts = await countUsersByView(env.rt.db, p, views);
      const each = await Promise.all(
        views.map((v) => User.count({ where: { [Op.and]: [usersInOrganizations(p.orgIds), viewWhere(v, p)] } })),
      );
      expect(Object.fromEntries(views.map((v, i) => [v, counts[i]]))).toEqual(Object.fromEntries(views.map((v, i) => [v, each[i]])));
    }
    // The scoped counts are the fixture's, not a coincidence of zeros.
    const scoped = await countUsersByView(env.rt.db, { orgIds: [acme], now, dormantDays: 90 }, [
      'all',
      'disabled',
      'locked',
      'admins',
      'invited',
    ]);
    expect(scoped).toEqual([8, 2, 2, 1, 1]);
  });
});
