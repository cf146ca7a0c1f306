import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { MEASURE_IDS } from '../../bench/report';
import { ROOT, runDist } from '../support/child';

/**
 * `npm run bench -- --quick` as CI's smoke test, so the benchmark cannot rot: it runs to the end,
 * prints the table and writes results.json with every measure. Targets are the bench's to report;
 * nothing here asserts a timing (a busy CI machine must not fail the build). With TEST_DATABASE_URL
 * (CI sets it), a small quick run on PostgreSQL too (`--db postgres --users 2000`, about a minute),
 * which must leave no database behind.
 */
jest.setTimeout(300_000);

interface Results {
  quick: boolean;
  db: string;
  sizes: Array<{ users: number; measures: Array<{ id: string }> }>;
  growth: unknown[];
  measures: Array<{
    id: string;
    result: string;
    baseline: string;
    target: string;
    met: boolean | null;
    values: Record<string, unknown>;
  }>;
}

async function quickRun(args: string[], env: Record<string, string>): Promise<{ results: Results; output: string; pid: number }> {
  expect(existsSync(join(ROOT, 'dist', 'bench', 'run.js'))).toBe(true);
  const dir = mkdtempSync(join(tmpdir(), 'userops-bench-test-'));
  try {
    const out = join(dir, 'results.json');
    const bench = runDist('bench/run.js', ['--quick', ...args, '--out', out], env);
    const { code } = await bench.exited;
    const output = bench.out.join('\n');
    expect({ code, tail: code === 0 ? '' : output.slice(-3000) }).toEqual({ code: 0, tail: '' });

    expect(output).toMatch(/\| measure +\| result +\| baseline +\| ratio +\| target +\| met\/missed \|/);
    const results = JSON.parse(readFileSync(out, 'utf8')) as Results;
    expect(results.quick).toBe(true);
    expect(results.measures.map((m) => m.id)).toEqual([...MEASURE_IDS]);
    // One size: its rows are the run's rows, and there is nothing to grow from.
    expect(results.sizes.map((s) => s.measures.map((m) => m.id))).toEqual([[...MEASURE_IDS]]);
    expect(results.growth).toEqual([]);
    for (const m of results.measures) {
      expect(output).toContain(m.result);
      expect(m.target.length).toBeGreaterThan(0);
      // Every measure produced numbers, whatever they are.
      const numbers = Object.values(m.values).filter((v) => typeof v === 'number');
      expect({ id: m.id, finite: numbers.length > 0 && numbers.every((v) => Number.isFinite(v as number)) }).toEqual({
        id: m.id,
        finite: true,
      });
    }
    // The work behind the numbers happened: every command answered, every reset mailed once.
    const values = Object.fromEntries(results.measures.map((m) => [m.id, m.values]));
    expect(values.ack).toMatchObject({ errors: 0 });
    expect(values.ack.replies).toBe(values.ack.commands);
    expect(values.bulk_mail_drain).toMatchObject({ duplicates: 0 });
    expect(values.bulk_job.resetUsers).toBe(values.bulk_job.users);
    expect(values.bulk_disable_job.disabledUsers).toBe(values.bulk_disable_job.users);
    // The digest had lockouts to report and posted them; App Home rendered for the administrator.
    expect(values.digest_p95.newLockouts).toBeGreaterThan(0);
    expect(values.digest_p95.messages).toBeGreaterThan(0);
    expect(values.home_p95.renders).toBeGreaterThan(0);
    expect(values.home_fresh_p95.renders).toBeGreaterThan(0);
    return { results, output, pid: bench.proc.pid! };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the quick bench runs every measure, prints the table and writes results.json', async () => {
  const { results } = await quickRun([], {});
  expect(results.db).toBe('sqlite');
});

const pg = process.env.TEST_DATABASE_URL;
(pg ? test : test.skip)('the quick bench on PostgreSQL (2,000 users) runs every measure and drops its database', async () => {
  const { results, output, pid } = await quickRun(['--db', 'postgres', '--users', '2000'], { TEST_DATABASE_URL: pg! });
  expect(results.db).toBe('postgres');
  expect(results.sizes[0].users).toBe(2000);
  expect(output).toMatch(/2,000 users on postgres/);
  const cli = results.measures.find((m) => m.id === 'export_vs_cli')!;
  expect(cli.baseline).toMatch(/^psql \\copy csv |^psql not installed$/);
  const client = new Client({ connectionString: pg });
  await client.connect();
  try {
    const left = await client.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`userops_bench_${pid}_%`]);
    expect(left.rows).toEqual([]);
  } finally {
    await client.end();
  }
});
