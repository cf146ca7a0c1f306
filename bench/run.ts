import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import sqlite3 from 'sqlite3';
import { Client } from 'pg';
import { dropAllBenchDatabases, pgBaseUrl } from './bench-db';
import { growthLines } from './growth';
import { OptionError, parseOptions, sizeLabel } from './options';
import { formatTable, MEASURE_IDS } from './report';
import { log, runSize, type SizeResult } from './run-size';

/**
 * `npm run bench -- [--quick] [--users N | --sizes N,N,…] [--db sqlite|postgres] [--out FILE]`
 * (BENCH_USERS=N as a fallback for --users): for each size, builds a fresh directory, starts the
 * real server (its own process) against the local Slack stand-in, measures each target next to its
 * baseline in the same run and prints the table; with several sizes, then a growth line per
 * measure. Writes results.json. Targets are reported, never asserted: the exit code says only
 * whether the bench ran.
 */

function cliVersion(cmd: string, args: string[], pick: (out: string) => string): string | null {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? pick(r.stdout) : null;
}

/** The PostgreSQL server's version (`--db postgres`), for results.json. */
async function postgresVersion(): Promise<string | null> {
  const client = new Client({ connectionString: pgBaseUrl() });
  try {
    await client.connect();
    return String((await client.query<{ v: string }>('SHOW server_version')).rows[0]?.v ?? '');
  } catch {
    return null;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2), process.env, resolve(__dirname, '..', '..', 'bench', 'results.json'));
  // Other work on the machine moves every figure: the load average goes into results.json.
  const loadAtStart = loadavg();
  const sizes: SizeResult[] = [];
  for (const users of opts.sizes) {
    const result = await runSize(opts, users);
    result.measures.sort((a, b) => MEASURE_IDS.indexOf(a.id) - MEASURE_IDS.indexOf(b.id));
    sizes.push(result);
    const title = opts.sizes.length > 1 ? `${sizeLabel(users)} users on ${opts.db}:\n` : '';
    process.stdout.write(`\n${title}${formatTable(result.measures)}\n\n`);
  }
  const growth = growthLines(sizes);
  if (growth.length > 0)
    process.stdout.write(`growth between consecutive sizes (cost ratio):\n${growth.map((g) => `  ${g.text}`).join('\n')}\n\n`);
  const last = sizes[sizes.length - 1];
  const results = {
    at: new Date().toISOString(),
    quick: opts.quick,
    db: opts.db,
    options: { ...opts, out: undefined },
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryBytes: totalmem(),
      node: process.version,
      sqlite: sqlite3.VERSION,
      sqliteCli: cliVersion('sqlite3', ['--version'], (o) => o.split(' ')[0]),
      psql: cliVersion('psql', ['--version'], (o) => /\d+(\.\d+)+/.exec(o)?.[0] ?? o.trim()),
      postgres: opts.db === 'postgres' ? await postgresVersion() : null,
      loadAverage: { atStart: loadAtStart, atEnd: loadavg() },
    },
    /** The last size's directory and rows (what a single-size run always wrote). */
    directory: last.directory,
    measures: last.measures,
    sizes,
    growth,
  };
  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote ${opts.out}`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: dropping the bench's databases`);
    void dropAllBenchDatabases().finally(() => process.exit(130));
  });
}

main().catch(async (err: unknown) => {
  await dropAllBenchDatabases();
  if (err instanceof OptionError) {
    process.stderr.write(`bench: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
