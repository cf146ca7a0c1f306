import { request } from 'node:http';
import { randomToken, sha256Hex } from '../../src/domain/tokens';
import { ResetToken } from '../../src/store/models';
import { makeUser } from '../support/fixtures';
import { httpTestEnv, type HttpTestEnv } from '../support/http-server';

/**
 * Every answer under /password/ is the reset page's own HTML with its security headers: the form,
 * each refusal, a link that cannot be decoded, a wrong method, an unreadable or oversize form, a
 * page that does not exist, and a crash. Through real HTTP.
 */

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** A raw HTTP request (fetch would re-encode a broken percent-escape and refuses some methods). */
function send(
  env: HttpTestEnv,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: env.server.port,
        method,
        path,
        agent: false,
        headers: body === undefined ? headers : { 'content-length': String(Buffer.byteLength(body)), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** The page's headers and an HTML body with the given heading; never JSON, never express's own page. */
function expectPage(a: Answer, status: number, heading: string): void {
  expect([a.status, a.headers['content-type']]).toEqual([status, 'text/html; charset=utf-8']);
  expect({
    csp: a.headers['content-security-policy'],
    referrer: a.headers['referrer-policy'],
    cache: a.headers['cache-control'],
    frame: a.headers['x-frame-options'],
    sniff: a.headers['x-content-type-options'],
  }).toEqual({
    csp: "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    referrer: 'no-referrer',
    cache: 'no-store',
    frame: 'DENY',
    sniff: 'nosniff',
  });
  expect(a.text).toMatch(/^<!doctype html>/);
  expect(a.text).toContain(`<h1>${heading}</h1>`);
  expect(a.text).not.toMatch(/"error":|at \S+\.js|Failed to decode/);
}

describe('reset page: every answer under /password/ is an HTML page with its headers', () => {
  let env: HttpTestEnv;
  const tokens: Record<'good' | 'used' | 'expired', string> = { good: '', used: '', expired: '' };

  beforeAll(async () => {
    env = await httpTestEnv('sqlite');
    const user = await makeUser({ username: 'bob', authStatus: 'password_reset' });
    const later = new Date(env.clock.now.getTime() + 3600_000);
    const earlier = new Date(env.clock.now.getTime() - 1000);
    for (const [name, fields] of [
      ['good', { expiresAt: later }],
      ['used', { expiresAt: later, usedAt: earlier }],
      ['expired', { expiresAt: earlier }],
    ] as const) {
      tokens[name] = randomToken();
      await ResetToken.create({ userId: user.id, tokenHash: sha256Hex(tokens[name]), ...fields });
    }
  });
  afterAll(async () => env.close());

  /** The form's CSRF cookie and field, as a browser would have them. */
  async function openForm(): Promise<{ cookie: string; csrf: string }> {
    const a = await send(env, 'GET', `/password/reset/${tokens.good}`);
    expectPage(a, 200, 'Choose a new password');
    const cookie = String(a.headers['set-cookie']).split(';')[0];
    const csrf = /name="csrf" value="([^"]+)"/.exec(a.text)![1];
    return { cookie, csrf };
  }

  test('the form, and the link refusals: unknown 404, used or expired 410', async () => {
    await openForm();
    expectPage(await send(env, 'GET', `/password/reset/${'A'.repeat(43)}`), 404, 'Link not valid');
    expectPage(await send(env, 'GET', '/password/reset/not-a-token'), 404, 'Link not valid');
    expectPage(await send(env, 'GET', `/password/reset/${tokens.used}`), 410, 'Link no longer valid');
    expectPage(await send(env, 'GET', `/password/reset/${tokens.expired}`), 410, 'Link no longer valid');
    expectPage(await send(env, 'POST', `/password/reset/${tokens.used}`, 'password=x', FORM), 410, 'Link no longer valid');
  });

  test('a token that cannot be percent-decoded is the "link not valid" page, not a JSON 400', async () => {
    for (const method of ['GET', 'POST', 'PUT']) {
      const a = await send(env, method, '/password/reset/%E0%A4%A', method === 'GET' ? undefined : 'password=x', FORM);
      expectPage(a, 404, 'Link not valid');
      expect(a.text).toContain('damaged or incomplete');
    }
  });

  test('a wrong method is 405 with Allow', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const a = await send(env, method, `/password/reset/${tokens.good}`);
      expectPage(a, 405, 'Not available');
      expect(a.headers.allow).toBe('GET, HEAD, POST');
    }
    const head = await send(env, 'HEAD', `/password/reset/${tokens.good}`);
    expect([head.status, head.headers['referrer-policy'], head.text]).toEqual([200, 'no-referrer', '']);
  });

  test('no such page under /password/ is a 404 page', async () => {
    for (const path of [
      '/password',
      '/password/',
      '/password/reset',
      '/password/reset/',
      `/password/reset/${tokens.good}/more`,
      '/password/change',
    ]) {
      expectPage(await send(env, 'GET', path), 404, 'Page not found');
    }
    expectPage(await send(env, 'POST', '/password/other', 'a=b', FORM), 404, 'Page not found');
  });

  test('form refusals: CSRF 403, policy 422, oversize 413, too many fields 413, unreadable 415 and 400; nothing changes', async () => {
    const { cookie, csrf } = await openForm();
    const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
      send(env, 'POST', `/password/reset/${tokens.good}`, body, { ...FORM, cookie, ...headers });
    expectPage(await post(`password=x&confirm=x&csrf=forged`), 403, 'Choose a new password');
    // Without the cookie, as a cross-site form would post.
    expectPage(
      await send(env, 'POST', `/password/reset/${tokens.good}`, `password=x&confirm=x&csrf=${csrf}`, FORM),
      403,
      'Choose a new password',
    );
    // A cookie that cannot be percent-decoded is a CSRF failure too, not a crash.
    expectPage(await post(`password=x&confirm=x&csrf=${csrf}`, { cookie: 'userops_csrf=%E0%A4%A' }), 403, 'Choose a new password');
    expectPage(await post(`password=password1234&confirm=password1234&csrf=${csrf}`), 422, 'Choose a new password');
    expectPage(await post(`password=${'x'.repeat(9000)}&confirm=x&csrf=${csrf}`), 413, 'Form too large');
    expectPage(await post(Array.from({ length: 25 }, (_, i) => `f${i}=1`).join('&')), 413, 'Form too large');
    expectPage(await post('password=x', { 'content-type': 'application/x-www-form-urlencoded; charset=koi8-r' }), 415, 'Form not readable');
    expectPage(await post('password=x', { 'content-encoding': 'br-bogus' }), 415, 'Form not readable');
    expectPage(await post('not gzip at all', { 'content-encoding': 'gzip' }), 400, 'Form not readable');
    // The link still works: none of that touched it.
    expectPage(await send(env, 'GET', `/password/reset/${tokens.good}`), 200, 'Choose a new password');
  });

  test('a crash is a 500 page with a reference, logged without the token', async () => {
    await env.rt.db.sequelize.query('DROP TABLE reset_tokens');
    const a = await send(env, 'GET', `/password/reset/${tokens.good}`);
    expectPage(a, 500, 'Something went wrong');
    const reference = /reference ([0-9a-f]{10})/.exec(a.text)![1];
    const logged = env.logs.filter((l) => l.includes(reference));
    expect(logged).toEqual([expect.stringContaining('"msg":"reset page failed"')]);
    expect(logged.join('')).not.toContain(tokens.good);
  });
});
