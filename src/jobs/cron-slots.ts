import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../lib/logger';

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

/** node-cron's own messages, through our logger (its info is our debug). */
export function cronLogger(logger: Logger) {
  return {
    info: (m: string) => logger.debug(`node-cron: ${m}`),
    warn: (m: string) => logger.warn(`node-cron: ${m}`),
    error: (m: string | Error, err?: Error) => logger.error('node-cron error', { error: String(err ?? m) }),
    debug: (m: string | Error) => logger.debug(`node-cron: ${String(m)}`),
  };
}

export interface SlotSchedule<R> {
  /** The catch-up run at start; resolves when it is done (with its run, if there was one). */
  readonly started: Promise<R | null>;
  /** What a cron tick does for the slot at `at`. */
  runSlot(at: Date): Promise<R>;
  /** Stop ticking and wait for the runs in flight. */
  stop(): Promise<void>;
}

/**
 * Run `run(at)` at every tick of `expression` in `timezone`, and `catchUp()` once at start. Every
 * instance schedules alike; the slot claim inside `run` decides who does the work, so a tick
 * node-cron reports as missed (the event loop was blocked past its tolerance) is still run.
 */
export function scheduleSlots<R>(opts: {
  expression: string;
  timezone: string;
  /** Names the task, and its log lines ("lockout digest tick failed"). */
  name: string;
  logger: Logger;
  run: (at: Date) => Promise<R>;
  catchUp: () => Promise<R | null>;
}): SlotSchedule<R> {
  const inFlight = new Set<Promise<unknown>>();
  let stopped = false;
  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => undefined);
    return p;
  };
  const runSlot = (at: Date): Promise<R> => track(opts.run(at));
  const onTick = (at: Date) => {
    if (stopped) return;
    runSlot(at).catch((e: unknown) => opts.logger.error(`${opts.name} tick failed`, { error: String(e) }));
  };
  const task: ScheduledTask = cron.createTask(opts.expression, (c) => onTick(c.date), {
    timezone: opts.timezone,
    name: opts.name.replace(/ /g, '-'),
    logger: cronLogger(opts.logger),
  });
  task.on('execution:missed', (c) => onTick(c.date));
  void task.start();
  const started = track(
    opts.catchUp().catch((e: unknown) => {
      opts.logger.error(`${opts.name} catch-up failed`, { error: String(e) });
      return null;
    }),
  );
  return {
    started,
    runSlot,
    stop: async () => {
      stopped = true;
      await task.destroy();
      await Promise.allSettled([...inFlight]);
    },
  };
}
