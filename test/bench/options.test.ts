import { growthLines, type SizeRun } from '../../bench/growth';
import { bulkJobTargetMs, bulkUsersFor, OptionError, parseOptions, sizeLabel } from '../../bench/options';
import type { MeasureRow } from '../../bench/report';

/** The bench's command line and growth lines, as pure functions: no bench runs here. */

const OUT = '/tmp/default-results.json';
const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseOptions(argv, env, OUT);
const refused = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  try {
    parse(argv, env);
  } catch (e) {
    expect(e).toBeInstanceOf(OptionError);
    return (e as Error).message;
  }
  throw new Error(`accepted ${argv.join(' ')}`);
};

describe('bench options', () => {
  test('defaults: 100,000 users on SQLite; 10,000 quick; BENCH_USERS as a fallback', () => {
    expect(parse([])).toMatchObject({ sizes: [100_000], db: 'sqlite', quick: false, out: OUT, commands: 2000 });
    expect(parse(['--quick'])).toMatchObject({ sizes: [10_000], quick: true, commands: 500 });
    expect(parse([], { BENCH_USERS: '40000' }).sizes).toEqual([40_000]);
    expect(parse(['--users', '5000'], { BENCH_USERS: '40000' }).sizes).toEqual([5000]);
  });

  test('--users, --sizes, --db and --out, with a space or =', () => {
    expect(parse(['--users', '1000000']).sizes).toEqual([1_000_000]);
    expect(parse(['--users=1_000_000']).sizes).toEqual([1_000_000]);
    expect(parse(['--sizes', '10000,100000,1000000']).sizes).toEqual([10_000, 100_000, 1_000_000]);
    expect(parse(['--db', 'postgres', '--quick']).db).toBe('postgres');
    expect(parse(['--db=sqlite']).db).toBe('sqlite');
    expect(parse(['--out', 'x/r.json']).out).toMatch(/\/x\/r\.json$/);
  });

  test('a bad value is refused with a message naming it', () => {
    expect(refused(['--db', 'mysql'])).toBe('--db: unknown database "mysql" (sqlite or postgres)');
    expect(refused(['--users', '12x'])).toBe('--users: "12x" is not a whole number of users');
    expect(refused(['--users', '2.5'])).toBe('--users: "2.5" is not a whole number of users');
    expect(refused(['--users', '999'])).toBe('--users: 999 is too small; at least 1000 users');
    expect(refused(['--sizes', '10000,abc'])).toBe('--sizes: "abc" is not a whole number of users');
    expect(refused(['--sizes', '10000,500'])).toBe('--sizes: 500 is too small; at least 1000 users');
    expect(refused(['--sizes', '10000,10000'])).toBe('--sizes: a size is given twice');
    expect(refused([], { BENCH_USERS: 'lots' })).toBe('BENCH_USERS: "lots" is not a whole number of users');
    expect(refused(['--users', '5000', '--sizes', '1000,2000'])).toBe('give either --users or --sizes, not both');
    expect(refused(['--users'])).toBe('--users needs a value');
    expect(refused(['--users', '--quick'])).toBe('--users needs a value');
    expect(refused(['--bogus'])).toMatch(/^unknown option "--bogus"/);
  });

  test('bulk sets are a tenth of the directory (2,000 quick); the whole-job target is 10 s to 10k, 60 s at 100k, linear between', () => {
    expect(bulkUsersFor(100_000, false)).toBe(10_000);
    expect(bulkUsersFor(1_000_000, false)).toBe(100_000);
    expect(bulkUsersFor(1_000_000, true)).toBe(2000);
    expect(bulkJobTargetMs(2000)).toBe(10_000);
    expect(bulkJobTargetMs(10_000)).toBe(10_000);
    expect(bulkJobTargetMs(55_000)).toBe(35_000);
    expect(bulkJobTargetMs(100_000)).toBe(60_000);
  });

  test('size labels', () => {
    expect([10_000, 100_000, 1_000_000, 2500, 1_500_000].map(sizeLabel)).toEqual(['10k', '100k', '1M', '2500', '1500k']);
  });
});

describe('growth lines', () => {
  const row = (id: MeasureRow['id'], values: MeasureRow['values']): MeasureRow => ({
    id,
    measure: id,
    result: '',
    baseline: '',
    ratio: null,
    target: '',
    met: null,
    values,
  });
  const run = (users: number, ack: number, exportMs: number, rows: number, bulkMs: number, bulkUsers: number, logins: number): SizeRun => ({
    users,
    measures: [
      row('ack', { p99: ack }),
      row('search_p95', { serviceP95: ack / 2 }),
      row('export_time', { ms: exportMs, rows }),
      row('export_vs_cli', { ms: exportMs, cliMs: null }),
      row('bulk_job', { ms: bulkMs, users: bulkUsers }),
      row('login_throughput', { perSecond: logins }),
    ],
  });

  test('one line per measure and consecutive pair; flat measures miss past 1.5×, growing ones past the growth of their work', () => {
    const lines = growthLines([
      run(10_000, 40, 100, 11_000, 1000, 1000, 25),
      run(100_000, 50, 900, 110_000, 12_000, 10_000, 24),
      run(1_000_000, 90, 11_000, 1_100_000, 90_000, 100_000, 25),
    ]);
    expect(lines.map((l) => l.text)).toEqual([
      'ack: 10k→100k ×1.25 (flat ≤ ×1.50: met)',
      'search_p95: 10k→100k ×1.25 (reported)',
      'export_time: 10k→100k ×9.00 (linear ≤ ×10.0: met)',
      'bulk_job: 10k→100k ×12.0 (linear ≤ ×10.0: MISSED)',
      'login_throughput: 10k→100k ×1.04 (flat ≤ ×1.50: met)',
      'ack: 100k→1M ×1.80 (flat ≤ ×1.50: MISSED)',
      'search_p95: 100k→1M ×1.80 (reported)',
      'export_time: 100k→1M ×12.2 (linear ≤ ×10.0: MISSED)',
      'bulk_job: 100k→1M ×7.50 (linear ≤ ×10.0: met)',
      'login_throughput: 100k→1M ×0.96 (flat ≤ ×1.50: met)',
    ]);
    expect(lines[0]).toMatchObject({ id: 'ack', from: 10_000, to: 100_000, growth: 'flat', limit: 1.5, met: true });
    expect(lines[3]).toMatchObject({ id: 'bulk_job', limit: 10, met: false });
  });

  test('a bulk set that does not grow (the quick run keeps 2,000) must not grow either', () => {
    const [line] = growthLines([run(10_000, 1, 1, 1, 1000, 2000, 1), run(20_000, 1, 1, 1, 1600, 2000, 1)]).filter(
      (l) => l.id === 'bulk_job',
    );
    expect(line).toMatchObject({ limit: 1, met: false, text: 'bulk_job: 10k→20k ×1.60 (linear ≤ ×1.00: MISSED)' });
  });

  test('one size: no growth lines', () => {
    expect(growthLines([run(10_000, 1, 1, 1, 1, 1, 1)])).toEqual([]);
  });
});
