import { importUsers } from '../../src/services/import-users';
import { HASHER_BUSY_MESSAGE } from '../../src/services/password-hashing';
import { changePassword, resetPasswords } from '../../src/services/passwords';
import { MailMessage, ResetToken, User } from '../../src/store/models';
import { actorFor, makeUser } from '../support/fixtures';
import { SLOW_POOL_TIMEOUT_MS, saturateHasher } from '../support/hasher-load';
import { httpTestEnv, type HttpTestEnv } from '../support/http-server';

const NEW_PASSWORD = 'Granite-Harbor-Lantern-7';
const busy = { ok: false, code: 'unavailable', message: HASHER_BUSY_MESSAGE };

/**
 * Every caller of the hashing pool besides login (which test/http/login.test.ts covers) answers a
 * full pool with "busy, try again" and changes nothing: the real pool, bounded to one waiting task.
 */
jest.setTimeout(SLOW_POOL_TIMEOUT_MS);

describe('a full hashing pool, outside login', () => {
  let env: HttpTestEnv;
  beforeAll(async () => {
    env = await httpTestEnv('sqlite', { HASH_QUEUE_MAX: '1' });
  });
  afterAll(async () => env.close());

  test('change password: the busy outcome, the hash and the mail untouched; it works once the pool drains', async () => {
    const admin = await makeUser({ username: 'adm', orgs: { acme: ['administrator'] } });
    const bob = await makeUser({ username: 'bob', orgs: { acme: [] } });
    const { drained } = await saturateHasher(env.rt.hasher);
    expect(await changePassword(env.rt, actorFor(admin), { ref: 'bob', password: NEW_PASSWORD })).toEqual(busy);
    expect((await User.findByPk(bob.id))!.passwordHash).toBe(bob.passwordHash);
    expect(await MailMessage.count({ where: { userId: bob.id } })).toBe(0);
    await drained;
    expect(await changePassword(env.rt, actorFor(admin), { ref: 'bob', password: NEW_PASSWORD })).toMatchObject({ ok: true });
  });

  test('import: the row is reported busy and not written; the other rows are', async () => {
    const admin = await makeUser({ username: 'imp', orgs: { acme: ['administrator'] } });
    const csv = [
      'username,email,first_name,last_name,organization,roles,password,enabled',
      `newbie,newbie@example.com,New,Bie,acme,,${NEW_PASSWORD},true`,
      'nopass,nopass@example.com,No,Pass,acme,,,true',
    ].join('\n');
    const { drained } = await saturateHasher(env.rt.hasher);
    const r = await importUsers(env.rt, actorFor(admin), csv);
    await drained;
    expect(r).toMatchObject({ ok: true, created: 1, errors: [{ line: 2, message: expect.stringContaining(HASHER_BUSY_MESSAGE) }] });
    expect(await User.count({ where: { username: 'newbie' } })).toBe(0);
    expect(await User.count({ where: { username: 'nopass' } })).toBe(1);
  });

  test('the reset page: 503 with Retry-After and the form again, the link still good; then the reset completes', async () => {
    const admin = await makeUser({ username: 'hd', orgs: { acme: ['administrator'] } });
    const carol = await makeUser({ username: 'carol', orgs: { acme: [] } });
    expect(await resetPasswords(env.rt, actorFor(admin), { refs: ['carol'] })).toMatchObject({ ok: true });
    const mail = await MailMessage.findOne({ where: { userId: carol.id, kind: 'reset_link' } });
    const link = /(http\S+\/password\/reset\/[A-Za-z0-9_-]+)/.exec(mail!.textBody)![1].replace(env.rt.config.PUBLIC_URL, env.server.url);
    const submit = async (page: Response) => {
      const cookie = page.headers.get('set-cookie')!.split(';')[0];
      const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1];
      return fetch(link, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams({ password: NEW_PASSWORD, confirm: NEW_PASSWORD, csrf }).toString(),
      });
    };
    const { drained } = await saturateHasher(env.rt.hasher);
    const refused = await submit(await fetch(link));
    expect([refused.status, refused.headers.get('retry-after')]).toEqual([503, '1']);
    expect(await refused.clone().text()).toContain('The server is busy checking passwords');
    await drained;
    expect((await User.findByPk(carol.id))!.authStatus).toBe('password_reset');
    expect(await ResetToken.count({ where: { userId: carol.id, usedAt: null, revokedAt: null } })).toBe(1);
    // The 503 page is the form again, with a fresh CSRF pair: submitting it now completes the reset.
    const done = await submit(refused);
    expect(done.status).toBe(200);
    expect((await User.findByPk(carol.id))!.authStatus).toBe('active');
  });
});
