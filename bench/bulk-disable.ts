import { stat } from 'node:fs/promises';
import { Op } from 'sequelize';
import type { Runtime } from '../src/app/runtime';
import { startWorkers } from '../src/app/workers';
import type { FileShare } from '../src/jobs/export';
import type { Actor } from '../src/services/context';
import { User } from '../src/store/models';
import { BATCH, bulkPreview, confirmAndWait, databasePhases } from './bulk-phases';
import type { BenchTarget } from './bench-db';
import { rawAuditRows, rawBatches } from './raw-bulk';

/**
 * Bulk disable (issue 15), three ways on three disjoint sets of the same size:
 *  - the database phase: the product's batches (`runBulkActionBatch`) back to back, nothing else;
 *  - the same writes as raw batched SQL through the driver (the baseline);
 *  - the whole job as the server runs it: confirm → job runner → done, including the CSV of
 *    per-user outcomes (written and handed to a share that accepts it, as Slack's upload would).
 */

const REASON = 'bench: contractor offboarding';

export interface BulkDisableMeasure {
  users: number;
  dbPhaseMs: number;
  rawSqlMs: number;
  jobMs: number;
  /** Users of the job set disabled at the end (should equal `users`). */
  disabledUsers: number;
  csvBytes: number;
}

/**
 * The writes `runBulkActionBatch` makes for a disable, batch by batch, as plain SQL in write
 * transactions. Booleans are spelled per dialect (SQLite stores 1/0; PostgreSQL has a boolean).
 */
const DISABLE_SQL = {
  sqlite: { enabled: 'enabled = 1', disable: 'enabled = 0' },
  postgres: { enabled: 'enabled = true', disable: 'enabled = false' },
} as const;

function rawBulkDisable(dbUrl: string, actor: Actor & { kind: 'user' }, jobId: number): Promise<number> {
  return rawBatches(dbUrl, jobId, BATCH, async (b) => {
    const sql = DISABLE_SQL[b.db.dialect];
    const users = await b.db.all<{ id: number; username: string; email: string }>(
      `SELECT id, username, email FROM users WHERE id IN (${b.inIds}) AND ${sql.enabled}`,
      b.ids,
    );
    if (users.length === 0) return;
    await b.db.run(`UPDATE users SET ${sql.disable}, updated_at = ? WHERE id IN (${users.map(() => '?').join(',')})`, [
      b.at,
      ...users.map((u) => u.id),
    ]);
    await rawAuditRows(b, users, { actor, action: 'disable', reason: REASON, jobId });
  });
}

export async function measureBulkDisable(opts: {
  rt: Runtime;
  target: BenchTarget;
  actor: Actor & { kind: 'user' };
  sets: [number[], number[], number[]];
}): Promise<BulkDisableMeasure> {
  const { rt, actor } = opts;
  const [dbSet, rawSet, jobSet] = opts.sets;

  const { dbPhaseMs, rawSqlMs } = await databasePhases({
    rt,
    actor,
    action: 'disable',
    reason: REASON,
    dbSet,
    rawSet,
    raw: (jobId) => rawBulkDisable(opts.target.url, actor, jobId),
  });

  // 3. The whole job as a server runs it, with its outcomes CSV.
  const job = await bulkPreview(rt, actor, 'disable', jobSet, REASON);
  let csvBytes = 0;
  const share: FileShare = {
    share: async (file) => {
      csvBytes = (await stat(file.path)).size;
      return { ok: true, channel: 'D0BENCH' };
    },
  };
  const workers = startWorkers(rt, { share });
  const { jobMs } = await confirmAndWait(rt, actor, job);
  await workers.stop();
  const disabledUsers = await User.count({ where: { id: { [Op.in]: jobSet }, enabled: false } });
  return { users: jobSet.length, dbPhaseMs, rawSqlMs, jobMs, disabledUsers, csvBytes };
}
