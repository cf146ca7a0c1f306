import { createRuntime, type Runtime } from '../../src/app/runtime';
import { testConfig } from '../../src/lib/config';
import { memoryLogger } from '../../src/lib/logger';
import { startServer, type ServerHandle } from '../../src/server/server';
import { resetPasswords } from '../../src/services/passwords';
import { MailMessage } from '../../src/store/models';
import { DIALECTS, freshDatabase, type TestDatabase } from '../support/db';
import { recordFigures } from '../support/figures';
import { actorFor, makeUser } from '../support/fixtures';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp';
import { until } from '../support/wait';

/**
 * The mail outbox against a real SMTP listener that goes down, comes back refusing some
 * recipients with a temporary 451, then accepts everything: every mail arrives exactly once (by
 * Message-ID and by recipient), none is given up, and the state changes that queued them stand.
 * The server runs in-process on the real clock, so its retry back-off (100 ms doubling, capped at
 * 500 ms) runs for real.
 */

const USERS = 40;
const RESET_SUBJECT = 'Set a new password for your account';

describe.each(DIALECTS)('SMTP outage, then temporary refusals, then recovery (%s)', (dialect) => {
  let db: TestDatabase;
  let rt: Runtime;
  let smtp: SmtpCapture;
  let server: ServerHandle;

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    db = await freshDatabase(dialect);
    rt = await createRuntime(testConfig({ DATABASE_URL: db.url, SMTP_URL: smtp.url, PUBLIC_URL: 'http://127.0.0.1:9' }), {
      logger: memoryLogger('error').logger,
    });
    server = await startServer(rt, {
      port: 0,
      host: '127.0.0.1',
      // Giving up is tested in test/mail/sender.test.ts; here no mail may run out of attempts
      // however slowly a loaded machine gets through the phases.
      workers: { mail: { baseDelayMs: 100, maxDelayMs: 500, pollMs: 50, maxAttempts: 1000 }, jobs: { pollMs: 200 } },
    });
  });
  afterAll(async () => {
    await server.stop();
    await rt.close();
    await db.drop();
    await smtp.stop();
  });

  test('every mail is delivered exactly once in the end', async () => {
    const admin = await makeUser({ username: 'ana', orgs: { acme: ['administrator'] } });
    const names: string[] = [];
    for (let i = 0; i < USERS; i++) {
      await makeUser({ username: `m${i}`, orgs: { acme: [] } });
      names.push(`m${i}`);
    }
    const refused = new Set(names.filter((_, i) => i % 3 === 0).map((n) => `${n}@example.com`));
    const refusalsOf = new Map<string, number>();
    const recipientRefusals = () => [...refusalsOf.values()].reduce((a, b) => a + b, 0);

    // 1. The listener is down while the resets commit: state changes stand, mails wait.
    await smtp.down();
    for (let i = 0; i < USERS; i += 10) {
      const r = await resetPasswords(rt, actorFor(admin), { refs: names.slice(i, i + 10), reason: 'smtp drill' });
      expect(r.ok && r.results.every((x) => x.status === 'done')).toBe(true);
    }
    await until(
      async () => (await MailMessage.count({ where: { status: 'pending' } })) === USERS && (await minAttempts()) >= 2,
      'every mail to have failed twice against the dead listener',
    );
    const connectionRefusals = await totalAttempts();
    expect(smtp.mails).toHaveLength(0);
    const attemptsWhileDown = new Map((await MailMessage.findAll({ raw: true })).map((r) => [r.toAddress, r.attempts]));

    // 2. Back, but refusing a third of the recipients with a temporary 451.
    smtp.refuse((rcpt) => {
      if (!refused.has(rcpt)) return null;
      refusalsOf.set(rcpt, (refusalsOf.get(rcpt) ?? 0) + 1);
      return { code: 451, message: '4.3.0 mailbox busy, try again later' };
    });
    await smtp.up();
    await smtp.waitFor((m) => m.length >= USERS - refused.size, 20_000);
    await until(() => [...refused].every((a) => (refusalsOf.get(a) ?? 0) >= 2), 'each refused recipient to be refused twice', 20_000);
    expect(new Set(smtp.mails.flatMap((m) => m.to)).size).toBe(USERS - refused.size);
    expect(smtp.mails.every((m) => !refused.has(m.to[0]))).toBe(true);
    expect(await MailMessage.count({ where: { status: 'failed' } })).toBe(0);

    // 3. Accepting everything again: the rest arrives.
    smtp.refuse(null);
    await smtp.waitFor(USERS, 20_000);
    await until(async () => (await MailMessage.count({ where: { status: 'sent' } })) === USERS, 'every mail marked sent', 20_000);
    // Nothing more comes (no late duplicate from a retry).
    await new Promise((r) => setTimeout(r, 700));

    const rows = await MailMessage.findAll({ raw: true });
    const mails = smtp.mails.filter((m) => m.subject === RESET_SUBJECT);
    expect(mails).toHaveLength(USERS);
    expect(new Set(mails.map((m) => m.messageId))).toEqual(new Set(rows.map((r) => r.messageId)));
    expect(new Set(mails.map((m) => m.to[0]))).toEqual(new Set(names.map((n) => `${n}@example.com`)));
    expect(rows.every((r) => r.status === 'sent' && r.lastError === null)).toBe(true);
    // A refused recipient took its refusals and then the send that went through (an attempt claimed
    // while the listener was down may have been the first refused one, hence no + 1).
    const attemptsOf = (addr: string) => rows.find((r) => r.toAddress === addr)!.attempts;
    for (const addr of refused) expect(attemptsOf(addr)).toBeGreaterThanOrEqual(attemptsWhileDown.get(addr)! + refusalsOf.get(addr)!);

    recordFigures(`smtp-${dialect}`, {
      mailsExpected: USERS,
      mailsDelivered: mails.length,
      distinctMessageIds: new Set(mails.map((m) => m.messageId)).size,
      mailsLost: USERS - new Set(mails.map((m) => m.messageId)).size,
      duplicates: mails.length - new Set(mails.map((m) => m.messageId)).size,
      faultsInjected: { sendAttemptsWhileDown: connectionRefusals, temporaryRecipientRefusals: recipientRefusals() },
      sendAttempts: rows.reduce((a, r) => a + r.attempts, 0),
    });
  }, 60_000);

  async function minAttempts(): Promise<number> {
    const rows = await MailMessage.findAll({ attributes: ['attempts'], raw: true });
    return rows.length === 0 ? 0 : Math.min(...rows.map((r) => r.attempts));
  }
  async function totalAttempts(): Promise<number> {
    const rows = await MailMessage.findAll({ attributes: ['attempts'], raw: true });
    return rows.reduce((a, r) => a + r.attempts, 0);
  }
});
