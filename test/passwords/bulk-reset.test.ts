import { AuditEvent, Job, MailMessage, ResetToken, User } from '../../src/store/models';
import type { StandInView } from '../../src/standin';
import { DIALECTS } from '../support/db';
import { openBulkResetForm, slackTestEnv, textOf, type SlackTestEnv } from '../support/slack-env';
import { until } from '../support/wait';

const SEC = 'U0SEC0001';
const HLP = 'U0HLP0001';

describe.each(DIALECTS)('bulk password reset on %s', (dialect) => {
  let env: SlackTestEnv;
  beforeAll(async () => {
    env = await slackTestEnv(dialect, { smtp: true, mailBaseDelayMs: 50 });
    await env.person(SEC, { username: 'sec', orgs: { acme: ['security'] } });
    await env.person(HLP, { username: 'hlp', orgs: { acme: ['helpdesk'] } });
    for (let i = 0; i < 12; i++) await env.person(`U0U${String(i).padStart(6, '0')}`, { username: `user${i}`, orgs: { acme: [] } });
    await env.person('U0OFF0001', { username: 'off', enabled: false, orgs: { acme: [] } });
    await env.person('U0LK10001', { username: 'lk1', authStatus: 'locked', orgs: { acme: [] } });
    await env.person('U0LK20001', { username: 'lk2', authStatus: 'locked', orgs: { acme: [] } });
    await env.person('U0OTH0001', { username: 'other', orgs: { globex: [] } });
  });
  afterAll(async () => env.close());

  const modal = (userId: string, text: string) =>
    env.standIn.waitFor(
      () => {
        const v = [...env.standIn.views.values()].filter((x) => x.kind === 'modal' && x.userId === userId && !x.closed).pop();
        return v && JSON.stringify(v.view).includes(text) ? v : undefined;
      },
      8000,
      `a modal showing "${text}"`,
    );

  const openForm = () => openBulkResetForm(env.driver, env.standIn, SEC);

  const text = (v: string) => ({ value: { type: 'plain_text_input', value: v } });

  test('validation: a reason and some targets are required (errors under the fields)', async () => {
    const form = await openForm();
    const r = await env.driver.submitView(SEC, form, { reason: text('') });
    expect(r.body).toEqual({ response_action: 'errors', errors: { reason: expect.any(String), picked: expect.any(String) } });
  });

  test('the user picker is served by the app (type-ahead)', async () => {
    const form = await openForm();
    const r = await env.driver.suggest(SEC, form, 'bulk_user_picker', 'user1');
    const options = (r.body as { options: Array<{ value: string; text: { text: string } }> }).options;
    expect(options.map((o) => o.text.text.split(' ')[0])).toEqual(['user1', 'user10', 'user11']);
    expect(options.every((o) => o.text.text.length <= 75)).toBe(true);
  });

  test('pasted list with unknown entries: preview, confirm, job runs, progress and summary in the DM, mails sent once', async () => {
    const form = await openForm();
    const pasted = ['user0', 'USER1@example.com', 'user2', 'ghost', 'off', 'sec', 'other', ' user3 ', ''].join('\n');
    const mailsBefore = env.smtp!.mails.length;
    const r = await env.driver.submitView(SEC, form, { pasted: text(pasted), reason: text('credentials leaked in incident 4711') });
    expect(r.status).toBe(200);
    const preview = await modal(SEC, 'will have to choose a new password');
    const pt = JSON.stringify(preview.view);
    expect(pt).toContain('*4 users* will have to choose');
    // Somebody of another organization reads exactly like a name that matches nobody.
    expect(pt).toContain('Not found (2): ghost, other');
    expect(pt).toContain('Skipped, disabled (a reset needs an enabled account) (1): off');
    expect(pt).toContain('Skipped: you');
    expect(pt).not.toMatch(/outside/i);
    // Nothing changed yet.
    expect((await User.findOne({ where: { username: 'user0' } }))!.authStatus).toBe('active');

    await env.driver.submitView(SEC, preview, {});
    const dm = await env.standIn.waitForMessage({ channel: env.standIn.dmChannelFor(SEC), text: /Bulk password reset/ }, 8000);
    const finished = await env.standIn.waitFor(() => (textOf(dm).includes('finished') ? dm : undefined), 10_000, 'the job summary');
    expect(textOf(finished)).toContain('4 reset, 0 skipped, 0 refused (of 4)');
    for (const u of ['user0', 'user1', 'user2', 'user3']) {
      const row = await User.findOne({ where: { username: u } });
      expect(row!.authStatus).toBe('password_reset');
      expect(await ResetToken.count({ where: { userId: row!.id, usedAt: null, revokedAt: null } })).toBe(1);
    }
    for (const u of ['user4', 'off', 'sec', 'other']) expect((await User.findOne({ where: { username: u } }))!.authStatus).toBe('active');
    const audits = await AuditEvent.findAll({ where: { action: 'reset_password' } });
    expect(audits.filter((a) => a.reason === 'credentials leaked in incident 4711')).toHaveLength(4);
    const mails = await env.smtp!.waitFor((m) => m.length >= mailsBefore + 4, 10_000);
    const resetMails = mails.slice(mailsBefore).filter((m) => m.subject === 'Set a new password for your account');
    expect(resetMails.map((m) => m.to[0]).sort()).toEqual([
      'user0@example.com',
      'user1@example.com',
      'user2@example.com',
      'user3@example.com',
    ]);
    expect(resetMails.every((m) => m.text.includes('credentials leaked in incident 4711'))).toBe(true);
    expect(new Set(resetMails.map((m) => m.messageId)).size).toBe(4);
  });

  test('by saved view (locked) within the organization', async () => {
    const form = await openForm();
    await env.driver.submitView(SEC, form, {
      scope_view: { value: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'Locked' }, value: 'locked' } } },
      reason: text('lockout storm'),
    });
    const preview = await modal(SEC, 'will have to choose a new password');
    expect(JSON.stringify(preview.view)).toContain('*2 users*');
    await confirmAndFinish(preview);
    for (const u of ['lk1', 'lk2']) expect((await User.findOne({ where: { username: u } }))!.authStatus).toBe('password_reset');
  });

  /** Confirm a preview and wait until its job has finished. */
  async function confirmAndFinish(preview: StandInView): Promise<void> {
    const done = await Job.count({ where: { kind: 'bulk_reset', status: 'done' } });
    await env.driver.submitView(SEC, preview, {});
    await until(async () => (await Job.count({ where: { kind: 'bulk_reset', status: 'done' } })) > done, 'the bulk reset job to finish');
  }

  test('SMTP down during a bulk reset: state committed, mails delivered once when it is back', async () => {
    await env.smtp!.down();
    const form = await openForm();
    await env.driver.submitView(SEC, form, { pasted: text('user5\nuser6\nuser7'), reason: text('smtp outage drill') });
    const preview = await modal(SEC, 'will have to choose a new password');
    await confirmAndFinish(preview);
    for (const u of ['user5', 'user6', 'user7'])
      expect((await User.findOne({ where: { username: u } }))!.authStatus).toBe('password_reset');
    const pending = await MailMessage.count({
      where: { toAddress: ['user5@example.com', 'user6@example.com', 'user7@example.com'], status: ['pending', 'sending'] },
    });
    expect(pending).toBe(3);
    const before = env.smtp!.mails.length;
    await env.smtp!.up();
    // The sender retries on its backoff; the test clock moves so the retry is due.
    env.clock.now = new Date(env.clock.now.getTime() + 60_000);
    env.server.workers!.mail.kick();
    const mails = await env.smtp!.waitFor((m) => m.slice(before).filter((x) => x.text.includes('smtp outage drill')).length >= 3, 15_000);
    const these = mails.slice(before).filter((x) => x.text.includes('smtp outage drill'));
    expect(these).toHaveLength(3);
    await until(
      async () =>
        (await MailMessage.count({
          where: { toAddress: ['user5@example.com', 'user6@example.com', 'user7@example.com'], status: 'sent' },
        })) === 3,
      'the three mails marked sent',
    );
    // Delivered exactly once each, even after the failed attempts.
    expect(new Set(these.map((m) => m.messageId)).size).toBe(3);
  });

  test('helpdesk may not run bulk resets: the form says why and offers only bulk unlock', async () => {
    await env.driver.command(HLP, 'bulk-reset');
    const v = await modal(HLP, 'permission');
    const t = JSON.stringify(v.view);
    expect(t).toContain('You do not have permission to run bulk password resets');
    expect(t).toContain('"value":"activate"');
    expect(t).not.toContain('"value":"reset_password"');
  });
});
