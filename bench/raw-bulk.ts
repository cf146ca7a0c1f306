import { performance } from 'node:perf_hooks';
import type { Actor } from '../src/services/context';
import { openRaw, type Params, type RawDb } from './raw-db';

/**
 * The raw-SQL baseline of a bulk job's database phase, shared by the bulk benches: the batch loop
 * (BEGIN IMMEDIATE, the next pending items, the action's writes, items marked done, COMMIT) and the
 * audit rows every action writes. Only the action's own writes differ. The same SQL runs through
 * sqlite3 on SQLite and pg on PostgreSQL, except where a measure spells a dialect's own.
 */

/** Sequelize's SQLite date text, so raw rows read back like the ORM's. */
export function sqliteDate(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', ' +00:00');
}

export function placeholders(rows: number, cols: number): string {
  const one = `(${Array.from({ length: cols }, () => '?').join(',')})`;
  return Array.from({ length: rows }, () => one).join(',');
}

export interface RawBatch {
  db: RawDb;
  /** The batch's user ids, and `?,?,…` for them. */
  ids: number[];
  inIds: string;
  /** Each user's first organization (where the audit row is recorded). */
  orgOf: Map<number, number>;
  now: Date;
  at: string;
  /** A timestamp as the dialect's rows hold it (SQLite: Sequelize's text; PostgreSQL: ISO 8601). */
  date(d: Date): string;
}

/** Run `write` for each batch of the job's pending items in its own write transaction; the time it all took. */
export async function rawBatches(dbUrl: string, jobId: number, batchSize: number, write: (b: RawBatch) => Promise<void>): Promise<number> {
  const db = await openRaw(dbUrl, { busyTimeoutMs: 15_000 });
  const date = db.dialect === 'sqlite' ? sqliteDate : (d: Date) => d.toISOString();
  const started = performance.now();
  for (;;) {
    await db.begin();
    const items = await db.all<{ id: number; user_id: number }>(
      `SELECT id, user_id FROM job_items WHERE job_id = ? AND status = 'pending' ORDER BY id LIMIT ?`,
      [jobId, batchSize],
    );
    if (items.length === 0) {
      await db.run('COMMIT');
      break;
    }
    const ids = items.map((i) => i.user_id);
    const inIds = ids.map(() => '?').join(',');
    const orgs = await db.all<{ user_id: number; organization_id: number }>(
      `SELECT user_id, organization_id FROM memberships WHERE user_id IN (${inIds}) ORDER BY organization_id`,
      ids,
    );
    const orgOf = new Map<number, number>();
    for (const o of orgs) if (!orgOf.has(o.user_id)) orgOf.set(o.user_id, o.organization_id);
    const now = new Date();
    await write({ db, ids, inIds, orgOf, now, at: date(now), date });
    await db.run(
      `UPDATE job_items SET status = 'done' WHERE id IN (${items.map(() => '?').join(',')})`,
      items.map((i) => i.id),
    );
    await db.run('COMMIT');
  }
  const ms = performance.now() - started;
  await db.close();
  return ms;
}

/** One audit row per user, as `buildAuditRow` writes it for a bulk job. */
export async function rawAuditRows(
  b: RawBatch,
  users: Array<{ id: number; username: string; email: string }>,
  entry: { actor: Actor & { kind: 'user' }; action: string; reason: string; jobId: number },
): Promise<void> {
  const details = JSON.stringify({ jobId: entry.jobId });
  await b.db.run(
    `INSERT INTO audit_events (at, actor_user_id, actor_label, action, target_user_id, target_label, organization_id, outcome, reason, details)
     VALUES ${placeholders(users.length, 10)}`,
    users.flatMap((u): Params => [
      b.at,
      entry.actor.userId,
      entry.actor.label,
      entry.action,
      u.id,
      `${u.username} <${u.email}>`,
      b.orgOf.get(u.id) ?? null,
      'ok',
      entry.reason,
      details,
    ]),
  );
}
