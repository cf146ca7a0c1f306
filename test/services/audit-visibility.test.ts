import { setUsersEnabled } from '../../src/services/account-status';
import { queryAudit } from '../../src/services/audit-query';
import { DIALECTS } from '../support/db';
import { actorFor, makeUser, testEnv } from '../support/fixtures';

describe.each(DIALECTS)('who sees which audit events, on %s', (dialect) => {
  let env: Awaited<ReturnType<typeof testEnv>>;
  afterAll(async () => env.close());

  test('an event about a person is visible to the audit readers of each of their organizations, and only them', async () => {
    env = await testEnv(dialect);
    // Administrator of b too: disabling `shared` needs the permission in both of its organizations (issue 14).
    const adminA = await makeUser({ username: 'admina', orgs: { a: ['administrator'], b: ['administrator'] } });
    const secB = await makeUser({ username: 'secb', orgs: { b: ['security'] } });
    const secC = await makeUser({ username: 'secc', orgs: { c: ['security'] } });
    await makeUser({ username: 'shared', orgs: { a: [], b: [] } });
    await makeUser({ username: 'only_a', orgs: { a: [] } });

    expect((await setUsersEnabled(env.rt, actorFor(adminA), { refs: ['shared', 'only_a'], enabled: false })).ok).toBe(true);

    const seen = async (actor: Parameters<typeof actorFor>[0]) => {
      const r = await queryAudit(env.rt, actorFor(actor), { limit: 50 });
      if (!r.ok) throw new Error(r.message);
      return r.events
        .filter((e) => e.action === 'disable')
        .map((e) => e.target?.split(' ')[0])
        .sort();
    };
    expect(await seen(adminA)).toEqual(['only_a', 'shared']);
    // Recorded under organization a, but b's security team sees what happened to their member.
    expect(await seen(secB)).toEqual(['shared']);
    expect(await seen(secC)).toEqual([]);
  });
});
