import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MEASURE_IDS } from '../../bench/report';
import { ROOT, runDist } from '../support/child';

/**
 * `npm run bench -- --quick` as CI's smoke test, so the benchmark cannot rot: it runs to the end,
 * prints the table and writes results.json with every measure. Targets are the bench's to report;
 * nothing here asserts a timing (a busy CI machine must not fail the build).
 */
jest.setTimeout(300_000);

test('the quick bench runs every measure, prints the table and writes results.json', async () => {
  expect(existsSync(join(ROOT, 'dist', 'bench', 'run.js'))).toBe(true);
  const dir = mkdtempSync(join(tmpdir(), 'userops-bench-test-'));
  try {
    const out = join(dir, 'results.json');
    const bench = runDist('bench/run.js', ['--quick', '--out', out], {});
    const { code } = await bench.exited;
    const output = bench.out.join('\n');
    expect({ code, tail: code === 0 ? '' : output.slice(-3000) }).toEqual({ code: 0, tail: '' });

    expect(output).toMatch(/\| measure +\| result +\| baseline +\| ratio +\| target +\| met\/missed \|/);
    const results = JSON.parse(readFileSync(out, 'utf8')) as {
      quick: boolean;
      measures: Array<{
        id: string;
        result: string;
        baseline: string;
        target: string;
        met: boolean | null;
        values: Record<string, unknown>;
      }>;
    };
    expect(results.quick).toBe(true);
    expect(results.measures.map((m) => m.id)).toEqual([...MEASURE_IDS]);
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
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
