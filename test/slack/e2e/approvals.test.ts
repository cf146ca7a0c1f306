import { startServer } from '../../../src/server/server';
import { expireDueApprovals } from '../../../src/services/approvals';
import { SlackDriver, type StandInMessage } from '../../../src/standin';
import { ApprovalRequest, AuditEvent, Job, Membership, User } from '../../../src/store/models';
import { DIALECTS } from '../../support/db';
import { org } from '../../support/fixtures';
import { SIGNING_SECRET, modalShowing, openBulkResetForm, slackTestEnv, textOf, type SlackTestEnv } from '../../support/slack-env';
import { until } from '../../support/wait';

const ANA = 'U0ANA0001'; // administrator of acme and globex: the requester
const BOB = 'U0BOB0001'; // administrator of acme and globex: an approver
const DAN = 'U0DAN0001'; // security of acme and globex: another approver (of status actions and resets, not of deletes)
const CAT = 'U0CAT0001'; // administrator of acme only

const SETTINGS = { APPROVAL_REQUIRED: 'bulk,delete,admin_target', APPROVAL_BULK_MIN: '5' };

/** The DM channel the stand-in opens for a user (conversations.open). */
const dmOf = (slackId: string) => `D${slackId.slice(1)}`;

/**
 * Issue 19 through real HTTP with signed Slack requests and two (or more) Slack users: an action
 * APPROVAL_REQUIRED names waits for a second person, who must hold the same permission over every
 * target, is never the requester, and decides once.
 */
describe.each(DIALECTS)('two-person approval on %s', (dialect) => {
  let env: SlackTestEnv;
  const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`);

  beforeAll(async () => {
    env = await slackTestEnv(dialect, { smtp: true, env: SETTINGS });
    await env.person(ANA, { username: 'ana', orgs: { acme: ['administrator'], globex: ['administrator'] } });
    await env.person(BOB, { username: 'bob', orgs: { acme: ['administrator'], globex: ['administrator'] } });
    await env.person(DAN, { username: 'dan', orgs: { acme: ['security'], globex: ['security'] } });
    await env.person(CAT, { username: 'cat', orgs: { acme: ['administrator'] } });
    // Six groups of plain members; the last of each group is also in globex, where cat holds no role.
    for (const prefix of ['den', 'app', 'exp', 'chg', 'dbl']) {
      const list = names(prefix, 12);
      for (const [i, username] of list.entries())
        await env.person(`U0${prefix.toUpperCase()}${String(i).padStart(2, '0')}X`, {
          username,
          orgs: i === list.length - 1 ? { acme: [], globex: [] } : { acme: [] },
        });
    }
    await env.person('U0VIC0001', { username: 'victim', orgs: { acme: [] } });
    await env.person('U0EVE0001', { username: 'eve', orgs: { acme: ['administrator'] } });
  });
  afterAll(async () => env.close());

  const enabled = async (u: string) => (await User.findOne({ where: { username: u } }))!.enabled;
  const latestRequest = async () => (await ApprovalRequest.findOne({ order: [['id', 'DESC']] }))!;

  /** A request message in someone's DM with the app. */
  function requestIn(slackId: string, id: number): Promise<StandInMessage> {
    return env.standIn.waitFor(
      () =>
        env.standIn.messages.find(
          (m) => m.channel === dmOf(slackId) && m.source === 'chat.postMessage' && textOf(m).includes(`approval request #${id}`),
        ),
      5000,
      `request #${id} in the DM of ${slackId}`,
    );
  }

  /** The next reply to a click (through its response_url): a new message visible to `slackId`, or the clicked one replaced. */
  async function click(slackId: string, on: StandInMessage, button: string): Promise<StandInMessage> {
    const before = env.standIn.messages.length;
    const versions = on.versions.length;
    const r = await env.driver.clickButton(slackId, on, button);
    expect(r.status).toBe(200);
    return env.standIn.waitFor(
      () =>
        env.standIn.messages.slice(before).find((m) => m.source === 'response_url' && (m.visibleTo === slackId || !m.ephemeral)) ??
        (on.ephemeral && on.versions.length > versions ? on : undefined),
      8000,
      `the answer to ${slackId} clicking ${button}`,
    );
  }

  /** A message as first posted (with its buttons): a click already on its way when the message was rewritten. */
  const asFirstPosted = (m: StandInMessage): StandInMessage => ({ ...m, text: m.versions[0].text, blocks: m.versions[0].blocks });

  /** `/users disable NAMES --reason …` → the preview → Request approval → the stored request. */
  async function requestDisable(users: string[], reason: string): Promise<ApprovalRequest> {
    const r = await env.run(ANA, `disable ${users.join(' ')} --reason "${reason}"`);
    const t = textOf(r.reply);
    expect(t).toContain(`*${users.length} users* will be disabled.`);
    expect(t).toContain("This needs a second person's approval");
    const labels = env.driver.buttons(r.reply).map((b) => b.text);
    expect(labels).toContain('Request approval');
    expect(labels).not.toContain(`Disable ${users.length}`);
    const pending = await click(ANA, r.reply, 'Request approval');
    expect(textOf(pending)).toContain('Approval requested (#');
    const req = await latestRequest();
    expect(req.status).toBe('pending');
    return req;
  }

  test('a bulk action over the threshold is requested, not done; DMs go to those who may approve it, and the requester is told', async () => {
    const users = names('den', 12);
    const audits = await AuditEvent.count({ where: { action: 'approval_requested' } });
    const req = await requestDisable(users, 'contractors left');
    for (const u of users) expect(await enabled(u)).toBe(true);
    expect(await AuditEvent.count({ where: { action: 'approval_requested' } })).toBe(audits + 1);
    expect(req.userCount).toBe(12);
    expect(req.neededBecause).toBe('bulk');
    // bob and dan (enable/disable over acme and globex) get it; cat (no role in globex) and ana do not.
    const toBob = await requestIn(BOB, req.id);
    await requestIn(DAN, req.id);
    const t = textOf(toBob);
    expect(t).toContain('*12 users* will be disabled.');
    expect(t).toContain('contractors left');
    expect(t).toContain(`<@${ANA}>`);
    expect(env.driver.buttons(toBob).map((b) => b.text)).toEqual(['Approve', 'Deny…']);
    expect(env.standIn.messages.some((m) => m.channel === dmOf(CAT) && textOf(m).includes(`#${req.id}`))).toBe(false);
    // The requester's DM says it waits.
    await env.standIn.waitFor(
      () => env.standIn.messages.find((m) => m.channel === dmOf(ANA) && textOf(m).includes(`approval request #${req.id} sent to 2 people`)),
      5000,
      'the requester told it is pending',
    );

    // Self-approval is refused, and so is someone lacking the permission in one target organization.
    const self = await click(ANA, toBob, 'Approve');
    expect(textOf(self)).toContain('You cannot approve or deny your own request');
    const cat = await click(CAT, toBob, 'Approve');
    expect(textOf(cat)).toContain('You may not decide this request: it needs the permission to enable or disable users for every user');
    expect(textOf(cat)).not.toContain('globex');
    expect((await ApprovalRequest.findByPk(req.id))!.status).toBe('pending');
    for (const u of users) expect(await enabled(u)).toBe(true);

    // `/users approvals` lists it for bob, not for ana (hers) or cat (not allowed).
    expect(textOf((await env.run(BOB, 'approvals')).reply)).toContain(`approval request #${req.id}`);
    expect(textOf((await env.run(ANA, 'approvals')).reply)).not.toContain(`approval request #${req.id}`);
    expect(textOf((await env.run(CAT, 'approvals')).reply)).toContain('No approval requests wait for you.');

    // Deny asks for a reason in a modal.
    await env.driver.clickButton(BOB, toBob, 'Deny…');
    const modal = await modalShowing(env.standIn, BOB, `request #${req.id}`);
    const short = await env.driver.submitView(BOB, modal, { reason: { value: { type: 'plain_text_input', value: 'no' } } });
    expect(short.body).toEqual({ response_action: 'errors', errors: { reason: 'Give a reason of 3 to 500 characters.' } });
    await env.driver.submitView(BOB, modal, { reason: { value: { type: 'plain_text_input', value: 'only half of them left' } } });
    await modalShowing(env.standIn, BOB, 'Denied by');
    const denied = (await ApprovalRequest.findByPk(req.id))!;
    expect(denied.status).toBe('denied');
    expect(denied.denyReason).toBe('only half of them left');
    expect(denied.approverLabel).toContain('bob');
    expect(await AuditEvent.count({ where: { action: 'approval_denied', reason: 'only half of them left' } })).toBe(1);
    for (const u of users) expect(await enabled(u)).toBe(true);
    // Every copy is rewritten without buttons; the requester gets the reason by DM.
    await env.standIn.waitFor(() => (textOf(toBob).includes('Denied by') ? toBob : undefined), 5000, 'the request rewritten');
    expect(env.driver.buttons(toBob)).toEqual([]);
    await env.standIn.waitFor(
      () => env.standIn.messages.find((m) => m.channel === dmOf(ANA) && textOf(m).includes('only half of them left')),
      5000,
      'the requester told why',
    );
    // A late click changes nothing and says why.
    expect(textOf(await click(DAN, asFirstPosted(await requestIn(DAN, req.id)), 'Approve'))).toContain(
      'That request was already denied by bob',
    );
  });

  test('approved: the job runs on the requester’s behalf, every change carries the approval id; two approvers at once run it once', async () => {
    const users = names('dbl', 12);
    const req = await requestDisable(users, 'double click');
    const toBob = await requestIn(BOB, req.id);
    const toDan = await requestIn(DAN, req.id);
    const jobs = await Job.count({ where: { kind: 'bulk_disable' } });
    const [a, b] = await Promise.all([env.driver.clickButton(BOB, toBob, 'Approve'), env.driver.clickButton(DAN, toDan, 'Approve')]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await until(
      async () =>
        (await Job.count({ where: { kind: 'bulk_disable', status: 'done' } })) > 0 &&
        (await ApprovalRequest.findByPk(req.id))!.status === 'approved',
      'the approved job',
    );
    await until(async () => (await Job.findByPk(req.jobId!))!.status === 'done', 'the job to finish');
    for (const u of users) expect(await enabled(u)).toBe(false);
    // One job (the draft queued once), one approval line, twelve disable lines with the approval id.
    expect(await Job.count({ where: { kind: 'bulk_disable' } })).toBe(jobs);
    expect(await AuditEvent.count({ where: { action: 'approval_approved' } })).toBe(1);
    const lines = await AuditEvent.findAll({ where: { action: 'disable', reason: 'double click' } });
    expect(lines).toHaveLength(12);
    for (const l of lines) {
      expect(JSON.parse(l.details!)).toEqual({ jobId: req.jobId, approvalId: req.id });
      expect(l.actorLabel).toContain('ana'); // on the requester's behalf
    }
    const approved = (await ApprovalRequest.findByPk(req.id))!;
    expect(approved.approverLabel).toMatch(/bob|dan/);
    // The one who came second is told it was already approved.
    await until(
      () => env.standIn.messages.some((m) => m.source === 'response_url' && textOf(m).includes('already approved by')),
      'the second click answered',
    );
  });

  test('a request past APPROVAL_TTL_MINUTES (the controllable clock) expires: the click says so and nothing changes', async () => {
    const users = names('exp', 12);
    const req = await requestDisable(users, 'expiry');
    const toBob = await requestIn(BOB, req.id);
    const saved = env.clock.now;
    env.clock.now = new Date(saved.getTime() + 61 * 60_000);
    try {
      const r = await click(BOB, toBob, 'Approve');
      expect(textOf(r)).toContain('Expired');
      expect((await ApprovalRequest.findByPk(req.id))!.status).toBe('expired');
      expect(await AuditEvent.count({ where: { action: 'approval_expired' } })).toBe(1);
      for (const u of users) expect(await enabled(u)).toBe(true);
      expect(textOf(await click(DAN, asFirstPosted(await requestIn(DAN, req.id)), 'Approve'))).toContain(
        'That request expired; nothing changed.',
      );
    } finally {
      env.clock.now = saved;
    }
  });

  test('the selection changed since the request: the request is void and says so', async () => {
    const users = names('chg', 12);
    const req = await requestDisable(users, 'changed');
    // Meanwhile bob disables one of them himself (a typed command of one name needs no approval).
    expect(textOf((await env.run(BOB, 'disable chg03')).reply)).toContain('chg03 disabled');
    const r = await click(BOB, await requestIn(BOB, req.id), 'Approve');
    expect(textOf(r)).toContain('Void');
    expect(textOf(r)).toContain('the selection changed since the request (11 users now, 12 requested)');
    expect((await ApprovalRequest.findByPk(req.id))!.status).toBe('void');
    expect(await AuditEvent.count({ where: { action: 'approval_void' } })).toBe(1);
    for (const u of users.filter((u) => u !== 'chg03')) expect(await enabled(u)).toBe(true);
    expect(await Job.count({ where: { id: req.jobId!, status: 'draft' } })).toBe(1);
  });

  test('delete asks for approval at the confirm step; dan (security) may not approve it, bob does and the user is gone', async () => {
    const r = await env.run(ANA, 'delete victim');
    expect(env.driver.buttons(r.reply).map((b) => b.text)).toContain('Request approval');
    const pending = await click(ANA, r.reply, 'Request approval');
    expect(textOf(pending)).toContain('Approval requested (#');
    const req = await latestRequest();
    expect(req.action).toBe('delete');
    expect(await User.count({ where: { username: 'victim' } })).toBe(1);
    // Only administrators may delete: bob gets it, dan does not (and is refused if he clicks).
    const toBob = await requestIn(BOB, req.id);
    expect(env.standIn.messages.some((m) => m.channel === dmOf(DAN) && textOf(m).includes(`approval request #${req.id}`))).toBe(false);
    expect(textOf(await click(DAN, toBob, 'Approve'))).toContain(
      'You may not decide this request: it needs the permission to delete users',
    );
    const done = await click(BOB, toBob, 'Approve');
    expect(textOf(done)).toContain('Approved by');
    expect(await User.count({ where: { username: 'victim' } })).toBe(0);
    // A late click by another administrator of acme (the user is gone by now) is told who decided.
    expect(textOf(await click(CAT, asFirstPosted(toBob), 'Approve'))).toContain('That request was already approved by bob');
    const deleted = await AuditEvent.findAll({ where: { action: 'delete' } });
    expect(deleted.map((d) => JSON.parse(d.details!).approvalId)).toContain(req.id);
    await env.standIn.waitFor(
      () => env.standIn.messages.find((m) => m.channel === dmOf(ANA) && textOf(m).includes('victim deleted')),
      5000,
      'the requester told the result',
    );
  });

  test('admin_target: disabling an administrator from the card asks for approval instead', async () => {
    const card = await env.run(ANA, 'show eve');
    const pending = await click(ANA, card.reply, 'Disable');
    expect(textOf(pending)).toContain('Approval requested (#');
    expect(await enabled('eve')).toBe(true);
    const req = await latestRequest();
    expect([req.action, req.neededBecause]).toEqual(['disable', 'admin_target']);
    // The typed command cannot go around it.
    expect(textOf((await env.run(ANA, 'disable eve')).reply)).toContain("This needs a second person's approval");
    expect(await enabled('eve')).toBe(true);
  });

  test('admin_target: a password set for an administrator waits for approval; only its hash is kept, and an approval sets it', async () => {
    const eve = (await User.findOne({ where: { username: 'eve' } }))!;
    await env.driver.command(ANA, 'change-password eve');
    const form = await modalShowing(env.standIn, ANA, 'Set a new password for *eve*');
    const block = (form.view.blocks as Array<{ block_id?: string; type: string }>).find(
      (b) => b.type === 'input' && b.block_id?.startsWith('password:'),
    )!.block_id!;
    const secret = 'a much better passphrase 42';
    await env.driver.submitView(ANA, form, { [block]: { value: { type: 'plain_text_input', value: secret } } });
    await modalShowing(env.standIn, ANA, 'Approval requested');
    const req = await latestRequest();
    expect([req.action, req.neededBecause]).toEqual(['change_password', 'admin_target']);
    expect(req.payload).not.toContain(secret);
    expect((await User.findByPk(eve.id))!.passwordHash).toBe(eve.passwordHash);
    const toBob = await requestIn(BOB, req.id);
    expect(textOf(toBob)).not.toContain('$2');
    await click(BOB, toBob, 'Approve');
    await until(async () => (await User.findByPk(eve.id))!.passwordHash !== eve.passwordHash, 'the password set');
    const line = (await AuditEvent.findOne({ where: { action: 'change_password', targetUserId: eve.id } }))!;
    expect(JSON.parse(line.details!)).toEqual({ approvalId: req.id });
    expect(line.actorLabel).toContain('ana');
    for (const m of env.standIn.messages) expect(textOf(m)).not.toContain(secret);
  });

  test('the approver passes the same identity check as anyone: an unconfirmed Slack email cannot approve', async () => {
    const users = names('app', 12);
    const req = await requestDisable(users, 'identity');
    // A Slack account claiming bob's address without confirming it.
    env.standIn.addUser({ id: 'U0FAKE001', name: 'fakebob', email: 'bob@example.com', emailConfirmed: false });
    const r = await click('U0FAKE001', await requestIn(BOB, req.id), 'Approve');
    expect(textOf(r)).toContain('is not confirmed in Slack');
    expect((await ApprovalRequest.findByPk(req.id))!.status).toBe('pending');
    for (const u of users) expect(await enabled(u)).toBe(true);
  });

  test('a 500-user bulk reset, approved, runs end to end: 500 reset mails drained, every reset carries the approval id', async () => {
    const big = await org('big');
    const rows = Array.from({ length: 500 }, (_, i) => ({
      username: `m${String(i).padStart(3, '0')}`,
      email: `m${i}@example.com`,
      emailNormalized: `m${i}@example.com`,
      searchText: `m${i}`,
      authStatus: 'locked' as const,
    }));
    const users = await User.bulkCreate(rows);
    await Membership.bulkCreate(users.map((u) => ({ userId: u.id, organizationId: big.id, roles: '' })));
    await Membership.bulkCreate(
      (await User.findAll({ where: { username: ['ana', 'bob'] } })).map((u) => ({
        userId: u.id,
        organizationId: big.id,
        roles: 'administrator',
      })),
    );
    const select = (value: string) => ({
      value: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: value }, value } },
    });
    const form = await openBulkResetForm(env.driver, env.standIn, ANA);
    await env.driver.submitView(ANA, form, {
      bulk_action: select('reset_password'),
      scope_view: select('locked'),
      scope_org: select('big'),
      reason: { value: { type: 'plain_text_input', value: 'breach drill' } },
    });
    const preview = await modalShowing(env.standIn, ANA, 'will have to choose a new password');
    expect(JSON.stringify(preview.view)).toContain('*500 users* will have to choose a new password.');
    expect((preview.view as { submit?: { text: string } }).submit?.text).toBe('Request approval');
    await env.driver.submitView(ANA, preview, {});
    await modalShowing(env.standIn, ANA, 'Approval requested');
    const req = await latestRequest();
    expect(req.userCount).toBe(500);
    expect(await User.count({ where: { authStatus: 'password_reset' } })).toBe(0);
    const mailsBefore = env.smtp!.mails.length;
    const done = await click(BOB, await requestIn(BOB, req.id), 'Approve');
    expect(textOf(done)).toContain('Approved by');
    await until(async () => (await Job.findByPk(req.jobId!))!.status === 'done', 'the approved bulk reset', 60_000);
    expect(await User.count({ where: { authStatus: 'password_reset' } })).toBe(500);
    await env.smtp!.waitFor((m) => m.length >= mailsBefore + 500, 60_000);
    const resets = await AuditEvent.findAll({ where: { action: 'reset_password', reason: 'breach drill' } });
    expect(resets).toHaveLength(500);
    for (const r of resets) expect(JSON.parse(r.details!)).toEqual({ jobId: req.jobId, approvalId: req.id });
    // The requester's waiting message became the job's summary.
    await env.standIn.waitFor(
      () => env.standIn.messages.find((m) => m.channel === dmOf(ANA) && textOf(m).includes(`#${req.jobId} finished`)),
      10_000,
      'the summary in the requester’s DM',
    );
  }, 120_000);
});

describe.each(DIALECTS)('an approval after a restart on %s', (dialect) => {
  test('a new server on the same database approves a request the old one took', async () => {
    const env = await slackTestEnv(dialect, { env: SETTINGS });
    let next: Awaited<ReturnType<typeof startServer>> | null = null;
    try {
      await env.person(ANA, { username: 'ana', orgs: { acme: ['administrator'] } });
      await env.person(BOB, { username: 'bob', orgs: { acme: ['administrator'] } });
      const users = Array.from({ length: 12 }, (_, i) => `rst${String(i).padStart(2, '0')}`);
      for (const [i, u] of users.entries()) await env.person(`U0RST${String(i).padStart(2, '0')}X`, { username: u, orgs: { acme: [] } });
      const r = await env.run(ANA, `disable ${users.join(' ')} --reason "restart"`);
      await env.driver.clickButton(ANA, r.reply, 'Request approval');
      const req = await until(async () => ApprovalRequest.findOne({ where: { status: 'pending' } }), 'the request');
      const toBob = await env.standIn.waitFor(
        () => env.standIn.messages.find((m) => m.channel === dmOf(BOB) && textOf(m).includes(`approval request #${req.id}`)),
        5000,
        'the request in bob’s DM',
      );
      // The old server goes away; a new one (new Bolt app, caches and workers) serves the click.
      await env.server.stop();
      next = await startServer(env.rt, {
        port: 0,
        host: '127.0.0.1',
        workers: { mail: { baseDelayMs: 50, pollMs: 200 }, jobs: { pollMs: 200 } },
      });
      const driver = new SlackDriver({ eventsUrl: `${next.url}/slack/events`, signingSecret: SIGNING_SECRET, standIn: env.standIn });
      expect((await driver.clickButton(BOB, toBob, 'Approve')).status).toBe(200);
      await until(async () => (await Job.findByPk(req.jobId!))!.status === 'done', 'the job on the new server');
      for (const u of users) expect((await User.findOne({ where: { username: u } }))!.enabled).toBe(false);
      expect((await ApprovalRequest.findByPk(req.id))!.status).toBe('approved');
    } finally {
      await next?.stop();
      await env.close();
    }
  });
});

describe.each(DIALECTS)('approval expiry without a click on %s', (dialect) => {
  test('the sweep settles a request past its time, rewrites its messages and tells the requester', async () => {
    const env = await slackTestEnv(dialect, { env: { ...SETTINGS, APPROVAL_TTL_MINUTES: '0.5' }, background: { approvalSweepMs: 100 } });
    try {
      await env.person(ANA, { username: 'ana', orgs: { acme: ['administrator'] } });
      await env.person(BOB, { username: 'bob', orgs: { acme: ['administrator'] } });
      const eve = await env.person('U0EVE0001', { username: 'eve', orgs: { acme: ['administrator'] } });
      const r = await env.run(ANA, 'delete eve');
      await env.driver.clickButton(ANA, r.reply, 'Request approval');
      const req = await until(async () => ApprovalRequest.findOne({ where: { status: 'pending' } }), 'the request');
      const toBob = await env.standIn.waitFor(
        () => env.standIn.messages.find((m) => m.channel === dmOf(BOB) && textOf(m).includes(`approval request #${req.id}`)),
        5000,
        'the request in bob’s DM',
      );
      // 29 seconds on: still pending; 31: expired by the sweep (half a minute, APPROVAL_TTL_MINUTES=0.5).
      env.clock.now = new Date(env.clock.now.getTime() + 29_000);
      expect(await expireDueApprovals(env.rt)).toEqual([]);
      expect((await ApprovalRequest.findByPk(req.id))!.status).toBe('pending');
      env.clock.now = new Date(env.clock.now.getTime() + 2_000);
      await until(async () => (await ApprovalRequest.findByPk(req.id))!.status === 'expired', 'the sweep to expire it');
      await env.standIn.waitFor(() => (textOf(toBob).includes('Expired') ? toBob : undefined), 5000, 'bob’s copy rewritten');
      expect(env.driver.buttons(toBob)).toEqual([]);
      await env.standIn.waitFor(
        () => env.standIn.messages.find((m) => m.channel === dmOf(ANA) && textOf(m).includes('Expired')),
        5000,
        'the requester told',
      );
      expect(await AuditEvent.count({ where: { action: 'approval_expired' } })).toBe(1);
      expect(await User.count({ where: { id: eve.id } })).toBe(1);
    } finally {
      await env.close();
    }
  });
});

/** APPROVALS_CHANNEL set: the request is posted there (not by DM), and a click in the channel decides it. */
describe('two-person approval through APPROVALS_CHANNEL', () => {
  const CHANNEL = 'C0APPROVALS';
  let env: SlackTestEnv;

  beforeAll(async () => {
    env = await slackTestEnv('sqlite', { smtp: true, env: { APPROVAL_REQUIRED: 'delete', APPROVALS_CHANNEL: CHANNEL } });
    env.standIn.addChannel({ id: CHANNEL, name: 'approvals', botIsMember: true });
    await env.person(ANA, { username: 'ana', orgs: { acme: ['administrator'] } });
    await env.person(BOB, { username: 'bob', orgs: { acme: ['administrator'] } });
    await env.person('U0LEA0001', { username: 'leaver', orgs: { acme: [] } });
  });
  afterAll(async () => env.close());

  test('the request goes to the channel only; the requester cannot approve it there; another administrator can', async () => {
    const r = await env.run(ANA, 'delete leaver');
    const before = env.standIn.messages.length;
    await env.driver.clickButton(ANA, r.reply, 'Request approval');
    const req = await until(async () => (await ApprovalRequest.findOne({ order: [['id', 'DESC']] })) ?? undefined, 'the request');
    const posted = await env.standIn.waitFor(
      () => env.standIn.messages.find((m) => m.channel === CHANNEL && textOf(m).includes(`approval request #${req.id}`)),
      5000,
      'the request in the approvals channel',
    );
    // No approver got it by DM: the channel is where it is decided.
    expect(
      env.standIn.messages.slice(before).some((m) => m.channel === dmOf(BOB) && textOf(m).includes(`approval request #${req.id}`)),
    ).toBe(false);
    await env.driver.clickButton(ANA, posted, 'Approve');
    await env.standIn.waitFor(
      () => env.standIn.messages.find((m) => m.visibleTo === ANA && textOf(m).includes('your own request')),
      5000,
      'the requester refused',
    );
    expect(await User.count({ where: { username: 'leaver' } })).toBe(1);
    await env.driver.clickButton(BOB, posted, 'Approve');
    await until(async () => (await User.count({ where: { username: 'leaver' } })) === 0, 'the approved delete');
    expect((await ApprovalRequest.findByPk(req.id))!.status).toBe('approved');
  });
});
