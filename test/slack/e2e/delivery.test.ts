import { AuditEvent, User } from '../../../src/store/models';
import { slackTestEnv, type SlackTestEnv } from '../../support/slack-env';

const ANA = 'U0ANA0001';

describe('Slack delivery: signatures, replays and retries', () => {
  let env: SlackTestEnv;
  beforeAll(async () => {
    env = await slackTestEnv('sqlite');
    await env.person(ANA, { username: 'ana', orgs: { acme: ['administrator'] } });
    await env.person('U0BOB0001', { username: 'bob', orgs: { acme: [] } });
    await env.person('U0CAR0001', { username: 'carol', orgs: { acme: [] } });
  });
  afterAll(async () => env.close());

  function commandBody(text: string, triggerId = env.standIn.newTriggerId()): string {
    const responseUrl = env.standIn.newResponseUrl({ channelId: 'C0GENERAL', userId: ANA });
    return new URLSearchParams({
      token: 'x',
      team_id: env.standIn.teamId,
      team_domain: 'test',
      channel_id: 'C0GENERAL',
      channel_name: 'general',
      user_id: ANA,
      user_name: 'ana',
      command: '/users',
      text,
      api_app_id: env.standIn.appId,
      response_url: responseUrl,
      trigger_id: triggerId,
    }).toString();
  }

  test('a bad signature is refused with 401 and runs nothing', async () => {
    const body = commandBody('disable bob');
    const headers = { ...env.driver.sign(body), 'content-type': 'application/x-www-form-urlencoded' };
    headers['x-slack-signature'] = headers['x-slack-signature'].replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    const r = await env.driver.send(body, headers);
    expect(r.status).toBe(401);
    expect((await User.findOne({ where: { username: 'bob' } }))!.enabled).toBe(true);
  });

  test('a stale timestamp (older than 5 minutes) is refused with 401, even correctly signed', async () => {
    const body = commandBody('disable bob');
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    const r = await env.driver.send(body, { ...env.driver.sign(body, stale), 'content-type': 'application/x-www-form-urlencoded' });
    expect(r.status).toBe(401);
    expect((await User.findOne({ where: { username: 'bob' } }))!.enabled).toBe(true);
  });

  test('a retried delivery (X-Slack-Retry-Num) does not repeat the mutation', async () => {
    const audits = () => AuditEvent.count({ where: { action: 'disable' } });
    const before = await audits();
    const first = await env.driver.command(ANA, 'disable bob');
    await env.standIn.waitFor(() => env.standIn.latestIn(first.responseUrl), 5000, 'the first reply');
    expect((await User.findOne({ where: { username: 'bob' } }))!.enabled).toBe(false);
    // Re-enable by hand so a repeated disable would show as a change.
    await User.update({ enabled: true }, { where: { username: 'bob' } });
    const retry = await env.driver.redeliver(first, 1, 'http_timeout');
    expect(retry.status).toBe(200);
    // The retry is dropped: give the app the chance to misbehave, then check nothing happened.
    const probe = await env.driver.command(ANA, 'help');
    await env.standIn.waitFor(() => env.standIn.latestIn(probe.responseUrl), 5000, 'a later reply');
    expect((await User.findOne({ where: { username: 'bob' } }))!.enabled).toBe(true);
    expect(await audits()).toBe(before + 1);
  });

  test('a retry of a delivery that never arrived is processed', async () => {
    const r = await env.driver.command(ANA, 'disable carol', { retryNum: 1, retryReason: 'http_error' });
    expect(r.status).toBe(200);
    await env.standIn.waitFor(() => env.standIn.latestIn(r.responseUrl), 5000, 'the reply');
    expect((await User.findOne({ where: { username: 'carol' } }))!.enabled).toBe(false);
  });

  test('a retried button click does not act twice', async () => {
    await User.update({ enabled: true }, { where: { username: 'carol' } });
    const card = await env.run(ANA, 'show carol');
    const first = await env.driver.clickButton(ANA, card.reply, 'Disable');
    await env.standIn.waitFor(() => (card.reply.versions.length > 1 ? true : undefined), 5000, 'card rewrite');
    await User.update({ enabled: true }, { where: { username: 'carol' } });
    const retry = await env.driver.redeliver(first, 2);
    expect(retry.status).toBe(200);
    const probe = await env.driver.command(ANA, 'help');
    await env.standIn.waitFor(() => env.standIn.latestIn(probe.responseUrl), 5000, 'a later reply');
    expect((await User.findOne({ where: { username: 'carol' } }))!.enabled).toBe(true);
  });
});
