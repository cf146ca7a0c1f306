import { setUsersEnabled } from '../../../src/services/account-status';
import { CountCache } from '../../../src/services/count-cache';
import type { StandInView } from '../../../src/standin';
import { LockoutEvent, Membership, User } from '../../../src/store/models';
import { DIALECTS } from '../../support/db';
import { actorFor, makeUser } from '../../support/fixtures';
import { slackTestEnv, textOf, type SlackTestEnv } from '../../support/slack-env';

const ANA = 'U0ANA0001'; // administrator of acme
const HLP = 'U0HLP0001'; // helpdesk of acme
const VIC = 'U0VIC0001'; // viewer of acme
const NOR = 'U0NOR0001'; // in acme, without a role
const STR = 'U0STRANGE'; // no directory account
const EXH = 'U0EXH0001'; // helpdesk who loses the role while their Home tab is open

type Block = {
  type: string;
  block_id?: string;
  text?: { text: string };
  fields?: Array<{ text: string }>;
  accessory?: { text: { text: string } };
};

describe.each(DIALECTS)('App Home on %s', (dialect) => {
  let env: SlackTestEnv;

  beforeAll(async () => {
    env = await slackTestEnv(dialect);
    const ana = await env.person(ANA, { username: 'ana', orgs: { acme: ['administrator'] } });
    await env.person(HLP, { username: 'hlp', orgs: { acme: ['helpdesk'] } });
    await env.person(VIC, { username: 'vic', orgs: { acme: ['viewer'] } });
    await env.person(NOR, { username: 'nor', orgs: { acme: [] } });
    await env.person(EXH, { username: 'exh', orgs: { acme: ['helpdesk'] } });
    env.standIn.addUser({ id: STR, name: 'stranger', email: 'stranger@elsewhere.test' });
    for (const [username, minutes] of [
      ['bob', 10],
      ['lou', 20],
      ['max', 30],
    ] as const) {
      const at = new Date(env.clock.now.getTime() - minutes * 60_000);
      const u = await makeUser({ username, orgs: { acme: [] }, authStatus: 'locked', lockedAt: at, failedLoginCount: 5 });
      await LockoutEvent.create({ userId: u.id, lockedAt: at, failedCount: 5, sourceIp: null });
    }
    const zed = await makeUser({ username: 'zed', orgs: { globex: [] }, authStatus: 'locked', failedLoginCount: 5 });
    await LockoutEvent.create({ userId: zed.id, lockedAt: env.clock.now, failedCount: 5, sourceIp: null });
    await makeUser({ username: 'carol', orgs: { acme: [] } });
    await setUsersEnabled(env.rt, { ...actorFor(ana), label: 'ana (slack @ana U0ANA0001)' }, { refs: ['carol'], enabled: false });
  });
  afterAll(async () => env.close());

  /** Open the Home tab and wait for the view published in answer. */
  async function openHome(slackId: string): Promise<StandInView> {
    const before = env.standIn.callsTo('views.publish').length;
    const r = await env.driver.appHomeOpened(slackId);
    expect(r.status).toBe(200);
    await env.standIn.waitFor(() => env.standIn.callsTo('views.publish').length > before, 5000, 'views.publish');
    return env.standIn.homeView(slackId)!;
  }

  async function republished(slackId: string, versions: number): Promise<StandInView> {
    return env.standIn.waitFor(() => {
      const v = env.standIn.homeView(slackId);
      return v && v.versions.length > versions ? v : undefined;
    });
  }

  const blocks = (v: StandInView) => v.view.blocks as Block[];
  const counts = (v: StandInView) =>
    Object.fromEntries(
      blocks(v)
        .flatMap((b) => b.fields ?? [])
        .map((f) => {
          const [label, n] = f.text.split('\n');
          return [label.replace(/\*/g, ''), Number(n)];
        }),
    );
  const lockoutRows = (v: StandInView) => blocks(v).filter((b) => b.block_id?.startsWith('home_lockout:'));

  test('an administrator sees counts per saved view, the latest lockouts with Activate, audit events and every shortcut', async () => {
    const home = await openHome(ANA);
    const call = env.standIn.callsTo('views.publish').at(-1)!;
    expect(call.args.user_id).toBe(ANA);
    expect((call.args.view as { type: string }).type).toBe('home');
    expect(env.driver.buttons(home).map((b) => b.text)).toEqual([
      '🔎 Find users',
      'Bulk password reset',
      'Export CSV',
      'Activate',
      'Activate',
      'Activate',
    ]);
    const acme = await User.count({ where: { id: (await Membership.findAll({ where: { organizationId: 1 } })).map((m) => m.userId) } });
    expect(counts(home)).toEqual({
      'All users': acme,
      'Active (enabled)': acme - 1,
      Disabled: 1,
      Locked: 3,
      'Password reset': 0,
      'Cannot log in': 4,
    });
    // Newest first; zed (another organization) never shows.
    expect(lockoutRows(home).map((b) => /`(\w+)`/.exec(b.text!.text)![1])).toEqual(['bob', 'lou', 'max']);
    const t = textOf({ blocks: home.view.blocks as unknown[] });
    expect(t).not.toContain('zed');
    expect(t).toContain('Latest audit events');
    expect(t).toContain('*disable* by ana (slack @ana U0ANA0001) → carol');
  });

  test('helpdesk: Activate but no bulk reset, export or audit log; a viewer: nothing to press but Find', async () => {
    const hlp = await openHome(HLP);
    expect(env.driver.buttons(hlp).map((b) => b.text)).toEqual(['🔎 Find users', 'Activate', 'Activate', 'Activate']);
    expect(textOf({ blocks: hlp.view.blocks as unknown[] })).not.toContain('Latest audit events');
    const vic = await openHome(VIC);
    expect(env.driver.buttons(vic).map((b) => b.text)).toEqual(['🔎 Find users']);
    expect(lockoutRows(vic)).toHaveLength(3);
    expect(counts(vic).Locked).toBe(3);
  });

  test('someone without a role, or without a directory account, gets a short notice', async () => {
    const nor = await openHome(NOR);
    expect(blocks(nor)).toHaveLength(2);
    expect(textOf({ blocks: nor.view.blocks as unknown[] })).toContain('You have no role in any organization');
    expect(env.driver.buttons(nor)).toEqual([]);
    const str = await openHome(STR);
    expect(textOf({ blocks: str.view.blocks as unknown[] })).toContain('No directory user has the email stranger@elsewhere.test');
  });

  test('Activate from Home unlocks and republishes the tab with what happened and the new counts', async () => {
    const home = await openHome(HLP);
    const bob = (await User.findOne({ where: { username: 'bob' } }))!;
    const n = home.versions.length;
    await env.driver.clickButton(HLP, home, 'Activate', { blockId: `home_lockout:${bob.id}` });
    const after = await republished(HLP, n);
    expect((await User.findByPk(bob.id))!.authStatus).toBe('active');
    expect(blocks(after)[1].text!.text).toContain(`*bob*: Activated by <@${HLP}> at`);
    expect(counts(after).Locked).toBe(2);
    expect(env.driver.buttons(after).filter((b) => b.text === 'Activate')).toHaveLength(2);
  });

  test('the permission is checked on the click: a role lost since the tab was drawn is refused, nothing changes', async () => {
    const home = await openHome(EXH);
    const lou = (await User.findOne({ where: { username: 'lou' } }))!;
    const exh = (await User.findOne({ where: { username: 'exh' } }))!;
    await Membership.update({ roles: 'viewer' }, { where: { userId: exh.id } });
    const n = home.versions.length;
    await env.driver.clickButton(EXH, home, 'Activate', { blockId: `home_lockout:${lou.id}` });
    const after = await republished(EXH, n);
    expect(blocks(after)[1].text!.text).toContain('do not have permission to unlock users');
    expect((await User.findByPk(lou.id))!.authStatus).toBe('locked');
    expect(env.driver.buttons(after).filter((b) => b.text === 'Activate')).toHaveLength(0);
  });

  test('an action taken elsewhere (a card button) refreshes the Home tab too', async () => {
    const home = await openHome(ANA);
    const n = home.versions.length;
    const { reply } = await env.run(ANA, 'show lou');
    await env.driver.clickButton(ANA, reply, 'Activate');
    const after = await republished(ANA, n);
    expect(counts(after).Locked).toBe(1);
    expect((await User.findOne({ where: { username: 'lou' } }))!.authStatus).toBe('active');
  });

  test('a large directory: opening the tab again within a minute shows the counts already taken and when; an action counts afresh', async () => {
    const original = env.rt.viewCounts;
    // Every counting counts as slow here (a small directory is always counted afresh).
    env.rt.viewCounts = new CountCache<number[]>({ maxAgeMs: 60_000, slowMs: 0 }, () => env.rt.now());
    try {
      const first = await openHome(ANA);
      const before = counts(first);
      expect(textOf({ blocks: first.view.blocks as unknown[] })).not.toContain('Counts as of');
      const dee = await makeUser({ username: 'dee', orgs: { acme: [] } });
      env.clock.now = new Date(env.clock.now.getTime() + 30_000);
      const again = await openHome(ANA);
      expect(counts(again)).toEqual(before);
      const takenAt = Math.floor((env.clock.now.getTime() - 30_000) / 1000);
      expect(textOf({ blocks: again.view.blocks as unknown[] })).toContain(`Counts as of <!date^${takenAt}^{time_secs}|`);

      // The administrator's own action: the refreshed tab counts anew.
      const n = again.versions.length;
      const { reply } = await env.run(ANA, 'show dee');
      await env.driver.clickButton(ANA, reply, 'Disable');
      const after = await republished(ANA, n);
      expect((await User.findByPk(dee.id))!.enabled).toBe(false);
      expect(counts(after)).toEqual({
        ...before,
        'All users': before['All users'] + 1,
        Disabled: before.Disabled + 1,
        'Cannot log in': before['Cannot log in'] + 1,
      });
      expect(textOf({ blocks: after.view.blocks as unknown[] })).not.toContain('Counts as of');

      // Past the minute, opening the tab counts anew too.
      await User.update({ enabled: true }, { where: { id: dee.id } });
      env.clock.now = new Date(env.clock.now.getTime() + 61_000);
      const later = await openHome(ANA);
      expect(counts(later)).toEqual({
        ...before,
        'All users': before['All users'] + 1,
        'Active (enabled)': before['Active (enabled)'] + 1,
      });
    } finally {
      env.rt.viewCounts = original;
    }
  });

  test('shortcuts: Find opens a modal whose results arrive in the DM; Bulk reset opens the form; Export starts one', async () => {
    const home = await openHome(ANA);
    await env.driver.clickButton(ANA, home, '🔎 Find users');
    const find = await env.standIn.waitFor(() => {
      const v = env.standIn.openModal(ANA);
      return v?.view.callback_id === 'find_modal' ? v : undefined;
    });
    const empty = await env.driver.submitView(ANA, find, { find_query: { value: { type: 'plain_text_input', value: '   ' } } });
    expect(empty.body).toMatchObject({ response_action: 'errors' });
    const before = env.standIn.messages.length;
    await env.driver.submitView(ANA, find, { find_query: { value: { type: 'plain_text_input', value: 'carol' } } });
    const dm = await env.standIn.waitFor(() => env.standIn.messages.slice(before).find((m) => m.channel === env.standIn.dmChannelFor(ANA)));
    expect(textOf(dm)).toContain('*carol*');
    await env.driver.closeView(ANA, env.standIn.openModal(ANA)!);

    await env.driver.clickButton(ANA, home, 'Bulk password reset');
    const bulk = await env.standIn.waitFor(() => {
      const v = env.standIn.openModal(ANA);
      return v?.view.callback_id === 'bulk_reset' ? v : undefined;
    });
    await env.driver.closeView(ANA, bulk);

    const n = env.standIn.homeView(ANA)!.versions.length;
    await env.driver.clickButton(ANA, env.standIn.homeView(ANA)!, 'Export CSV');
    const after = await republished(ANA, n);
    expect(blocks(after)[1].text!.text).toMatch(
      /Export #\d+ of acme started\. Progress and the CSV arrive in your direct messages with userops/,
    );
  });
});
