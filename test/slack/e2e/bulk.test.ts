import { AuditEvent, Job, User } from '../../../src/store/models';
import type { StandInMessage, StandInView } from '../../../src/standin';
import { DIALECTS } from '../../support/db';
import { modalShowing, openBulkResetForm, slackTestEnv, textOf, type SlackTestEnv } from '../../support/slack-env';
import { until } from '../../support/wait';

const ANA = 'U0ANA0001'; // administrator of acme and globex

/** The one bulk flow through Slack (issue 15): the form's action select, the organization filter, typed commands. */
describe.each(DIALECTS)('the bulk flow on %s', (dialect) => {
  let env: SlackTestEnv;
  const ids = new Map<string, number>();

  beforeAll(async () => {
    env = await slackTestEnv(dialect);
    await env.person(ANA, { username: 'ana', orgs: { acme: ['administrator'], globex: ['administrator'] } });
    const add = async (slackId: string, username: string, spec: object) => {
      const u = await env.person(slackId, { username, ...spec });
      ids.set(username, u.id);
    };
    for (let i = 0; i < 6; i++) await add(`U0ACM${i}0001`, `acm${i}`, { orgs: { acme: [] } });
    for (let i = 0; i < 2; i++) await add(`U0GLX${i}0001`, `glx${i}`, { orgs: { globex: [] } });
    for (let i = 0; i < 3; i++) await add(`U0LKA${i}0001`, `lka${i}`, { authStatus: 'locked', orgs: { acme: [] } });
    await add('U0LKG00001', 'lkg0', { authStatus: 'locked', orgs: { globex: [] } });
    for (let i = 0; i < 12; i++)
      await add(`U0TYP${String(i).padStart(2, '0')}001`, `typ${String(i).padStart(2, '0')}`, { orgs: { acme: [] } });
    for (let i = 0; i < 3; i++) await add(`U0FEW${i}0001`, `few${i}`, { orgs: { acme: [] } });
  });
  afterAll(async () => env.close());

  const text = (v: string) => ({ value: { type: 'plain_text_input', value: v } });
  const select = (value: string) => ({
    value: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: value }, value } },
  });
  const pick = (...names: string[]) => ({
    bulk_user_picker: {
      type: 'multi_external_select',
      selected_options: names.map((n) => ({ text: { type: 'plain_text', text: n }, value: String(ids.get(n)) })),
    },
  });
  const enabled = async (u: string) => (await User.findOne({ where: { username: u } }))!.enabled;
  const authStatus = async (u: string) => (await User.findOne({ where: { username: u } }))!.authStatus;

  /** Submit a filled form and return the preview modal. */
  async function preview(values: Record<string, Record<string, unknown>>): Promise<StandInView> {
    const form = await openBulkResetForm(env.driver, env.standIn, ANA);
    const r = await env.driver.submitView(ANA, form, values);
    expect(r.status).toBe(200);
    return modalShowing(env.standIn, ANA, 'Reason:');
  }

  /** Confirm a preview and wait until its job (of `kind`) has finished. */
  async function confirm(view: StandInView, kind: string): Promise<void> {
    const done = await Job.count({ where: { kind, status: 'done' } });
    await env.driver.submitView(ANA, view, {});
    await until(async () => (await Job.count({ where: { kind, status: 'done' } })) > done, `the ${kind} job to finish`);
  }

  test('the form offers the four actions with Reset password preselected, and the organization as a filter', async () => {
    const form = await openBulkResetForm(env.driver, env.standIn, ANA);
    const v = JSON.stringify(form.view);
    for (const label of ['Reset password', 'Disable', 'Enable', 'Activate (unlock)']) expect(v).toContain(label);
    expect(v).toContain('"initial_option":{"text":{"type":"plain_text","text":"Reset password"},"value":"reset_password"}');
    expect(v).toContain('Only members of (optional)');
    expect(v).toContain('Narrows the users chosen above; never adds anyone.');
    // `/users bulk` opens the same form.
    const before = new Set(env.standIn.views.keys());
    await env.driver.command(ANA, 'bulk');
    await env.standIn.waitFor(
      () => [...env.standIn.views.values()].find((x) => !before.has(x.id) && JSON.stringify(x.view).includes('Choose an action')),
      8000,
      'the form from /users bulk',
    );
  });

  test('issue 15: 3 users picked and the filter acme preview those 3 at most — never all of acme', async () => {
    const p = await preview({
      bulk_action: select('disable'),
      picked: pick('acm0', 'acm1', 'glx0'),
      scope_org: select('acme'),
      reason: text('offboarding wave 7'),
    });
    const pt = JSON.stringify(p.view);
    expect(pt).toContain('*2 users* will be disabled.');
    expect(pt).toContain('First: acm0, acm1');
    expect(pt).toContain('Skipped, not in acme (1): glx0');
    expect((p.view as { submit?: { text: string } }).submit?.text).toBe('Disable 2');
    await confirm(p, 'bulk_disable');
    expect([await enabled('acm0'), await enabled('acm1')]).toEqual([false, false]);
    // The rest of acme, and the user outside the filter, are untouched.
    for (const u of ['acm2', 'acm3', 'glx0', 'typ00']) expect(await enabled(u)).toBe(true);
    // The action select drove the job kind; every audit line carries the reason.
    const audits = await AuditEvent.findAll({ where: { action: 'disable', reason: 'offboarding wave 7' } });
    expect(audits.map((a) => a.targetUserId).sort()).toEqual([ids.get('acm0'), ids.get('acm1')].sort());
  });

  test('picked ∪ pasted ∪ a view, with the filter and then without: the preview count is what the job changes', async () => {
    // Filter acme: the view "locked" contributes acme's locked users only; a picked globex user is skipped.
    const filtered = await preview({
      bulk_action: select('activate'),
      picked: pick('glx1'),
      pasted: text('lka0, acm2'),
      scope_view: select('locked'),
      scope_org: select('acme'),
      reason: text('lockout storm'),
    });
    const ft = JSON.stringify(filtered.view);
    expect(ft).toContain('*3 users* will be unlocked.');
    expect(ft).toContain('Skipped, not in acme (1): glx1');
    expect(ft).toContain('Skipped, already active (not locked) (1): acm2');
    await confirm(filtered, 'bulk_activate');
    for (const u of ['lka0', 'lka1', 'lka2']) expect(await authStatus(u)).toBe('active');
    expect(await authStatus('lkg0')).toBe('locked');

    // No filter: the view spans both organizations; a pasted name nobody has is "not found".
    const open = await preview({
      bulk_action: select('activate'),
      pasted: text('ghost'),
      scope_view: select('locked'),
      reason: text('lockout storm'),
    });
    const ot = JSON.stringify(open.view);
    expect(ot).toContain('*1 user* will be unlocked.');
    expect(ot).toContain('Not found (1): ghost');
    await confirm(open, 'bulk_activate');
    expect(await authStatus('lkg0')).toBe('active');
  });

  test('a preview that changes nobody has no confirm button', async () => {
    const p = await preview({ bulk_action: select('enable'), pasted: text('acm3'), reason: text('nothing to do') });
    expect(JSON.stringify(p.view)).toContain('Skipped, already enabled (1): acm3');
    expect((p.view as { submit?: unknown }).submit ?? null).toBeNull();
  });

  test('nobody chosen (or only an organization): a field error and nothing queued', async () => {
    const jobs = await Job.count();
    const form = await openBulkResetForm(env.driver, env.standIn, ANA);
    const r = await env.driver.submitView(ANA, form, {
      bulk_action: select('disable'),
      scope_org: select('acme'),
      reason: text('all of acme?'),
    });
    expect(r.body).toEqual({ response_action: 'errors', errors: { picked: expect.stringContaining('organization only narrows') } });
    expect(await Job.count()).toBe(jobs);
  });

  test('typed disable of 3 names answers inline, a line each', async () => {
    const r = await env.run(ANA, 'disable few0 few1 few2');
    expect(textOf(r.reply)).toContain('Disable: 3 of 3 changed');
    for (const u of ['few0', 'few1', 'few2']) expect(await enabled(u)).toBe(false);
  });

  test('typed disable of 12 names with a reason: the preview, Confirm, all 12 disabled', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `typ${String(i).padStart(2, '0')}`);
    const r = await env.run(ANA, `disable ${names.join(' ')} --reason "contractors left"`);
    const t = textOf(r.reply);
    expect(t).toContain('*12 users* will be disabled.');
    expect(t).toContain('and 2 more');
    for (const u of names) expect(await enabled(u)).toBe(true);
    const button = env.driver.buttons(r.reply).find((b) => b.text === 'Disable 12')!;
    expect(button.confirm).toBeDefined();
    const done = await Job.count({ where: { kind: 'bulk_disable', status: 'done' } });
    await env.driver.clickButton(ANA, r.reply, 'Disable 12');
    await until(async () => (await Job.count({ where: { kind: 'bulk_disable', status: 'done' } })) > done, 'the typed job to finish');
    for (const u of names) expect(await enabled(u)).toBe(false);
    expect(await AuditEvent.count({ where: { action: 'disable', reason: 'contractors left' } })).toBe(12);
    const started = await env.standIn.waitFor(
      () => (textOf(r.reply).includes('Started') ? r.reply : undefined),
      5000,
      'the preview rewritten as started',
    );
    expect(textOf(started)).toContain('Bulk disable');
  });

  test('typed enable of 12 names without a reason opens the bulk form with the names and the action', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `typ${String(i).padStart(2, '0')}`);
    const before = new Set(env.standIn.views.keys());
    await env.driver.command(ANA, `enable ${names.join(' ')}`);
    const form = await env.standIn.waitFor(
      () => [...env.standIn.views.values()].find((x) => !before.has(x.id) && JSON.stringify(x.view).includes('Choose an action')),
      8000,
      'the pre-filled bulk form',
    );
    const v = JSON.stringify(form.view);
    expect(v).toContain('"initial_option":{"text":{"type":"plain_text","text":"Enable"},"value":"enable"}');
    expect(v).toContain(`"initial_value":"${names.join('\\n')}"`);
    // Nothing changed until the form is previewed and confirmed.
    for (const u of names) expect(await enabled(u)).toBe(false);
    await env.driver.submitView(ANA, form, { reason: text('contract renewed') });
    const p = await modalShowing(env.standIn, ANA, 'will be enabled');
    expect(JSON.stringify(p.view)).toContain('*12 users* will be enabled.');
    await confirm(p, 'bulk_enable');
    for (const u of names) expect(await enabled(u)).toBe(true);
  });

  test('help lists /users bulk', async () => {
    const r: { reply: StandInMessage } = await env.run(ANA, 'help');
    expect(textOf(r.reply)).toContain('/users bulk`');
  });
});
