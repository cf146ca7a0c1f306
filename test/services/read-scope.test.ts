import { homeDashboard } from '../../src/services/dashboard';
import { getUser, pageUsers, showUser } from '../../src/services/directory';
import { SYSTEM_ACTOR } from '../../src/services/context';
import { generateApiKey } from '../../src/services/api-keys';
import { LockoutEvent } from '../../src/store/models';
import { DIALECTS } from '../support/db';
import { actorFor, makeUser, testEnv, type TestEnv } from '../support/fixtures';

/**
 * DESIGN §2 and issue 14: a read shows only users of the organizations where the actor holds a
 * role, and of such a user only those organizations — the card, App Home and the REST API alike.
 */
describe.each(DIALECTS)('reads name only viewable organizations on %s', (dialect) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await testEnv(dialect);
  });
  afterAll(async () => env.close());

  test('an administrator of acme showing a user who is also in beta sees no beta: not the organization, its roles or its API key', async () => {
    const ana = await makeUser({ username: 'ana', orgs: { acme: ['administrator'] } });
    const dual = await makeUser({
      username: 'dual',
      orgs: { acme: ['viewer'], beta: ['administrator'] },
      authStatus: 'locked',
      failedLoginCount: 10,
    });
    await LockoutEvent.create({ userId: dual.id, lockedAt: new Date('2026-11-02T09:00:00Z'), failedCount: 10, sourceIp: null });
    for (const organization of ['acme', 'beta']) {
      expect((await generateApiKey(env.rt, SYSTEM_ACTOR, { ref: 'dual', organization })).ok).toBe(true);
    }
    const a = actorFor(ana);

    const show = await showUser(env.rt, a, { ref: 'dual' });
    if (!show.ok) throw new Error(show.message);
    expect(show.user.organizations.map((o) => [o.slug, o.roles])).toEqual([['acme', ['viewer']]]);
    expect(show.user.apiKeys.map((k) => k.organizationSlug)).toEqual(['acme']);
    expect(JSON.stringify(show.user)).not.toMatch(/beta/i);
    // The actions still weigh beta: dual administers it, so ana may not act on dual at all.
    expect(show.user.actions).toEqual([]);

    const home = await homeDashboard(env.rt, a);
    if (!home.ok) throw new Error(home.message);
    expect(home.lockouts.map((l) => [l.username, l.organizations])).toEqual([['dual', ['acme']]]);

    const page = await pageUsers(env.rt, actorFor(ana, 'api'), { text: 'dual' });
    expect(page.ok && page.users.map((u) => u.organizations)).toEqual([[{ slug: 'acme', roles: ['viewer'] }]]);
    const one = await getUser(env.rt, actorFor(ana, 'api'), { id: dual.id });
    expect(one.ok && one.user.organizations).toEqual([{ slug: 'acme', roles: ['viewer'] }]);

    // The system actor (the CLI) views every organization.
    const all = await showUser(env.rt, SYSTEM_ACTOR, { ref: 'dual' });
    expect(all.ok && all.user.organizations.map((o) => o.slug)).toEqual(['acme', 'beta']);
  });
});
