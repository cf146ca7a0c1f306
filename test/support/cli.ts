import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main';
import { openDatabase } from '../../src/store/db';
import type { TestDatabase } from './db';

export interface CliRun {
  code: number;
  out: string[];
  err: string[];
}

/** The environment a CLI test runs with: its own database, cheap bcrypt, quiet logs. */
export function cliEnv(db: TestDatabase, overrides: Record<string, string> = {}): Record<string, string> {
  return { DATABASE_URL: db.url, BCRYPT_COST: '4', LOG_LEVEL: 'error', OUTBOX_DIR: join(db.dir, 'outbox'), ...overrides };
}

/** Run `userops ARGV` in-process and capture what it printed. */
export async function cli(argv: string[], env: Record<string, string>): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, env, { out: (l) => out.push(l), err: (l) => err.push(l), isTTY: false });
  return { code, out, err };
}

/** Write a file into the test database's directory and return its path. */
export function writeCsv(db: TestDatabase, name: string, text: string): string {
  const path = join(db.dir, name);
  writeFileSync(path, text);
  return path;
}

/**
 * Look at the database between CLI runs. The CLI opens and closes its own runtime (models are
 * process-global), so this binds the models to a connection of its own for the duration of `fn`.
 */
export async function inspect<T>(db: TestDatabase, fn: () => Promise<T>): Promise<T> {
  const handle = openDatabase(db.url);
  try {
    return await fn();
  } finally {
    await handle.close();
  }
}
