import { AuditEvent, MailMessage, Organization, RecordAssignment, User } from '../../../src/store/models';
import type { StandInMessage } from '../../../src/standin';
import { DIALECTS } from '../../support/db';
import { snapshot } from '../../support/fixtures';
import { slackTestEnv, textOf, type SlackTestEnv } from '../../support/slack-env';

const ANA = 'U0ANA0001'; // administrator of acme
const SEC = 'U0SEC0001'; // security of acme
const HLP = 'U0HLP0001'; // helpdesk of acme
const VIC = 'U0VIC0001'; // viewer of acme
const STR = 'U0STRANGE'; // Slack user with no directory account

describe.each(DIALECTS)('/users end to end on %s', (dialect) => {
  let env: SlackTestEnv;
  const acks: number[] = [];

  beforeAll(async () => {
    env = await slackTestEnv(dialect);
    await env.person(ANA, { username: 'ana', orgs: { acme: ['administrator'] } });
    await env.person(SEC, { username: 'sec', orgs: { acme: ['security'] } });
    await env.person(HLP, { username: 'hlp', orgs: { acme: ['helpdesk'] } });
    await env.person(VIC, { username: 'vic', orgs: { acme: ['viewer'] } });
    env.standIn.addUser({ id: STR, name: 'stranger', email: 'stranger@elsewhere.test' });
    await env.person('U0BOB0001', { username: 'bob', firstName: 'Bob', lastName: 'Builder', orgs: { acme: [] } });
    await env.person('U0CAR0001', { username: 'carol', orgs: { acme: [] } });
    await env.person('U0DAN0001', { username: 'dan', orgs: { acme: [] } });
    await env.person('U0LOU0001', { username: 'lou', authStatus: 'locked', failedLoginCount: 5, orgs: { acme: [] } });
    await env.person('U0ZED0001', { username: 'zed', orgs: { globex: ['administrator'] } });
    for (let i = 0; i < 23; i++)
      await env.person(`U0PAGE${String(i).padStart(3, '0')}`, { username: `page${String(i).padStart(2, '0')}`, orgs: { acme: [] } });
  });
  afterAll(async () => {
    // Every request of this suite was acknowledged well inside Slack's 3 s.
    expect(acks.length).toBeGreaterThan(10);
    expect(Math.max(...acks)).toBeLessThan(3000);
    await env.close();
  });

  async function run(slackId: string, text: string): Promise<StandInMessage> {
    const r = await env.run(slackId, text);
    expect(r.status).toBe(200);
    acks.push(r.ackMs);
    return r.reply;
  }

  async function click(slackId: string, on: StandInMessage, text: string | RegExp): Promise<void> {
    const r = await env.driver.clickButton(slackId, on, text);
    expect(r.status).toBe(200);
    acks.push(r.ackMs);
  }

  /** Wait until a message is rewritten (a new version) and return it. */
  async function rewritten(m: StandInMessage, versions = m.versions.length): Promise<StandInMessage> {
    return env.standIn.waitFor(() => (m.versions.length > versions ? m : undefined), 5000, 'the message to be rewritten');
  }

  test('help lists the sub-commands', async () => {
    const reply = await run(ANA, 'help');
    expect(textOf(reply)).toContain('/users find TEXT');
    expect(textOf(reply)).toContain('/users reassign FROM TO');
    expect(reply.ephemeral).toBe(true);
  });

  test('a typo gets a did-you-mean', async () => {
    expect(textOf(await run(ANA, 'disabel bob'))).toContain('Did you mean `/users disable`');
  });

  test('someone without a directory account is refused and nothing runs', async () => {
    const reply = await run(STR, 'disable bob');
    expect(textOf(reply)).toContain('No directory user has the email stranger@elsewhere.test');
    expect((await User.findOne({ where: { username: 'bob' } }))!.enabled).toBe(true);
  });

  test('find: compact list with status and an overflow of permitted actions', async () => {
    const reply = await run(ANA, 'find bob');
    const t = textOf(reply);
    expect(t).toContain('*bob*');
    expect(t).toContain('1 user');
    const overflow = JSON.stringify(reply.blocks).match(/"value":"(show|disable|reset_password|delete):\d+"/g);
    expect(overflow).toHaveLength(4);
    // A viewer sees only "Show card".
    const v = await run(VIC, 'find bob');
    expect(JSON.stringify(v.blocks).match(/"value":"[a-z_]+:\d+"/g)).toEqual([expect.stringMatching(/"show:/)]);
  });

  test('reads never show users of other organizations', async () => {
    expect(textOf(await run(ANA, 'find zed'))).toContain('No users');
    expect(textOf(await run(ANA, 'show zed'))).toContain('No user matches');
  });

  test('list with pagination and the saved-view picker', async () => {
    const first = await run(ANA, 'list');
    expect(textOf(first)).toMatch(/\d+ users\*.*showing 1–10/);
    await click(ANA, first, 'Next ▶');
    const second = await rewritten(first);
    expect(textOf(second)).toContain('showing 11–20');
    await click(ANA, second, '◀ Previous');
    expect(textOf(await rewritten(second, second.versions.length))).toContain('showing 1–10');
    const before = first.versions.length;
    const r = await env.driver.selectOption(ANA, first, 'view_picker', 'locked');
    acks.push(r.ackMs);
    const locked = await rewritten(first, before);
    expect(textOf(locked)).toContain('*lou*');
    expect(textOf(locked)).toContain('1 user');
  });

  test('show: the card has buttons for permitted actions only, confirms on destructive ones', async () => {
    const card = await run(ANA, 'show bob');
    const buttons = env.driver.buttons(card);
    expect(buttons.map((b) => b.text)).toEqual(['Disable', 'Reset password', 'Change password', 'API key', 'Delete', 'Roles…']);
    for (const b of buttons.filter((x) => ['Disable', 'Reset password', 'Delete'].includes(x.text))) expect(b.confirm).toBeDefined();
    const helpdesk = await run(HLP, 'show lou');
    expect(env.driver.buttons(helpdesk).map((b) => b.text)).toEqual(['Activate', 'Reset password']);
    const viewer = await run(VIC, 'show bob');
    expect(env.driver.buttons(viewer)).toEqual([]);
    expect(textOf(viewer)).toContain('bob@example.com');
  });

  test('card button: disable, and the card is rewritten with who and when', async () => {
    const card = await run(ANA, 'show carol');
    const n = card.versions.length;
    await click(ANA, card, 'Disable');
    const after = await rewritten(card, n);
    expect(textOf(after)).toContain(`Disabled by <@${ANA}> at`);
    expect(env.driver.buttons(after).map((b) => b.text)).toContain('Enable');
    expect((await User.findOne({ where: { username: 'carol' } }))!.enabled).toBe(false);
    await click(ANA, after, 'Enable');
    expect(textOf(await rewritten(after, after.versions.length))).toContain(`Enabled by <@${ANA}>`);
    expect((await User.findOne({ where: { username: 'carol' } }))!.enabled).toBe(true);
  });

  test('list row overflow: disable from the list rewrites the list with a notice', async () => {
    const list = await run(ANA, 'find dan');
    const n = list.versions.length;
    const r = await env.driver.chooseOverflow(ANA, list, 'Disable');
    acks.push(r.ackMs);
    const after = await rewritten(list, n);
    expect(textOf(after)).toContain('*dan*: Disabled by');
    expect(textOf(after)).toContain('⛔');
    expect((await User.findOne({ where: { username: 'dan' } }))!.enabled).toBe(false);
    await env.driver.chooseOverflow(ANA, after, 'Enable');
    await rewritten(after, after.versions.length);
    expect((await User.findOne({ where: { username: 'dan' } }))!.enabled).toBe(true);
  });

  test('mass disable from the command: per-user results, then Undo', async () => {
    const reply = await run(ANA, 'disable bob carol nobody ana');
    const t = textOf(reply);
    expect(t).toContain('bob disabled');
    expect(t).toContain('carol disabled');
    expect(t).toContain('No user matches “nobody”');
    expect(t).toContain('You cannot disable your own account');
    expect((await User.findOne({ where: { username: 'ana' } }))!.enabled).toBe(true);
    const again = await run(ANA, 'disable bob');
    expect(textOf(again)).toContain('bob was already disabled');
    await click(ANA, reply, /^Undo/);
    await rewritten(reply);
    for (const u of ['bob', 'carol']) expect((await User.findOne({ where: { username: u } }))!.enabled).toBe(true);
  });

  test('activate unlocks and shows the card', async () => {
    const reply = await run(HLP, 'activate lou');
    expect(textOf(reply)).toContain(`Activated by <@${HLP}>`);
    const lou = await User.findOne({ where: { username: 'lou' } });
    expect(lou!.authStatus).toBe('active');
    expect(lou!.failedLoginCount).toBe(0);
    expect(textOf(await run(HLP, 'activate lou'))).toContain('is not locked');
  });

  test('reset-password: one user at once (mail queued); several after a confirmation', async () => {
    const reply = await run(SEC, 'reset-password bob');
    expect(textOf(reply)).toContain('reset link sent to bob@example.com');
    expect((await User.findOne({ where: { username: 'bob' } }))!.authStatus).toBe('password_reset');
    expect(await MailMessage.count({ where: { kind: 'reset_link', toAddress: 'bob@example.com' } })).toBe(1);

    const confirm = await run(SEC, 'reset-password carol dan');
    const btn = env.driver.buttons(confirm).find((b) => b.text === 'Reset 2')!;
    expect(btn.confirm).toBeDefined();
    expect((await User.findOne({ where: { username: 'carol' } }))!.authStatus).toBe('active');
    await click(SEC, confirm, 'Reset 2');
    const done = await rewritten(confirm);
    expect(textOf(done)).toContain('carol: reset link sent');
    expect((await User.findOne({ where: { username: 'dan' } }))!.authStatus).toBe('password_reset');
  });

  test('delete asks first; the confirm button deletes and the message says who did it', async () => {
    await env.person('U0DEL0001', { username: 'doomed', orgs: { acme: [] } });
    const confirm = await run(ANA, 'delete doomed');
    expect(await User.count({ where: { username: 'doomed' } })).toBe(1);
    const del = env.driver.buttons(confirm).find((b) => b.text === 'Delete')!;
    expect(del.confirm).toBeDefined();
    await click(ANA, confirm, 'Delete');
    expect(textOf(await rewritten(confirm))).toContain(`*doomed* deleted by <@${ANA}>`);
    expect(await User.count({ where: { username: 'doomed' } })).toBe(0);
    const cancelled = await run(ANA, 'delete page00');
    await click(ANA, cancelled, 'Cancel');
    expect(textOf(await rewritten(cancelled))).toContain('Cancelled');
    expect(await User.count({ where: { username: 'page00' } })).toBe(1);
  });

  test('delete is refused while records are assigned; reassign makes it possible', async () => {
    const owner = await env.person('U0OWN0001', { username: 'owner', orgs: { acme: [] } });
    const acmeId = (await Organization.findOne({ where: { slug: 'acme' } }))!.id;
    await RecordAssignment.create({ organizationId: acmeId, entity: 'invoice', entityId: '42', userId: owner.id });
    expect(textOf(await run(ANA, 'delete owner'))).toContain('still owns 1 record');
    expect(textOf(await run(ANA, 'reassign owner carol'))).toContain('Moved 1 record from *owner* to *carol*');
    const confirm = await run(ANA, 'delete owner');
    await click(ANA, confirm, 'Delete');
    await rewritten(confirm);
    expect(await User.count({ where: { username: 'owner' } })).toBe(0);
  });

  test.each([
    [VIC, 'disable page01', 'enable or disable users'],
    [HLP, 'disable page01', 'enable or disable users'],
    [VIC, 'activate page01', 'unlock users'],
    [VIC, 'reset-password page01', 'You do not have permission to reset passwords for page01'],
    [SEC, 'reassign page01 page02', 'reassign records'],
    [HLP, 'audit', 'read the audit log'],
  ])('%s: "%s" is refused and changes nothing', async (who, text, words) => {
    const page01 = await User.findOne({ where: { username: 'page01' } });
    const before = await snapshot(page01!.id);
    const audits = await AuditEvent.count();
    expect(textOf(await run(who, text))).toContain(words);
    expect(await snapshot(page01!.id)).toEqual(before);
    expect(await AuditEvent.count()).toBe(audits);
  });

  test('delete button refused for security (no delete permission): no button, and the command says why', async () => {
    const reply = await run(SEC, 'delete page02');
    expect(textOf(reply)).toContain('You do not have permission to delete users for page02');
    expect(await User.count({ where: { username: 'page02' } })).toBe(1);
  });

  test('audit shows the latest events with actor and target', async () => {
    const reply = await run(ANA, 'audit carol');
    const t = textOf(reply);
    expect(t).toContain('*disable*');
    expect(t).toContain('carol &lt;carol@example.com&gt;');
    expect(t).toContain('by ana (slack @ana U0ANA0001)');
  });

  test('--share posts a read-only copy in the channel', async () => {
    const r = await env.run(ANA, 'show bob --share');
    acks.push(r.ackMs);
    expect(r.reply.ephemeral).toBe(false);
    expect(env.driver.buttons(r.reply)).toEqual([]);
  });

  test('sub-commands owned by later parts say so instead of failing', async () => {
    const reply = await run(ANA, 'export');
    expect(textOf(reply)).toMatch(/not available|Export/);
  });
});
