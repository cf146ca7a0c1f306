import { SlackDriver } from '../../../src/standin';
import { AuditEvent, User } from '../../../src/store/models';
import { makeUser } from '../../support/fixtures';
import { SIGNING_SECRET, slackTestEnv, textOf, type SlackTestEnv } from '../../support/slack-env';

/**
 * DESIGN §2: the acting Slack user is a directory user only through a confirmed email, in the
 * configured workspace only. Everything goes through signed requests against the real server.
 */

const ANA = 'U0ANA0001'; // administrator of acme
const UNA = 'U0UNA0001'; // an administrator too, but Slack says her email is not confirmed
const GHOST = 'U0GHO0001'; // deactivated in Slack
const OTHER_TEAM = 'T0OTHER01';
const REFUSAL = 'This app serves one workspace; requests from other workspaces are refused.';

const enabled = async (username: string) => (await User.findOne({ where: { username } }))!.enabled;

describe('Which Slack user: SLACK_TEAM_ID unset, the workspace auth.test reports', () => {
  let env: SlackTestEnv;
  let elsewhere: SlackDriver;
  beforeAll(async () => {
    env = await slackTestEnv('sqlite');
    await env.person(ANA, { username: 'ana', orgs: { acme: ['administrator'] } });
    await env.person('U0BOB0001', { username: 'bob', orgs: { acme: [] } });
    const una = await makeUser({ username: 'una', orgs: { acme: ['administrator'] } });
    env.standIn.addUser({ id: UNA, name: 'una', email: una.email, emailConfirmed: false });
    const ghost = await makeUser({ username: 'ghost', orgs: { acme: ['administrator'] } });
    env.standIn.addUser({ id: GHOST, name: 'ghost', email: ghost.email, deleted: true });
    // The same signing secret, the same app, another workspace (a Slack Connect channel, say).
    elsewhere = new SlackDriver({
      eventsUrl: env.driver.eventsUrl,
      signingSecret: SIGNING_SECRET,
      standIn: env.standIn,
      teamId: OTHER_TEAM,
      command: env.rt.config.SLACK_COMMAND,
    });
  });
  afterAll(async () => env.close());

  test('the workspace is learnt from auth.test, and its people are served', async () => {
    expect(env.rt.config.SLACK_TEAM_ID).toBe('');
    expect(env.server.connection!.teamId()).toBe(env.standIn.teamId);
    const { reply } = await env.run(ANA, 'show bob');
    expect(textOf(reply)).toContain('bob@example.com');
  });

  test('a command from another workspace is refused with one clear line, and nothing runs — not even users.info', async () => {
    const callsBefore = env.standIn.calls.length;
    const r = await elsewhere.command(ANA, 'disable bob');
    expect(r.status).toBe(200);
    expect(r.ackMessage?.text).toContain(REFUSAL);
    expect(r.ackMessage?.ephemeral).toBe(true);
    expect(await enabled('bob')).toBe(true);
    expect(env.standIn.calls.slice(callsBefore).map((c) => c.method)).not.toContain('users.info');
    expect(env.logs.some((l) => l.includes('refused a Slack request') && l.includes(OTHER_TEAM))).toBe(true);
  });

  test('a button pressed by someone of another workspace is refused in an ephemeral line, and nothing changes', async () => {
    const { reply: card } = await env.run(ANA, 'show bob');
    const audits = await AuditEvent.count();
    const r = await elsewhere.clickButton(ANA, card, 'Disable');
    expect(r.status).toBe(200);
    await env.standIn.waitForMessage({ text: REFUSAL, visibleTo: ANA });
    expect(await enabled('bob')).toBe(true);
    expect(await AuditEvent.count()).toBe(audits);
    expect(card.versions).toHaveLength(1);
  });

  test('a Slack user whose email Slack has not confirmed is refused, and told why', async () => {
    const { reply } = await env.run(UNA, 'disable bob');
    expect(textOf(reply)).toContain('is not confirmed in Slack');
    expect(textOf(reply)).toContain('una@example.com');
    expect(await enabled('bob')).toBe(true);
  });

  test('a mention of a person whose email is not confirmed matches nobody', async () => {
    const { reply } = await env.run(ANA, `disable <@${UNA}|una>`);
    expect(textOf(reply)).toContain('is not confirmed in Slack');
    expect(await enabled('una')).toBe(true);
  });

  test('a deactivated Slack account is refused', async () => {
    const { reply } = await env.run(GHOST, 'disable bob');
    expect(textOf(reply)).toContain('is not an active person in this workspace');
    expect(await enabled('bob')).toBe(true);
  });

  test('once Slack confirms the email (and the brief cache of the refusal is gone) the same person is served', async () => {
    env.standIn.addUser({ id: UNA, name: 'una', email: 'una@example.com', emailConfirmed: true });
    env.server.deps!.identity.forget(UNA);
    const { reply } = await env.run(UNA, 'show bob');
    expect(textOf(reply)).toContain('bob@example.com');
  });
});

describe('Which Slack user: SLACK_TEAM_ID set', () => {
  test('the configured workspace is served; another is refused', async () => {
    const env = await slackTestEnv('sqlite', { env: { SLACK_TEAM_ID: 'T0TEAM001' } });
    try {
      await env.person(ANA, { username: 'ana', orgs: { acme: ['administrator'] } });
      await env.person('U0BOB0001', { username: 'bob', orgs: { acme: [] } });
      expect(env.server.connection!.teamId()).toBe('T0TEAM001');
      expect(textOf((await env.run(ANA, 'show bob')).reply)).toContain('bob@example.com');
      const elsewhere = new SlackDriver({
        eventsUrl: env.driver.eventsUrl,
        signingSecret: SIGNING_SECRET,
        standIn: env.standIn,
        teamId: OTHER_TEAM,
      });
      expect((await elsewhere.command(ANA, 'show bob')).ackMessage?.text).toContain(REFUSAL);
    } finally {
      await env.close();
    }
  });

  test('a bot token of another workspace than SLACK_TEAM_ID: /healthz says so and no Slack request is served', async () => {
    // The stand-in's auth.test answers T0TEAM001.
    const env = await slackTestEnv('sqlite', { env: { SLACK_TEAM_ID: 'T0ELSE001' } });
    try {
      await env.person(ANA, { username: 'ana', orgs: { acme: ['administrator'] } });
      const health = await fetch(`${env.server.url}/healthz`);
      expect(health.status).toBe(503);
      const body = (await health.json()) as { status: string; slack: { status: string; reason: string } };
      expect(body.status).toBe('degraded');
      expect(body.slack.status).toBe('refused');
      expect(body.slack.reason).toContain('not SLACK_TEAM_ID T0ELSE001');
      const callsBefore = env.standIn.calls.filter((c) => c.method === 'users.info').length;
      const r = await env.driver.command(ANA, 'show ana');
      expect(r.status).toBe(200);
      expect(r.ackMessage).toBeUndefined();
      expect(env.standIn.calls.filter((c) => c.method === 'users.info')).toHaveLength(callsBefore);
    } finally {
      await env.close();
    }
  });
});
