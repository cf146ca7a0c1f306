import { performance } from 'node:perf_hooks';
import type { Runtime } from '../src/app/runtime';
import type { Actor } from '../src/services/context';
import { searchUsers } from '../src/services/directory';
import { likePattern, SEARCH_COUNT_CAP, searchTuning, trigramQuery } from '../src/store/user-queries';
import { PAGE_SIZE } from '../src/slack/presenters';
import { FIRST_NAMES, LAST_NAMES } from './seed';
import type { BenchTarget } from './bench-db';
import { openRaw } from './raw-db';
import { percentile, prng } from './stats';

/** What admins type after `/users find`: name prefixes mostly, sometimes a whole username. */
export function searchQueries(count: number, usernames: string[], seed: number): string[] {
  const random = prng(seed);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
  return Array.from({ length: count }, () => {
    const r = random();
    if (r < 0.4) return pick(FIRST_NAMES).slice(0, 3).toLowerCase();
    if (r < 0.7) return pick(LAST_NAMES).slice(0, 4).toLowerCase();
    return pick(usernames);
  });
}

export interface SearchMeasure {
  queries: number;
  serviceP95: number;
  rawP95: number;
  serviceP50: number;
  rawP50: number;
}

/**
 * `searchUsers` as the Slack command calls it (an administrator of every organization, first
 * page) against the SQL it answers with, run through the driver on the same database: the capped
 * count and the page, with the same index, LIKE and scope condition (`rawSearch` below). Interleaved
 * so neither gets a warmer cache.
 */
export async function measureSearch(opts: {
  rt: Runtime;
  target: BenchTarget;
  actor: Actor;
  orgIds: number[];
  queries: string[];
}): Promise<SearchMeasure> {
  const raw = await openRaw(opts.target.url, { readOnly: true });
  const ids = opts.orgIds.map((n) => Math.trunc(n)).join(',');
  const scope = `EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id AND m.organization_id IN (${ids}))`;
  const where = `u.search_text LIKE ? ESCAPE '!' AND ${scope}`;
  const walk = (pattern: string) => raw.all(`SELECT * FROM users u WHERE ${where} ORDER BY u.username LIMIT ?`, [pattern, PAGE_SIZE]);
  // The product's plan (store/user-queries.ts searchUserPage), as plain SQL: a text of three
  // characters or more is read through the trigram index (SQLite: the FTS5 table joined in to drive;
  // PostgreSQL: pg_trgm, the matches MATERIALIZED), the count capped; the page is the matches
  // sorted, unless past the cap the count's reach estimates more of them than `searchTuning` allows
  // (SQLite: any; PostgreSQL: 100,000), then a walk in username order. A shorter text: the capped
  // count and the walk.
  const rawSearch = async (q: string) => {
    const text = q.trim().toLowerCase();
    const pattern = likePattern(text);
    const fts = trigramQuery(text);
    if (fts === null) {
      await raw.all(`SELECT count(*) AS n FROM (SELECT 1 FROM users u WHERE ${where} LIMIT ${SEARCH_COUNT_CAP + 1}) AS capped`, [pattern]);
      await walk(pattern);
      return;
    }
    const sqlite = raw.dialect === 'sqlite';
    const from = sqlite ? 'users_search CROSS JOIN users u ON u.id = users_search.rowid' : 'users u';
    const indexed = sqlite ? `users_search MATCH ? AND ${where}` : where;
    const params = sqlite ? [fts, pattern] : [pattern];
    const [c] = await raw.all<{ n: number; last: number }>(
      `SELECT count(*) AS n, max(id) AS last FROM (SELECT u.id AS id FROM ${from} WHERE ${indexed} LIMIT ${SEARCH_COUNT_CAP + 1}) AS capped`,
      params,
    );
    if (Number(c.n) > SEARCH_COUNT_CAP) {
      const [top] = await raw.all<{ id: number }>('SELECT max(id) AS id FROM users');
      if ((SEARCH_COUNT_CAP * Number(top.id)) / Math.max(1, Number(c.last)) > searchTuning.sortMatchesUpTo[raw.dialect]) {
        await walk(pattern);
        return;
      }
    }
    const keys = `SELECT u.id AS id, u.username AS username FROM ${from} WHERE ${indexed}`;
    const window = `ORDER BY username LIMIT ${PAGE_SIZE}`;
    const pageIds = sqlite
      ? `SELECT id FROM (${keys}) AS matches ${window}`
      : `WITH matches AS MATERIALIZED (${keys}) SELECT id FROM matches ${window}`;
    await raw.all(`SELECT * FROM users WHERE id IN (${pageIds}) ORDER BY username`, params);
  };
  const serviceSearch = async (q: string) => {
    const r = await searchUsers(opts.rt, opts.actor, { text: q, view: 'all', offset: 0, limit: PAGE_SIZE });
    if (!r.ok) throw new Error(`search failed: ${r.message}`);
  };
  for (const q of opts.queries.slice(0, 5)) {
    await serviceSearch(q);
    await rawSearch(q);
  }
  const service: number[] = [];
  const direct: number[] = [];
  for (const q of opts.queries) {
    let t = performance.now();
    await serviceSearch(q);
    service.push(performance.now() - t);
    t = performance.now();
    await rawSearch(q);
    direct.push(performance.now() - t);
  }
  await raw.close();
  return {
    queries: opts.queries.length,
    serviceP95: percentile(service, 95),
    rawP95: percentile(direct, 95),
    serviceP50: percentile(service, 50),
    rawP50: percentile(direct, 50),
  };
}
