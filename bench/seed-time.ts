import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRuntime } from '../src/app/runtime';
import { loadConfig } from '../src/lib/config';
import { createBenchDatabase, dropAllBenchDatabases } from './bench-db';
import { OptionError, parseOptions } from './options';
import { buildDirectory } from './seed';

/**
 * The bench's seeding alone, timed, on a fresh database that is dropped after (bench/README.md,
 * "Seeding"): `node dist/bench/seed-time.js [--db sqlite|postgres] [--users N | --sizes N,N,…]`.
 * Prints one line per size: users, memberships, seconds, the process's RSS.
 */
async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2), process.env, resolve('unused.json'));
  for (const users of opts.sizes) {
    const dir = await mkdtemp(join(tmpdir(), 'userops-seed-'));
    const bench = await createBenchDatabase(opts.db, dir);
    try {
      const rt = await createRuntime(loadConfig({ DATABASE_URL: bench.target.url, LOG_LEVEL: 'warn', BCRYPT_COST: '4' }));
      try {
        const started = performance.now();
        const d = await buildDirectory(rt, { users, passwordHash: await rt.hasher.hash('Bench-Password-2026!') });
        const s = (performance.now() - started) / 1000;
        const rss = Math.round(process.memoryUsage().rss / 1048576);
        process.stdout.write(
          `${opts.db}: ${users.toLocaleString('en')} users, ${d.memberships.toLocaleString('en')} memberships seeded in ${s.toFixed(1)} s (RSS ${rss} MB)\n`,
        );
      } finally {
        await rt.close();
      }
    } finally {
      await bench.drop();
      await rm(dir, { recursive: true, force: true });
    }
  }
}

main().catch(async (err: unknown) => {
  await dropAllBenchDatabases();
  process.stderr.write(
    err instanceof OptionError ? `seed-time: ${err.message}\n` : `seed-time failed: ${(err as Error).stack ?? String(err)}\n`,
  );
  process.exit(err instanceof OptionError ? 2 : 1);
});
