/** Password age (PASSWORD_MAX_AGE_DAYS): which step of the daily expiry job is due for one password. Pure. */

export type ExpiryStep = 'remind_7d' | 'remind_1d' | 'expired';

export const DAY_MS = 86_400_000;

/** Reminders go this many days before expiry (the furthest first). */
export const REMINDER_DAYS = [7, 1] as const;

export interface ExpiryDecision {
  step: ExpiryStep;
  expiresAt: Date;
  /** Whole days left, rounded up (1 = less than a day); 0 once expired. */
  daysLeft: number;
}

/**
 * The step due for a password changed at `changedAt`: expired once its age reaches `maxAgeDays`;
 * the 1-day reminder within the last day; the 7-day reminder within the last seven; otherwise none.
 * Only the most urgent step is returned, so a run that missed the 7-day day sends the 1-day one and
 * not both; each step happens once per password (the job's claims), whatever day the job runs.
 */
export function expiryStep(changedAt: Date, maxAgeDays: number, now: Date): ExpiryDecision | null {
  const expiresAt = new Date(changedAt.getTime() + maxAgeDays * DAY_MS);
  const msLeft = expiresAt.getTime() - now.getTime();
  if (msLeft <= 0) return { step: 'expired', expiresAt, daysLeft: 0 };
  const daysLeft = Math.ceil(msLeft / DAY_MS);
  if (daysLeft <= REMINDER_DAYS[1]) return { step: 'remind_1d', expiresAt, daysLeft };
  if (daysLeft <= REMINDER_DAYS[0]) return { step: 'remind_7d', expiresAt, daysLeft };
  return null;
}
