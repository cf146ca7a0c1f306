import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import nodemailer from 'nodemailer';
import { Op } from 'sequelize';
import type { Runtime } from '../src/app/runtime';
import { startWorkers } from '../src/app/workers';
import { randomToken, sha256Hex } from '../src/domain/tokens';
import { resetLinkMail } from '../src/mail/templates';
import type { Actor } from '../src/services/context';
import { resetLink } from '../src/services/passwords';
import { User } from '../src/store/models';
import { BATCH, bulkPreview, confirmAndWait, databasePhases } from './bulk-phases';
import type { BenchTarget } from './bench-db';
import { placeholders, rawAuditRows, rawBatches } from './raw-bulk';
import type { Params } from './raw-db';
import type { SmtpSink } from './smtp-sink';
import { pool } from './stats';

/**
 * Bulk reset, three ways on three disjoint sets of the same size:
 *  - the database phase: the product's batches (`runBulkActionBatch`) back to back, nothing else;
 *  - the same writes as raw batched SQL through the driver (the baseline);
 *  - the whole job as the server runs it: confirm → job runner → done, with the mail sender
 *    draining the outbox to a local SMTP listener at the same time.
 * The mail drain is compared with nodemailer alone sending the same number of mails to the
 * same listener through the same pool size and concurrency.
 */

const REASON = 'bench: suspected credential leak';

export interface BulkResetMeasure {
  users: number;
  dbPhaseMs: number;
  rawSqlMs: number;
  jobMs: number;
  drainMs: number;
  mailsDelivered: number;
  duplicateMails: number;
  rawSmtpPerSecond: number;
  /** Users of the job set in password_reset at the end (should equal `users`). */
  resetUsers: number;
}

/** The writes `runBulkActionBatch` makes for a reset, batch by batch, as plain SQL in write transactions (the same SQL on both databases). */
function rawBulkReset(rt: Runtime, dbUrl: string, actor: Actor & { kind: 'user' }, jobId: number): Promise<number> {
  return rawBatches(dbUrl, jobId, BATCH, async (b) => {
    const { db, ids, inIds, at } = b;
    const users = await db.all<{ id: number; username: string; email: string; first_name: string; last_name: string }>(
      `SELECT id, username, email, first_name, last_name FROM users WHERE id IN (${inIds})`,
      ids,
    );
    const expires = b.date(new Date(b.now.getTime() + rt.config.RESET_TOKEN_TTL_HOURS * 3600_000));
    await db.run(`UPDATE reset_tokens SET revoked_at = ? WHERE user_id IN (${inIds}) AND used_at IS NULL AND revoked_at IS NULL`, [
      at,
      ...ids,
    ]);
    const tokens = users.map(() => randomToken());
    await db.run(
      `INSERT INTO reset_tokens (user_id, token_hash, expires_at, created_at) VALUES ${placeholders(users.length, 4)}`,
      users.flatMap((u, i): Params => [u.id, sha256Hex(tokens[i]), expires, at]),
    );
    await db.run(
      `UPDATE users SET auth_status = 'password_reset', failed_login_count = 0, locked_at = NULL, updated_at = ? WHERE id IN (${inIds})`,
      [at, ...ids],
    );
    await rawAuditRows(b, users, { actor, action: 'reset_password', reason: REASON, jobId });
    await db.run(
      `INSERT INTO mail_outbox (message_id, kind, to_address, subject, text_body, html_body, status, attempts, next_attempt_at, job_id, user_id, created_at)
       VALUES ${placeholders(users.length, 12)}`,
      users.flatMap((u, i): Params => {
        const mail = resetLinkMail({
          name: u.first_name || u.username,
          link: resetLink(rt, tokens[i]),
          expiresHours: rt.config.RESET_TOKEN_TTL_HOURS,
          reason: REASON,
        });
        return [`<${randomUUID()}@bench>`, 'reset_link', u.email, mail.subject, mail.text, mail.html, 'pending', 0, at, jobId, u.id, at];
      }),
    );
  });
}

async function rawSmtpRate(url: string, count: number, concurrency: number, connections: number): Promise<number> {
  const transport = nodemailer.createTransport({ pool: true, url, maxConnections: connections, logger: false });
  const mail = resetLinkMail({ name: 'Ana', link: 'http://localhost/password/reset/x'.padEnd(80, 'x'), expiresHours: 24, reason: REASON });
  const started = performance.now();
  await pool(count, concurrency, async (i) => {
    await transport.sendMail({
      from: 'userops <userops@localhost>',
      to: `user${i}@example.com`,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: `<${randomUUID()}@bench>`,
    });
  });
  const ms = performance.now() - started;
  transport.close();
  return count / (ms / 1000);
}

export async function measureBulkReset(opts: {
  rt: Runtime;
  target: BenchTarget;
  actor: Actor & { kind: 'user' };
  sets: [number[], number[], number[]];
  sink: SmtpSink;
}): Promise<BulkResetMeasure> {
  const { rt, actor, sink } = opts;
  const [dbSet, rawSet, jobSet] = opts.sets;

  const { dbPhaseMs, rawSqlMs } = await databasePhases({
    rt,
    actor,
    action: 'reset_password',
    reason: REASON,
    dbSet,
    rawSet,
    raw: (jobId) => rawBulkReset(rt, opts.target.url, actor, jobId),
  });

  // 3. The whole job as a server runs it, the mail sender draining to the listener meanwhile.
  const job = await bulkPreview(rt, actor, 'reset_password', jobSet, REASON);
  sink.reset();
  const workers = startWorkers(rt);
  const { startedAt: t3, jobMs } = await confirmAndWait(rt, actor, job);
  const lastMailAt = await sink.waitFor(jobSet.length, 600_000);
  const drainMs = lastMailAt - t3;
  await workers.stop();
  const resetUsers = await User.count({ where: { id: { [Op.in]: jobSet }, authStatus: 'password_reset' } });
  const mailsDelivered = sink.received;
  const duplicateMails = sink.received - sink.distinct;

  // 4. nodemailer alone, same listener, the sender's pool size (5) and concurrency (5).
  sink.reset();
  const rawSmtpPerSecond = await rawSmtpRate(sink.url, jobSet.length, 5, 5);

  return {
    users: jobSet.length,
    dbPhaseMs,
    rawSqlMs,
    jobMs,
    drainMs,
    mailsDelivered,
    duplicateMails,
    rawSmtpPerSecond,
    resetUsers,
  };
}
