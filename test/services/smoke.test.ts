import { searchUsers } from '../../src/services/directory';
import { setUsersEnabled } from '../../src/services/account-status';
import { DIALECTS } from '../support/db';
import { actorFor, makeUser, testEnv, type TestEnv } from '../support/fixtures';

describe.each(DIALECTS)('smoke on %s', (dialect) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await testEnv(dialect);
  });
  afterAll(async () => env.close());

  test('find and disable', async () => {
    const admin = await makeUser({ username: 'ana', orgs: { acme: ['administrator'] } });
    await makeUser({ username: 'bob', orgs: { acme: [] } });
    const found = await searchUsers(env.rt, actorFor(admin), { text: 'bo' });
    expect(found.ok && found.users.map((u) => u.username)).toEqual(['bob']);
    const r = await setUsersEnabled(env.rt, actorFor(admin), { refs: ['bob'], enabled: false });
    expect(r.ok && r.results[0].status).toBe('done');
  });
});
