import { pruneDeliveries, REQUEST_KEY_TTL_MS } from '../../../src/services/deliveries';
import { AuditEvent, SlackDelivery, User } from '../../../src/store/models';
import { startServer } from '../../../src/server/server';
import { SlackDriver } from '../../../src/standin';
import { DIALECTS } from '../../support/db';
import { SIGNING_SECRET, slackTestEnv, type SlackTestEnv } from '../../support/slack-env';
import { until } from '../../support/wait';

const ANA = 'U0ANA0001';

describe('Slack delivery: signatures, replays and retries', () => {
  let env: SlackTestEnv;
  beforeAll(async () => {
    env = await slackTestEnv('sqlite');
    await env.person(ANA, { username: 'ana', orgs: { acme: ['administrator'] } });
    await env.person('U0BOB0001', { username: 'bob', orgs: { acme: [] } });
    await env.person('U0CAR0001', { username: 'carol', orgs: { acme: [] } });
    for (const username of ['dan', 'erin', 'fay', 'gus', 'ivy', 'jon'])
      await env.person(`U0${username.toUpperCase()}0001`, { username, orgs: { acme: [] } });
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

  const enabled = async (username: string) => (await User.findOne({ where: { username } }))!.enabled;
  const disableAudits = async (username: string) => {
    const target = await User.findOne({ where: { username } });
    return AuditEvent.count({ where: { action: 'disable', targetUserId: target!.id } });
  };

  const logCount = (text: string) => env.logs.filter((l) => l.includes(text)).length;
  /** Wait until the app has said it dropped one more copy (the only sign a dropped request gives). */
  async function droppedOneMore(what: string, send: () => Promise<unknown>): Promise<void> {
    const before = logCount(what);
    await send();
    await until(() => logCount(what) > before, `the app to log "${what}"`, 5000);
  }
  const REPLAY = 'dropped a replayed Slack request';

  test('a replayed signed request (same timestamp, body and signature, no retry header) is acknowledged and runs once', async () => {
    const first = await env.driver.command(ANA, 'disable dan');
    await env.standIn.waitFor(() => env.standIn.latestIn(first.responseUrl), 5000, 'the first reply');
    expect(await enabled('dan')).toBe(false);
    // Re-enable by hand so a repeated disable would show as a change.
    await User.update({ enabled: true }, { where: { username: 'dan' } });
    let replay!: Awaited<ReturnType<typeof env.driver.replay>>;
    await droppedOneMore(REPLAY, async () => {
      replay = await env.driver.replay(first);
    });
    expect(replay.request.headers).toEqual(first.request.headers);
    expect(replay.status).toBe(200);
    expect(replay.text).toBe('');
    expect(await enabled('dan')).toBe(true);
    expect(await disableAudits('dan')).toBe(1);
    // One reply to the response_url: the replay said nothing either.
    expect(env.standIn.messages.filter((m) => m.responseUrl === first.responseUrl && m.source === 'response_url')).toHaveLength(1);
  });

  test('two copies of one signed request arriving together: exactly one runs', async () => {
    const body = commandBody('disable erin');
    const headers = { ...env.driver.sign(body), 'content-type': 'application/x-www-form-urlencoded' };
    let answers: Array<{ status: number }> = [];
    await droppedOneMore(REPLAY, async () => {
      answers = await Promise.all([env.driver.send(body, headers), env.driver.send(body, headers)]);
    });
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    await until(async () => (await disableAudits('erin')) > 0, 'the disable', 5000);
    expect(await disableAudits('erin')).toBe(1);
  });

  test('a replayed button click does not act twice', async () => {
    const card = await env.run(ANA, 'show fay');
    const first = await env.driver.clickButton(ANA, card.reply, 'Disable');
    await env.standIn.waitFor(() => (card.reply.versions.length > 1 ? true : undefined), 5000, 'card rewrite');
    await User.update({ enabled: true }, { where: { username: 'fay' } });
    await droppedOneMore(REPLAY, async () => expect((await env.driver.replay(first)).status).toBe(200));
    expect(await enabled('fay')).toBe(true);
    expect(card.reply.versions).toHaveLength(2);
  });

  test('a signed request timestamped more than 5 minutes ahead is acknowledged and runs nothing', async () => {
    const body = commandBody('disable gus');
    const ahead = Math.floor(Date.now() / 1000) + 6 * 60;
    await droppedOneMore('timestamped more than 5 minutes ahead', async () => {
      const r = await env.driver.send(body, { ...env.driver.sign(body, ahead), 'content-type': 'application/x-www-form-urlencoded' });
      expect(r.status).toBe(200);
    });
    expect(await enabled('gus')).toBe(true);
  });

  test('a retry signed a second later (so not a byte-identical copy) is still recognised by its trigger id', async () => {
    const first = await env.driver.command(ANA, 'disable ivy');
    await env.standIn.waitFor(() => env.standIn.latestIn(first.responseUrl), 5000, 'the first reply');
    await User.update({ enabled: true }, { where: { username: 'ivy' } });
    const later = Math.floor(Date.now() / 1000) + 1;
    const headers = {
      ...env.driver.sign(first.request.body, later),
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-retry-num': '1',
      'x-slack-retry-reason': 'http_timeout',
    };
    expect(headers['x-slack-signature']).not.toBe(first.request.headers!['x-slack-signature']);
    await droppedOneMore('dropped a retried Slack delivery', async () =>
      expect((await env.driver.send(first.request.body, headers)).status).toBe(200),
    );
    expect(await enabled('ivy')).toBe(true);
    expect(await disableAudits('ivy')).toBe(1);
  });

  test('a replayed view submission (it does its work before it answers) changes nothing twice', async () => {
    await env.driver.command(ANA, 'change-password jon');
    const form = await env.standIn.waitFor(
      () => {
        const v = env.standIn.openModal(ANA);
        return v && JSON.stringify(v.view).includes('Set a new password for *jon*') ? v : undefined;
      },
      5000,
      'the change-password form',
    );
    const block = (form.view.blocks as Array<{ block_id?: string; type: string }>).find(
      (b) => b.type === 'input' && b.block_id?.startsWith('password:'),
    )!.block_id!;
    const submitted = await env.driver.submitView(ANA, form, {
      [block]: { value: { type: 'plain_text_input', value: 'a much better passphrase 42' } },
    });
    expect(submitted.status).toBe(200);
    const jon = await User.findOne({ where: { username: 'jon' } });
    await until(async () => (await AuditEvent.count({ where: { action: 'change_password', targetUserId: jon!.id } })) === 1, 'the change');
    await droppedOneMore(REPLAY, async () => {
      const replay = await env.driver.replay(submitted);
      expect(replay.status).toBe(200);
      expect(replay.text).toBe('');
    });
    expect(await AuditEvent.count({ where: { action: 'change_password', targetUserId: jon!.id } })).toBe(1);
  });

  test('replay keys are forgotten once no copy can be accepted any more; delivery keys after a day', async () => {
    const at = (ms: number) => new Date(env.clock.now.getTime() - ms);
    await SlackDelivery.bulkCreate([
      { key: 'sig:old', createdAt: at(REQUEST_KEY_TTL_MS + 1000) },
      { key: 'sig:young', createdAt: at(REQUEST_KEY_TTL_MS - 60_000) },
      { key: 'command:oldish', createdAt: at(REQUEST_KEY_TTL_MS + 1000) },
      { key: 'command:ancient', createdAt: at(86_400_000 + 1000) },
    ]);
    await pruneDeliveries(env.rt);
    const left = (await SlackDelivery.findAll({ where: { key: ['sig:old', 'sig:young', 'command:oldish', 'command:ancient'] } })).map(
      (d) => d.key,
    );
    expect(left.sort()).toEqual(['command:oldish', 'sig:young']);
  });
});

describe.each(DIALECTS)('a replay sent to another server on the same %s database', (dialect) => {
  test('runs nothing: the claim is in the shared table, not in a process', async () => {
    const env = await slackTestEnv(dialect);
    const other = await startServer(env.rt, { port: 0, host: '127.0.0.1', workers: false });
    try {
      await env.person(ANA, { username: 'ana', orgs: { acme: ['administrator'] } });
      const hal = await env.person('U0HAL0001', { username: 'hal', orgs: { acme: [] } });
      const first = await env.driver.command(ANA, 'disable hal');
      await env.standIn.waitFor(() => env.standIn.latestIn(first.responseUrl), 5000, 'the first reply');
      await User.update({ enabled: true }, { where: { id: hal.id } });
      const otherDriver = new SlackDriver({ eventsUrl: `${other.url}/slack/events`, signingSecret: SIGNING_SECRET, standIn: env.standIn });
      const dropped = () => env.logs.filter((l) => l.includes('dropped a replayed Slack request')).length;
      const before = dropped();
      expect((await otherDriver.replay(first)).status).toBe(200);
      await until(() => dropped() > before, 'the other server to drop the replay', 5000);
      expect((await User.findByPk(hal.id))!.enabled).toBe(true);
      expect(await AuditEvent.count({ where: { action: 'disable', targetUserId: hal.id } })).toBe(1);
    } finally {
      await other.stop();
      await env.close();
    }
  });
});
