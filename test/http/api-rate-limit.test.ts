import { generateApiKey } from '../../src/services/api-keys';
import { DIALECTS } from '../support/db';
import { actorFor, makeUser } from '../support/fixtures';
import { httpTestEnv, type HttpTestEnv } from '../support/http-server';

describe.each(DIALECTS)('REST API rate limit per key on %s', (dialect) => {
  let env: HttpTestEnv;
  let keys: string[];

  beforeAll(async () => {
    env = await httpTestEnv(dialect, { API_RATE_LIMIT_PER_MINUTE: '3' });
    const ana = await makeUser({ username: 'ana', orgs: { acme: ['administrator'] } });
    await makeUser({ username: 'bob', orgs: { acme: ['viewer'] } });
    keys = [];
    for (const ref of ['ana', 'bob']) {
      const r = await generateApiKey(env.rt, actorFor(ana), { ref, organization: 'acme' });
      if (!r.ok || r.step !== 'issued') throw new Error('no key');
      keys.push(r.issued.key);
    }
  });
  afterAll(async () => env.close());

  const get = (key: string) => env.json('GET', '/api/v1/users', undefined, { authorization: `Bearer ${key}` });

  test('beyond the limit: 429 with Retry-After until the window ends; other keys are not affected', async () => {
    for (let i = 0; i < 3; i++) expect((await get(keys[0])).status).toBe(200);
    const limited = await get(keys[0]);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(limited.body).toEqual({
      error: { code: 'rate_limited', message: 'Too many requests with this API key; try again in 60 seconds.', retryAfterSeconds: 60 },
    });
    expect((await get(keys[1])).status).toBe(200);

    env.clock.now = new Date(env.clock.now.getTime() + 45_000);
    const later = await get(keys[0]);
    expect([later.status, later.headers.get('retry-after')]).toEqual([429, '15']);

    env.clock.now = new Date(env.clock.now.getTime() + 15_000);
    expect((await get(keys[0])).status).toBe(200);
  });
});
