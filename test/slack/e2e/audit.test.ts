import { setUsersEnabled } from '../../../src/services/account-status';
import { SYSTEM_ACTOR } from '../../../src/services/context';
import { queryAudit } from '../../../src/services/audit-query';
import { parseCommand } from '../../../src/slack/command-parser';
import { parseAuditArgs } from '../../../src/slack/listeners/commands/audit';
import type { StandInMessage } from '../../../src/standin';
import { DIALECTS } from '../../support/db';
import { actorFor } from '../../support/fixtures';
import { slackTestEnv, textOf, type SlackTestEnv } from '../../support/slack-env';

const ANA = 'U0ANA0001'; // administrator of acme
const SEC = 'U0SEC0001'; // security of acme
const HLP = 'U0HLP0001'; // helpdesk: no audit log

test('audit arguments: a user, action: and by: in any order', () => {
  const args = (text: string) => {
    const p = parseCommand(text);
    if (!p.ok) throw new Error(p.message);
    return parseAuditArgs(p.command.args, '/users');
  };
  expect(args('audit')).toEqual({});
  expect(args('audit bob action:disable')).toEqual({ about: { kind: 'text', value: 'bob' }, action: 'disable' });
  expect(args('audit by:ana action: enable')).toEqual({ by: { kind: 'text', value: 'ana' }, action: 'enable' });
  expect(args('audit by: <@U0ANA0001|ana> bob')).toEqual({
    by: { kind: 'mention', slackUserId: 'U0ANA0001', label: 'ana' },
    about: { kind: 'text', value: 'bob' },
  });
  expect(args('audit bob carol')).toEqual({ error: expect.stringContaining('Usage') });
  expect(args('audit action:a action:b')).toEqual({ error: expect.stringContaining('Usage') });
  expect(args('audit by:')).toEqual({ error: expect.stringContaining('Usage') });
});

describe.each(DIALECTS)('/users audit on %s', (dialect) => {
  let env: SlackTestEnv;

  beforeAll(async () => {
    env = await slackTestEnv(dialect);
    const ana = await env.person(ANA, { username: 'ana', orgs: { acme: ['administrator'] } });
    const sec = await env.person(SEC, { username: 'sec', orgs: { acme: ['security'] } });
    await env.person(HLP, { username: 'hlp', orgs: { acme: ['helpdesk'] } });
    await env.person('U0BOB0001', { username: 'bob', orgs: { acme: [] } });
    await env.person('U0CAR0001', { username: 'carol', orgs: { acme: [] } });
    await env.person('U0ZED0001', { username: 'zed', orgs: { globex: [] } });
    // History: ana disables and enables bob and carol ten times; sec disables bob once; the CLI disables zed (another org).
    for (let i = 0; i < 10; i++) {
      await setUsersEnabled(env.rt, actorFor(ana), { refs: ['bob', 'carol'], enabled: false });
      await setUsersEnabled(env.rt, actorFor(ana), { refs: ['bob', 'carol'], enabled: true });
    }
    await setUsersEnabled(env.rt, { ...actorFor(sec), label: 'sec (slack @sec U0SEC0001)' }, { refs: ['bob'], enabled: false });
    await setUsersEnabled(env.rt, SYSTEM_ACTOR, { refs: ['zed'], enabled: false });
  });
  afterAll(async () => env.close());

  async function run(slackId: string, text: string): Promise<StandInMessage> {
    const r = await env.run(slackId, text);
    expect(r.status).toBe(200);
    return r.reply;
  }

  const lines = (m: StandInMessage) => textOf(m).match(/\*(enable|disable)\* by [^→]+→ [a-z]+/g) ?? [];

  test('filter by action: only that action, newest first, paginated with the filter kept', async () => {
    const first = await run(ANA, 'audit action:disable');
    expect(textOf(first)).toContain('Audit log action *disable*');
    const page1 = lines(first);
    expect(page1).toHaveLength(15);
    expect(page1.every((l) => l.startsWith('*disable*'))).toBe(true);
    expect(page1[0]).toContain('by sec');
    const n = first.versions.length;
    await env.driver.clickButton(ANA, first, 'Older ▶');
    const second = await env.standIn.waitFor(() => (first.versions.length > n ? first : undefined));
    const page2 = lines(second);
    // 21 disables in acme (20 by ana, 1 by sec); zed's is in another organization.
    expect(page2).toHaveLength(6);
    expect(page2.every((l) => l.startsWith('*disable*'))).toBe(true);
    expect(env.driver.buttons(second)).toEqual([]);
    expect(textOf(second)).not.toContain('zed');
  });

  test('filter by target and by actor, also by mention', async () => {
    const bySec = await run(ANA, 'audit bob by:sec');
    expect(lines(bySec)).toEqual(['*disable* by sec (slack @sec U0SEC0001) → bob']);
    const byMention = await run(ANA, `audit by: <@${SEC}|sec>`);
    expect(lines(byMention)).toEqual(['*disable* by sec (slack @sec U0SEC0001) → bob']);
    const carolEnables = await run(ANA, 'audit carol action:enable');
    expect(lines(carolEnables)).toHaveLength(10);
    expect(lines(carolEnables).every((l) => l.startsWith('*enable*') && l.endsWith('carol'))).toBe(true);
    expect(textOf(await run(ANA, 'audit action:delete'))).toContain('_No events._');
  });

  test('a bad filter and a role without the audit log get a readable refusal', async () => {
    expect(textOf(await run(ANA, 'audit action:DROP;TABLE'))).toContain('An action is a word');
    expect(textOf(await run(ANA, 'audit bob carol'))).toContain('Usage: `/users audit [USER] [action:ACTION] [by:USER]`');
    expect(textOf(await run(HLP, 'audit action:disable'))).toContain('permission to read the audit log');
  });

  test('the service filters the same way for the system actor (every organization)', async () => {
    const all = await queryAudit(env.rt, SYSTEM_ACTOR, { action: 'disable', by: 'system', limit: 100 });
    expect(all.ok && all.events.map((e) => e.target)).toEqual(['zed <zed@example.com>']);
  });
});
