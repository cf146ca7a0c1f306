import { performance } from 'node:perf_hooks';
import type { Runtime } from '../src/app/runtime';
import {
  BULK_KIND,
  bulkProgress,
  confirmBulkAction,
  previewBulkAction,
  runBulkActionBatch,
  type BulkAction,
} from '../src/services/bulk-actions';
import type { Actor } from '../src/services/context';
import { Job, JobItem, MailMessage } from '../src/store/models';
import { sleep } from './stats';

/**
 * The steps every bulk bench takes, whatever the action: the product's database phase timed alone,
 * the same writes as raw SQL (the caller's), and the whole job from confirm to done.
 */

export const BATCH = 250;

export async function bulkPreview(rt: Runtime, actor: Actor, action: BulkAction, ids: number[], reason: string): Promise<number> {
  const p = await previewBulkAction(rt, actor, { action, userIds: ids, reason });
  if (!p.ok) throw new Error(`preview failed: ${p.message}`);
  if (p.count !== ids.length) throw new Error(`preview counted ${p.count} of ${ids.length}`);
  return p.jobId;
}

async function confirm(rt: Runtime, actor: Actor, jobId: number): Promise<void> {
  const c = await confirmBulkAction(rt, actor, { jobId });
  if (!c.ok) throw new Error(`confirm failed: ${c.message}`);
}

/** The bench's own jobs are finished by hand: their mails must not be in the way of the job measured next. */
async function retire(jobId: number): Promise<void> {
  await Job.update({ status: 'done', finishedAt: new Date() }, { where: { id: jobId } });
  await MailMessage.destroy({ where: { jobId } });
}

/** 1. `runBulkActionBatch` back to back over `dbSet`; 2. `raw` over a job of `rawSet` (set up untimed, as the preview would). */
export async function databasePhases(opts: {
  rt: Runtime;
  actor: Actor & { kind: 'user' };
  action: BulkAction;
  reason: string;
  dbSet: number[];
  rawSet: number[];
  raw: (jobId: number) => Promise<number>;
}): Promise<{ dbPhaseMs: number; rawSqlMs: number }> {
  const { rt, actor } = opts;
  const dbJob = await bulkPreview(rt, actor, opts.action, opts.dbSet, opts.reason);
  await confirm(rt, actor, dbJob);
  // The runner of this process is not started yet: the batches run here, timed alone.
  await Job.update({ status: 'running' }, { where: { id: dbJob } });
  // As the job runner does: one count when it starts, then each batch carries the figures on.
  const t1 = performance.now();
  let progress = await bulkProgress(dbJob, opts.dbSet.length);
  for (;;) {
    const r = await runBulkActionBatch(rt, dbJob, BATCH, progress);
    if (r.processed === 0) break;
    progress = r.progress;
  }
  const dbPhaseMs = performance.now() - t1;
  await retire(dbJob);

  const rawJob = await Job.create({
    kind: BULK_KIND[opts.action],
    status: 'running',
    actorUserId: actor.userId,
    actorLabel: actor.label,
    payload: '{}',
  });
  for (let i = 0; i < opts.rawSet.length; i += 1000) {
    await JobItem.bulkCreate(opts.rawSet.slice(i, i + 1000).map((userId) => ({ jobId: rawJob.id, userId })));
  }
  const rawSqlMs = await opts.raw(rawJob.id);
  await retire(rawJob.id);
  return { dbPhaseMs, rawSqlMs };
}

/** 3. Confirm a previewed job (workers already running) and wait for it: when it was confirmed, and how long it took. */
export async function confirmAndWait(rt: Runtime, actor: Actor, jobId: number): Promise<{ startedAt: number; jobMs: number }> {
  const startedAt = performance.now();
  await confirm(rt, actor, jobId);
  for (;;) {
    const j = await Job.findByPk(jobId, { attributes: ['status', 'kind'] });
    if (j?.status === 'failed') throw new Error(`the ${j.kind} job failed`);
    if (j?.status === 'done') break;
    await sleep(25);
  }
  return { startedAt, jobMs: performance.now() - startedAt };
}
