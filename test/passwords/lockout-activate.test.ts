import { LockoutEvent, User } from '../../src/store/models';
import { GOOD_PASSWORD } from '../support/fixtures';
import { slackTestEnv, textOf, type SlackTestEnv } from '../support/slack-env';

const HLP = 'U0HLP0001';

describe('lockout through the login API, unlock from Slack', () => {
  let env: SlackTestEnv;
  beforeAll(async () => {
    env = await slackTestEnv('sqlite', { smtp: true, env: { LOCKOUT_THRESHOLD: '3' } });
    await env.person(HLP, { username: 'hlp', orgs: { acme: ['helpdesk'] } });
    await env.person('U0BOB0001', { username: 'bob', orgs: { acme: [] } });
  });
  afterAll(async () => env.close());

  const login = (password: string) =>
    fetch(`${env.server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'bob', password }),
    });

  test('three failures lock bob (lockout mail, lockout event); helpdesk unlocks him from the card; he logs in', async () => {
    for (let i = 0; i < 3; i++) expect((await login('not-his-password')).status).toBe(401);
    // The right password for a locked account gets the generic 401; bob is mailed why instead.
    expect((await login(GOOD_PASSWORD)).status).toBe(401);
    const bob = await User.findOne({ where: { username: 'bob' } });
    expect(bob!.authStatus).toBe('locked');
    expect(await LockoutEvent.count({ where: { userId: bob!.id } })).toBe(1);
    // bob is a workspace member: the lockout notice is a DM (when, from where, the forgot-password link), not an email.
    const dm = await env.standIn.waitForMessage({ channel: 'D0BOB0001', text: /Your account was locked/ }, 10_000);
    expect(dm.text).toContain('after 3 failed sign-in attempts from the address 127.0.0.1');
    expect(dm.text).toContain(`Was this you? If not, reset your password: <${env.rt.config.PUBLIC_URL}/password/forgot|`);
    // The cannot-sign-in notice stays an email (the login API knows no Slack identity for it).
    const notice = await env.smtp!.waitFor((m) => m.some((x) => x.subject === 'Your account cannot sign in right now'), 10_000);
    expect(notice.find((x) => x.subject === 'Your account cannot sign in right now')!.text).toContain('activate (unlock) it');
    expect(notice.filter((x) => x.subject === 'Your account was locked')).toEqual([]);

    const list = await env.run(HLP, 'list locked');
    expect(textOf(list.reply)).toContain('*bob*');
    await env.driver.chooseOverflow(HLP, list.reply, 'Show card');
    const card = await env.standIn.waitForMessage({ visibleTo: HLP, text: /bob \(bob@example.com\): enabled, locked/ }, 5000);
    await env.driver.clickButton(HLP, card, 'Activate');
    await env.standIn.waitFor(() => (textOf(card).includes('Activated by') ? card : undefined), 5000, 'the card to show the unlock');
    expect((await User.findOne({ where: { username: 'bob' } }))!.authStatus).toBe('active');
    expect((await login(GOOD_PASSWORD)).status).toBe(200);
  });
});
