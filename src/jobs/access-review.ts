import cron from 'node-cron';
import type { AccessReview } from '../services/access-review';
import { allOrganizations, buildAccessReview, recordReviewPosted } from '../services/access-review';
import type { Actor, Ctx } from '../services/context';
import { claimSlot, finishSlot, isSlotClaimed, lastFinishedSlot } from '../services/job-slots';
import { latestSlotBefore, scheduleSlots, slotName } from './cron-slots';
import { instanceName } from './lockout-digest';

/**
 * The scheduled access review (issue 20 §4): at every slot of ACCESS_REVIEW_CRON (in DIGEST_TZ),
 * each organization listed in ACCESS_REVIEW_CHANNELS gets its review in its channel, once per slot
 * across instances. The claim is per organization (job_slots name `access_review:<id>`), so one
 * organization whose post failed does not hold the others back, and two instances never both
 * post one organization's review.
 */

export const REVIEW_JOB_PREFIX = 'access_review:';

/** Who the scheduled review is audited as. */
export const REVIEW_ACTOR: Actor = { kind: 'system', label: 'access review (schedule)' };

/** Where a review goes (Slack in production): a narrow port so the job never imports Slack. Throws when it could not post. */
export interface ReviewPublisher {
  publish(review: AccessReview, channel: string, slot: string): Promise<void>;
}

export interface ReviewRun {
  slot: string;
  posted: string[];
  /** Organizations another instance (or an earlier run) had already claimed for this slot. */
  taken: string[];
  /** Organizations without a channel in ACCESS_REVIEW_CHANNELS. */
  skipped: string[];
  failed: Array<{ organization: string; error: string }>;
}

/**
 * node-cron, like classic cron, runs when the day of the month OR the day of the week matches once
 * both are restricted; the review wants AND ("the first Monday": `0 9 1-7 * 1`). So the timer ticks
 * on the expression with the day of the month left open, and a tick counts only on the listed days
 * of the month, read in the schedule's time zone.
 */
export function reviewSchedule(expression: string): { tick: string; daysOfMonth: ReadonlySet<number> | null } {
  const fields = expression.trim().split(/\s+/);
  const dom = fields.length - 3;
  const dow = fields.length - 1;
  if (fields[dom] === '*' || fields[dow] === '*') return { tick: expression, daysOfMonth: null };
  const daysOfMonth = new Set(cron.parse(expression).dayOfMonth.map(Number));
  const tick = fields.map((f, i) => (i === dom ? '*' : f)).join(' ');
  return { tick, daysOfMonth };
}

function dayOfMonthIn(at: Date, timeZone: string): number {
  return Number(new Intl.DateTimeFormat('en-US', { timeZone, day: 'numeric' }).format(at));
}

/** Is `at` a slot of the review's schedule (the tick matched; here the day of the month)? */
export function isReviewSlot(expression: string, timeZone: string, at: Date): boolean {
  const { daysOfMonth } = reviewSchedule(expression);
  return daysOfMonth === null || daysOfMonth.has(dayOfMonthIn(at, timeZone));
}

/** Post the review of every organization with a channel for the slot at `at`; null when `at` is not a review day. */
export async function runReviewSlot(ctx: Ctx, publisher: ReviewPublisher, at: Date, claimedBy: string): Promise<ReviewRun | null> {
  const expression = ctx.config.ACCESS_REVIEW_CRON;
  if (expression === null || !isReviewSlot(expression, ctx.config.DIGEST_TZ, at)) return null;
  const slot = slotName(at);
  const log = ctx.logger.child({ job: 'access_review', slot });
  const run: ReviewRun = { slot, posted: [], taken: [], skipped: [], failed: [] };
  const channels = ctx.config.ACCESS_REVIEW_CHANNELS;
  for (const org of await allOrganizations()) {
    const channel = channels[org.slug];
    if (!channel) {
      run.skipped.push(org.slug);
      continue;
    }
    const claim = await claimSlot(ctx, `${REVIEW_JOB_PREFIX}${org.id}`, slot, claimedBy);
    if (!claim) {
      run.taken.push(org.slug);
      continue;
    }
    try {
      const review = await buildAccessReview(ctx, org);
      await publisher.publish(review, channel, slot);
      await finishSlot(ctx, claim);
      await recordReviewPosted(ctx, REVIEW_ACTOR, review, { to: channel, slot });
      run.posted.push(org.slug);
    } catch (e) {
      const error = String((e as Error)?.message ?? e);
      log.error('access review not posted', { organization: org.slug, error });
      run.failed.push({ organization: org.slug, error });
    }
  }
  log.info('access review slot done', {
    posted: run.posted.length,
    taken: run.taken.length,
    skipped: run.skipped.length,
    failed: run.failed.length,
  });
  return run;
}

export interface ReviewScheduler {
  readonly instanceId: string;
  readonly started: Promise<ReviewRun | null>;
  runSlot(at: Date): Promise<ReviewRun | null>;
  stop(): Promise<void>;
}

/**
 * Every instance schedules the review; the per-organization claims decide who posts. At start, the
 * latest review day of the last 35 days is posted once when nobody did (every instance was down),
 * but only after a review was ever posted (nothing was missed before the first one).
 */
export function startAccessReviewScheduler(
  ctx: Ctx,
  publisher: ReviewPublisher,
  opts: { instanceId?: string } = {},
): ReviewScheduler | null {
  const expression = ctx.config.ACCESS_REVIEW_CRON;
  if (expression === null) return null;
  const instanceId = opts.instanceId ?? instanceName();
  const { tick } = reviewSchedule(expression);
  const tz = ctx.config.DIGEST_TZ;
  const schedule = scheduleSlots<ReviewRun | null>({
    expression: tick,
    timezone: tz,
    name: 'access review',
    logger: ctx.logger,
    run: (at) => runReviewSlot(ctx, publisher, at, instanceId),
    catchUp: async () => {
      const orgs = await allOrganizations();
      const last = (await Promise.all(orgs.map((o) => lastFinishedSlot(ctx, `${REVIEW_JOB_PREFIX}${o.id}`)))).filter((s) => s !== null);
      if (last.length === 0) return null;
      let before = ctx.now();
      // Walk back over ticks that are not review days (a Monday after the 7th) to the latest one that is.
      for (let i = 0; i < 6; i++) {
        const at = await latestSlotBefore(tick, tz, before, null);
        if (!at) return null;
        if (isReviewSlot(expression, tz, at)) {
          const claimed = await Promise.all(orgs.map((o) => isSlotClaimed(ctx, `${REVIEW_JOB_PREFIX}${o.id}`, slotName(at))));
          return claimed.some((c) => c) ? null : runReviewSlot(ctx, publisher, at, instanceId);
        }
        before = new Date(at.getTime() - 1000);
      }
      return null;
    },
  });
  return { instanceId, started: schedule.started, runSlot: schedule.runSlot, stop: schedule.stop };
}
