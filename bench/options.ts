import { resolve } from 'node:path';

/**
 * The bench's command line (pure: unit-tested in test/bench/options.test.ts).
 *
 *   npm run bench -- [--quick] [--users N | --sizes N,N,…] [--db sqlite|postgres] [--out FILE]
 *
 * BENCH_USERS=N is the fallback for --users. A bad value is refused with a message naming it.
 */

export type BenchDialect = 'sqlite' | 'postgres';

export const DIALECTS: readonly BenchDialect[] = ['sqlite', 'postgres'];
export const MIN_USERS = 1000;

export interface Options {
  quick: boolean;
  /** Directory sizes, each measured on a fresh database, in the order given. */
  sizes: number[];
  db: BenchDialect;
  out: string;
  commands: number;
  concurrency: number;
  searchQueries: number;
  loginSeconds: number;
  floodClients: number;
  floodSeconds: number;
  exportRuns: number;
  /** App Home and digest renders timed per measure. */
  homeRenders: number;
}

export class OptionError extends Error {}

const KNOWN = new Set(['--quick', '--users', '--sizes', '--db', '--out']);
const WITH_VALUE = new Set(['--users', '--sizes', '--db', '--out']);

function size(text: string, what: string): number {
  const t = text.trim().replace(/_/g, '');
  if (!/^\d+$/.test(t)) throw new OptionError(`${what}: "${text}" is not a whole number of users`);
  const n = Number(t);
  if (!Number.isSafeInteger(n) || n < MIN_USERS) throw new OptionError(`${what}: ${text} is too small; at least ${MIN_USERS} users`);
  return n;
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv, defaultOut: string): Options {
  const given = new Map<string, string>();
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const [flag, inline] = a.startsWith('--') && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    if (!KNOWN.has(flag)) throw new OptionError(`unknown option "${a}" (known: ${[...KNOWN].join(', ')})`);
    if (flag === '--quick') {
      quick = true;
      continue;
    }
    if (!WITH_VALUE.has(flag)) continue;
    const value = inline ?? argv[++i];
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('--')))
      throw new OptionError(`${flag} needs a value`);
    if (given.has(flag)) throw new OptionError(`${flag} is given twice`);
    given.set(flag, value);
  }
  const db = given.get('--db') ?? 'sqlite';
  if (!DIALECTS.includes(db as BenchDialect)) throw new OptionError(`--db: unknown database "${db}" (sqlite or postgres)`);
  if (given.has('--users') && given.has('--sizes')) throw new OptionError('give either --users or --sizes, not both');
  let sizes: number[];
  if (given.has('--sizes')) {
    sizes = given
      .get('--sizes')!
      .split(',')
      .map((s) => size(s, '--sizes'));
    if (new Set(sizes).size !== sizes.length) throw new OptionError('--sizes: a size is given twice');
  } else if (given.has('--users')) sizes = [size(given.get('--users')!, '--users')];
  else if (env.BENCH_USERS) sizes = [size(env.BENCH_USERS, 'BENCH_USERS')];
  else sizes = [quick ? 10_000 : 100_000];
  return {
    quick,
    sizes,
    db: db as BenchDialect,
    out: given.has('--out') ? resolve(given.get('--out')!) : defaultOut,
    // The quick run is CI's smoke test: every measure, smaller samples.
    commands: quick ? 500 : 2000,
    concurrency: 50,
    searchQueries: quick ? 50 : 200,
    loginSeconds: quick ? 3 : 10,
    floodClients: 200,
    floodSeconds: quick ? 3 : 30,
    exportRuns: quick ? 1 : 3,
    homeRenders: quick ? 20 : 100,
  };
}

/** The users of each bulk set (reset, disable): a tenth of the directory; the quick run keeps 2,000. */
export function bulkUsersFor(users: number, quick: boolean): number {
  return quick ? 2000 : Math.floor(users / 10);
}

/**
 * The whole-job target of a bulk job of `n` users: 10 s up to 10,000 users, 60 s at 100,000 (issue
 * 22), on the straight line between the two (and its continuation past 100,000).
 */
export function bulkJobTargetMs(n: number): number {
  if (n <= 10_000) return 10_000;
  return 10_000 + ((n - 10_000) * 50_000) / 90_000;
}

/** 10k, 100k, 1M, 2500. */
export function sizeLabel(n: number): string {
  if (n >= 1_000_000 && n % 1_000_000 === 0) return `${n / 1_000_000}M`;
  if (n >= 1000 && n % 1000 === 0) return `${n / 1000}k`;
  return String(n);
}
