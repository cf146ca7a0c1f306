import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInThisContext } from 'node:vm';

/**
 * Figures of the reliability suite (cases tried, faults injected, kills, mails): each test writes
 * what it counted to one JSON file per suite, so RELIABILITY.md can quote the last run.
 * `RELIABILITY_FIGURES_DIR` chooses the directory (default: a folder in the OS temp dir).
 */
export const FIGURES_DIR = process.env.RELIABILITY_FIGURES_DIR ?? join(tmpdir(), 'userops-reliability');

export function recordFigures(suite: string, figures: Record<string, unknown>): void {
  mkdirSync(FIGURES_DIR, { recursive: true });
  const file = join(FIGURES_DIR, `${suite}.json`);
  let previous: Record<string, unknown>;
  try {
    previous = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    previous = {};
  }
  writeFileSync(file, `${JSON.stringify({ ...previous, ...figures, recordedAt: new Date().toISOString() }, null, 2)}\n`);
}

/**
 * Unhandled promise rejections of this test process (where an in-process server runs), so a test
 * can assert there were none. Jest gives a test file its own copy of `process`, whose listeners
 * never hear the real process's events; the real one is the main context's global. Call it from
 * a hook or a test (Jest resets the process's rejection listeners when the run starts).
 */
export function recordUnhandledRejections(): { reasons: unknown[]; stop(): void } {
  const real = runInThisContext('process') as NodeJS.Process;
  const reasons: unknown[] = [];
  const onRejection = (reason: unknown) => reasons.push(reason);
  real.on('unhandledRejection', onRejection);
  return { reasons, stop: () => real.off('unhandledRejection', onRejection) };
}
