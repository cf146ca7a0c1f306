import type { RecordedCall, StandInMessage } from '../../../src/standin';
import { openBulkResetForm, slackTestEnv, textOf, type SlackTestEnv } from '../../support/slack-env';

/**
 * Answers that must arrive although Slack misbehaves (src/slack/delivery.ts): response_url posts
 * retried on 429 (Retry-After) and 5xx, then a DM; job progress through chat.update retried; a job
 * result Slack takes nowhere goes out by email. Through the real server, signed requests, the
 * stand-in's fault injection and a real SMTP listener.
 */

const ANA = 'U0ANA0001'; // administrator of acme
const SEC = 'U0SEC0001'; // security of acme: bulk reset

describe('Slack reply delivery', () => {
  let env: SlackTestEnv;

  beforeAll(async () => {
    env = await slackTestEnv('sqlite', { smtp: true });
    await env.person(ANA, { username: 'ana', orgs: { acme: ['administrator'] } });
    await env.person(SEC, { username: 'sec', email: 'sec@acme.example', orgs: { acme: ['security'] } });
    await env.person('U0BOB0001', { username: 'bob', firstName: 'Bob', lastName: 'Builder', orgs: { acme: [] } });
    await env.person('U0LOU0001', { username: 'lou', authStatus: 'locked', failedLoginCount: 5, orgs: { acme: [] } });
    for (let i = 0; i < 3; i++) await env.person(`U0USR${String(i).padStart(4, '0')}`, { username: `user${i}`, orgs: { acme: [] } });
  });
  afterEach(() => env.standIn.clearFailures());
  afterAll(async () => env.close());

  const callsSince = (method: string, from: number): RecordedCall[] => env.standIn.calls.slice(from).filter((c) => c.method === method);
  const text = (v: string) => ({ value: { type: 'plain_text_input', value: v } });

  test('/users show: the response_url answers 429 (Retry-After: 1) once; the card arrives after the wait', async () => {
    const from = env.standIn.calls.length;
    env.standIn.fail('response_url', { status: 429, retryAfterSec: 1, times: 1 });
    const { reply } = await env.run(ANA, 'show bob');
    expect(textOf(reply)).toContain('Bob Builder');
    const posts = callsSince('response_url', from);
    expect(posts.map((c) => c.status)).toEqual([429, 200]);
    expect(posts[1].at - posts[0].at).toBeGreaterThanOrEqual(950);
  });

  test('/users show: the response_url answers 500 twice; the card arrives on the third attempt', async () => {
    const from = env.standIn.calls.length;
    env.standIn.fail('response_url', { status: 500, times: 2 });
    const { reply } = await env.run(ANA, 'show bob');
    expect(textOf(reply)).toContain('Bob Builder');
    expect(callsSince('response_url', from).map((c) => c.status)).toEqual([500, 500, 200]);
  });

  test('/users show: the response_url always answers 500; the card arrives by DM and the failure is logged with an id, not the URL', async () => {
    const from = env.standIn.calls.length;
    const logsFrom = env.logs.length;
    const dm = env.standIn.dmChannelFor(ANA);
    const dmBefore = env.standIn.findMessages({ channel: dm }).length;
    env.standIn.fail('response_url', { status: 500, times: Infinity });
    const res = await env.driver.command(ANA, 'show bob');
    expect(res.status).toBe(200);
    const card = await env.standIn.waitFor(
      () =>
        env.standIn
          .findMessages({ channel: dm })
          .slice(dmBefore)
          .find((m) => textOf(m).includes('Bob Builder')),
      10_000,
      'the card in the DM',
    );
    expect(card.source).toBe('chat.postMessage');
    // Four attempts: within the five posts Slack allows one response_url.
    expect(callsSince('response_url', from).map((c) => c.status)).toEqual([500, 500, 500, 500]);
    const logged = env.logs.slice(logsFrom).join('\n');
    expect(logged).toMatch(/"msg":"Slack reply not delivered through its response_url".*"correlationId":"[0-9a-f]{10}"/);
    expect(logged).toContain('"reason":"HTTP 500"');
    expect(logged).not.toContain(res.responseUrl);
  });

  test("a card button's rewrite through response_url answers 429 once: the card is rewritten after the wait", async () => {
    const { reply } = await env.run(ANA, 'show lou');
    const versions = reply.versions.length;
    const from = env.standIn.calls.length;
    env.standIn.fail('response_url', { status: 429, retryAfterSec: 1, times: 1 });
    await env.driver.clickButton(ANA, reply, 'Activate');
    const card: StandInMessage = await env.standIn.waitFor(
      () => (reply.versions.length > versions && textOf(reply).includes('Activated by') ? reply : undefined),
      10_000,
      'the card to be rewritten',
    );
    expect(textOf(card)).toContain(`Activated by <@${ANA}>`);
    expect(callsSince('response_url', from).map((c) => c.status)).toEqual([429, 200]);
  });

  async function startBulkReset(users: string): Promise<void> {
    const form = await openBulkResetForm(env.driver, env.standIn, SEC);
    await env.driver.submitView(SEC, form, { pasted: text(users), reason: text('delivery drill') });
    const preview = await env.standIn.waitFor(
      () => (JSON.stringify(env.standIn.views.get(form.id)!.view).includes('will have to choose a new password') ? form : undefined),
      10_000,
      'the preview',
    );
    await env.driver.submitView(SEC, preview, {});
  }

  test('job progress: chat.update answers 429 (Retry-After: 1) once; the final report replaces the progress message', async () => {
    const from = env.standIn.calls.length;
    env.standIn.fail('chat.update', { status: 429, retryAfterSec: 1, times: 1 });
    await startBulkReset('user0');
    const final = await env.standIn.waitForMessage(
      { channel: env.standIn.dmChannelFor(SEC), text: /Bulk password reset #\d+ finished/ },
      15_000,
    );
    expect(final.source).toBe('chat.postMessage'); // the progress message, updated in place
    const updates = callsSince('chat.update', from);
    expect(updates[0].status).toBe(429);
    expect(updates.slice(1).every((c) => c.status === 200)).toBe(true);
    expect(updates.length).toBeGreaterThanOrEqual(2);
  });

  test('a job result Slack takes nowhere (every chat.postMessage answers 500) arrives by email', async () => {
    const mailsBefore = env.smtp!.mails.length;
    const logsFrom = env.logs.length;
    env.standIn.fail('chat.postMessage', { status: 500, times: Infinity });
    await startBulkReset('user1');
    const [mail] = await env
      .smtp!.waitFor(
        (mails) =>
          mails.slice(mailsBefore).some((m) => m.to.includes('sec@acme.example') && /Bulk password reset #\d+ finished/.test(m.subject)),
        20_000,
      )
      .then((mails) => mails.slice(mailsBefore).filter((m) => m.to.includes('sec@acme.example')));
    expect(mail.text).toContain('Slack did not accept the final report');
    expect(mail.text).toContain('1 reset, 0 skipped, 0 refused (of 1)');
    expect(env.logs.slice(logsFrom).join('\n')).toMatch(
      /job result could not reach Slack; emailed to the requester instead.*"correlationId":"[0-9a-f]{10}"/,
    );
  });
});
