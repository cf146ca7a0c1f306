import { createRuntime, type Runtime } from '../../src/app/runtime';
import { testConfig } from '../../src/lib/config';
import { memoryLogger } from '../../src/lib/logger';
import { DIGEST_EVENT_TYPE } from '../../src/slack/digest-publisher';
import { SlackDriver, SlackStandIn, type StandInMessage, type StandInView } from '../../src/standin';
import { AuditEvent, Job, JobItem, LockoutEvent, User } from '../../src/store/models';
import { runDist, type Child } from '../support/child';
import { freshDatabase, type TestDatabase } from '../support/db';
import { recordFigures } from '../support/figures';
import { GOOD_PASSWORD, makeUser } from '../support/fixtures';
import { freePort, openBulkResetForm, SIGNING_SECRET, textOf } from '../support/slack-env';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp';
import { until } from '../support/wait';

/**
 * Two app instances (two child processes of the compiled server) on one PostgreSQL database,
 * behind one Slack stand-in and one SMTP listener, with every request going to the other instance
 * than the one before — the way a load balancer spreads them. The everyday scenarios still pass,
 * every mail and every digest slot happens once, and a Slack retry delivered to the other instance
 * repeats nothing.
 */

const ANA = 'U0ANA0001'; // administrator of acme
const SEC = 'U0SEC0001'; // security of acme
const DIGEST = 'C0SECURITY';
const maybe = process.env.TEST_DATABASE_URL ? describe : describe.skip;

maybe('two instances on one PostgreSQL, requests alternating between them', () => {
  let db: TestDatabase;
  let rt: Runtime;
  let smtp: SmtpCapture;
  const standIn = new SlackStandIn();
  const instances: Array<{ child: Child; url: string; driver: SlackDriver }> = [];
  let turn = 0;
  const served = [0, 0];

  beforeAll(async () => {
    await standIn.start();
    standIn.addChannel({ id: DIGEST, name: 'security', botIsMember: true });
    smtp = await startSmtpCapture();
    db = await freshDatabase('postgres');
    rt = await createRuntime(testConfig({ DATABASE_URL: db.url }), { logger: memoryLogger('error').logger });
    const ports = [await freePort(), await freePort()];
    for (const port of ports) {
      const child = runDist('src/server/main.js', [], {
        PORT: String(port),
        DATABASE_URL: db.url,
        SLACK_BOT_TOKEN: standIn.botToken,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: standIn.apiUrl,
        SMTP_URL: smtp.url,
        // The load balancer's address: reset links may be opened on either instance.
        PUBLIC_URL: `http://127.0.0.1:${ports[0]}`,
        DIGEST_CHANNEL: DIGEST,
        DIGEST_CRON: '*/2 * * * * *',
        LOCKOUT_THRESHOLD: '3',
        BCRYPT_COST: '4',
        LOG_LEVEL: 'info',
        OUTBOX_DIR: `${db.dir}/outbox`,
        EXPORT_DIR: `${db.dir}/exports`,
      });
      const url = `http://127.0.0.1:${port}`;
      instances.push({
        child,
        url,
        driver: new SlackDriver({ eventsUrl: `${url}/slack/events`, signingSecret: SIGNING_SECRET, standIn }),
      });
    }
    await Promise.all(instances.map((i) => i.child.waitForLine(/userops listening/, 30_000)));
    for (const [id, username, roles] of [
      [ANA, 'ana', ['administrator']],
      [SEC, 'sec', ['security']],
    ] as const) {
      const u = await makeUser({ username, orgs: { acme: [...roles] } });
      standIn.addUser({ id, name: username, email: u.email });
    }
    for (const name of ['bob', 'carol', 'dan', 'erin']) await makeUser({ username: name, orgs: { acme: [] } });
    for (let i = 0; i < 8; i++) await makeUser({ username: `bulk${i}`, orgs: { acme: [] } });
  }, 60_000);

  afterAll(async () => {
    for (const i of instances) if (i.child.proc.exitCode === null) i.child.proc.kill('SIGKILL');
    await rt?.close();
    await db?.drop();
    await smtp?.stop();
    await standIn.stop();
  });

  /** The next instance in turn: requests alternate A, B, A, B … */
  function next(): SlackDriver {
    const i = turn++ % 2;
    served[i]++;
    return instances[i].driver;
  }

  async function run(userId: string, text: string): Promise<StandInMessage> {
    const r = await next().command(userId, text);
    expect(r.status).toBe(200);
    return standIn.waitFor(() => standIn.latestIn(r.responseUrl), 8000, `a reply to "${text}"`);
  }

  const rewritten = (m: StandInMessage, versions: number) =>
    standIn.waitFor(() => (m.versions.length > versions ? m : undefined), 8000, 'the message to be rewritten');

  const login = (password: string) => {
    const i = turn++ % 2;
    served[i]++;
    return fetch(`${instances[i].url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'dan', password }),
    });
  };

  test('find and show, each answered by a different instance', async () => {
    expect(textOf(await run(ANA, 'find bob'))).toContain('*bob*');
    expect(textOf(await run(ANA, 'show bob'))).toContain('bob@example.com');
  });

  test('disable from a card one instance rendered, the other rewrites it; enable back through the first', async () => {
    const card = await run(ANA, 'show carol');
    const n = card.versions.length;
    expect((await next().clickButton(ANA, card, 'Disable')).status).toBe(200);
    const after = await rewritten(card, n);
    expect(textOf(after)).toContain(`Disabled by <@${ANA}> at`);
    expect((await User.findOne({ where: { username: 'carol' } }))!.enabled).toBe(false);
    expect((await next().clickButton(ANA, after, 'Enable')).status).toBe(200);
    expect(textOf(await rewritten(after, after.versions.length))).toContain(`Enabled by <@${ANA}>`);
    expect((await User.findOne({ where: { username: 'carol' } }))!.enabled).toBe(true);
  });

  test('a Slack retry of a disable delivered to the other instance changes nothing twice', async () => {
    const first = await instances[0].driver.command(ANA, 'disable erin');
    await standIn.waitFor(() => standIn.latestIn(first.responseUrl), 8000, 'the disable reply');
    // Signed within the same second as the first, the retry is byte-identical and dropped as a replay.
    const dropped = () => instances[1].child.out.filter((l) => /dropped a (retried|replayed) Slack/.test(l)).length;
    const before = dropped();
    await instances[1].driver.redeliver(first, 1, 'http_timeout');
    await until(() => dropped() > before, 'the other instance to drop the retry');
    const erin = await User.findOne({ where: { username: 'erin' } });
    expect(erin!.enabled).toBe(false);
    expect(await AuditEvent.count({ where: { action: 'disable', targetUserId: erin!.id } })).toBe(1);
  });

  test('a signed request replayed byte for byte to the other instance runs once', async () => {
    await makeUser({ username: 'fred', orgs: { acme: [] } });
    const first = await instances[0].driver.command(ANA, 'disable fred');
    await standIn.waitFor(() => standIn.latestIn(first.responseUrl), 8000, 'the disable reply');
    // Enabled again by hand, so a second run of the disable would show.
    await User.update({ enabled: true }, { where: { username: 'fred' } });
    const dropped = () => instances[1].child.out.filter((l) => l.includes('dropped a replayed Slack request')).length;
    const before = dropped();
    expect((await instances[1].driver.replay(first)).status).toBe(200);
    await until(() => dropped() > before, 'the other instance to drop the replay');
    const fred = await User.findOne({ where: { username: 'fred' } });
    expect(fred!.enabled).toBe(true);
    expect(await AuditEvent.count({ where: { action: 'disable', targetUserId: fred!.id } })).toBe(1);
  });

  test('reset-password: one reset mail, sent once by one of the two instances', async () => {
    const before = smtp.mails.length;
    expect(textOf(await run(ANA, 'reset-password bob'))).toContain('reset link sent to bob@example.com');
    await smtp.waitFor((m) => m.length > before, 10_000);
    await new Promise((r) => setTimeout(r, 1500)); // both senders poll every second: time for a second copy, if any
    const mails = smtp.mails.slice(before).filter((m) => m.to[0] === 'bob@example.com');
    expect(mails).toHaveLength(1);
  });

  test('bulk reset: form from one instance, preview from the other, the job runs once, each user mailed once', async () => {
    const form = await openBulkResetForm(next(), standIn, SEC);
    const text = (v: string) => ({ value: { type: 'plain_text_input', value: v } });
    const mailsBefore = smtp.mails.length;
    await next().submitView(SEC, form, {
      pasted: text(Array.from({ length: 8 }, (_, i) => `bulk${i}`).join('\n')),
      reason: text('two-instance drill'),
    });
    const preview: StandInView = await standIn.waitFor(
      () => (JSON.stringify(standIn.views.get(form.id)!.view).includes('will have to choose') ? standIn.views.get(form.id) : undefined),
      8000,
      'the preview',
    );
    await next().submitView(SEC, preview, {});
    const summary = await standIn.waitForMessage({ channel: standIn.dmChannelFor(SEC), text: /finished/ }, 20_000);
    expect(textOf(summary)).toContain('8 reset, 0 skipped, 0 refused (of 8)');
    const job = await until(async () => {
      const j = await Job.findOne({ where: { kind: 'bulk_reset' } });
      return j?.status === 'done' ? j : null;
    }, 'the job to be marked done');
    expect(job.attempts).toBe(1); // claimed once, by one instance
    expect(await JobItem.count({ where: { jobId: job.id, status: 'done' } })).toBe(8);
    await smtp.waitFor((m) => m.slice(mailsBefore).length >= 8, 15_000);
    await new Promise((r) => setTimeout(r, 1500));
    const mails = smtp.mails.slice(mailsBefore);
    expect(mails.map((m) => m.to[0]).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `bulk${i}@example.com`).sort());
    expect(new Set(mails.map((m) => m.messageId)).size).toBe(8);
  });

  test('login, lockout and unlock across instances: the counter is shared, one lockout mail, unlock from Slack, login works', async () => {
    for (let i = 0; i < 3; i++) expect((await login('wrong-password-000')).status).toBe(401);
    // The right password now: the same 401 as a wrong one (dan is told why by mail).
    expect((await login(GOOD_PASSWORD)).status).toBe(401);
    const dan = (await User.findOne({ where: { username: 'dan' } }))!;
    expect(dan.authStatus).toBe('locked');
    expect(await LockoutEvent.count({ where: { userId: dan.id } })).toBe(1);
    await smtp.waitFor((m) => m.some((x) => x.to[0] === 'dan@example.com' && x.subject === 'Your account was locked'), 10_000);
    expect(textOf(await run(ANA, 'activate dan'))).toContain(`Activated by <@${ANA}>`);
    expect((await login(GOOD_PASSWORD)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1000));
    expect(smtp.mails.filter((x) => x.to[0] === 'dan@example.com' && x.subject === 'Your account was locked')).toHaveLength(1);
  });

  test('the digest: every schedule slot is posted once, by one of the two', async () => {
    // A slot after dan's lockout reports it; then a few more slots go by.
    await standIn.waitForMessage({ channel: DIGEST, text: '(`dan`)' }, 10_000);
    const seen = digestSlots().size;
    await until(() => digestSlots().size >= seen + 2, 'two more digest slots', 10_000);
    // Stop both (SIGTERM, graceful) so no slot is half-posted while we count.
    for (const i of instances) i.child.proc.kill('SIGTERM');
    expect((await Promise.all(instances.map((i) => i.child.exited))).map((e) => e.code)).toEqual([0, 0]);
    const slots = digestSlots();
    for (const [, n] of slots) expect(n).toBe(1);
    const posters = instances.map((i) => i.child.out.filter((l) => l.includes('lockout digest posted')).length);
    expect(posters.reduce((a, b) => a + b, 0)).toBe(slots.size);
    // Both fired on the same slots; the one that lost the claim skipped.
    const skipped = instances.map((i) => i.child.out.filter((l) => l.includes('slot already claimed')).length);
    expect(skipped.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    // The lockout above is reported in exactly one digest.
    expect(standIn.findMessages({ channel: DIGEST, text: '(`dan`)' })).toHaveLength(1);
    recordFigures('two-instances', {
      requestsPerInstance: served,
      digestSlots: slots.size,
      digestPostsPerInstance: posters,
      digestSlotsSkippedAsClaimed: skipped,
      mailsReceived: smtp.mails.length,
      distinctMessageIds: new Set(smtp.mails.map((m) => m.messageId)).size,
    });
    expect(new Set(smtp.mails.map((m) => m.messageId)).size).toBe(smtp.mails.length);
  }, 30_000);

  function digestSlots(): Map<string, number> {
    const out = new Map<string, number>();
    for (const c of standIn.callsTo('chat.postMessage')) {
      const meta = c.args.metadata as { event_type?: string; event_payload?: { slot?: string; page?: number } } | undefined;
      if (c.error || c.args.channel !== DIGEST || meta?.event_type !== DIGEST_EVENT_TYPE || meta.event_payload?.page !== 1) continue;
      const slot = meta.event_payload.slot!;
      out.set(slot, (out.get(slot) ?? 0) + 1);
    }
    return out;
  }
});
