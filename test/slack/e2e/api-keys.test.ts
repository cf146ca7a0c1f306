import { API_KEY_PATTERN } from '../../../src/domain/api-key';
import { sha256Hex } from '../../../src/domain/tokens';
import type { StandInMessage } from '../../../src/standin';
import { ACTION } from '../../../src/slack/constants';
import { ApiKey, AuditEvent, Organization, User } from '../../../src/store/models';
import { DIALECTS } from '../../support/db';
import { slackTestEnv, textOf, type SlackTestEnv } from '../../support/slack-env';

const ANA = 'U0ANA0001'; // administrator of acme and globex
const VIC = 'U0VIC0001'; // viewer of acme
const CAR = 'U0CAR0001'; // viewer of acme (a key holder)
const BOB = 'U0BOB0001'; // member of acme and globex

describe.each(DIALECTS)('/users api-key end to end on %s', (dialect) => {
  let env: SlackTestEnv;
  /** Every key the app showed, for the leak checks at the end. */
  const shown: string[] = [];

  beforeAll(async () => {
    env = await slackTestEnv(dialect);
    await env.person(ANA, { username: 'ana', orgs: { acme: ['administrator'], globex: ['administrator'] } });
    await env.person(VIC, { username: 'vic', orgs: { acme: ['viewer'] } });
    await env.person(CAR, { username: 'carol', orgs: { acme: ['viewer'] } });
    await env.person(BOB, { username: 'bob', orgs: { acme: ['viewer'], globex: ['viewer'] } });
    await env.person('U0DAN0001', { username: 'dan', orgs: { acme: [] } });
    await env.person('U0ZED0001', { username: 'zed', orgs: { initech: ['administrator'] } });
  });
  afterAll(async () => env.close());

  /** The key in a message, if it shows one. */
  function keyIn(m: StandInMessage): string | null {
    const found = JSON.stringify(m.blocks ?? []).match(/uok_[0-9A-Za-z]{49}/);
    return found ? found[0] : null;
  }

  function expectKeyMessage(m: StandInMessage): string {
    const key = keyIn(m);
    expect(key).not.toBeNull();
    expect(API_KEY_PATTERN.test(key!)).toBe(true);
    expect(m.ephemeral).toBe(true);
    expect(m.visibleTo).toBe(ANA);
    // The notification text never carries the key.
    expect(m.text).not.toContain(key!);
    shown.push(key!);
    return key!;
  }

  async function apiStatus(key: string): Promise<number> {
    const res = await fetch(`${env.server.url}/api/v1/users`, { headers: { authorization: `Bearer ${key}` } });
    await res.text();
    return res.status;
  }

  async function orgId(slug: string): Promise<number> {
    return (await Organization.findOne({ where: { slug } }))!.id;
  }

  /** The next new message after `before` that shows up for ANA. */
  function nextMessage(before: number, what: string): Promise<StandInMessage> {
    return env.standIn.waitFor(() => env.standIn.messages.slice(before).find((m) => m.visibleTo === ANA), 5000, what);
  }

  function rewritten(m: StandInMessage, versions: number): Promise<StandInMessage> {
    return env.standIn.waitFor(() => (m.versions.length > versions ? m : undefined), 5000, 'the message to be rewritten');
  }

  test('api-key USER: the key is shown once, ephemerally; it works; Hide rewrites the message without it', async () => {
    const { reply } = await env.run(ANA, 'api-key carol');
    const key = expectKeyMessage(reply);
    expect(textOf(reply)).toContain('New API key for *carol* in *acme*');
    expect(await apiStatus(key)).toBe(200);
    const row = await ApiKey.findOne({ where: { keyHash: sha256Hex(key) } });
    expect(row?.organizationId).toBe(await orgId('acme'));

    const n = reply.versions.length;
    await env.driver.clickButton(ANA, reply, /hide the key/);
    const hidden = await rewritten(reply, n);
    expect(keyIn(hidden)).toBeNull();
    expect(textOf(hidden)).toContain(`\`${key.slice(0, 10)}…\` for *carol* in *acme* — hidden by <@${ANA}> at`);
    expect(env.driver.buttons(hidden)).toEqual([]);
    // Hiding is about the message, not the key.
    expect(await apiStatus(key)).toBe(200);
  });

  test('a mention works as USER; generating again replaces the key and says so', async () => {
    const first = expectKeyMessage((await env.run(ANA, `api-key <@${CAR}> acme`)).reply);
    const { reply } = await env.run(ANA, 'api-key carol acme');
    const second = expectKeyMessage(reply);
    expect(textOf(reply)).toContain('The earlier key for this user and organization stopped working.');
    expect(await apiStatus(first)).toBe(401);
    expect(await apiStatus(second)).toBe(200);
  });

  test('several organizations and no ORG: a picker; choosing one replaces the picker with the key', async () => {
    const { reply: picker } = await env.run(ANA, 'api-key bob');
    expect(picker.ephemeral).toBe(true);
    expect(textOf(picker)).toContain('*bob* is in several organizations where you manage API keys');
    expect(keyIn(picker)).toBeNull();
    expect(await ApiKey.count({ where: { userId: (await User.findOne({ where: { username: 'bob' } }))!.id } })).toBe(0);
    const n = picker.versions.length;
    await env.driver.selectOption(ANA, picker, ACTION.apiKeyOrg, 'globex');
    const withKey = await rewritten(picker, n);
    const key = expectKeyMessage(withKey);
    expect(textOf(withKey)).toContain('New API key for *bob* in *globex*');
    expect((await ApiKey.findOne({ where: { keyHash: sha256Hex(key) } }))?.organizationId).toBe(await orgId('globex'));
    expect(await apiStatus(key)).toBe(200);
  });

  test('the card’s API key button: a new ephemeral message (the card stays); a picker for several organizations', async () => {
    const { reply: card } = await env.run(ANA, 'show carol');
    const versions = card.versions.length;
    const before = env.standIn.messages.length;
    await env.driver.clickButton(ANA, card, 'API key');
    const key = expectKeyMessage(await nextMessage(before, 'the key message'));
    expect(await apiStatus(key)).toBe(200);
    expect(card.versions.length).toBe(versions);
    expect(keyIn(card)).toBeNull();

    const { reply: bobCard } = await env.run(ANA, 'show bob');
    const again = env.standIn.messages.length;
    await env.driver.clickButton(ANA, bobCard, 'API key');
    const picker = await nextMessage(again, 'the organization picker');
    expect(textOf(picker)).toContain('(has a key)');
    const n = picker.versions.length;
    await env.driver.selectOption(ANA, picker, ACTION.apiKeyOrg, 'acme');
    expectKeyMessage(await rewritten(picker, n));
  });

  test('revoke: with ORG, through the picker, and when there is nothing to revoke', async () => {
    const acmeKey = expectKeyMessage((await env.run(ANA, 'api-key bob acme')).reply);
    const globexKey = expectKeyMessage((await env.run(ANA, 'api-key bob globex')).reply);
    const { reply: picker } = await env.run(ANA, 'api-key revoke bob');
    expect(textOf(picker)).toContain('has API keys in several organizations');
    const n = picker.versions.length;
    await env.driver.selectOption(ANA, picker, ACTION.apiKeyOrg, 'acme (has a key)');
    const done = await rewritten(picker, n);
    expect(textOf(done)).toContain(`of *bob* in *acme* revoked by <@${ANA}> at`);
    expect(await apiStatus(acmeKey)).toBe(401);
    expect(await apiStatus(globexKey)).toBe(200);
    // One key left: no picker needed.
    expect(textOf((await env.run(ANA, 'api-key revoke bob')).reply)).toContain('in *globex* revoked');
    expect(await apiStatus(globexKey)).toBe(401);
    expect(textOf((await env.run(ANA, 'api-key revoke bob')).reply)).toContain(
      'bob has no API key in the organizations where you manage keys.',
    );
    expect(textOf((await env.run(ANA, 'api-key revoke bob acme')).reply)).toContain('bob has no API key in acme.');
    const audit = await AuditEvent.findAll({ where: { action: 'api_key_revoke' } });
    expect(audit.map((a) => JSON.parse(a.details ?? '{}').organization)).toEqual(['acme', 'globex']);
  });

  test('refusals: a non-administrator, another organization, unknown ORG, bad usage — nothing created', async () => {
    const keys = await ApiKey.count();
    const audits = await AuditEvent.count();
    const cases: Array<[string, string, string]> = [
      [VIC, 'api-key carol', 'You do not have permission to manage API keys for carol: it is needed in every organization they belong to.'],
      [
        VIC,
        'api-key revoke carol',
        'You do not have permission to manage API keys for carol: it is needed in every organization they belong to.',
      ],
      [ANA, 'api-key zed', 'No user matches “zed” in your organizations.'],
      [ANA, 'api-key carol initech', 'No organization “initech” among yours.'],
      [ANA, 'api-key carol nowhere', 'No organization “nowhere” among yours.'],
      [ANA, 'api-key carol globex', 'carol is not a member of globex'],
      [ANA, 'api-key revoke', 'Usage: `/users api-key USER [ORG]` or `/users api-key revoke USER [ORG]`.'],
      [ANA, 'api-key carol acme extra', 'Usage: `/users api-key USER [ORG]`'],
    ];
    for (const [who, text, words] of cases) {
      const { reply } = await env.run(who, text);
      expect([text, textOf(reply).includes(words)]).toEqual([text, true]);
      expect(reply.ephemeral).toBe(true);
    }
    expect(await ApiKey.count()).toBe(keys);
    expect(await AuditEvent.count()).toBe(audits);
    // A viewer's card has no API key button at all.
    const { reply: card } = await env.run(VIC, 'show carol');
    expect(env.driver.buttons(card).map((b) => b.text)).not.toContain('API key');
  });

  test('records registered over the REST API block a delete from Slack until they are unregistered', async () => {
    const key = expectKeyMessage((await env.run(ANA, 'api-key ana acme')).reply);
    const call = (method: string, body?: unknown) =>
      fetch(`${env.server.url}/api/v1/records/invoice/77`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
    expect((await call('PUT', { owner: 'dan' })).status).toBe(201);
    expect(textOf((await env.run(ANA, 'delete dan')).reply)).toContain('dan still owns 1 record');
    expect((await call('DELETE')).status).toBe(204);
    const { reply: confirm } = await env.run(ANA, 'delete dan');
    const n = confirm.versions.length;
    await env.driver.clickButton(ANA, confirm, 'Delete');
    expect(textOf(await rewritten(confirm, n))).toContain('*dan* deleted');
    expect(await User.count({ where: { username: 'dan' } })).toBe(0);
  });

  test('a key never appears in a channel message, a Web API call other than the ephemeral reply, a log line or an audit row', async () => {
    expect(shown.length).toBeGreaterThanOrEqual(9);
    for (const m of env.standIn.messages) {
      for (const version of m.versions) {
        const text = JSON.stringify(version);
        if (shown.some((k) => text.includes(k))) expect([m.source, m.ephemeral, m.visibleTo]).toEqual(['response_url', true, ANA]);
      }
    }
    const calls = JSON.stringify(env.standIn.calls.filter((c) => c.method !== 'response_url'));
    const logs = env.logs.join('\n');
    const audit = JSON.stringify(await AuditEvent.findAll({ raw: true }));
    for (const k of shown) {
      for (const [where, text] of [
        ['calls', calls],
        ['logs', logs],
        ['audit', audit],
      ] as const) {
        expect([where, text.includes(k), text.includes(k.slice(4, 40)), text.includes(sha256Hex(k))]).toEqual([where, false, false, false]);
      }
    }
  });
});
