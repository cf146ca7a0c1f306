import { DAY_MS } from '../domain/password-expiry';
import type { Ctx } from '../services/context';
import { claimSlot, finishSlot, isSlotClaimed } from '../services/job-slots';
import { runPasswordExpiry, type ExpiryRunResult } from '../services/password-expiry';
import { latestSlotBefore, scheduleSlots, slotName } from './cron-slots';
import { instanceName } from './lockout-digest';

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
  const schedule = scheduleSlots({
    expression: ctx.config.PASSWORD_EXPIRY_CRON,
    timezone: ctx.config.DIGEST_TZ,
    name: 'password expiry',
    logger: ctx.logger,
    run: (at) => runExpirySlot(ctx, slotName(at), instanceId),
    catchUp: async () => {
      const slot = await latestSlotBefore(ctx.config.PASSWORD_EXPIRY_CRON, ctx.config.DIGEST_TZ, ctx.now(), null, DAY_MS);
      if (!slot || (await isSlotClaimed(ctx, PASSWORD_EXPIRY_JOB, slotName(slot)))) return null;
      return runExpirySlot(ctx, slotName(slot), instanceId);
    },
  });
  return { instanceId, started: schedule.started, runSlot: schedule.runSlot, stop: schedule.stop };
}
