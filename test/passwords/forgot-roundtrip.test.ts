import type { Browser } from 'playwright-core';
import { User } from '../../src/store/models';
import { launchBrowser } from '../support/browser';
import { GOOD_PASSWORD, makeUser } from '../support/fixtures';
import { linksIn } from '../support/smtp';
import { slackTestEnv, type SlackTestEnv } from '../support/slack-env';

const NEW_PASSWORD = 'Granite-Harbor-Lantern-7';

describe('forgot password round trip: reset page link → /password/forgot (Chromium) → email → new password → login API', () => {
  let env: SlackTestEnv;
  let browser: Browser;
  beforeAll(async () => {
    env = await slackTestEnv('sqlite', { smtp: true });
    browser = await launchBrowser();
    await makeUser({ username: 'dana', firstName: 'Dana', authStatus: 'locked', failedLoginCount: 10 });
  });
  afterAll(async () => {
    await browser?.close();
    await env.close();
  });

  const login = (loginName: string, password: string) =>
    fetch(`${env.server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: loginName, password }),
    });

  test('a locked person asks for a link from the browser, sets a password from the mail, and logs in', async () => {
    const page = await browser.newPage();
    // From a dead reset link to the form, as a person would get there.
    await page.goto(`${env.server.url}/password/reset/${'A'.repeat(43)}`);
    await Promise.all([page.waitForNavigation(), page.click('a[href="/password/forgot"]')]);
    expect(page.url()).toBe(`${env.server.url}/password/forgot`);
    expect(await page.textContent('h1')).toBe('Forgot your password?');
    expect(await page.getAttribute('label[for=login]', 'for')).toBe('login');

    await page.fill('#login', 'dana@example.com');
    const [res] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(res!.status()).toBe(200);
    expect(res!.headers()['referrer-policy']).toBe('no-referrer');
    expect(res!.headers()['cache-control']).toBe('no-store');
    expect(res!.headers()['x-frame-options']).toBe('DENY');
    expect(res!.headers()['content-security-policy']).toContain("default-src 'none'");
    expect(await page.textContent('[role=status]')).toContain('If an account matches, we have sent a link.');
    // Asking changed nothing.
    expect((await User.findOne({ where: { username: 'dana' } }))!.authStatus).toBe('locked');

    const [mail] = await env.smtp!.waitFor((m) => m.some((x) => x.to.includes('dana@example.com')), 10_000);
    expect(mail.subject).toBe('Your link to choose a new password');
    const link = linksIn(mail).find((l) => l.startsWith(`${env.server.url}/password/reset/`))!;
    expect(link).toBeDefined();

    await page.goto(link);
    expect(await page.textContent('h1')).toBe('Choose a new password');
    await page.fill('#password', NEW_PASSWORD);
    await page.fill('#confirm', NEW_PASSWORD);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('Password changed');
    expect(await page.textContent('[role=status]')).toContain('You can sign in with it now');
    await page.close();

    expect((await login('dana', GOOD_PASSWORD)).status).toBe(401);
    const ok = await login('dana', NEW_PASSWORD);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { user: { username: string } }).user.username).toBe('dana');
  });

  test('a form posted from another origin changes nothing, even after the person opened the real form', async () => {
    const context = await browser.newContext();
    const own = await context.newPage();
    await own.goto(`${env.server.url}/password/forgot`);
    const csrf = await own.getAttribute('input[name=csrf]', 'value');
    expect((await context.cookies()).map((c) => [c.name, c.sameSite])).toEqual([['userops_csrf', 'Strict']]);
    // A page that is not ours posts the form cross-site (even with the right field): the Strict cookie stays behind.
    const foreign = await context.newPage();
    await foreign.setContent(
      `<form id="f" method="post" action="${env.server.url}/password/forgot"><input name="login" value="dana"><input name="csrf" value="${csrf}"><button id="go">Go</button></form>`,
    );
    const before = env.smtp!.mails.length;
    const [res] = await Promise.all([foreign.waitForNavigation(), foreign.click('#go')]);
    expect(res!.status()).toBe(403);
    expect(await foreign.textContent('[role=alert]')).toContain('This form expired or was opened elsewhere');
    await new Promise((r) => setTimeout(r, 300));
    expect(env.smtp!.mails.length).toBe(before);
    await context.close();
  });
});
