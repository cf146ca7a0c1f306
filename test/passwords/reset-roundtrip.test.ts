import type { Browser } from 'playwright-core';
import { ResetToken, User } from '../../src/store/models';
import { launchBrowser } from '../support/browser';
import { GOOD_PASSWORD } from '../support/fixtures';
import { linksIn } from '../support/smtp';
import { slackTestEnv, textOf, type SlackTestEnv } from '../support/slack-env';

const ANA = 'U0ANA0001';
const NEW_PASSWORD = 'Granite-Harbor-Lantern-7';

describe('password reset round trip: Slack → email → reset page (Chromium) → login API', () => {
  let env: SlackTestEnv;
  let browser: Browser;
  beforeAll(async () => {
    env = await slackTestEnv('sqlite', { smtp: true, env: { RESET_TOKEN_TTL_HOURS: '2' } });
    browser = await launchBrowser();
    await env.person(ANA, { username: 'ana', orgs: { acme: ['administrator'] } });
    await env.person('U0BOB0001', { username: 'bob', firstName: 'Bob', orgs: { acme: [] } });
    await env.person('U0CAR0001', { username: 'carol', orgs: { acme: [] } });
  });
  afterAll(async () => {
    await browser?.close();
    await env.close();
  });

  async function resetAndGetLink(username: string): Promise<string> {
    const before = env.smtp!.mails.length;
    const r = await env.run(ANA, `reset-password ${username}`);
    expect(textOf(r.reply)).toContain(`reset link sent to ${username}@example.com`);
    const [mail] = (await env.smtp!.waitFor((m) => m.length > before, 10_000)).slice(before);
    expect(mail.to).toEqual([`${username}@example.com`]);
    expect(mail.subject).toBe('Set a new password for your account');
    const link = linksIn(mail).find((l) => l.includes('/password/reset/'));
    expect(link).toBeDefined();
    return link!;
  }

  const login = (loginName: string, password: string) =>
    fetch(`${env.server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: loginName, password }),
    });

  test('weak password shown next to the field and nothing changes; a good one completes the reset; then login works', async () => {
    const link = await resetAndGetLink('bob');
    expect(link.startsWith(`${env.rt.config.PUBLIC_URL}/password/reset/`)).toBe(true);
    expect(env.rt.config.PUBLIC_URL).toBe(env.server.url);
    // Until the reset is completed the old password no longer lets bob in.
    expect((await login('bob', GOOD_PASSWORD)).status).toBe(401); // the same answer as a wrong password

    const page = await browser.newPage();
    const res = await page.goto(link);
    expect(res!.status()).toBe(200);
    expect(res!.headers()['referrer-policy']).toBe('no-referrer');
    expect(res!.headers()['content-security-policy']).toContain("default-src 'none'");
    expect(await page.textContent('h1')).toBe('Choose a new password');
    // Accessible form: labelled fields.
    expect(await page.getAttribute('label[for=password]', 'for')).toBe('password');

    await page.fill('#password', 'password1234');
    await page.fill('#confirm', 'password1234');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(await page.textContent('#password-error')).toContain('common passwords');
    expect(await page.getAttribute('#password', 'aria-invalid')).toBe('true');
    const still = await User.findOne({ where: { username: 'bob' } });
    expect(still!.authStatus).toBe('password_reset');
    expect(await ResetToken.count({ where: { userId: still!.id, usedAt: null, revokedAt: null } })).toBe(1);

    await page.fill('#password', NEW_PASSWORD);
    await page.fill('#confirm', 'something-else-entirely');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(await page.textContent('#confirm-error')).toContain('not the same');

    await page.fill('#password', NEW_PASSWORD);
    await page.fill('#confirm', NEW_PASSWORD);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('Password changed');
    await page.close();

    expect((await login('bob', GOOD_PASSWORD)).status).toBe(401);
    const ok = await login('bob', NEW_PASSWORD);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { user: { username: string } }).user.username).toBe('bob');
    // bob is a member of the workspace: the notice is a DM (users.lookupByEmail), never with the password, and no second email.
    const dm = await env.standIn.waitForMessage({ channel: 'D0BOB0001', text: /Your password was changed/ }, 10_000);
    expect(textOf(dm)).toContain('using a reset link');
    expect(JSON.stringify(env.standIn.messages)).not.toContain(NEW_PASSWORD);
    expect(env.smtp!.mails.filter((m) => m.subject === 'Your password was changed')).toEqual([]);

    // The link is single-use.
    const again = await fetch(link);
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('already been used');
  });

  test('an expired link gets a clear 410 page; an unknown one 404; a forged form post without the CSRF cookie changes nothing', async () => {
    const link = await resetAndGetLink('carol');
    const form = await fetch(link);
    expect(form.status).toBe(200);
    // Post without the cookie: refused, nothing changes.
    const forged = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ password: NEW_PASSWORD, confirm: NEW_PASSWORD, csrf: 'made-up' }).toString(),
    });
    expect(forged.status).toBe(403);
    expect((await User.findOne({ where: { username: 'carol' } }))!.authStatus).toBe('password_reset');

    env.clock.now = new Date(env.clock.now.getTime() + 3 * 3600_000);
    const expired = await fetch(link);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('expired');
    const unknown = await fetch(`${env.server.url}/password/reset/${'A'.repeat(43)}`);
    expect(unknown.status).toBe(404);
    const junk = await fetch(`${env.server.url}/password/reset/%00%3Cscript%3E`);
    expect(junk.status).toBe(404);
    expect(await junk.text()).not.toContain('<script>');
  });
});
