import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { writeExportCsv } from '../../../src/jobs/export-csv';
import { parseCsv } from '../../../src/lib/csv-parse';
import { exportScope, type ExportPayload } from '../../../src/services/export';
import { IMPORT_COLUMNS } from '../../../src/services/import-users';
import type { StandInView, UploadedFile } from '../../../src/standin';
import { AuditEvent, ExportField, Job, MailMessage, type User } from '../../../src/store/models';
import { DIALECTS } from '../../support/db';
import { actorFor } from '../../support/fixtures';
import type { CapturedMail } from '../../support/smtp';
import { slackTestEnv, textOf, type SlackTestEnv } from '../../support/slack-env';
import { until } from '../../support/wait';

const ANA = 'U0ANA0001'; // administrator of acme and globex
const SEC = 'U0SEC0001'; // security of acme
const HLP = 'U0HLP0001'; // helpdesk of acme
const VIC = 'U0VIC0001'; // viewer of acme
const PRIVATE = 'C0PRIVATE'; // a channel the app is not in

describe.each(DIALECTS)('/users export end to end on %s', (dialect) => {
  let env: SlackTestEnv;
  const people: Record<string, User> = {};
  let n = 0;

  beforeAll(async () => {
    env = await slackTestEnv(dialect, { smtp: true });
    people[ANA] = await env.person(ANA, { username: 'ana', orgs: { acme: ['administrator'], globex: ['administrator'] } });
    people[SEC] = await env.person(SEC, { username: 'sec', orgs: { acme: ['security'] } });
    people[HLP] = await env.person(HLP, { username: 'hlp', orgs: { acme: ['helpdesk'] } });
    people[VIC] = await env.person(VIC, { username: 'vic', orgs: { acme: ['viewer'] } });
    await env.person('U0EVE0001', { username: 'eve', firstName: '=HYPERLINK("http://evil.test","x")', orgs: { acme: [] } });
    await env.person('U0TWO0001', { username: 'two', orgs: { acme: ['viewer'], globex: ['security'] } });
    await env.person('U0ZED0001', { username: 'zed', orgs: { initech: ['administrator'] } });
    env.standIn.addChannel({ id: PRIVATE, name: 'private', botIsMember: false });
  });
  afterAll(async () => env.close());
  afterEach(() => {
    env.standIn.clearFailures();
    env.smtp!.refuse(null);
  });

  interface Exported {
    jobId: number;
    job: Job;
    reply: string;
    file: UploadedFile | undefined;
    mail: CapturedMail;
    final: string;
  }

  /**
   * Nothing of the export reached a channel: the only thing in `channelId` since `messagesBefore` is
   * the ephemeral answer to the requester (through the command's response_url), and every export
   * mail since `mailsBefore` went to the requester alone.
   */
  function expectOnlyRequesterGotIt(slackId: string, channelId: string, messagesBefore: number, mailsBefore: number): void {
    const inChannel = env.standIn.messages.slice(messagesBefore).filter((m) => m.channel === channelId);
    expect(inChannel.length).toBeGreaterThan(0);
    for (const m of inChannel)
      expect({ source: m.source, ephemeral: m.ephemeral, visibleTo: m.visibleTo }).toEqual({
        source: 'response_url',
        ephemeral: true,
        visibleTo: slackId,
      });
    expect(env.standIn.files.filter((f) => f.channelId === channelId)).toEqual([]);
    const exportMails = env.smtp!.mails.slice(mailsBefore).filter((m) => m.subject.startsWith('User export'));
    expect(exportMails.flatMap((m) => m.to)).toEqual([people[slackId].email]);
  }

  /** `/users export`, then wait for the job, its email and its final DM message. */
  async function runExport(slackId: string, channelId = 'C0GENERAL', text = 'export'): Promise<Exported> {
    const filesBefore = env.standIn.files.length;
    const mailsBefore = env.smtp!.mails.length;
    const messagesBefore = env.standIn.messages.length;
    const r = await env.run(slackId, text, { channelId });
    const reply = textOf(r.reply);
    const jobId = Number(/Export #(\d+)/.exec(reply)?.[1]);
    expect(jobId).toBeGreaterThan(0);
    const job = await until(async () => {
      const j = await Job.findByPk(jobId);
      return j && (j.status === 'done' || j.status === 'failed') ? j : null;
    }, `export #${jobId} to finish`);
    const email = people[slackId].email;
    // The export's own mail: a job-result mail of an earlier test (sent when its DM failed) may arrive in between.
    const isExportMail = (m: { to: string[]; subject: string }) => m.to.includes(email) && m.subject.startsWith('User export');
    const mail = (await env.smtp!.waitFor((ms) => ms.slice(mailsBefore).some(isExportMail))).slice(mailsBefore).find(isExportMail)!;
    const dm = env.standIn.dmChannelFor(slackId);
    const finalMessage = await env.standIn.waitForMessage({ channel: dm, text: `Export #${jobId} finished` });
    expectOnlyRequesterGotIt(slackId, channelId, messagesBefore, mailsBefore);
    return {
      jobId,
      job,
      reply,
      file: env.standIn.files.slice(filesBefore).find((f) => f.completed),
      mail,
      final: textOf(finalMessage),
    };
  }

  /** The same export, written again now by the streaming function itself. */
  async function freshExport(slackId: string, job: Job): Promise<Buffer> {
    const payload = JSON.parse(job.payload) as ExportPayload;
    const scope = await exportScope(env.rt, actorFor(people[slackId]));
    if (!scope.ok) throw new Error(scope.message);
    const path = join(env.db.dir, `fresh-${++n}.csv`);
    await writeExportCsv({ orgIds: scope.orgIds, fields: payload.fields }, path);
    return readFile(path);
  }

  function rowsOf(bytes: Buffer): Array<Record<string, string>> {
    const [header, ...rows] = parseCsv(bytes.toString('utf8')).map((r) => r.fields);
    return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
  }

  const exportDir = () => join(env.db.dir, 'exports');
  const exportFilesLeft = () => readdirSync(exportDir()).length;

  test('an administrator of two organizations: file in the requester’s DM (not the channel) equals a fresh export, email to them attaches it, temp file goes', async () => {
    const x = await runExport(ANA);
    expect(x.reply).toContain(`Export #${x.jobId} of acme, globex started`);
    expect(x.reply).toContain('Progress and the CSV arrive in your direct messages with userops, never in a channel');
    expect(x.job.status).toBe('done');
    // Completed in the D channel conversations.open gave for the requester, never the command's C channel.
    expect(x.file).toMatchObject({ channelId: env.standIn.dmChannelFor(ANA), filename: `users-export-2026-11-02-${x.jobId}.csv` });
    const completed = env.standIn.callsTo('files.completeUploadExternal').filter((c) => c.status === 200 && !c.error);
    expect(completed[completed.length - 1].args.channel_id).toBe(env.standIn.dmChannelFor(ANA));
    expect(JSON.parse(x.job.payload)).not.toHaveProperty('channel');
    expect(x.file!.initialComment).toContain(`User export #${x.jobId}`);
    expect(x.file!.bytes.equals(await freshExport(ANA, x.job))).toBe(true);

    const rows = rowsOf(x.file!.bytes);
    expect(new Set(rows.map((r) => r.organization))).toEqual(new Set(['acme', 'globex']));
    expect(rows.filter((r) => r.username === 'two').map((r) => `${r.organization}:${r.roles}`)).toEqual(['acme:viewer', 'globex:security']);
    expect(rows.some((r) => r.username === 'zed')).toBe(false);
    expect(rows.find((r) => r.username === 'eve')!.first_name).toBe(`'=HYPERLINK("http://evil.test","x")`);

    expect(x.mail.attachments).toHaveLength(1);
    expect(x.mail.attachments[0]).toMatchObject({ filename: x.file!.filename, contentType: 'text/csv' });
    expect(x.mail.attachments[0].content.equals(x.file!.bytes)).toBe(true);
    expect(x.mail.text).toContain('It is also in your direct messages with userops in Slack.');

    expect(x.final).toContain('The CSV is in this conversation (your direct messages with userops).');
    expect(x.final).toContain('A copy is on its way to ana@example.com (CSV attached).');
    const audit = await AuditEvent.findOne({ where: { action: 'export' }, order: [['id', 'DESC']] });
    expect(JSON.parse(audit!.details!)).toMatchObject({ jobId: x.jobId, organizations: ['acme', 'globex'], attachment: 'csv' });
    await until(() => exportFilesLeft() === 0, 'the export file to be deleted after the mail was sent');
  });

  test('security of one organization exports only that organization', async () => {
    const x = await runExport(SEC);
    expect(x.reply).toContain('of acme started');
    const rows = rowsOf(x.file!.bytes);
    expect(new Set(rows.map((r) => r.organization))).toEqual(new Set(['acme']));
    expect(rows.map((r) => r.username).sort()).toEqual(['ana', 'eve', 'hlp', 'sec', 'two', 'vic']);
    expect(x.file!.bytes.equals(await freshExport(SEC, x.job))).toBe(true);
  });

  test('export VIEW (issue 20 §5): only the users of the saved view, one row per membership in scope; a bad view is refused', async () => {
    const x = await runExport(SEC, 'C0GENERAL', 'export admins');
    expect(x.reply).toContain(`Export #${x.jobId} of acme (view admins) started`);
    expect(JSON.parse(x.job.payload)).toMatchObject({ view: 'admins' });
    const rows = rowsOf(x.file!.bytes);
    // sec is in acme only: acme's administrators, not zed (initech) nor globex's rows.
    expect(rows.map((r) => `${r.username}@${r.organization}`)).toEqual(['ana@acme']);
    const audit = await AuditEvent.findOne({ where: { action: 'export_requested' }, order: [['id', 'DESC']] });
    expect(JSON.parse(audit!.details!)).toMatchObject({ view: 'admins', organizations: ['acme'] });
    // Nobody has logged in and every account is new: no one is dormant for a day yet; the export is empty but for its header.
    const d = await runExport(SEC, 'C0GENERAL', 'export dormant 1');
    expect(rowsOf(d.file!.bytes)).toEqual([]);
    const jobs = await Job.count();
    expect(textOf((await env.run(SEC, 'export wizards')).reply)).toContain('There is no saved view “wizards”.');
    expect(textOf((await env.run(SEC, 'export locked 3')).reply)).toContain('Only `dormant` takes a number');
    expect(await Job.count()).toBe(jobs);
  });

  test('helpdesk and viewers are refused, and nothing is queued or posted', async () => {
    const jobs = await Job.count({ where: { kind: 'export' } });
    const files = env.standIn.files.length;
    for (const who of [HLP, VIC]) {
      const r = await env.run(who, 'export');
      expect(textOf(r.reply)).toContain('You do not have permission to export users.');
      expect(env.standIn.findMessages({ channel: env.standIn.dmChannelFor(who) })).toEqual([]);
    }
    expect(await Job.count({ where: { kind: 'export' } })).toBe(jobs);
    expect(env.standIn.files.length).toBe(files);
  });

  test('typed in another channel (one the app is not even in): the file still goes to the requester’s DM only', async () => {
    const x = await runExport(SEC, PRIVATE);
    expect(x.file!.channelId).toBe(env.standIn.dmChannelFor(SEC));
    expect(x.final).toContain('The CSV is in this conversation');
    // No attempt at the channel at all: every completed upload names a DM.
    for (const c of env.standIn.callsTo('files.completeUploadExternal')) expect(String(c.args.channel_id)).toMatch(/^D/);
  });

  test('the DM cannot be opened: the requester is told at once, no file is shared anywhere, the email still carries it', async () => {
    env.standIn.fail('conversations.open', { error: 'restricted_action', times: Infinity });
    const filesBefore = env.standIn.files.length;
    const mailsBefore = env.smtp!.mails.length;
    const messagesBefore = env.standIn.messages.length;
    const r = await env.run(ANA, 'export');
    const reply = textOf(r.reply);
    const jobId = Number(/Export #(\d+)/.exec(reply)?.[1]);
    expect(reply).toContain(`Export #${jobId} of acme, globex started, but userops could not open a direct message with you`);
    expect(reply).toContain('so the CSV will not be shared in Slack: it is emailed to ana@example.com only.');
    const job = await until(async () => {
      const j = await Job.findByPk(jobId);
      return j && (j.status === 'done' || j.status === 'failed') ? j : null;
    }, `export #${jobId} to finish`);
    expect(job.status).toBe('done');
    const mail = (await env.smtp!.waitFor((ms) => ms.slice(mailsBefore).some((m) => m.subject.startsWith('User export')))).slice(
      mailsBefore,
    )[0];
    expect(mail.to).toEqual(['ana@example.com']);
    expect(mail.text).toContain('userops could not open a direct message with you');
    expect(mail.text).toContain('so this email is your copy');
    expect(mail.attachments[0].content.equals(await freshExport(ANA, job))).toBe(true);
    expect(env.standIn.files.slice(filesBefore).filter((f) => f.completed)).toEqual([]);
    expect(env.standIn.messages.slice(messagesBefore).filter((m) => m.source !== 'response_url')).toEqual([]);
    expectOnlyRequesterGotIt(ANA, 'C0GENERAL', messagesBefore, mailsBefore);
    const audit = await AuditEvent.findOne({ where: { action: 'export' }, order: [['id', 'DESC']] });
    expect(JSON.parse(audit!.details!)).toMatchObject({ jobId, slack: { ok: false }, emailedTo: 'ana@example.com' });
  });

  test('Slack rejects the upload bytes (HTTP 500 after retries): the email still carries the file, the requester is told', async () => {
    env.standIn.fail('upload', { status: 500, times: Infinity });
    const x = await runExport(ANA);
    expect(x.job.status).toBe('done');
    expect(x.file).toBeUndefined();
    expect(x.final).toContain('⚠️ The Slack upload failed (Slack answered HTTP 500 after several attempts); the email carries the file.');
    expect(x.mail.attachments[0].content.equals(await freshExport(ANA, x.job))).toBe(true);
    expect(x.mail.text).toContain('so this email is your copy');
  });

  test('Slack keeps rate-limiting: after the WebClient retries, the email still goes out', async () => {
    env.standIn.fail('files.getUploadURLExternal', { status: 429, retryAfterSec: 1, times: Infinity });
    const x = await runExport(ANA);
    expect(x.file).toBeUndefined();
    expect(env.standIn.callsTo('files.getUploadURLExternal').filter((c) => c.status === 429).length).toBeGreaterThan(1);
    expect(x.final).toContain('The Slack upload failed (Slack kept rate-limiting the upload)');
    expect(x.mail.attachments).toHaveLength(1);
  });

  test('over the email limit: gzip when that fits, a notice when even gzip does not', async () => {
    const config = env.rt.config as { EXPORT_EMAIL_MAX_BYTES: number };
    const original = config.EXPORT_EMAIL_MAX_BYTES;
    try {
      const plain = (await runExport(ANA)).file!.bytes;
      const gz = gzipSync(plain, { level: 9 }).length;
      expect(gz).toBeLessThan(plain.length);
      config.EXPORT_EMAIL_MAX_BYTES = Math.floor((gz + plain.length) / 2);
      const zipped = await runExport(ANA);
      expect(zipped.mail.attachments).toHaveLength(1);
      expect(zipped.mail.attachments[0]).toMatchObject({ filename: `${zipped.file!.filename}.gz`, contentType: 'application/gzip' });
      expect(gunzipSync(zipped.mail.attachments[0].content).equals(zipped.file!.bytes)).toBe(true);
      expect(zipped.final).toContain('(gzip-compressed CSV attached)');

      config.EXPORT_EMAIL_MAX_BYTES = 10;
      const none = await runExport(ANA);
      expect(none.mail.attachments).toEqual([]);
      expect(none.mail.text).toContain('larger than the 10 bytes email limit even compressed, so it is not attached');
      expect(none.file!.bytes.length).toBeGreaterThan(10);
      expect(none.final).toContain('without the file, which is larger than 10 bytes even compressed');
      await until(() => exportFilesLeft() === 0, 'no export file to be left');
    } finally {
      config.EXPORT_EMAIL_MAX_BYTES = original;
    }
  });

  test('the mail fails for good: the Slack file stands, the final message says so, the file is deleted', async () => {
    env.smtp!.refuse((rcpt) => (rcpt === 'ana@example.com' ? { code: 550, message: 'mailbox unavailable' } : null));
    const filesBefore = env.standIn.files.length;
    const r = await env.run(ANA, 'export');
    const jobId = Number(/Export #(\d+)/.exec(textOf(r.reply))?.[1]);
    await until(
      async () => (await MailMessage.count({ where: { jobId, kind: 'export', status: 'failed' } })) === 1,
      'the export mail to fail',
    );
    const file = env.standIn.files.slice(filesBefore).find((f) => f.completed);
    expect(file).toMatchObject({ channelId: env.standIn.dmChannelFor(ANA) });
    expect((await Job.findByPk(jobId))!.status).toBe('done');
    const dm = env.standIn.dmChannelFor(ANA);
    const final = await env.standIn.waitForMessage({ channel: dm, text: /could not be delivered/ });
    expect(textOf(final)).toContain(`Export #${jobId} finished`);
    expect(textOf(final)).toContain('The email copy to ana@example.com could not be delivered');
    expect(textOf(final)).toContain('The Slack file is not affected.');
    await until(() => exportFilesLeft() === 0, 'the export file to be deleted after the mail failed');
  });

  describe('the export fields modal', () => {
    afterEach(async () => ExportField.destroy({ where: {} }));

    async function openFieldsModal(slackId: string): Promise<StandInView> {
      // A new modal each time: an earlier test's one may still be open, showing its result.
      const before = new Set(env.standIn.views.keys());
      await env.driver.command(slackId, 'export fields');
      return env.standIn.waitFor(() => {
        const v = env.standIn.openModal(slackId);
        return v && !before.has(v.id) && !JSON.stringify(v.view.blocks).includes('Loading') ? v : undefined;
      });
    }

    const checked = (view: StandInView, blockId: string, values: string[]) => {
      const block = (view.view.blocks as Array<{ block_id?: string; element?: { options: Array<{ value: string }> } }>).find(
        (b) => b.block_id === blockId,
      )!;
      return { value: { type: 'checkboxes', selected_options: block.element!.options.filter((o) => values.includes(o.value)) } };
    };

    /** The modal once the submission's answer has been rendered (it first turns into "working"). */
    const settled = (view: StandInView, says: string) =>
      env.standIn.waitFor(() => {
        const v = env.standIn.views.get(view.id);
        return v && JSON.stringify(v.view.blocks).includes(says) ? v : undefined;
      });

    const settings = async () => (await ExportField.findAll({ order: [['field', 'ASC']] })).map((f) => `${f.field}:${String(f.enabled)}`);

    test('an administrator ticks phone and unticks the timestamps: the next export has those columns', async () => {
      const view = await openFieldsModal(ANA);
      expect(view.view.callback_id).toBe('export_fields');
      const text = JSON.stringify(view.view.blocks);
      // EXPORT_ALLOW_PASSWORD_HASHES is off (the default): the hash is not offered at all.
      expect(text).not.toContain('password_hash');
      expect(text).not.toContain('export_fields:secret');
      expect(text).toContain(
        'API keys and password reset tokens are never exportable; password hashes are not exportable on this deployment.',
      );
      const submitted = await env.driver.submitView(ANA, view, {
        'export_fields:profile': checked(view, 'export_fields:profile', ['phone', 'auth_status']),
        'export_fields:timestamps': checked(view, 'export_fields:timestamps', []),
      });
      expect(submitted.status).toBe(200);
      const saved = await settled(view, 'Saved');
      expect(JSON.stringify(saved.view.blocks)).toContain('Switched on: `phone`');
      const x = await runExport(ANA);
      const header = x.file!.bytes.toString('utf8').split('\r\n')[0];
      expect(header).toBe([...IMPORT_COLUMNS, 'phone', 'auth_status'].join(','));
    });

    test('hashes off: a crafted submission ticking password_hash is refused and changes nothing; a stored setting is ignored', async () => {
      const view = await openFieldsModal(ANA);
      // What a tampered client could send: a block the modal never had, with the hash ticked.
      env.standIn.setViewState(view.id, 'export_fields:secret', 'value', {
        type: 'checkboxes',
        selected_options: [{ text: { type: 'plain_text', text: 'Password hash' }, value: 'password_hash' }],
      });
      const before = await settings();
      const audits = await AuditEvent.count({ where: { action: 'export_fields_changed' } });
      const submitted = await env.driver.submitView(ANA, view, {
        'export_fields:profile': checked(view, 'export_fields:profile', ['phone']),
      });
      expect(submitted.status).toBe(200);
      const refused = await settled(view, 'Password hashes cannot be exported on this deployment');
      expect(JSON.stringify(refused.view.blocks)).toContain('EXPORT_ALLOW_PASSWORD_HASHES=true');
      expect(await settings()).toEqual(before);
      expect(await AuditEvent.count({ where: { action: 'export_fields_changed' } })).toBe(audits);

      // Switched on in the store (as when the deployment allowed it): the export still has no hash.
      await ExportField.create({ field: 'password_hash', enabled: true, updatedAt: new Date() });
      const x = await runExport(ANA);
      expect(JSON.parse(x.job.payload).fields).not.toContain('password_hash');
      const rows = rowsOf(x.file!.bytes);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.password === '')).toBe(true);
    });

    test('hashes allowed (EXPORT_ALLOW_PASSWORD_HASHES=true): the modal offers the hash and the export carries it', async () => {
      const config = env.rt.config as { EXPORT_ALLOW_PASSWORD_HASHES: boolean };
      config.EXPORT_ALLOW_PASSWORD_HASHES = true;
      try {
        const view = await openFieldsModal(ANA);
        expect(JSON.stringify(view.view.blocks)).toContain('Password hash (bcrypt) (password_hash)');
        expect(JSON.stringify(view.view.blocks)).toContain('API keys and password reset tokens are never exportable.');
        await env.driver.submitView(ANA, view, { 'export_fields:secret': checked(view, 'export_fields:secret', ['password_hash']) });
        expect(JSON.stringify((await settled(view, 'Saved')).view.blocks)).toContain('Switched on: `password_hash`');
        const x = await runExport(ANA);
        const ana = rowsOf(x.file!.bytes).find((r) => r.username === 'ana')!;
        expect(ana.password).toBe(people[ANA].passwordHash);
        expect(ana.password).toMatch(/^\$2[aby]\$/);
      } finally {
        config.EXPORT_ALLOW_PASSWORD_HASHES = false;
      }
    });

    test('security cannot open it', async () => {
      const view = await openFieldsModal(SEC);
      expect(JSON.stringify(view.view.blocks)).toContain('Only an administrator can change which fields an export carries.');
      expect(view.view.submit).toBeFalsy();
    });
  });
});
