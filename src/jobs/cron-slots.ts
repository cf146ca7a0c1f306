import cron from 'node-cron';

/**
 * Schedule slots of a cron expression in a time zone. A slot is named by its instant in UTC
 * (`2026-11-02T09:00:00.000Z`), so every instance names it alike whatever its own zone.
 */

export function slotName(at: Date): string {
  return new Date(Math.floor(at.getTime() / 1000) * 1000).toISOString();
}

export function isValidCron(expression: string): boolean {
  return cron.validate(expression);
}

const MINUTE = 60_000;
/** Checks per macrotask while scanning, so a long scan never stalls the event loop for long. */
const CHECKS_PER_TICK = 2_000;

/**
 * The latest slot at or before `now` and after `after`, or `null`. node-cron only looks forward,
 * so this walks back minute by minute (and through the listed seconds of a six-field expression),
 * asking node-cron's own matcher, for at most `maxLookbackMs`.
 */
export async function latestSlotBefore(
  expression: string,
  timezone: string,
  now: Date,
  after: Date | null,
  maxLookbackMs = 35 * 24 * 3_600_000,
): Promise<Date | null> {
  const task = cron.createTask(expression, () => undefined, { timezone });
  try {
    const seconds = [...cron.parse(expression).second].sort((a, b) => b - a);
    const floor = Math.max(after ? after.getTime() : -Infinity, now.getTime() - maxLookbackMs);
    let minute = Math.floor(now.getTime() / MINUTE) * MINUTE;
    let checks = 0;
    for (; minute + 59_000 > floor; minute -= MINUTE) {
      for (const s of seconds) {
        const at = minute + s * 1000;
        if (at > now.getTime() || at <= floor) continue;
        if (task.match(new Date(at))) return new Date(at);
        if (++checks % CHECKS_PER_TICK === 0) await new Promise((r) => setImmediate(r));
      }
    }
    return null;
  } finally {
    await task.destroy();
  }
}
