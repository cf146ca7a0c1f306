import cron, { type ScheduledTask } from 'node-cron';
import { DAY_MS } from '../domain/password-expiry';
import type { Ctx } from '../services/context';
import { claimSlot, finishSlot, isSlotClaimed } from '../services/job-slots';
import { runPasswordExpiry, type ExpiryRunResult } from '../services/password-expiry';
import { latestSlotBefore, slotName } from './cron-slots';
import { cronLogger, instanceName } from './lockout-digest';

/** The job_slots name of the daily password-expiry run. */
export const PASSWORD_EXPIRY_JOB = 'password_expiry';

export type ExpiryRun = { status: 'done'; slot: string; result: ExpiryRunResult } | { status: 'taken'; slot: string };

/**
 * One scheduled run, once per slot across instances (the slot's row, as for the lockout digest).
 * The per-user, per-step claims inside make a second run — another slot, a catch-up, an instance
 * whose slot claim lost a race it should have won — harmless: nobody gets a step twice.
 */
export async function runExpirySlot(ctx: Ctx, slot: string, claimedBy: string): Promise<ExpiryRun> {
  const log = ctx.logger.child({ job: PASSWORD_EXPIRY_JOB, slot });
  const claim = await claimSlot(ctx, PASSWORD_EXPIRY_JOB, slot, claimedBy);
  if (!claim) {
    log.info('password expiry slot already claimed; skipped');
    return { status: 'taken', slot };
  }
  const result = await runPasswordExpiry(ctx, claimedBy);
  await finishSlot(ctx, claim);
  log.info('password expiry run finished', { ...result });
  return { status: 'done', slot, result };
}

export interface PasswordExpiryScheduler {
  readonly instanceId: string;
  /** The catch-up at start (today's slot when every instance was down at its time). */
  readonly started: Promise<ExpiryRun | null>;
  runSlot(at: Date): Promise<ExpiryRun>;
  stop(): Promise<void>;
}

/**
 * Every instance schedules PASSWORD_EXPIRY_CRON (in DIGEST_TZ); the slot claim decides who runs.
 * At start, a slot of the last day that nobody claimed (all instances were down) is run once.
 */
export function startPasswordExpiryScheduler(ctx: Ctx, opts: { instanceId?: string } = {}): PasswordExpiryScheduler {
  const instanceId = opts.instanceId ?? instanceName();
  const inFlight = new Set<Promise<unknown>>();
  let stopped = false;
  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => undefined);
    return p;
  };
  const runSlot = (at: Date) => track(runExpirySlot(ctx, slotName(at), instanceId));
  const onTick = (at: Date) => {
    if (stopped) return;
    runSlot(at).catch((e: unknown) => ctx.logger.error('password expiry run failed', { error: String(e) }));
  };
  const task: ScheduledTask = cron.createTask(ctx.config.PASSWORD_EXPIRY_CRON, (c) => onTick(c.date), {
    timezone: ctx.config.DIGEST_TZ,
    name: 'password-expiry',
    logger: cronLogger(ctx.logger),
  });
  task.on('execution:missed', (c) => onTick(c.date));
  void task.start();
  const started = track(
    (async () => {
      const slot = await latestSlotBefore(ctx.config.PASSWORD_EXPIRY_CRON, ctx.config.DIGEST_TZ, ctx.now(), null, DAY_MS);
      if (!slot || (await isSlotClaimed(ctx, PASSWORD_EXPIRY_JOB, slotName(slot)))) return null;
      return runExpirySlot(ctx, slotName(slot), instanceId);
    })().catch((e: unknown) => {
      ctx.logger.error('password expiry catch-up failed', { error: String(e) });
      return null;
    }),
  );
  return {
    instanceId,
    started,
    runSlot,
    stop: async () => {
      stopped = true;
      await task.destroy();
      await Promise.allSettled([...inFlight]);
    },
  };
}
