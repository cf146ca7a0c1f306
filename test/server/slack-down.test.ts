import { startServer, type ServerHandle } from '../../src/server/server';
import { generateApiKey } from '../../src/services/api-keys';
import { resetPasswords } from '../../src/services/passwords';
import { SlackDriver, SlackStandIn } from '../../src/standin';
import { MailMessage, type User } from '../../src/store/models';
import { actorFor, GOOD_PASSWORD, makeUser, testEnv, type TestEnv } from '../support/fixtures';
import { freePort, SIGNING_SECRET, textOf } from '../support/slack-env';
import { until } from '../support/wait';

/**
 * Slack's Web API cannot be reached when the server starts (SLACK_API_URL points at a port nobody
 * listens on): the server starts anyway, /healthz says Slack is degraded, the login API, the REST
 * API and the reset page work, and once Slack answers (a stand-in starts on that port) /healthz is
 * 200 again and Slack requests are served.
 */
describe('Slack unreachable at start', () => {
  let env: TestEnv & { clock: { now: Date } };
  let server: ServerHandle;
  let apiPort: number;
  let ana: User;
  const standIn = new SlackStandIn();
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onRejection);
    apiPort = await freePort();
    env = await testEnv('sqlite', {
      SLACK_BOT_TOKEN: standIn.botToken,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: `http://127.0.0.1:${apiPort}/api/`,
    });
    ana = await makeUser({ username: 'ana', orgs: { acme: ['administrator'] } });
    await makeUser({ username: 'bob', orgs: { acme: [] } });
    // No workers: the reset mail stays in the outbox table, where the test reads its link.
    server = await startServer(env.rt, {
      port: 0,
      host: '127.0.0.1',
      workers: false,
      slackConnection: { minDelayMs: 20, maxDelayMs: 100 },
    });
  });
  afterAll(async () => {
    await server?.stop();
    await env?.close();
    await standIn.stop();
    process.off('unhandledRejection', onRejection);
  });

  const health = async () => {
    const res = await fetch(`${server.url}/healthz`);
    return {
      status: res.status,
      body: (await res.json()) as { status: string; db: { status: string }; slack?: { status: string; reason?: string } },
    };
  };

  test('the server started; /healthz is 503 with the reason, and names neither the address nor the token', async () => {
    const h = await health();
    expect(h.status).toBe(503);
    expect(h.body).toEqual({
      status: 'degraded',
      db: expect.objectContaining({ status: 'ok' }),
      slack: { status: 'unreachable', reason: expect.stringContaining('cannot be reached') },
    });
    expect(h.body.slack!.reason).not.toContain(String(apiPort));
    expect(JSON.stringify(h.body)).not.toContain(standIn.botToken);
  });

  const login = (name: string, password: string) =>
    fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: name, password }),
    });

  test('meanwhile the login API works', async () => {
    expect((await login('ana', GOOD_PASSWORD)).status).toBe(200);
  });

  test('meanwhile the REST API works', async () => {
    const issued = await generateApiKey(env.rt, actorFor(ana), { ref: 'ana', organization: 'acme' });
    if (!issued.ok || issued.step !== 'issued') throw new Error(`no key: ${JSON.stringify(issued)}`);
    const res = await fetch(`${server.url}/api/v1/users`, { headers: { authorization: `Bearer ${issued.issued.key}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { users: Array<{ username: string }> };
    expect(body.users.map((u) => u.username)).toEqual(expect.arrayContaining(['ana', 'bob']));
  });

  test('meanwhile the reset page works: the form, then the new password, then a login with it', async () => {
    const reset = await resetPasswords(env.rt, actorFor(ana), { refs: ['bob'] });
    expect(reset.ok).toBe(true);
    const mail = await MailMessage.findOne({ where: { toAddress: 'bob@example.com' }, order: [['id', 'DESC']] });
    const link = /https?:\/\/\S+\/password\/reset\/([A-Za-z0-9_-]+)/.exec(mail!.textBody);
    expect(link).not.toBeNull();
    const page = await fetch(`${server.url}/password/reset/${link![1]}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1];
    const cookie = page.headers.get('set-cookie')!.split(';')[0];
    const newPassword = 'a much better passphrase 42';
    const done = await fetch(`${server.url}/password/reset/${link![1]}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ csrf, password: newPassword, confirm: newPassword }).toString(),
    });
    expect(done.status).toBe(200);
    expect((await login('bob', newPassword)).status).toBe(200);
  });

  test('once Slack answers, /healthz is 200 again and Slack requests are served; no promise was left rejected', async () => {
    await standIn.start(apiPort);
    standIn.addUser({ id: 'U0ANA0001', name: 'ana', email: ana.email });
    const h = await until(async () => {
      const r = await health();
      return r.status === 200 ? r : undefined;
    }, '/healthz to answer 200');
    expect(h.body.slack).toEqual({ status: 'ok' });
    expect(server.connection!.teamId()).toBe(standIn.teamId);
    const driver = new SlackDriver({ eventsUrl: `${server.url}/slack/events`, signingSecret: SIGNING_SECRET, standIn });
    const r = await driver.command('U0ANA0001', 'show bob');
    const reply = await standIn.waitFor(() => standIn.latestIn(r.responseUrl), 5000, 'the reply');
    expect(textOf(reply)).toContain('bob@example.com');
    expect(rejections).toEqual([]);
  });
});

describe('Slack unreachable, then the server stops', () => {
  test('stop() ends the background retries and the server closes cleanly', async () => {
    const env = await testEnv('sqlite', {
      SLACK_BOT_TOKEN: 'xoxb-standin-bot-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: `http://127.0.0.1:${await freePort()}/api/`,
    });
    const server = await startServer(env.rt, {
      port: 0,
      host: '127.0.0.1',
      workers: false,
      slackConnection: { minDelayMs: 10, maxDelayMs: 20 },
    });
    expect(server.connection!.state().status).toBe('unreachable');
    expect(server.connection!.retrying()).toBe(true);
    await server.stop();
    expect(server.connection!.retrying()).toBe(false);
    await env.close();
    expect(env.logs.filter((l) => l.includes('Slack is not available')).length).toBeGreaterThanOrEqual(1);
  });
});
