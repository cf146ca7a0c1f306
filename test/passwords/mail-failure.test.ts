import { MailMessage, User } from '../../src/store/models';
import { slackTestEnv, textOf, type SlackTestEnv } from '../support/slack-env';
import { until } from '../support/wait';

const ANA = 'U0ANA0001';

describe('a mail that keeps failing is marked and reported to the actor', () => {
  let env: SlackTestEnv;
  beforeAll(async () => {
    env = await slackTestEnv('sqlite', { smtp: true });
    await env.person(ANA, { username: 'ana', orgs: { acme: ['administrator'] } });
    await env.person('U0BOB0001', { username: 'bob', orgs: { acme: [] } });
  });
  afterAll(async () => env.close());

  test('a permanent refusal marks the mail failed and DMs the admin who reset; the reset itself stands', async () => {
    env.smtp!.refuse((rcpt) => (rcpt === 'bob@example.com' ? { code: 550, message: 'mailbox unavailable' } : null));
    const r = await env.run(ANA, 'reset-password bob');
    expect(textOf(r.reply)).toContain('reset link sent');
    await until(
      async () => (await MailMessage.count({ where: { toAddress: 'bob@example.com', status: 'failed' } })) === 1,
      'the mail to be marked failed',
    );
    expect((await MailMessage.findOne({ where: { toAddress: 'bob@example.com' } }))!.notifySlackUser).toBe(ANA);
    const dm = await env.standIn.waitForMessage({ channel: env.standIn.dmChannelFor(ANA), text: /could not be delivered/ }, 8000);
    expect(textOf(dm)).toContain('password reset link to bob@example.com could not be delivered');
    expect(textOf(dm)).not.toMatch(/password\/reset\/[A-Za-z0-9_-]{20,}/);
    expect((await User.findOne({ where: { username: 'bob' } }))!.authStatus).toBe('password_reset');
    // A failed reset-link row keeps no live token either.
    const row = await MailMessage.findOne({ where: { toAddress: 'bob@example.com' } });
    expect(row!.textBody).not.toMatch(/password\/reset\/[A-Za-z0-9_-]{20,}/);
  });
});
