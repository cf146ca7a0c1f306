import { AuditEvent, MailMessage, ResetToken, User } from '../../src/store/models';
import { DIALECTS } from '../support/db';
import { GOOD_PASSWORD, makeUser } from '../support/fixtures';
import { httpTestEnv, type HttpTestEnv } from '../support/http-server';
import { linksIn, startSmtpCapture, type SmtpCapture } from '../support/smtp';

/**
 * /password/forgot through real HTTP, a real database and a real SMTP listener: one answer for
 * every account state, a single-use expiring link only for an enabled account, nothing changed
 * until the link is used, the throttles, the audit lines, CSRF and the page headers.
 */

const NEW_PASSWORD = 'Granite-Harbor-Lantern-7';
const ANSWER = 'If an account matches, we have sent a link.';
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
};

interface Answer {
  status: number;
  text: string;
  headers: Record<string, string>;
}

let ipSeq = 0;
/** A client address of its own (TRUST_PROXY=1), so the per-address throttle stays out of a test's way. */
const freshIp = () => `10.9.${Math.floor(++ipSeq / 250)}.${ipSeq % 250}`;

async function answer(res: Response): Promise<Answer> {
  return {
    status: res.status,
    text: await res.text(),
    headers: Object.fromEntries([...res.headers.entries()].filter(([k]) => k !== 'date')),
  };
}

function forgotClient(env: () => HttpTestEnv) {
  const url = () => `${env().server.url}/password/forgot`;
  /** Open the form as a browser would: its CSRF cookie and field. */
  async function open(ip: string): Promise<{ cookie: string; csrf: string; page: Answer }> {
    const page = await answer(await fetch(url(), { headers: { 'x-forwarded-for': ip } }));
    const cookie = (page.headers['set-cookie'] ?? '').split(';')[0];
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)![1];
    return { cookie, csrf, page };
  }
  /** Open the form and submit `login` from `ip`. */
  async function ask(login: string, ip = freshIp(), opts: { csrf?: string; cookie?: string | null } = {}): Promise<Answer> {
    const form = await open(ip);
    const cookie = opts.cookie === undefined ? form.cookie : opts.cookie;
    const res = await fetch(url(), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-forwarded-for': ip,
        ...(cookie ? { cookie } : {}),
      },
      body: new URLSearchParams({ login, csrf: opts.csrf ?? form.csrf }).toString(),
    });
    return answer(res);
  }
  return { open, ask };
}

const tokensOf = async (username: string) =>
  ResetToken.findAll({ where: { userId: (await User.findOne({ where: { username } }))!.id }, order: [['id', 'ASC']] });
const mailsTo = (username: string) => MailMessage.count({ where: { toAddress: `${username}@example.com` } });

describe.each(DIALECTS)('forgot password page on %s', (dialect) => {
  let env: HttpTestEnv;
  let smtp: SmtpCapture;
  const { open, ask } = forgotClient(() => env);
  beforeAll(async () => {
    smtp = await startSmtpCapture();
    env = await httpTestEnv(dialect, {
      TRUST_PROXY: '1',
      SMTP_URL: smtp.url,
      RESET_TOKEN_TTL_HOURS: '2',
      FORGOT_MAX_PER_ACCOUNT: '3',
      FORGOT_MAX_PER_IP: '4',
      LOGIN_MAX_PER_IP: '1000',
      LOGIN_MAX_PER_ACCOUNT: '1000',
    });
    await makeUser({ username: 'act' });
    await makeUser({ username: 'dis', enabled: false });
    await makeUser({ username: 'lck', authStatus: 'locked', failedLoginCount: 10 });
    await makeUser({ username: 'rst', authStatus: 'password_reset' });
    for (const u of ['keep', 'once', 'late', 'thr', 'ipv', 'aud']) await makeUser({ username: u });
  });
  afterAll(async () => {
    await env.close();
    await smtp.stop();
  });

  const login = (name: string, password: string) => env.json('POST', '/api/v1/auth/login', { login: name, password });

  /** The captured mail's link for `username` (the newest one). */
  async function linkFor(username: string, mailsBefore: number): Promise<string> {
    const mails = await smtp.waitFor((m) => m.filter((x) => x.to.includes(`${username}@example.com`)).length > mailsBefore, 10_000);
    const mail = mails.filter((x) => x.to.includes(`${username}@example.com`)).pop()!;
    expect(mail.subject).toBe('Your link to choose a new password');
    expect(mail.text).toContain('your current password keeps working until you use the link');
    const link = linksIn(mail).find((l) => l.includes('/password/reset/'))!;
    expect(link.startsWith(`${env.rt.config.PUBLIC_URL}/password/reset/`)).toBe(true);
    // PUBLIC_URL is a placeholder here; the server listens on a random port.
    return link.replace(env.rt.config.PUBLIC_URL, env.server.url);
  }
  const mailCount = (username: string) => smtp.mails.filter((x) => x.to.includes(`${username}@example.com`)).length;

  /** Set a password through the link's form, as the reset page's own tests do. */
  async function useLink(link: string, password: string): Promise<Answer> {
    const form = await fetch(link);
    expect(form.status).toBe(200);
    const cookie = (form.headers.get('set-cookie') ?? '').split(';')[0];
    const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())![1];
    return answer(
      await fetch(link, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams({ password, confirm: password, csrf }).toString(),
      }),
    );
  }

  test('the form: one field, one button, a CSRF cookie scoped to the page, the page headers', async () => {
    const { page, cookie } = await open(freshIp());
    expect(page.status).toBe(200);
    expect(page.headers).toMatchObject(PAGE_HEADERS);
    expect(page.headers['set-cookie']).toMatch(/^userops_csrf=[\w-]+; Path=\/password\/forgot; HttpOnly; SameSite=Strict/);
    expect(cookie).toMatch(/^userops_csrf=/);
    expect(page.text).toContain('<h1>Forgot your password?</h1>');
    expect(page.text.match(/<input /g)).toHaveLength(2); // the csrf field and the login field
    expect(page.text).toContain('<label for="login">Username or email</label>');
    expect(page.text.match(/<button /g)).toHaveLength(1);
  });

  test('the same answer, byte for byte and header for header, for active, disabled, locked, reset-pending and unknown', async () => {
    const answers: Record<string, Answer> = {};
    for (const who of ['act', 'dis', 'lck', 'rst', 'nobody', 'nobody@example.com', 'LCK@example.com']) answers[who] = await ask(who);
    const first = answers.act;
    expect(first.status).toBe(200);
    expect(first.text).toContain(ANSWER);
    expect(first.headers).toMatchObject(PAGE_HEADERS);
    expect(first.headers['set-cookie']).toBeUndefined();
    for (const [who, a] of Object.entries(answers)) expect([who, a]).toEqual([who, first]);
    // Behind the one answer: a link for each enabled account, nothing for the disabled or unknown one.
    expect(await mailsTo('act')).toBe(1);
    expect(await mailsTo('rst')).toBe(1);
    expect(await mailsTo('lck')).toBe(2); // by username and by email
    expect(await mailsTo('dis')).toBe(0);
    expect(await MailMessage.count({ where: { toAddress: 'nobody@example.com' } })).toBe(0);
    expect((await tokensOf('dis')).length).toBe(0);
    // Asking changes nothing about the accounts.
    const states = await User.findAll({ where: { username: ['act', 'lck', 'rst', 'dis'] }, order: [['username', 'ASC']] });
    expect(states.map((u) => [u.username, u.authStatus, u.enabled, u.failedLoginCount])).toEqual([
      ['act', 'active', true, 0],
      ['dis', 'active', false, 0],
      ['lck', 'locked', true, 10],
      ['rst', 'password_reset', true, 0],
    ]);
  });

  test('the current password keeps working until the link is used; the link works once; the new password logs in', async () => {
    const before = mailCount('keep');
    await ask('keep');
    const link = await linkFor('keep', before);
    const [token] = await tokensOf('keep');
    expect([token.purpose, token.usedAt, token.revokedAt]).toEqual(['self_service', null, null]);
    expect(token.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(link).not.toContain(token.tokenHash);
    expect((await login('keep', GOOD_PASSWORD)).status).toBe(200);
    expect((await User.findOne({ where: { username: 'keep' } }))!.authStatus).toBe('active');

    const done = await useLink(link, NEW_PASSWORD);
    expect([done.status, done.text]).toEqual([200, expect.stringContaining('You can sign in with it now')]);
    expect((await login('keep', GOOD_PASSWORD)).status).toBe(401);
    expect((await login('keep', NEW_PASSWORD)).status).toBe(200);
    const again = await fetch(link);
    expect([again.status, await again.text()]).toEqual([410, expect.stringContaining('already been used')]);
  });

  test('reset-pending and locked accounts are active again after the link (SELF_SERVICE_UNLOCK=true)', async () => {
    for (const username of ['rst', 'lck']) {
      const before = mailCount(username);
      await ask(username);
      const link = await linkFor(username, before);
      const done = await useLink(link, NEW_PASSWORD);
      expect(done.status).toBe(200);
      const u = (await User.findOne({ where: { username } }))!;
      expect([username, u.authStatus, u.failedLoginCount, u.lockedAt]).toEqual([username, 'active', 0, null]);
      expect((await login(username, NEW_PASSWORD)).status).toBe(200);
    }
  });

  test('a newer link revokes the older one; a link expires after RESET_TOKEN_TTL_HOURS', async () => {
    const before = mailCount('once');
    await ask('once');
    const older = await linkFor('once', before);
    await ask('once');
    const newer = await linkFor('once', before + 1);
    const gone = await fetch(older);
    expect([gone.status, await gone.text()]).toEqual([410, expect.stringContaining('replaced by a newer one')]);
    expect((await fetch(newer)).status).toBe(200);

    await ask('late');
    const late = await linkFor('late', 0);
    env.clock.now = new Date(env.clock.now.getTime() + 2 * 3600_000 + 1000);
    const expired = await fetch(late);
    expect([expired.status, await expired.text()]).toEqual([410, expect.stringContaining('expired')]);
  });

  test('per account: FORGOT_MAX_PER_ACCOUNT links an hour, counted in the database; beyond, the same page and nothing sent', async () => {
    const answers: Answer[] = [];
    for (let i = 0; i < 5; i++) answers.push(await ask('thr'));
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect((await tokensOf('thr')).length).toBe(3);
    expect(await mailsTo('thr')).toBe(3);
    const throttled = await AuditEvent.count({
      where: { action: 'forgot_password_requested', outcome: 'skipped', targetLabel: 'thr <thr@example.com>' },
    });
    expect(throttled).toBe(2);
    // An hour later the account may ask again.
    env.clock.now = new Date(env.clock.now.getTime() + 3600_000 + 1000);
    await ask('thr');
    expect((await tokensOf('thr')).length).toBe(4);
  });

  test('per client address: FORGOT_MAX_PER_IP requests an hour; beyond, the same page, nothing sent, no audit row', async () => {
    const ip = freshIp();
    const answers: Answer[] = [];
    for (const who of ['nobody1', 'nobody2', 'dis', 'nobody3']) answers.push(await ask(who, ip));
    const audits = await AuditEvent.count();
    answers.push(await ask('ipv', ip));
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect((await tokensOf('ipv')).length).toBe(0);
    expect(await AuditEvent.count()).toBe(audits);
    // Another address is not affected.
    await ask('ipv');
    expect((await tokensOf('ipv')).length).toBe(1);
  });

  test('audit lines: requested (with the result and address), mail queued, completed', async () => {
    const ip = freshIp();
    const before = mailCount('aud');
    await ask('aud', ip);
    await ask('nobody-at-all', ip);
    await ask('dis', ip);
    await useLink(await linkFor('aud', before), NEW_PASSWORD);
    const rows = await AuditEvent.findAll({ where: { actorLabel: ['forgot-password form', 'aud (reset link)'] }, order: [['id', 'ASC']] });
    const mine = rows
      .filter((r) => (r.details ?? '').includes(ip) || r.action === 'forgot_password_completed')
      .filter((r) => r.targetLabel === null || r.targetLabel.startsWith('aud ') || r.targetLabel.startsWith('dis '))
      .map((r) => [r.action, r.targetLabel, r.outcome, JSON.parse(r.details ?? '{}') as Record<string, unknown>]);
    expect(mine).toEqual([
      ['forgot_password_requested', 'aud <aud@example.com>', 'ok', { result: 'link_sent', ip }],
      ['forgot_password_mail_queued', 'aud <aud@example.com>', 'ok', { ip }],
      ['forgot_password_requested', null, 'skipped', { result: 'unknown', ip }],
      ['forgot_password_requested', 'dis <dis@example.com>', 'skipped', { result: 'disabled', ip }],
      ['forgot_password_completed', 'aud <aud@example.com>', 'ok', { authStatus: 'active' }],
    ]);
    // The typed login of an unknown account is not kept.
    expect(JSON.stringify(rows.map((r) => r.get()))).not.toContain('nobody-at-all');
  });

  test('CSRF: without the cookie, or with another value, the form again (403) and nothing sent; an empty field is 422', async () => {
    const before = await ResetToken.count();
    for (const a of [await ask('act', freshIp(), { cookie: null }), await ask('act', freshIp(), { csrf: 'made-up' })]) {
      expect(a.status).toBe(403);
      expect(a.headers).toMatchObject(PAGE_HEADERS);
      expect(a.text).toContain('This form expired or was opened elsewhere');
      expect(a.text).not.toContain(ANSWER);
    }
    const big = await ask('x'.repeat(9000));
    expect([big.status, big.text]).toEqual([413, expect.stringContaining('Nothing was sent; go back and ask again.')]);
    expect(big.headers).toMatchObject(PAGE_HEADERS);
    const empty = await ask('  ');
    expect([empty.status, empty.text]).toEqual([422, expect.stringContaining('Enter your username or email address.')]);
    expect(await ResetToken.count()).toBe(before);
  });

  test('other methods are 405 with Allow; the reset page links to the form', async () => {
    const put = await fetch(`${env.server.url}/password/forgot`, { method: 'PUT' });
    expect([put.status, put.headers.get('allow')]).toEqual([405, 'GET, HEAD, POST']);
    const unknown = await fetch(`${env.server.url}/password/reset/${'A'.repeat(43)}`);
    expect(await unknown.text()).toContain('<a href="/password/forgot">Forgot your password?</a>');
  });
});

describe('forgot password with SELF_SERVICE_UNLOCK=false', () => {
  let env: HttpTestEnv;
  let smtp: SmtpCapture;
  const { ask } = forgotClient(() => env);
  beforeAll(async () => {
    smtp = await startSmtpCapture();
    env = await httpTestEnv('sqlite', { TRUST_PROXY: '1', SMTP_URL: smtp.url, SELF_SERVICE_UNLOCK: 'false' });
    await makeUser({ username: 'lck', authStatus: 'locked', failedLoginCount: 10 });
    await makeUser({ username: 'act' });
  });
  afterAll(async () => {
    await env.close();
    await smtp.stop();
  });

  test('a locked account gets the same answer and a link; the password is set but the account stays locked, and the page says so', async () => {
    const [locked, active] = [await ask('lck'), await ask('act')];
    expect(locked).toEqual(active);
    const [mail] = await smtp.waitFor((m) => m.some((x) => x.to.includes('lck@example.com')), 10_000);
    const link = linksIn(smtp.mails.find((x) => x.to.includes('lck@example.com')) ?? mail)
      .find((l) => l.includes('/password/reset/'))!
      .replace(env.rt.config.PUBLIC_URL, env.server.url);
    const form = await fetch(link);
    const cookie = (form.headers.get('set-cookie') ?? '').split(';')[0];
    const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())![1];
    const done = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ password: NEW_PASSWORD, confirm: NEW_PASSWORD, csrf }).toString(),
    });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('the account is locked: contact your administrator to unlock it');
    const u = (await User.findOne({ where: { username: 'lck' } }))!;
    expect([u.authStatus, u.failedLoginCount]).toEqual(['locked', 10]);
    expect((await env.json('POST', '/api/v1/auth/login', { login: 'lck', password: NEW_PASSWORD })).status).toBe(401);
  });
});
