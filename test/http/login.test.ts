import { User } from '../../src/store/models';
import { DIALECTS } from '../support/db';
import { GOOD_PASSWORD, makeUser } from '../support/fixtures';
import { httpTestEnv, type HttpTestEnv } from '../support/http-server';

describe.each(DIALECTS)('login API on %s', (dialect) => {
  let env: HttpTestEnv;
  beforeAll(async () => {
    env = await httpTestEnv(dialect, { LOCKOUT_THRESHOLD: '3', LOGIN_MAX_PER_ACCOUNT: '1000', LOGIN_MAX_PER_IP: '1000' });
    await makeUser({ username: 'ana', orgs: { acme: ['viewer'] } });
    await makeUser({ username: 'dis', enabled: false });
    await makeUser({ username: 'rst', authStatus: 'password_reset' });
    await makeUser({ username: 'lck', authStatus: 'locked', failedLoginCount: 3 });
    await makeUser({ username: 'vic' });
  });
  afterAll(async () => env.close());

  const login = (login: unknown, password: unknown) => env.json('POST', '/api/v1/auth/login', { login, password });

  test('200 with id, username, organizations (by username or email)', async () => {
    const r = await login('ana', GOOD_PASSWORD);
    expect(r.status).toBe(200);
    expect(r.body.user).toEqual({
      id: expect.any(Number),
      username: 'ana',
      email: 'ana@example.com',
      organizations: [{ slug: 'acme', roles: ['viewer'] }],
    });
    expect((await login('ANA@example.com', GOOD_PASSWORD)).status).toBe(200);
    expect(JSON.stringify(r.body)).not.toMatch(/\$2[aby]\$/);
  });

  test('401 is identical for unknown user and wrong password', async () => {
    const a = await login('nobody', 'whatever-password');
    const b = await login('ana', 'wrong-password-here');
    expect(a.status).toBe(401);
    expect(b.status).toBe(401);
    expect(a.body).toEqual(b.body);
    expect(a.body).toEqual({ error: { code: 'invalid_credentials', message: expect.any(String) } });
  });

  test('403 disabled, 409 reset required, 423 locked (right password)', async () => {
    expect((await login('dis', GOOD_PASSWORD)).body).toEqual({ error: expect.objectContaining({ code: 'account_disabled' }) });
    expect((await login('dis', GOOD_PASSWORD)).status).toBe(403);
    expect((await login('rst', GOOD_PASSWORD)).status).toBe(409);
    const locked = await login('lck', GOOD_PASSWORD);
    expect(locked.status).toBe(423);
    expect(locked.body).toEqual({ error: expect.objectContaining({ code: 'account_locked' }) });
  });

  test('failures lock at the threshold; attempts while locked are not counted', async () => {
    for (let i = 0; i < 3; i++) expect((await login('vic', 'nope-nope-nope')).status).toBe(401);
    const u = await User.findOne({ where: { username: 'vic' } });
    expect(u!.authStatus).toBe('locked');
    expect(u!.failedLoginCount).toBe(3);
    expect((await login('vic', GOOD_PASSWORD)).status).toBe(423);
    await login('vic', 'nope-nope-nope');
    expect((await User.findOne({ where: { username: 'vic' } }))!.failedLoginCount).toBe(3);
  });

  test('malformed bodies are 400/415, oversize 413, never a stack', async () => {
    const bad = await env.json('POST', '/api/v1/auth/login', '{"login": "ana", ');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: { code: 'malformed_json', message: expect.any(String) } });
    expect((await login(42, 'x')).body).toEqual({ error: { code: 'invalid_input', message: expect.stringContaining('login') } });
    expect((await env.json('POST', '/api/v1/auth/login', [])).status).toBe(400);
    expect((await login('ana', '')).status).toBe(400);
    expect(
      (await env.json('POST', '/api/v1/auth/login', 'login=ana', { 'content-type': 'application/x-www-form-urlencoded' })).status,
    ).toBe(415);
    const big = await env.json('POST', '/api/v1/auth/login', { login: 'ana', password: 'x'.repeat(20_000) });
    expect(big.status).toBe(413);
    expect(JSON.stringify(big.body)).not.toContain('at ');
    const health = await env.json('GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok', db: expect.objectContaining({ status: 'ok', dialect }) });
  });
});

describe('login throttling', () => {
  let env: HttpTestEnv;
  beforeAll(async () => {
    env = await httpTestEnv('sqlite', {
      LOGIN_MAX_PER_ACCOUNT: '3',
      LOGIN_MAX_PER_IP: '5',
      LOGIN_WINDOW_SECONDS: '60',
      LOCKOUT_THRESHOLD: '50',
    });
    await makeUser({ username: 'ana' });
  });
  afterAll(async () => env.close());

  test('per account: 429 with Retry-After after the limit', async () => {
    for (let i = 0; i < 3; i++)
      expect((await env.json('POST', '/api/v1/auth/login', { login: 'ana', password: 'wrong-password' })).status).toBe(401);
    const r = await env.json('POST', '/api/v1/auth/login', { login: 'ANA', password: GOOD_PASSWORD });
    expect(r.status).toBe(429);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(r.body).toEqual({ error: expect.objectContaining({ code: 'rate_limited' }) });
  });

  test('per address: other accounts from the same address are throttled too', async () => {
    const r1 = await env.json('POST', '/api/v1/auth/login', { login: 'someone', password: 'wrong-password' });
    expect(r1.status).toBe(401);
    const r2 = await env.json('POST', '/api/v1/auth/login', { login: 'someone-else', password: 'wrong-password' });
    expect(r2.status).toBe(429);
  });
});
