import { stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { Op } from 'sequelize';
import type { Runtime } from '../src/app/runtime';
import { startWorkers } from '../src/app/workers';
import type { FileShare } from '../src/jobs/export';
import { BULK_KIND, confirmBulkAction, previewBulkAction, runBulkActionBatch } from '../src/services/bulk-actions';
import type { Actor } from '../src/services/context';
import { Job, JobItem, User } from '../src/store/models';
import { BATCH, retire } from './bulk-reset';
import { rawAuditRows, rawBatches } from './raw-bulk';
import { sleep } from './stats';

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

async function preview(rt: Runtime, actor: Actor, ids: number[]): Promise<number> {
  const p = await previewBulkAction(rt, actor, { action: 'disable', userIds: ids, reason: REASON });
  if (!p.ok) throw new Error(`preview failed: ${p.message}`);
  if (p.count !== ids.length) throw new Error(`preview counted ${p.count} of ${ids.length}`);
  return p.jobId;
}

async function confirm(rt: Runtime, actor: Actor, jobId: number): Promise<void> {
  const c = await confirmBulkAction(rt, actor, { jobId });
  if (!c.ok) throw new Error(`confirm failed: ${c.message}`);
}

/** The writes `runBulkActionBatch` makes for a disable, batch by batch, as plain SQL in BEGIN IMMEDIATE transactions. */
function rawBulkDisable(dbPath: string, actor: Actor & { kind: 'user' }, jobId: number): Promise<number> {
  return rawBatches(dbPath, jobId, BATCH, async (b) => {
    const users = await b.db.all<{ id: number; username: string; email: string }>(
      `SELECT id, username, email FROM users WHERE id IN (${b.inIds}) AND enabled = 1`,
      b.ids,
    );
    await b.db.run(`UPDATE users SET enabled = 0, updated_at = ? WHERE id IN (${users.map(() => '?').join(',')})`, [
      b.at,
      ...users.map((u) => u.id),
    ]);
    await rawAuditRows(b, users, { actor, action: 'disable', reason: REASON, jobId });
  });
}

export async function measureBulkDisable(opts: {
  rt: Runtime;
  dbPath: string;
  actor: Actor & { kind: 'user' };
  sets: [number[], number[], number[]];
}): Promise<BulkDisableMeasure> {
  const { rt, actor } = opts;
  const [dbSet, rawSet, jobSet] = opts.sets;

  // 1. The product's database phase.
  const dbJob = await preview(rt, actor, dbSet);
  await confirm(rt, actor, dbJob);
  await Job.update({ status: 'running' }, { where: { id: dbJob } });
  const t1 = performance.now();
  while ((await runBulkActionBatch(rt, dbJob, BATCH)).processed > 0);
  const dbPhaseMs = performance.now() - t1;
  await retire(dbJob);

  // 2. The same writes in raw SQL (its job and items set up untimed, as the preview would).
  const rawJob = await Job.create({
    kind: BULK_KIND.disable,
    status: 'running',
    actorUserId: actor.userId,
    actorLabel: actor.label,
    payload: '{}',
  });
  for (let i = 0; i < rawSet.length; i += 1000) {
    await JobItem.bulkCreate(rawSet.slice(i, i + 1000).map((userId) => ({ jobId: rawJob.id, userId })));
  }
  const rawSqlMs = await rawBulkDisable(opts.dbPath, actor, rawJob.id);
  await retire(rawJob.id);

  // 3. The whole job as a server runs it, with its outcomes CSV.
  const job = await preview(rt, actor, jobSet);
  let csvBytes = 0;
  const share: FileShare = {
    share: async (file) => {
      csvBytes = (await stat(file.path)).size;
      return { ok: true, channel: 'D0BENCH' };
    },
  };
  const workers = startWorkers(rt, { share });
  const t3 = performance.now();
  await confirm(rt, actor, job);
  for (;;) {
    const j = await Job.findByPk(job, { attributes: ['status'] });
    if (j?.status === 'failed') throw new Error('the bulk disable job failed');
    if (j?.status === 'done') break;
    await sleep(25);
  }
  const jobMs = performance.now() - t3;
  await workers.stop();
  const disabledUsers = await User.count({ where: { id: { [Op.in]: jobSet }, enabled: false } });
  return { users: jobSet.length, dbPhaseMs, rawSqlMs, jobMs, disabledUsers, csvBytes };
}
