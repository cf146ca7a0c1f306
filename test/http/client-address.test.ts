import { request } from 'node:http';
import { lockoutDigest } from '../../src/services/lockout-digest';
import { AuditEvent, User } from '../../src/store/models';
import { makeUser } from '../support/fixtures';
import { httpTestEnv, type HttpTestEnv } from '../support/http-server';

/**
 * The client address through real HTTP: which socket the request comes from (127.0.0.x, all
 * loopback on Linux) and what X-Forwarded-For says decide what the login throttle counts and
 * what the audit log and the lockout digest show.
 */

interface Attempt {
  login: string;
  /** Source address of the TCP connection. */
  from?: string;
  forwardedFor?: string;
}

function attemptLogin(env: HttpTestEnv, a: Attempt): Promise<number> {
  const body = JSON.stringify({ login: a.login, password: 'wrong-password-here' });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: env.server.port,
        localAddress: a.from ?? '127.0.0.1',
        method: 'POST',
        path: '/api/v1/auth/login',
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...(a.forwardedFor ? { 'x-forwarded-for': a.forwardedFor } : {}),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Lock `username` out with one failed login (LOCKOUT_THRESHOLD=1); the address audit and digest recorded. */
async function lockoutAddress(env: HttpTestEnv, username: string, a: Omit<Attempt, 'login'>): Promise<{ audit: unknown; digest: unknown }> {
  const user = await makeUser({ username });
  expect(await attemptLogin(env, { ...a, login: username })).toBe(401);
  expect((await User.findByPk(user.id))!.authStatus).toBe('locked');
  const audit = await AuditEvent.findOne({ where: { action: 'lockout', targetUserId: user.id } });
  const digest = await lockoutDigest(env.rt, { since: new Date(0), until: new Date(env.clock.now.getTime() + 60_000) });
  return {
    audit: (JSON.parse(audit!.details!) as { ip: unknown }).ip,
    digest: digest.newLockouts.find((e) => e.userId === user.id)?.sourceIp,
  };
}

describe('TRUST_PROXY unset (the default): the socket address, whatever X-Forwarded-For says', () => {
  let env: HttpTestEnv;
  beforeAll(async () => {
    env = await httpTestEnv('sqlite', { LOCKOUT_THRESHOLD: '1', LOGIN_MAX_PER_IP: '4', LOGIN_MAX_PER_ACCOUNT: '1000' });
  });
  afterAll(async () => env.close());

  test('audit and digest show the socket address, not the forged one', async () => {
    expect(await lockoutAddress(env, 'vic', { forwardedFor: '203.0.113.66' })).toEqual({ audit: '127.0.0.1', digest: '127.0.0.1' });
  });

  test('a new X-Forwarded-For per attempt does not escape LOGIN_MAX_PER_IP', async () => {
    // One attempt already spent above (the limit is 4 per address).
    for (let i = 1; i <= 3; i++) expect(await attemptLogin(env, { login: `nobody${i}`, forwardedFor: `198.51.100.${i}` })).toBe(401);
    expect(await attemptLogin(env, { login: 'nobody9', forwardedFor: '198.51.100.9' })).toBe(429);
    expect(await attemptLogin(env, { login: 'nobody9', forwardedFor: '198.51.100.9, 192.0.2.1' })).toBe(429);
    // Another socket address has its own count.
    expect(await attemptLogin(env, { login: 'nobody9', from: '127.0.0.2' })).toBe(401);
  });
});

describe('TRUST_PROXY=1: the address one hop back (what the load balancer appended)', () => {
  let env: HttpTestEnv;
  beforeAll(async () => {
    env = await httpTestEnv('sqlite', { TRUST_PROXY: '1', LOCKOUT_THRESHOLD: '1', LOGIN_MAX_PER_IP: '2', LOGIN_MAX_PER_ACCOUNT: '1000' });
  });
  afterAll(async () => env.close());

  test('the last X-Forwarded-For entry is the client; what the client wrote before it is ignored', async () => {
    expect(await lockoutAddress(env, 'hop', { forwardedFor: '6.6.6.6, 203.0.113.9' })).toEqual({
      audit: '203.0.113.9',
      digest: '203.0.113.9',
    });
    // Without a header (a request that bypassed the proxy), the socket address.
    expect(await lockoutAddress(env, 'direct', {})).toEqual({ audit: '127.0.0.1', digest: '127.0.0.1' });
  });

  test('the throttle counts that address: forged entries in front of it change nothing', async () => {
    // 203.0.113.9 spent one attempt above; the limit is 2.
    expect(await attemptLogin(env, { login: 'nobody', forwardedFor: '1.1.1.1, 203.0.113.9' })).toBe(401);
    expect(await attemptLogin(env, { login: 'nobody', forwardedFor: '2.2.2.2, 203.0.113.9' })).toBe(429);
    expect(await attemptLogin(env, { login: 'nobody', forwardedFor: '203.0.113.10' })).toBe(401);
  });
});

describe('TRUST_PROXY as a list: only addresses from trusted proxies are honoured', () => {
  let env: HttpTestEnv;
  beforeAll(async () => {
    env = await httpTestEnv('sqlite', {
      TRUST_PROXY: '127.0.0.2, 10.0.0.0/8',
      LOCKOUT_THRESHOLD: '1',
      LOGIN_MAX_PER_IP: '1000',
      LOGIN_MAX_PER_ACCOUNT: '1000',
    });
  });
  afterAll(async () => env.close());

  test('from a trusted proxy: the nearest address that is not a trusted proxy', async () => {
    expect(await lockoutAddress(env, 'p1', { from: '127.0.0.2', forwardedFor: '198.51.100.7' })).toEqual({
      audit: '198.51.100.7',
      digest: '198.51.100.7',
    });
    // 10.1.2.3 is an inner proxy of ours; 6.6.6.6 is what the client claimed, to the left of its real address.
    expect(await lockoutAddress(env, 'p2', { from: '127.0.0.2', forwardedFor: '6.6.6.6, 198.51.100.8, 10.1.2.3' })).toEqual({
      audit: '198.51.100.8',
      digest: '198.51.100.8',
    });
  });

  test('from anywhere else: the socket address, X-Forwarded-For ignored', async () => {
    expect(await lockoutAddress(env, 'p3', { from: '127.0.0.3', forwardedFor: '198.51.100.9' })).toEqual({
      audit: '127.0.0.3',
      digest: '127.0.0.3',
    });
    expect(await lockoutAddress(env, 'p4', { from: '127.0.0.1', forwardedFor: '10.9.9.9' })).toEqual({
      audit: '127.0.0.1',
      digest: '127.0.0.1',
    });
  });
});
