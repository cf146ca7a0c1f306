import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Ctx } from '../services/context';
import { claimSlot, finishSlot, isSlotClaimed, lastFinishedSlot } from '../services/job-slots';
import { lockoutDigest, markLockoutsReported, type LockoutDigest } from '../services/lockout-digest';
import { latestSlotBefore, scheduleSlots, slotName } from './cron-slots';

/** The job_slots name of the lockout digest; scheduled slots are UTC instants, manual runs `manual:<instant>`. */
export const DIGEST_JOB = 'lockout_digest';

/** The first digest ever looks back this far (there is no previous digest to start from). */
export const FIRST_DIGEST_LOOKBACK_MS = 24 * 3_600_000;

/** Where a digest goes (Slack in production); a narrow port so the job never imports Slack. */
export interface DigestPublisher {
  /** Post the digest; resolves to the number of messages posted (0 when it stayed silent). Throws when it could not. */
  publish(digest: LockoutDigest, slot: string): Promise<{ messages: number }>;
}

export type DigestRun =
  | { status: 'posted'; slot: string; messages: number; digest: LockoutDigest }
  | { status: 'taken'; slot: string }
  | { status: 'failed'; slot: string; error: string };

export function instanceName(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

export function manualSlot(now: Date): string {
  return `manual:${now.toISOString()}`;
}

/**
 * Post the digest of one slot, exactly once across instances: whoever inserts the slot's row
 * posts, everyone else skips. The window runs from the previous finished digest to the claim; the
 * lockouts reported are marked with the slot when it finishes, so a lockout committed just after
 * a digest read the table is reported by the next one, none is reported twice, and a digest that
 * failed to post leaves its lockouts to the next one rather than losing them.
 */
export async function runDigestSlot(ctx: Ctx, publisher: DigestPublisher, slot: string, claimedBy: string): Promise<DigestRun> {
  const log = ctx.logger.child({ job: DIGEST_JOB, slot });
  const claim = await claimSlot(ctx, DIGEST_JOB, slot, claimedBy);
  if (!claim) {
    log.info('lockout digest slot already claimed; skipped');
    return { status: 'taken', slot };
  }
  try {
    const previous = await lastFinishedSlot(ctx, DIGEST_JOB);
    const since = previous?.claimedAt ?? new Date(claim.claimedAt.getTime() - FIRST_DIGEST_LOOKBACK_MS);
    const digest = await lockoutDigest(ctx, { since, until: claim.claimedAt });
    const { messages } = await publisher.publish(digest, slot);
    await finishSlot(ctx, claim, (t) => markLockoutsReported(digest.eventIds, slot, t));
    log.info('lockout digest posted', {
      messages,
      newLockouts: digest.newLockouts.length,
      stillLocked: digest.stillLocked.length,
      spike: digest.spike?.count ?? 0,
    });
    return { status: 'posted', slot, messages, digest };
  } catch (e) {
    const error = String((e as Error)?.message ?? e);
    log.error('lockout digest failed; its lockouts go into the next digest', { error });
    return { status: 'failed', slot, error };
  }
}

/**
 * Catch-up at start: when every instance was down at the latest slot, post it once now. Only a
 * slot newer than the last finished digest counts (an operator's `digest --now` since then covers
 * it), only the latest one (several missed slots make one digest), and never on the very first
 * start (nothing was missed before anything was ever posted). The claim makes it once across
 * instances starting together and across restarts.
 */
export async function catchUpDigest(ctx: Ctx, publisher: DigestPublisher, claimedBy: string): Promise<DigestRun | null> {
  const last = await lastFinishedSlot(ctx, DIGEST_JOB);
  if (!last) return null;
  const slot = await latestSlotBefore(ctx.config.DIGEST_CRON, ctx.config.DIGEST_TZ, ctx.now(), last.claimedAt);
  if (!slot || (await isSlotClaimed(ctx, DIGEST_JOB, slotName(slot)))) return null;
  ctx.logger.info('catching up a missed lockout digest', { slot: slotName(slot) });
  return runDigestSlot(ctx, publisher, slotName(slot), claimedBy);
}

export interface DigestScheduler {
  readonly instanceId: string;
  /** The catch-up run at start; resolves when it is done (with its run, if it posted or tried). */
  readonly started: Promise<DigestRun | null>;
  /** What a cron tick does for the slot at `at`. */
  runSlot(at: Date): Promise<DigestRun>;
  stop(): Promise<void>;
}

/**
 * Every instance runs this scheduler on DIGEST_CRON in DIGEST_TZ; the slot claim, not the timer,
 * decides who posts. A tick node-cron reports as missed (the event loop was blocked past its
 * tolerance) is still run: the claim keeps it from doubling up.
 */
export function startDigestScheduler(ctx: Ctx, publisher: DigestPublisher, opts: { instanceId?: string } = {}): DigestScheduler {
  const instanceId = opts.instanceId ?? instanceName();
  const schedule = scheduleSlots({
    expression: ctx.config.DIGEST_CRON,
    timezone: ctx.config.DIGEST_TZ,
    name: 'lockout digest',
    logger: ctx.logger,
    run: (at) => runDigestSlot(ctx, publisher, slotName(at), instanceId),
    catchUp: () => catchUpDigest(ctx, publisher, instanceId),
  });
  return { instanceId, started: schedule.started, runSlot: schedule.runSlot, stop: schedule.stop };
}
