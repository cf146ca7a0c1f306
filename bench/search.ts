import { performance } from 'node:perf_hooks';
import type { Runtime } from '../src/app/runtime';
import type { Actor } from '../src/services/context';
import { searchUsers } from '../src/services/directory';
import { likePattern, SEARCH_COUNT_CAP, trigramQuery } from '../src/store/user-queries';
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
  const where = `search_text LIKE ? ESCAPE '!' AND ${scope}`;
  // The product's plan, as plain SQL: on SQLite a text of three characters or more is read through
  // the trigram index, count capped, and the page sorted from those matches unless more than the
  // cap match (then in username order); otherwise the capped count and the page in username order.
  const rawSearch = async (q: string) => {
    const text = q.trim().toLowerCase();
    const pattern = likePattern(text);
    const fts = raw.dialect === 'sqlite' ? trigramQuery(text) : null;
    if (fts !== null) {
      const from = 'users_search CROSS JOIN users u ON u.id = users_search.rowid';
      const indexed = `users_search MATCH ? AND u.search_text LIKE ? ESCAPE '!' AND ${scope}`;
      const [c] = await raw.all<{ n: number }>(
        `SELECT count(*) AS n FROM (SELECT 1 FROM ${from} WHERE ${indexed} LIMIT ${SEARCH_COUNT_CAP + 1}) AS capped`,
        [fts, pattern],
      );
      if (Number(c.n) <= SEARCH_COUNT_CAP) {
        await raw.all(`SELECT u.* FROM ${from} WHERE ${indexed} ORDER BY u.username LIMIT ?`, [fts, pattern, PAGE_SIZE]);
        return;
      }
    } else {
      await raw.all(`SELECT count(*) AS n FROM (SELECT 1 FROM users u WHERE ${where} LIMIT ${SEARCH_COUNT_CAP + 1}) AS capped`, [pattern]);
    }
    await raw.all(`SELECT * FROM users u WHERE ${where} ORDER BY username LIMIT ?`, [pattern, PAGE_SIZE]);
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
