import { lockoutDigest } from '../../src/services/lockout-digest';
import { LockoutEvent, MailMessage, User } from '../../src/store/models';
import { DIALECTS } from '../support/db';
import { GOOD_PASSWORD, makeUser } from '../support/fixtures';
import { SLOW_POOL_TIMEOUT_MS, saturateHasher } from '../support/hasher-load';
import { httpTestEnv, type HttpTestEnv } from '../support/http-server';
import { startSmtpCapture, type CapturedMail, type SmtpCapture } from '../support/smtp';

// The busy test waits for real slow compares to drain.
jest.setTimeout(SLOW_POOL_TIMEOUT_MS);

/** A login answer as the client sees it, byte for byte: status, body text, every header but Date. */
async function rawLogin(url: string, login: string, password: string): Promise<{ status: number; text: string; headers: string[][] }> {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password }),
  });
  const text = await res.text();
  return { status: res.status, text, headers: [...res.headers.entries()].filter(([k]) => k !== 'date') };
}

describe.each(DIALECTS)('login API on %s', (dialect) => {
  let env: HttpTestEnv;
  let smtp: SmtpCapture;
  beforeAll(async () => {
    smtp = await startSmtpCapture();
    env = await httpTestEnv(dialect, {
      LOCKOUT_THRESHOLD: '3',
      LOGIN_MAX_PER_ACCOUNT: '1000',
      LOGIN_MAX_PER_IP: '1000',
      DIGEST_SPIKE_THRESHOLD: '1',
      // Small, so the busy test fills the pool with a few slow compares.
      HASH_QUEUE_MAX: '1',
      SMTP_URL: smtp.url,
    });
    await makeUser({ username: 'ana', orgs: { acme: ['viewer'] } });
    await makeUser({ username: 'dis', enabled: false });
    await makeUser({ username: 'rst', authStatus: 'password_reset' });
    await makeUser({ username: 'lck', authStatus: 'locked', failedLoginCount: 3 });
    await makeUser({ username: 'nopw', password: null, authStatus: 'password_reset' });
    await makeUser({ username: 'vic' });
    await makeUser({ username: 'dvic', enabled: false });
  });
  afterAll(async () => {
    await env.close();
    await smtp.stop();
  });

  const login = (login: unknown, password: unknown) => env.json('POST', '/api/v1/auth/login', { login, password });
  const count = async (username: string) => (await User.findOne({ where: { username } }))!.failedLoginCount;

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

  test('every refusal is the same 401, byte for byte: unknown, wrong password, and the right password of a disabled, reset-pending or locked account', async () => {
    const url = env.server.url;
    const wrong = await rawLogin(url, 'ana', 'wrong-password-here');
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.text)).toEqual({ error: { code: 'invalid_credentials', message: 'The username or password is incorrect.' } });
    expect(Object.fromEntries(wrong.headers)).toMatchObject({
      'cache-control': 'no-store',
      'content-type': 'application/json; charset=utf-8',
    });
    const answers = {
      unknown: await rawLogin(url, 'nobody', 'whatever-password'),
      unknownEmail: await rawLogin(url, 'nobody@example.com', GOOD_PASSWORD),
      byId: await rawLogin(url, '1', GOOD_PASSWORD),
      disabledRight: await rawLogin(url, 'dis', GOOD_PASSWORD),
      disabledWrong: await rawLogin(url, 'dis', 'wrong-password-here'),
      resetRight: await rawLogin(url, 'rst', GOOD_PASSWORD),
      resetWrong: await rawLogin(url, 'rst', 'wrong-password-here'),
      lockedRight: await rawLogin(url, 'lck', GOOD_PASSWORD),
      lockedWrong: await rawLogin(url, 'lck', 'wrong-password-here'),
      noPassword: await rawLogin(url, 'nopw', GOOD_PASSWORD),
    };
    for (const [what, answer] of Object.entries(answers)) expect({ what, answer }).toEqual({ what, answer: wrong });
  });

  test('the right password for an account that cannot sign in mails its owner why (once an hour); a wrong one never mails', async () => {
    // The server's own outbox sender delivers; the previous test's notices (an hour earlier) may still be arriving.
    const mailsBefore = await MailMessage.count();
    for (const u of ['dis', 'rst', 'lck']) {
      expect((await login(u, 'wrong-password-here')).status).toBe(401);
    }
    expect(await MailMessage.count()).toBe(mailsBefore);
    env.clock.now = new Date(env.clock.now.getTime() + 2 * 3_600_000);
    const stamp = `On ${env.clock.now.toISOString().replace('T', ' ').slice(0, 16)} UTC`;
    for (const u of ['dis', 'rst', 'lck']) {
      expect((await login(u, GOOD_PASSWORD)).status).toBe(401);
      expect((await login(u, GOOD_PASSWORD)).status).toBe(401);
    }
    // Two refusals each, one notice each.
    expect(await MailMessage.count()).toBe(mailsBefore + 3);
    const fresh = (all: CapturedMail[]) => all.filter((m) => m.text.includes(stamp));
    const mails = fresh(await smtp.waitFor((all) => fresh(all).length >= 3, 30_000));
    expect(mails).toHaveLength(3);
    const byTo = Object.fromEntries(mails.map((m) => [m.to[0], m]));
    expect(Object.keys(byTo).sort()).toEqual(['dis@example.com', 'lck@example.com', 'rst@example.com']);
    expect(byTo['lck@example.com'].text).toMatch(/locked after too many failed sign-in attempts[\s\S]*activate \(unlock\) it/);
    expect(byTo['rst@example.com'].text).toMatch(/password reset is pending[\s\S]*ask an administrator for a new one/);
    expect(byTo['dis@example.com'].text).toMatch(/disabled by an administrator[\s\S]*Contact an administrator/);
    for (const m of mails) {
      expect(m.subject).toBe('Your account cannot sign in right now');
      expect(m.text).not.toContain(GOOD_PASSWORD);
      expect(m.text + m.html).not.toMatch(/https?:\/\//);
    }
  });

  test('failures lock at the threshold; attempts on locked, disabled and reset-pending accounts are still recorded for the digest and spike warning', async () => {
    const since = new Date(env.clock.now.getTime() - 60_000);
    for (let i = 0; i < 3; i++) expect((await login('vic', 'nope-nope-nope')).status).toBe(401);
    const u = await User.findOne({ where: { username: 'vic' } });
    expect([u!.authStatus, u!.failedLoginCount]).toEqual(['locked', 3]);
    expect((await login('vic', GOOD_PASSWORD)).status).toBe(401);
    // Disabled (but not locked) counts toward a lockout like any account.
    for (let i = 0; i < 3; i++) expect((await login('dvic', 'nope-nope-nope')).status).toBe(401);
    expect((await User.findOne({ where: { username: 'dvic' } }))!.authStatus).toBe('locked');
    // Attempts while locked or waiting for a reset keep counting, and lock nothing twice.
    const before = { vic: await count('vic'), lck: await count('lck'), rst: await count('rst'), nopw: await count('nopw') };
    for (const name of ['vic', 'lck', 'rst', 'nopw']) expect((await login(name, 'nope-nope-nope')).status).toBe(401);
    expect({ vic: await count('vic'), lck: await count('lck'), rst: await count('rst'), nopw: await count('nopw') }).toEqual({
      vic: before.vic + 1,
      lck: before.lck + 1,
      rst: before.rst + 1,
      nopw: before.nopw + 1,
    });
    expect((await User.findOne({ where: { username: 'rst' } }))!.authStatus).toBe('password_reset');
    const vic = await User.findOne({ where: { username: 'vic' } });
    expect(await LockoutEvent.count({ where: { userId: vic!.id } })).toBe(1);

    const digest = await lockoutDigest(env.rt, { since, until: new Date(env.clock.now.getTime() + 60_000) });
    expect(digest.newLockouts.map((e) => [e.username, e.failedAttempts])).toEqual([
      ['vic', 3],
      ['dvic', 3],
    ]);
    expect(digest.spike).toMatchObject({ count: 2 });
    // A locked account still being guessed at shows its growing count in the still-locked rows.
    expect(digest.stillLocked.find((e) => e.username === 'lck')?.failedAttempts).toBe(before.lck + 1);
  });

  test('a full hashing pool answers 503 with Retry-After: 1 and counts nothing; then logins work again', async () => {
    const ana = await User.findOne({ where: { username: 'ana' } });
    const failedBefore = ana!.failedLoginCount;
    const { drained } = await saturateHasher(env.rt.hasher);
    const busy = [
      await rawLogin(env.server.url, 'ana', 'wrong-password-here'),
      await rawLogin(env.server.url, 'ana', GOOD_PASSWORD),
      await rawLogin(env.server.url, 'nobody', GOOD_PASSWORD),
    ];
    for (const r of busy) {
      expect(r.status).toBe(503);
      expect(JSON.parse(r.text)).toEqual({ error: { code: 'busy', message: expect.stringMatching(/busy.*try again/i) } });
      expect(Object.fromEntries(r.headers)).toMatchObject({ 'retry-after': '1', 'cache-control': 'no-store' });
    }
    expect(await count('ana')).toBe(failedBefore);
    await drained;
    expect((await login('ana', GOOD_PASSWORD)).status).toBe(200);
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
