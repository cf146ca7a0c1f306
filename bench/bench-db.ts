import { join } from 'node:path';
import { Client } from 'pg';
import type { BenchDialect } from './options';

/**
 * The database one size of the bench runs on, fresh: a SQLite file in the run's temporary directory,
 * or a PostgreSQL database `userops_bench_<pid>_<n>` created on the server the tests use
 * (BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local default) and dropped at the end, also
 * when the run fails or is interrupted.
 */

export const DEFAULT_PG_URL = 'postgres://userops:userops@127.0.0.1:5432/userops_test';

export interface BenchTarget {
  dialect: BenchDialect;
  /** DATABASE_URL for the runtime, the server child and the baselines. */
  url: string;
}

export interface BenchDatabase {
  target: BenchTarget;
  drop(): Promise<void>;
}

export function pgBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.BENCH_DATABASE_URL || env.TEST_DATABASE_URL || DEFAULT_PG_URL;
}

const live = new Map<string, () => Promise<void>>();
let made = 0;

async function onServer(base: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: base });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createBenchDatabase(dialect: BenchDialect, dir: string): Promise<BenchDatabase> {
  if (dialect === 'sqlite') return { target: { dialect, url: `sqlite:${join(dir, 'bench.sqlite')}` }, drop: async () => undefined };
  const base = pgBaseUrl();
  const name = `userops_bench_${process.pid}_${++made}`;
  try {
    await onServer(base, `CREATE DATABASE ${name}`);
  } catch (e) {
    const where = new URL(base);
    where.password = where.password ? '***' : '';
    throw new Error(`could not create the PostgreSQL database ${name} on ${where.toString()}: ${(e as Error).message}`, { cause: e });
  }
  const u = new URL(base);
  u.pathname = `/${name}`;
  const drop = async () => {
    if (!live.delete(name)) return;
    await onServer(base, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  };
  live.set(name, drop);
  return { target: { dialect, url: u.toString() }, drop };
}

/** Drop every database this process created and has not dropped yet (an interrupted run). */
export async function dropAllBenchDatabases(): Promise<void> {
  for (const drop of [...live.values()]) await drop().catch(() => undefined);
}
