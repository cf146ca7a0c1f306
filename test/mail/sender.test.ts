import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Runtime } from '../../src/app/runtime';
import { enqueueMail, type NewMail } from '../../src/mail/outbox';
import { mailStats, MailSender, retryDelayMs, SCRUBBED_RESET_BODY, startMailSender, type MailSenderOptions } from '../../src/mail/sender';
import { lockoutMail, resetLinkMail } from '../../src/mail/templates';
import { createMailTransport, type MailTransport, type OutgoingMail } from '../../src/mail/transport';
import { Op } from 'sequelize';
import { MailMessage } from '../../src/store/models';
import { DIALECTS } from '../support/db';
import { testEnv, type TestEnv } from '../support/fixtures';
import { linksIn, startSmtpCapture, type SmtpCapture } from '../support/smtp';
import { until } from '../support/wait';

function queue(rt: Runtime, mails: NewMail[]): Promise<MailMessage[]> {
  return rt.db.tx((t) => enqueueMail(rt, t, mails));
}

function lockout(to: string, extra: Partial<NewMail> = {}): NewMail {
  return {
    kind: 'lockout_notice',
    to,
    mail: lockoutMail({ name: to.split('@')[0], attempts: 5, at: new Date('2026-11-02T09:00:00Z') }),
    ...extra,
  };
}

function resetLink(to: string, token: string): NewMail {
  return {
    kind: 'reset_link',
    to,
    mail: resetLinkMail({ name: to.split('@')[0], link: `http://localhost:3000/password/reset/${token}`, expiresHours: 24 }),
  };
}

async function reload(id: number): Promise<MailMessage> {
  const r = await MailMessage.findByPk(id);
  if (!r) throw new Error(`mail row ${id} is gone`);
  return r;
}

function countsById(mails: Array<{ messageId: string }>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of mails) counts.set(m.messageId, (counts.get(m.messageId) ?? 0) + 1);
  return counts;
}

const HOUR = 3_600_000;

/** A transport that records what it was given and runs `during` inside each send. */
function recordingTransport(
  during: (mail: OutgoingMail, n: number) => Promise<void> | void = () => undefined,
): MailTransport & { sent: OutgoingMail[] } {
  const sent: OutgoingMail[] = [];
  return {
    kind: 'smtp',
    sent,
    async send(mail) {
      await during(mail, sent.length);
      sent.push(mail);
    },
    close: async () => undefined,
  };
}

describe('retryDelayMs', () => {
  test('doubles per attempt, jitters within ±20 %, never passes the cap', () => {
    expect(retryDelayMs(1, 30_000, HOUR, () => 0.5)).toBe(30_000);
    expect(retryDelayMs(2, 30_000, HOUR, () => 0.5)).toBe(60_000);
    expect(retryDelayMs(4, 30_000, HOUR, () => 0)).toBe(192_000);
    expect(retryDelayMs(4, 30_000, HOUR, () => 1)).toBe(288_000);
    expect(retryDelayMs(8, 30_000, HOUR, () => 1)).toBe(HOUR);
    expect(retryDelayMs(500, 30_000, HOUR, () => 0.5)).toBe(HOUR);
  });
});

describe.each(DIALECTS)('mail outbox on %s', (dialect) => {
  let env: TestEnv & { clock: { now: Date } };
  let smtp: SmtpCapture;
  const senders: MailSender[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(() => process.on('unhandledRejection', onUnhandled));
  afterAll(() => process.off('unhandledRejection', onUnhandled));

  async function setup(overrides: Record<string, string> = {}): Promise<void> {
    smtp = await startSmtpCapture();
    env = await testEnv(dialect, { SMTP_URL: smtp.url, ...overrides });
  }

  function sender(opts: MailSenderOptions = {}): MailSender {
    const s = new MailSender(env.rt, createMailTransport(env.rt.config, env.rt.logger), {
      baseDelayMs: 1_000,
      maxDelayMs: 60_000,
      ...opts,
    });
    senders.push(s);
    return s;
  }

  function advance(ms: number): void {
    env.clock.now = new Date(env.clock.now.getTime() + ms);
  }

  afterEach(async () => {
    for (const s of senders.splice(0)) await s.stop();
    await smtp?.stop();
    await env?.close();
    expect(unhandled).toEqual([]);
  });

  test('delivers committed rows with their Message-ID, subject, text and html; a rolled-back row never leaves', async () => {
    await setup();
    const [a, b] = await queue(env.rt, [lockout('ana@example.com'), lockout('bob@example.com')]);
    await expect(
      env.rt.db.tx(async (t) => {
        await enqueueMail(env.rt, t, [lockout('ghost@example.com')]);
        throw new Error('state change refused');
      }),
    ).rejects.toThrow('state change refused');

    expect(await sender().drainOnce()).toEqual({ sent: 2, failed: 0, retried: 0 });
    const mails = await smtp.waitFor(2);
    expect(mails).toHaveLength(2);
    const got = mails.find((m) => m.messageId === a.messageId)!;
    expect(got.to).toEqual(['ana@example.com']);
    expect(got.from).toBe('userops <userops@localhost>');
    expect(got.subject).toBe(a.subject);
    expect(got.text.trim()).toBe(a.textBody.trim());
    expect(got.html).toContain('Your account was locked');
    expect(got.raw.toString()).toMatch(/^Auto-Submitted: auto-generated/m);
    expect(mails.some((m) => m.messageId === b.messageId)).toBe(true);
    expect(mails.some((m) => m.to.includes('ghost@example.com'))).toBe(false);

    const row = await reload(a.id);
    expect(row.status).toBe('sent');
    expect(row.attempts).toBe(1);
    expect(row.sentAt?.toISOString()).toBe(env.clock.now.toISOString());
    expect(row.leaseUntil).toBeNull();
    expect(row.textBody).toBe(a.textBody);
    expect(await sender().drainOnce()).toEqual({ sent: 0, failed: 0, retried: 0 });
  });

  test('without SMTP_URL each mail becomes a parseable .eml file carrying the row’s Message-ID', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const { simpleParser } = await import('mailparser');
    smtp = await startSmtpCapture();
    env = await testEnv(dialect, { SMTP_URL: '' });
    const dir = env.rt.config.OUTBOX_DIR;
    const csv = join(env.db.dir, 'users.csv');
    writeFileSync(csv, 'username,email\nana,ana@example.com\n');
    const [a] = await queue(env.rt, [
      lockout('ana@example.com', { kind: 'export', attachments: [{ filename: 'users.csv', path: csv, contentType: 'text/csv' }] }),
    ]);
    const s = sender();
    expect(await s.drainOnce()).toEqual({ sent: 1, failed: 0, retried: 0 });

    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^\d{8}T\d{9}Z-[A-Za-z0-9._-]+\.eml$/);
    const raw = readFileSync(join(dir, files[0]));
    expect(raw.toString()).toContain('\r\n');
    const parsed = await simpleParser(raw);
    expect(parsed.messageId).toBe(a.messageId);
    expect(parsed.subject).toBe(a.subject);
    expect(parsed.text?.trim()).toBe(a.textBody.trim());
    expect(parsed.html).toContain('Your account was locked');
    expect(parsed.attachments.map((x) => [x.filename, x.content.toString()])).toEqual([
      ['users.csv', 'username,email\nana,ana@example.com\n'],
    ]);
    expect(smtp.mails).toHaveLength(0);
    expect((await reload(a.id)).status).toBe('sent');
  });

  test('SMTP down: rows wait with a counted attempt and a later due time; back up: each mail arrives once', async () => {
    await setup();
    const s = sender();
    const [warm] = await queue(env.rt, [lockout('warm@example.com')]);
    // A pooled connection is open when the server goes away, as in production.
    expect(await s.drainOnce()).toEqual({ sent: 1, failed: 0, retried: 0 });
    await smtp.down();

    const rows = await queue(
      env.rt,
      ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((n) => lockout(`${n}@example.com`)),
    );
    expect(await s.drainOnce()).toEqual({ sent: 0, failed: 0, retried: rows.length });
    for (const r of rows) {
      const now = await reload(r.id);
      expect(now.status).toBe('pending');
      expect(now.attempts).toBe(1);
      expect(now.nextAttemptAt.getTime()).toBeGreaterThan(env.clock.now.getTime());
      expect(now.lastError).toMatch(/^temporary: /);
    }
    // Not due yet: nothing is tried again while the clock stands still.
    expect(await s.drainOnce()).toEqual({ sent: 0, failed: 0, retried: 0 });

    await smtp.up();
    advance(2_000);
    expect(await s.drainOnce()).toEqual({ sent: rows.length, failed: 0, retried: 0 });
    advance(HOUR);
    expect(await s.drainOnce()).toEqual({ sent: 0, failed: 0, retried: 0 });
    const counts = countsById(smtp.mails);
    expect(counts.size).toBe(rows.length + 1);
    for (const r of [warm, ...rows]) expect(counts.get(r.messageId)).toBe(1);
  });

  test('451 for some recipients: they retry, everyone else is sent; once accepted, every mail arrived exactly once', async () => {
    await setup();
    const names = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? `slow${i}` : `fast${i}`));
    const rows = await queue(
      env.rt,
      names.map((n) => lockout(`${n}@example.com`)),
    );
    smtp.refuse((rcpt) => (rcpt.startsWith('slow') ? { code: 451, message: '4.7.1 Try again later' } : null));
    const s = sender();
    expect(await s.drainOnce()).toEqual({ sent: 8, failed: 0, retried: 4 });
    const slow = await MailMessage.findAll({ where: { status: 'pending' } });
    expect(slow.map((r) => r.toAddress).sort()).toEqual(
      names
        .filter((n) => n.startsWith('slow'))
        .map((n) => `${n}@example.com`)
        .sort(),
    );
    expect(slow.every((r) => r.lastError?.includes('451'))).toBe(true);

    advance(HOUR); // still refused on the second attempt
    expect(await s.drainOnce()).toEqual({ sent: 0, failed: 0, retried: 4 });
    smtp.refuse(null);
    advance(HOUR);
    expect(await s.drainOnce()).toEqual({ sent: 4, failed: 0, retried: 0 });

    const counts = countsById(smtp.mails);
    expect(counts.size).toBe(rows.length);
    for (const r of rows) expect(counts.get(r.messageId)).toBe(1);
    expect(await MailMessage.count({ where: { status: 'sent' } })).toBe(rows.length);
  });

  test('550 is final: the row fails at once, onFailed hears of it, and it is never retried', async () => {
    await setup();
    const failed: MailMessage[] = [];
    const [bad, good] = await queue(env.rt, [lockout('nobody@example.com'), lockout('ana@example.com')]);
    smtp.refuse((rcpt) => (rcpt.startsWith('nobody') ? { code: 550, message: '5.1.1 No such user' } : null));
    const s = sender({ onFailed: (r) => failed.push(r) });
    expect(await s.drainOnce()).toEqual({ sent: 1, failed: 1, retried: 0 });
    expect(failed.map((r) => [r.id, r.status])).toEqual([[bad.id, 'failed']]);
    const row = await reload(bad.id);
    expect(row.status).toBe('failed');
    expect(row.attempts).toBe(1);
    expect(row.lastError).toMatch(/^permanent: .*550/);
    for (let i = 0; i < 3; i++) {
      advance(HOUR);
      expect(await s.drainOnce()).toEqual({ sent: 0, failed: 0, retried: 0 });
    }
    expect((await reload(bad.id)).attempts).toBe(1);
    expect(smtp.mails.map((m) => m.messageId)).toEqual([good.messageId]);
    expect(failed).toHaveLength(1);
  });

  test('temporary failures stop after maxAttempts with the reason kept', async () => {
    await setup();
    const failed: number[] = [];
    const [r] = await queue(env.rt, [lockout('ana@example.com')]);
    await smtp.down();
    const s = sender({ maxAttempts: 3, onFailed: (row) => failed.push(row.id) });
    expect(await s.drainOnce()).toEqual({ sent: 0, failed: 0, retried: 1 });
    advance(HOUR);
    expect(await s.drainOnce()).toEqual({ sent: 0, failed: 0, retried: 1 });
    advance(HOUR);
    expect(await s.drainOnce()).toEqual({ sent: 0, failed: 1, retried: 0 });
    const row = await reload(r.id);
    expect(row.status).toBe('failed');
    expect(row.attempts).toBe(3);
    expect(row.lastError).toMatch(/^gave up after 3 attempts; temporary: /);
    expect(failed).toEqual([r.id]);
    await smtp.up();
    advance(HOUR);
    expect(await s.drainOnce()).toEqual({ sent: 0, failed: 0, retried: 0 });
    expect(smtp.mails).toHaveLength(0);
  });

  test('a row left in "sending" by a crashed worker is sent once its lease runs out, not before', async () => {
    await setup();
    const [stale, live] = await queue(env.rt, [lockout('crash@example.com'), lockout('busy@example.com')]);
    const now = env.clock.now.getTime();
    await MailMessage.update({ status: 'sending', attempts: 1, leaseUntil: new Date(now - 1_000) }, { where: { id: stale.id } });
    await MailMessage.update({ status: 'sending', attempts: 1, leaseUntil: new Date(now + 60_000) }, { where: { id: live.id } });

    const s = sender();
    expect(await s.drainOnce()).toEqual({ sent: 1, failed: 0, retried: 0 });
    expect(smtp.mails.map((m) => m.messageId)).toEqual([stale.messageId]);
    const row = await reload(stale.id);
    expect(row.status).toBe('sent');
    expect(row.attempts).toBe(2);
    expect((await reload(live.id)).status).toBe('sending');
    expect(await s.drainOnce()).toEqual({ sent: 0, failed: 0, retried: 0 });
    expect(countsById(smtp.mails).get(stale.messageId)).toBe(1);

    // The other worker died too: its row is recovered after the lease, once.
    advance(61_000);
    expect(await s.drainOnce()).toEqual({ sent: 1, failed: 0, retried: 0 });
    expect(countsById(smtp.mails).get(live.messageId)).toBe(1);
  });

  test('a stale row whose last allowed attempt was interrupted is failed, not sent again', async () => {
    await setup();
    const [r] = await queue(env.rt, [lockout('crash@example.com')]);
    await MailMessage.update(
      { status: 'sending', attempts: 3, leaseUntil: new Date(env.clock.now.getTime() - 1) },
      { where: { id: r.id } },
    );
    expect(await sender({ maxAttempts: 3 }).drainOnce()).toEqual({ sent: 0, failed: 1, retried: 0 });
    expect((await reload(r.id)).lastError).toMatch(/^gave up after 3 attempts/);
    expect(smtp.mails).toHaveLength(0);
  });

  test('two workers draining one table at once never send a row twice', async () => {
    await setup();
    const N = 150;
    const rows = await queue(
      env.rt,
      Array.from({ length: N }, (_, i) => lockout(`user${i}@example.com`)),
    );
    const a = sender({ batchSize: 7, instanceId: 'a' });
    const b = sender({ batchSize: 7, instanceId: 'b' });
    const results = await Promise.all([a.drainOnce(), b.drainOnce(), a.drainOnce(), b.drainOnce()]);
    expect(results.reduce((n, r) => n + r.sent, 0)).toBe(N);
    expect(results.reduce((n, r) => n + r.failed + r.retried, 0)).toBe(0);
    await smtp.waitFor(N);
    const counts = countsById(smtp.mails);
    expect(counts.size).toBe(N);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(smtp.mails).toHaveLength(N);
    expect(new Set(rows.map((r) => r.messageId))).toEqual(new Set(counts.keys()));
    expect(await MailMessage.count({ where: { status: 'sent' } })).toBe(N);
  });

  test('reset-link bodies are removed once the mail left; other mails keep theirs', async () => {
    await setup();
    const token = 'tok_' + 'A1b2C3d4'.repeat(5);
    const [reset, notice] = await queue(env.rt, [resetLink('ana@example.com', token), lockout('bob@example.com')]);
    expect(reset.textBody).toContain(token);
    await sender().drainOnce();
    const mail = (await smtp.waitFor(2)).find((m) => m.messageId === reset.messageId)!;
    expect(linksIn(mail)).toEqual([`http://localhost:3000/password/reset/${token}`]);
    expect(mail.html).toContain(token);

    const row = await reload(reset.id);
    expect(row.status).toBe('sent');
    expect(row.textBody).toBe(SCRUBBED_RESET_BODY);
    expect(row.htmlBody).toBe(SCRUBBED_RESET_BODY);
    expect((await reload(notice.id)).textBody).toBe(notice.textBody);
    expect(env.logs.join('\n')).not.toContain(token);
  });

  test('a reset link that is refused for good does not stay readable in the table', async () => {
    await setup();
    const token = 'tok_' + 'Z9y8X7w6'.repeat(5);
    const [reset] = await queue(env.rt, [resetLink('gone@example.com', token)]);
    smtp.refuse(() => ({ code: 550, message: 'No such user' }));
    await sender().drainOnce();
    const row = await reload(reset.id);
    expect(row.status).toBe('failed');
    expect(row.textBody).not.toContain(token);
    expect(row.htmlBody ?? '').not.toContain(token);
  });

  test('attachments are read at send time; a missing file fails the mail without a send', async () => {
    await setup();
    const dir = mkdtempSync(join(tmpdir(), 'userops-attach-'));
    const csv = join(dir, 'users.csv');
    const content = Buffer.from('username,email\r\nana,ana@example.com\r\n');
    writeFileSync(csv, content);
    const failed: MailMessage[] = [];
    const [withFile, missing] = await queue(env.rt, [
      lockout('ana@example.com', { kind: 'export', attachments: [{ filename: 'users.csv', path: csv, contentType: 'text/csv' }] }),
      lockout('bob@example.com', { kind: 'export', attachments: [{ filename: 'old.csv', path: join(dir, 'deleted.csv') }] }),
    ]);
    expect(await sender({ onFailed: (r) => failed.push(r) }).drainOnce()).toEqual({ sent: 1, failed: 1, retried: 0 });
    const [mail] = await smtp.waitFor(1);
    expect(mail.messageId).toBe(withFile.messageId);
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0].filename).toBe('users.csv');
    expect(mail.attachments[0].contentType).toBe('text/csv');
    expect(mail.attachments[0].content.equals(content)).toBe(true);
    const row = await reload(missing.id);
    expect(row.status).toBe('failed');
    expect(row.lastError).toMatch(/^permanent: attachment old\.csv could not be read \(ENOENT\)/);
    expect(failed.map((r) => r.id)).toEqual([missing.id]);
  });

  test('the SMTP password never reaches lastError or a log line, whatever the server says', async () => {
    smtp = await startSmtpCapture();
    const password = 'S3cret-Pa55word!';
    env = await testEnv(dialect, { SMTP_URL: `smtp://mailer:${encodeURIComponent(password)}@127.0.0.1:${smtp.port}` });
    // A server that echoes what it was sent in its refusals.
    smtp.refuse((rcpt) =>
      rcpt.startsWith('echo') ? { code: 451, message: `4.3.0 cannot deliver for mailer:${password} right now` } : null,
    );
    const [echo, plain] = await queue(env.rt, [lockout('echo@example.com'), lockout('ana@example.com')]);
    const s = sender();
    expect(await s.drainOnce()).toEqual({ sent: 1, failed: 0, retried: 1 });
    expect(smtp.logins).toContain('mailer');
    expect((await reload(echo.id)).lastError).toMatch(/^temporary: .*451.*\[redacted\]/);
    await smtp.down();
    const [later] = await queue(env.rt, [lockout('bob@example.com')]);
    advance(HOUR);
    expect(await s.drainOnce()).toEqual({ sent: 0, failed: 0, retried: 2 });

    const errors = (await MailMessage.findAll()).map((r) => r.lastError ?? '');
    expect(errors.filter((e) => e.length > 0)).toHaveLength(2);
    for (const e of errors) {
      expect(e).not.toContain(password);
      expect(e).not.toContain(encodeURIComponent(password));
    }
    const logs = env.logs.join('\n');
    expect(logs).toContain('mail send will be retried');
    expect(logs).not.toContain(password);
    expect(logs).not.toContain(encodeURIComponent(password));
    expect(logs).not.toContain('Your account was locked'); // no bodies either

    smtp.refuse(null);
    await smtp.up();
    advance(HOUR);
    expect(await s.drainOnce()).toEqual({ sent: 2, failed: 0, retried: 0 });
    expect(new Set(smtp.mails.map((m) => m.messageId))).toEqual(new Set([echo.messageId, plain.messageId, later.messageId]));
  });

  test('started: a committed transaction wakes the worker without waiting for the poll; stop() closes cleanly', async () => {
    await setup();
    const sent: number[] = [];
    let allSent!: () => void;
    const recorded = new Promise<void>((resolve) => (allSent = resolve));
    const s = startMailSender(env.rt, {
      pollMs: 60_000,
      baseDelayMs: 1_000,
      onSent: (r) => {
        sent.push(r.id);
        if (sent.length === 3) allSent();
      },
    });
    senders.push(s);
    const [a] = await queue(env.rt, [lockout('ana@example.com')]);
    await smtp.waitFor(1);
    const [b, c] = await queue(env.rt, [lockout('bob@example.com'), lockout('cy@example.com')]);
    await smtp.waitFor(3);
    expect(smtp.mails.map((m) => m.messageId).sort()).toEqual([a, b, c].map((r) => r.messageId).sort());
    // onSent runs once the row is recorded, just after the SMTP server saw the mail.
    await recorded;
    expect(sent.sort()).toEqual([a.id, b.id, c.id].sort());
    await s.stop();
    s.kick(); // ignored after stop
    expect(await s.drainOnce()).toEqual({ sent: 0, failed: 0, retried: 0 });
  });

  test('an unexpected transport error is retried like an outage, never thrown', async () => {
    await setup();
    await queue(env.rt, [lockout('ana@example.com')]);
    const s = new MailSender(
      env.rt,
      {
        kind: 'smtp',
        send: () => Promise.reject(new TypeError('transport bug')),
        close: async () => undefined,
      },
      { baseDelayMs: 1_000, pollMs: 60_000 },
    );
    senders.push(s);
    await expect(s.drainOnce()).resolves.toEqual({ sent: 0, failed: 0, retried: 1 });
    expect((await MailMessage.findOne())?.lastError).toBe('temporary: transport bug');
  });

  test('rows late in a slow batch are handed back untouched instead of being sent on a lease about to expire', async () => {
    await setup();
    const rows = await queue(
      env.rt,
      Array.from({ length: 10 }, (_, i) => lockout(`u${i}@example.com`)),
    );
    // The first send takes most of the lease (a stalling server); the five lanes already started go on.
    const transport = recordingTransport((_mail, n) => {
      if (n === 0) advance(6_000);
    });
    const s = new MailSender(env.rt, transport, { leaseMs: 10_000, batchSize: 10 });
    senders.push(s);
    expect(await s.drainOnce()).toEqual({ sent: 5, failed: 0, retried: 0 });
    const pending = await MailMessage.findAll({ where: { status: 'pending' }, order: [['id', 'ASC']] });
    expect(pending.map((r) => r.id)).toEqual(rows.slice(5).map((r) => r.id));
    expect(pending.every((r) => r.attempts === 0 && r.leaseUntil === null)).toBe(true);
    expect(await s.drainOnce()).toEqual({ sent: 5, failed: 0, retried: 0 });
    expect(transport.sent.map((m) => m.messageId)).toEqual(rows.map((r) => r.messageId));
  });

  test('the next batch is claimed while the lanes send; a stop mid-pass hands every claimed, unstarted row straight back', async () => {
    await setup();
    const rows = await queue(
      env.rt,
      Array.from({ length: 30 }, (_, i) => lockout(`u${i}@example.com`)),
    );
    let sends = 0;
    let stopping: Promise<void> | undefined;
    const claimed = () => MailMessage.count({ where: { status: { [Op.ne]: 'pending' } } });
    const s = new MailSender(
      env.rt,
      recordingTransport(async () => {
        sends += 1;
        // The sixth send is of the first batch, and holds its lane: the second batch is claimed meanwhile.
        if (sends === 6) await until(async () => (await claimed()) > 10, 'the second claim, during the first batch');
        if (sends === 8) stopping = s.stop();
      }),
      { batchSize: 10 },
    );
    senders.push(s);
    const result = await s.drainOnce();
    await stopping;
    const after = await MailMessage.findAll({ order: [['id', 'ASC']] });
    expect(after.filter((r) => r.status === 'sending')).toEqual([]);
    const sent = after.filter((r) => r.status === 'sent');
    expect(result).toEqual({ sent: sent.length, failed: 0, retried: 0 });
    expect(sent.length).toBeGreaterThanOrEqual(8);
    const back = after.filter((r) => r.status === 'pending');
    expect(back.length).toBe(30 - sent.length);
    expect(back.every((r) => r.attempts === 0 && r.leaseUntil === null)).toBe(true);
    // Another worker sends the rest at once (no lease to wait out), each mail once.
    const other = new MailSender(env.rt, recordingTransport(), { batchSize: 10 });
    senders.push(other);
    expect(await other.drainOnce()).toEqual({ sent: back.length, failed: 0, retried: 0 });
    expect(await MailMessage.count({ where: { status: 'sent' } })).toBe(rows.length);
  });

  test('while a job runs (giveWayWhile), the sender asks before each claim and still delivers every mail once', async () => {
    await setup();
    const rows = await queue(
      env.rt,
      Array.from({ length: 25 }, (_, i) => lockout(`u${i}@example.com`)),
    );
    let asked = 0;
    const transport = recordingTransport();
    const s = new MailSender(env.rt, transport, {
      batchSize: 10,
      giveWayWhile: () => {
        asked += 1;
        return true;
      },
    });
    senders.push(s);
    expect(await s.drainOnce()).toEqual({ sent: 25, failed: 0, retried: 0 });
    // Three claims of rows and the empty one that ends the pass.
    expect(asked).toBe(4);
    expect(transport.sent.map((m) => m.messageId).sort()).toEqual(rows.map((r) => r.messageId).sort());
  });

  test('a worker whose lease was taken over records nothing: the newer owner’s outcome stands', async () => {
    await setup();
    const [r] = await queue(env.rt, [lockout('ana@example.com')]);
    const sent: number[] = [];
    // While this worker is stuck in its send, the lease runs out and another instance recovers the row.
    const transport = recordingTransport(async (mail) => {
      advance(10 * 60_000);
      const other = new MailSender(env.rt, recordingTransport(), { instanceId: 'other' });
      expect(await other.drainOnce()).toEqual({ sent: 1, failed: 0, retried: 0 });
      expect(mail.messageId).toBe(r.messageId);
    });
    const s = new MailSender(env.rt, transport, { onSent: (row) => sent.push(row.id), leaseMs: 60_000 });
    senders.push(s);
    await s.drainOnce();
    expect(sent).toEqual([]);
    const row = await reload(r.id);
    expect(row.status).toBe('sent');
    expect(row.attempts).toBe(2);
    expect(row.sentAt?.getTime()).toBe(env.clock.now.getTime());
    expect(env.logs.join('\n')).toContain('mail lease lost before the outcome was recorded');
  });

  test('mailStats counts a job’s mail by outcome', async () => {
    await setup();
    smtp.refuse((rcpt) =>
      rcpt.startsWith('bad') ? { code: 550, message: 'no' } : rcpt.startsWith('later') ? { code: 451, message: 'later' } : null,
    );
    await queue(env.rt, [
      lockout('ok1@example.com', { jobId: 7 }),
      lockout('ok2@example.com', { jobId: 7 }),
      lockout('bad@example.com', { jobId: 7 }),
      lockout('later@example.com', { jobId: 7 }),
      lockout('other@example.com', { jobId: 8 }),
    ]);
    expect(await mailStats(7)).toEqual({ queued: 4, sent: 0, failed: 0 });
    await sender().drainOnce();
    expect(await mailStats(7)).toEqual({ queued: 4, sent: 2, failed: 1 });
    expect(await mailStats(8)).toEqual({ queued: 1, sent: 1, failed: 0 });
    expect(await mailStats(99)).toEqual({ queued: 0, sent: 0, failed: 0 });
  });
});
