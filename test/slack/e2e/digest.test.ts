import { catchUpDigest, runDigestSlot, startDigestScheduler, DIGEST_JOB } from '../../../src/jobs/lockout-digest';
import { login } from '../../../src/services/login';
import { DIGEST_EVENT_TYPE, SlackDigestPublisher } from '../../../src/slack/digest-publisher';
import type { StandInMessage } from '../../../src/standin';
import { JobSlot, LockoutEvent, MailMessage, User } from '../../../src/store/models';
import { DIALECTS } from '../../support/db';
import { makeUser } from '../../support/fixtures';
import { expectUnchanged } from '../../support/state';
import { slackTestEnv, textOf, type SlackTestEnv } from '../../support/slack-env';

const CHANNEL = 'C0SECURITY';
const ANA = 'U0ANA0001'; // administrator of acme
const HLP = 'U0HLP0001'; // helpdesk of acme: may unlock and reset
const VIC = 'U0VIC0001'; // viewer of acme: may not
const STR = 'U0STRANGE'; // no directory account

describe.each(DIALECTS)('lockout digest on %s', (dialect) => {
  let env: SlackTestEnv;

  beforeAll(async () => {
    env = await slackTestEnv(dialect, {
      env: { DIGEST_CHANNEL: CHANNEL, DIGEST_SPIKE_THRESHOLD: '5', DIGEST_CRON: '0 9 * * 1-5', DIGEST_TZ: 'UTC' },
    });
    env.standIn.addChannel({ id: CHANNEL, name: 'security', botIsMember: true });
    await env.person(ANA, { username: 'ana', orgs: { acme: ['administrator'] } });
    // bob (below) is in acme and globex: unlocking him needs the permission in both (issue 14).
    await env.person(HLP, { username: 'hlp', orgs: { acme: ['helpdesk'], globex: ['helpdesk'] } });
    await env.person(VIC, { username: 'vic', orgs: { acme: ['viewer'] } });
    env.standIn.addUser({ id: STR, name: 'stranger', email: 'stranger@elsewhere.test' });
  });
  afterAll(async () => env.close());

  const scheduler = () => env.server.background!.digest!;
  const publisher = () => new SlackDigestPublisher(env.server.slack!.client, env.rt.config);

  /** The messages the digest of `slot` posted (identified by their metadata), in posting order. */
  function digestOf(slot: string): StandInMessage[] {
    return env.standIn
      .callsTo('chat.postMessage')
      .filter((c) => {
        const meta = c.args.metadata as { event_type?: string; event_payload?: { slot?: string } } | undefined;
        return c.args.channel === CHANNEL && meta?.event_type === DIGEST_EVENT_TYPE && meta.event_payload?.slot === slot;
      })
      .map((c) => env.standIn.messages.find((m) => m.channel === CHANNEL && m.ts === (c.response as { ts?: string }).ts)!);
  }

  /** Lock a user the real way: failed logins up to LOCKOUT_THRESHOLD (5 in tests), at the test clock's time. */
  async function lockByLogins(username: string): Promise<void> {
    for (let i = 0; i < 5; i++) await login(env.rt, { login: username, password: 'wrong password', ip: '203.0.113.7' });
    expect((await User.findOne({ where: { username } }))!.authStatus).toBe('locked');
  }

  /** Lock many users quickly: the rows the login service writes, at the given minutes past the clock. */
  async function lockDirectly(prefix: string, n: number, minutesApart: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      const at = new Date(env.clock.now.getTime() + i * minutesApart * 60_000);
      const u = await makeUser({
        username: `${prefix}${String(i).padStart(2, '0')}`,
        orgs: { acme: [] },
        authStatus: 'locked',
        lockedAt: at,
        failedLoginCount: 5,
      });
      await LockoutEvent.create({ userId: u.id, lockedAt: at, failedCount: 5, sourceIp: null });
    }
  }

  async function rewritten(m: StandInMessage, versions = m.versions.length): Promise<StandInMessage> {
    return env.standIn.waitFor(() => (m.versions.length > versions ? m : undefined), 5000, 'the digest message to be rewritten');
  }

  test('no lockouts: one line saying so', async () => {
    env.clock.now = new Date('2026-11-02T09:00:00Z');
    const run = await scheduler().runSlot(env.clock.now);
    expect(run.status).toBe('posted');
    const [m, ...more] = digestOf('2026-11-02T09:00:00.000Z');
    expect(more).toEqual([]);
    expect(m.blocks).toHaveLength(1);
    expect(textOf(m)).toContain('no new lockouts since');
    expect(m.threadTs).toBeUndefined();
  });

  test('the same slot again, or twice at once, is posted once', async () => {
    const again = await scheduler().runSlot(new Date('2026-11-02T09:00:00Z'));
    expect(again.status).toBe('taken');
    const slot = '2026-11-02T09:30:00.000Z';
    const runs = await Promise.all([
      runDigestSlot(env.rt, publisher(), slot, 'instance-a'),
      runDigestSlot(env.rt, publisher(), slot, 'instance-b'),
      runDigestSlot(env.rt, publisher(), slot, 'instance-c'),
    ]);
    expect(runs.map((r) => r.status).sort()).toEqual(['posted', 'taken', 'taken']);
    expect(digestOf(slot)).toHaveLength(1);
    expect(await JobSlot.count({ where: { name: DIGEST_JOB, slot } })).toBe(1);
  });

  test('some lockouts: a row each with name, organization, when and attempts; still-locked users from before', async () => {
    await makeUser({
      username: 'old',
      orgs: { acme: [] },
      authStatus: 'locked',
      lockedAt: new Date('2026-10-20T08:00:00Z'),
      failedLoginCount: 7,
    });
    await makeUser({ username: 'bob', firstName: 'Bob', lastName: 'Builder', orgs: { acme: [], globex: [] } });
    await makeUser({ username: 'carol', orgs: { acme: [] } });
    env.clock.now = new Date('2026-11-02T11:00:00Z');
    await lockByLogins('bob');
    env.clock.now = new Date('2026-11-02T13:00:00Z');
    await lockByLogins('carol');
    env.clock.now = new Date('2026-11-03T09:00:00Z');
    expect((await scheduler().runSlot(env.clock.now)).status).toBe('posted');
    const [m, ...more] = digestOf('2026-11-03T09:00:00.000Z');
    expect(more).toEqual([]);
    const t = textOf(m);
    expect(t).toContain('2 users locked out');
    expect(t).toContain('*Bob Builder* (`bob`) · acme, globex');
    expect(t).toContain('after 5 failed attempts from 203.0.113.7');
    expect(t).toContain('Still locked from before');
    expect(t).toContain('(`old`)');
    expect(t).toContain('after 7 failed attempts');
    expect(t).not.toContain('credential-stuffing');
    expect(env.driver.buttons(m).map((b) => b.text)).toEqual([
      'Activate',
      'Reset password',
      'Activate',
      'Reset password',
      'Activate',
      'Reset password',
    ]);
    // The next digest starts where this one ended: bob and carol are no longer new.
    env.clock.now = new Date('2026-11-03T09:05:00Z');
    await scheduler().runSlot(env.clock.now);
    const [next] = digestOf('2026-11-03T09:05:00.000Z');
    expect(textOf(next)).toContain('no new lockouts');
    expect(textOf(next)).toContain('3 accounts are still locked');
  });

  test('Activate from the digest: refused for a viewer and a stranger (nothing changes), done for helpdesk (that row rewritten)', async () => {
    const [m] = digestOf('2026-11-03T09:00:00.000Z');
    const bob = (await User.findOne({ where: { username: 'bob' } }))!;
    const carol = (await User.findOne({ where: { username: 'carol' } }))!;
    const before = JSON.stringify(m.blocks);
    // The lockout notices are still leaving the outbox; let them, so "nothing changed" is about the click.
    for (let i = 0; i < 100 && (await MailMessage.count({ where: { status: ['pending', 'sending'] } })) > 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await MailMessage.count({ where: { status: ['pending', 'sending'] } })).toBe(0);

    for (const who of [VIC, STR]) {
      const n = env.standIn.messages.length;
      await expectUnchanged([bob.id], async () => {
        await env.driver.clickButton(who, m, 'Activate', { blockId: `digest_act:${bob.id}` });
        await env.standIn.waitFor(() => env.standIn.messages.slice(n).find((x) => x.visibleTo === who), 5000, 'the refusal');
      });
      const refusal = env.standIn.messages.slice(n).find((x) => x.visibleTo === who)!;
      expect(refusal.ephemeral).toBe(true);
      expect(textOf(refusal)).toMatch(who === VIC ? /do not have permission to unlock users/ : /No directory user has the email/);
      expect(JSON.stringify(m.blocks)).toBe(before);
    }

    const n = m.versions.length;
    await env.driver.clickButton(HLP, m, 'Activate', { blockId: `digest_act:${bob.id}` });
    const after = await rewritten(m, n);
    expect((await User.findByPk(bob.id))!.authStatus).toBe('active');
    const rows = (after.blocks as Array<{ block_id?: string; text?: { text: string } }>).filter((b) =>
      b.block_id?.startsWith('digest_row:'),
    );
    const bobRow = rows.find((r) => r.block_id === `digest_row:${bob.id}`)!;
    expect(bobRow.text!.text).toMatch(/^✅ /);
    expect(bobRow.text!.text).toContain(`↳ *bob*: Activated by <@${HLP}> at`);
    // Bob's Activate is gone, his Reset stays; carol's row is untouched.
    expect(
      env.driver
        .buttons(after)
        .filter((b) => b.blockId === `digest_act:${bob.id}`)
        .map((b) => b.text),
    ).toEqual(['Reset password']);
    const carolBefore = (JSON.parse(before) as Array<{ block_id?: string }>).filter((b) => b.block_id?.endsWith(`:${carol.id}`));
    expect(after.blocks!.filter((b) => (b as { block_id?: string }).block_id?.endsWith(`:${carol.id}`))).toEqual(carolBefore);
    expect(after.threadTs).toBeUndefined();
    expect(after.channel).toBe(CHANNEL);

    // Reset password from the digest (it carries a confirm), by helpdesk.
    const reset = env.driver.buttons(after).find((b) => b.blockId === `digest_act:${carol.id}` && b.text === 'Reset password')!;
    expect(reset.confirm).toBeDefined();
    await env.driver.clickButton(HLP, after, 'Reset password', { blockId: `digest_act:${carol.id}` });
    const final = await rewritten(after);
    expect((await User.findByPk(carol.id))!.authStatus).toBe('password_reset');
    expect(textOf(final)).toContain('↳ *carol*: Password reset (link emailed)');
  });

  test('many lockouts: pages of at most 50 blocks, the rest in the thread, nobody lost; a spike is called out', async () => {
    env.clock.now = new Date('2026-11-03T14:00:00Z');
    await lockDirectly('mass', 45, 1); // 45 lockouts within 45 minutes: a spike over the threshold of 5
    env.clock.now = new Date('2026-11-04T09:00:00Z');
    await scheduler().runSlot(env.clock.now);
    const pages = digestOf('2026-11-04T09:00:00.000Z');
    expect(pages.length).toBeGreaterThanOrEqual(2);
    const [first, ...rest] = pages;
    expect(first.threadTs).toBeUndefined();
    for (const p of rest) expect(p.threadTs).toBe(first.ts);
    for (const p of pages) expect(p.blocks!.length).toBeLessThanOrEqual(50);
    const all = pages.map(textOf).join('\n');
    for (let i = 0; i < 45; i++) expect(all.split(`(\`mass${String(i).padStart(2, '0')}\`)`)).toHaveLength(2);
    expect(textOf(first)).toContain('Possible credential-stuffing attack');
    expect(textOf(first)).toContain(`Page 1 of ${pages.length}`);

    // The spike's button opens the bulk-reset form pre-filled with those users (admin holds bulk reset).
    await env.driver.clickButton(ANA, first, /^Bulk reset these 45/);
    const modal = await env.standIn.waitFor(() => {
      const v = env.standIn.openModal(ANA);
      return v && v.view.callback_id === 'bulk_reset' ? v : undefined;
    });
    const picker = JSON.stringify(modal.view.blocks);
    const initial = modal.view.blocks as Array<{ block_id?: string; element?: { initial_options?: unknown[]; initial_value?: string } }>;
    expect(initial.find((b) => b.block_id === 'picked')!.element!.initial_options).toHaveLength(45);
    expect(picker).toContain('mass00');
    expect(initial.find((b) => b.block_id === 'reason')!.element!.initial_value).toContain('Possible credential-stuffing attack: 45 users');
  });

  test('catch-up: a slot missed while every instance was down is posted once at the next start, not again', async () => {
    // Last digest: 2026-11-04 09:00. Everything is down until Friday 10:30: Thursday's and Friday's slots were missed.
    env.clock.now = new Date('2026-11-06T10:30:00Z');
    const first = startDigestScheduler(env.rt, publisher(), { instanceId: 'restart-1' });
    const second = startDigestScheduler(env.rt, publisher(), { instanceId: 'restart-2' });
    const results = await Promise.all([first.started, second.started]);
    await Promise.all([first.stop(), second.stop()]);
    // Only the latest missed slot, once, whichever instance claimed it.
    expect(results.filter((r) => r?.status === 'posted')).toHaveLength(1);
    expect(digestOf('2026-11-06T09:00:00.000Z')).toHaveLength(1);
    expect(digestOf('2026-11-05T09:00:00.000Z')).toHaveLength(0);
    // Another restart later the same day: nothing missed since.
    env.clock.now = new Date('2026-11-06T11:00:00Z');
    expect(await catchUpDigest(env.rt, publisher(), 'restart-3')).toBeNull();
    expect(digestOf('2026-11-06T09:00:00.000Z')).toHaveLength(1);
  });

  test('catch-up: not when an operator posted a digest after the missed slot', async () => {
    env.clock.now = new Date('2026-11-09T09:45:00Z'); // Monday: the 09:00 slot was missed…
    await runDigestSlot(env.rt, publisher(), 'manual:2026-11-09T09:45:00.000Z', 'operator'); // …but digest --now ran at 09:45.
    env.clock.now = new Date('2026-11-09T10:00:00Z');
    expect(await catchUpDigest(env.rt, publisher(), 'restart-4')).toBeNull();
    expect(digestOf('2026-11-09T09:00:00.000Z')).toHaveLength(0);
  });

  test('a post Slack refuses leaves the slot unfinished and its lockouts to the next digest', async () => {
    env.clock.now = new Date('2026-11-09T11:00:00Z');
    await lockDirectly('late', 1, 0);
    env.clock.now = new Date('2026-11-10T09:00:00Z');
    env.standIn.fail('chat.postMessage', { error: 'channel_not_found' });
    const failed = await scheduler().runSlot(env.clock.now);
    expect(failed.status).toBe('failed');
    expect((await JobSlot.findOne({ where: { name: DIGEST_JOB, slot: '2026-11-10T09:00:00.000Z' } }))!.finishedAt).toBeNull();
    env.clock.now = new Date('2026-11-11T09:00:00Z');
    await scheduler().runSlot(env.clock.now);
    expect(textOf(digestOf('2026-11-11T09:00:00.000Z')[0])).toContain('(`late00`)');
  });
});
