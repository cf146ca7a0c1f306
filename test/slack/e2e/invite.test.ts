import type { Browser } from 'playwright-core';
import { AuditEvent, Invitation, Membership, Organization, User } from '../../../src/store/models';
import { launchBrowser } from '../../support/browser';
import { DIALECTS } from '../../support/db';
import { GOOD_PASSWORD } from '../../support/fixtures';
import { linksIn, type CapturedMail } from '../../support/smtp';
import { worldState } from '../../support/state';
import { modalShowing, slackTestEnv, textOf, type SlackTestEnv } from '../../support/slack-env';

const ANA = 'U0ANA0001'; // administrator of acme
const HLP = 'U0HLP0001'; // helpdesk of acme
const NEW_PASSWORD = 'Granite-Harbor-Lantern-7';
const DAY = 86_400_000;

/** Issue 20 §3: invitations from Slack, the mail, the link in Chromium, resend and revoke. */
describe.each(DIALECTS)('invitations on %s: Slack form → email → invitation page (Chromium) → login', (dialect) => {
  let env: SlackTestEnv;
  let browser: Browser;
  beforeAll(async () => {
    env = await slackTestEnv(dialect, { smtp: true });
    browser = await launchBrowser();
    await env.person(ANA, { username: 'ana', orgs: { acme: ['administrator'] } });
    await env.person(HLP, { username: 'hlp', orgs: { acme: ['helpdesk'] } });
    // Exists, in another organization only: ana must not learn it.
    await env.person('U0ZED0001', { username: 'zed', orgs: { gamma: ['viewer'] } });
  });
  afterAll(async () => {
    await browser?.close();
    await env.close();
  });

  const login = (name: string, password: string) =>
    fetch(`${env.server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: name, password }),
    });

  /** Type `/users invite …`, fill the names, submit; the modal's final text and the mail sent. */
  async function invite(who: string, typed: string, to: string, names = { first: 'Nia', last: 'New' }) {
    const before = env.smtp!.mails.length;
    await env.driver.command(who, typed);
    const form = await modalShowing(env.standIn, who, 'Send invitation');
    const r = await env.driver.submitView(who, form, {
      invite_first_name: { value: { type: 'plain_text_input', value: names.first } },
      invite_last_name: { value: { type: 'plain_text_input', value: names.last } },
    });
    expect(r.status).toBe(200);
    const done = await modalShowing(env.standIn, who, 'Invitation sent to');
    const mails = await env.smtp!.waitFor((m) => m.slice(before).some((x) => x.to.includes(to)), 10_000);
    const mail = mails.slice(before).find((x) => x.to.includes(to)) as CapturedMail;
    return { text: JSON.stringify(done.view.blocks), mail, link: linksIn(mail).find((l) => l.includes('/password/reset/'))! };
  }

  test('a new person: created unable to log in, in the invited view; the link in Chromium sets a password; then login works', async () => {
    const { text, mail, link } = await invite(ANA, 'invite nia@example.com to acme as viewer', 'nia@example.com');
    expect(text).toContain('Invitation sent to nia@example.com for acme.');
    expect(mail.subject).toBe('You are invited to ACME');
    const nia = (await User.findOne({ where: { email: 'nia@example.com' } }))!;
    expect([nia.username, nia.firstName, nia.authStatus, nia.passwordHash]).toEqual(['nia', 'Nia', 'password_reset', null]);
    expect(textOf((await env.run(ANA, 'list invited')).reply)).toContain('*nia*');
    expect((await login('nia', NEW_PASSWORD)).status).toBe(401);

    const page = await browser.newPage();
    const res = await page.goto(link);
    expect(res!.status()).toBe(200);
    expect(res!.headers()['referrer-policy']).toBe('no-referrer');
    expect(await page.textContent('h1')).toBe('Accept your invitation');
    expect(await page.textContent('main')).toContain('ACME');
    await page.fill('#password', 'password1234');
    await page.fill('#confirm', 'password1234');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(await page.textContent('#password-error')).toContain('common passwords');
    await page.fill('#password', NEW_PASSWORD);
    await page.fill('#confirm', NEW_PASSWORD);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('Invitation accepted');
    // Single use.
    const again = await page.goto(link);
    expect(again!.status()).toBe(410);
    await page.close();

    expect((await login('nia', NEW_PASSWORD)).status).toBe(200);
    expect(textOf((await env.run(ANA, 'list invited')).reply)).not.toContain('*nia*');
    const actions = (await AuditEvent.findAll({ where: { targetUserId: nia.id }, order: [['id', 'ASC']] })).map((e) => e.action);
    expect(actions).toEqual(['invitation_created', 'invitation_accepted']);
  });

  test('an existing account elsewhere: the inviter reads the same words, learns nothing, and the membership comes on acceptance', async () => {
    const { text, link } = await invite(ANA, 'invite zed@example.com to acme as helpdesk', 'zed@example.com', { first: 'X', last: 'Y' });
    expect(text).toContain('Invitation sent to zed@example.com for acme.');
    const zed = (await User.findOne({ where: { username: 'zed' } }))!;
    const acme = (await Organization.findOne({ where: { slug: 'acme' } }))!;
    // Nothing of zed changed (not even the names typed), and ana still cannot see zed.
    expect([zed.firstName, await Membership.count({ where: { userId: zed.id, organizationId: acme.id } })]).toEqual(['Zed', 0]);
    expect(textOf((await env.run(ANA, 'show zed')).reply)).toContain('No user matches “zed” in your organizations.');
    expect(textOf((await env.run(ANA, 'list invited')).reply)).not.toContain('zed');
    // The audit row of the invitation names no target.
    const created = await AuditEvent.findOne({ where: { action: 'invitation_created' }, order: [['id', 'DESC']] });
    expect(created!.targetUserId).toBeNull();

    const page = await browser.newPage();
    await page.goto(link);
    expect(await page.locator('#password').count()).toBe(0);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('Invitation accepted');
    await page.close();
    const m = await Membership.findOne({ where: { userId: zed.id, organizationId: acme.id } });
    expect(m?.roles).toBe('helpdesk');
    // zed's own password was never touched.
    expect((await login('zed', GOOD_PASSWORD)).status).toBe(200);
    expect(textOf((await env.run(ANA, 'show zed')).reply)).toContain('zed@example.com');
  });

  test('resend replaces the link; revoke withdraws it and removes the account the invitation created', async () => {
    const first = await invite(ANA, 'invite omar@example.com to acme', 'omar@example.com');
    const before = env.smtp!.mails.length;
    const resent = await env.run(ANA, 'invite resend omar@example.com');
    expect(textOf(resent.reply)).toContain('Invitation sent again to omar@example.com for acme.');
    const [mail] = (await env.smtp!.waitFor((m) => m.length > before, 10_000)).slice(before);
    const second = linksIn(mail).find((l) => l.includes('/password/reset/'))!;
    expect(second).not.toBe(first.link);
    expect((await fetch(first.link)).status).toBe(410);
    expect((await fetch(second)).status).toBe(200);
    // Expiry: INVITE_TTL_DAYS (7) on the controllable clock.
    env.clock.now = new Date(env.clock.now.getTime() + 8 * DAY);
    expect((await fetch(second)).status).toBe(410);
    env.clock.now = new Date(env.clock.now.getTime() - 8 * DAY);

    const revoked = await env.run(ANA, 'invite revoke omar@example.com acme');
    expect(textOf(revoked.reply)).toContain('Invitation for omar@example.com revoked');
    expect(await User.findOne({ where: { email: 'omar@example.com' } })).toBeNull();
    expect((await fetch(second)).status).toBe(404);
    expect(await Invitation.count({ where: { revokedAt: null, acceptedAt: null } })).toBe(0);
    expect(textOf((await env.run(ANA, 'invite revoke omar@example.com')).reply)).toContain(
      'No open invitation for “omar@example.com” in your organizations.',
    );
  });

  test('refusals change nothing: not an administrator, a bad email, an organization not theirs', async () => {
    const world = await worldState();
    await env.driver.command(HLP, 'invite pat@example.com to acme');
    await modalShowing(env.standIn, HLP, 'Only an administrator of an organization can invite people to it');
    // An address longer than an email can be (found by the fuzzer): a readable refusal, not a Slack error.
    await env.driver.command(ANA, `invite ${'x'.repeat(300)}@example.com to acme`);
    await modalShowing(env.standIn, ANA, 'An email address has at most 254 characters; that one has 312.');
    await env.driver.command(ANA, 'invite not-an-email to acme');
    const form = await modalShowing(env.standIn, ANA, 'Send invitation');
    const bad = await env.driver.submitView(ANA, form, {});
    expect(JSON.stringify(bad.body)).toContain('is not an email address');
    expect(JSON.stringify(bad.body)).toContain('invite_email');
    // A crafted submission naming an organization ana does not administer.
    const crafted = await env.driver.submitView(ANA, form, {
      invite_email: { value: { type: 'plain_text_input', value: 'pat@example.com' } },
      invite_org: { value: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'gamma' }, value: 'gamma' } } },
    });
    expect(JSON.stringify(crafted.body)).toContain('You are not an administrator of “gamma”');
    expect(textOf((await env.run(HLP, 'invite resend nia@example.com')).reply)).toContain('No open invitation');
    expect(await worldState()).toEqual(world);
  });
});
