import { performance } from 'node:perf_hooks';
import type { Runtime } from '../src/app/runtime';
import type { Actor } from '../src/services/context';
import { searchUsers } from '../src/services/directory';
import { likePattern } from '../src/store/user-queries';
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
 * page) against the SQL it answers with, run through the driver on the same database (the same SQL
 * on SQLite and PostgreSQL): the count and the page, with the same LIKE and scope condition. Interleaved so neither gets a warmer cache.
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
  const where = `search_text LIKE ? ESCAPE '!' AND EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id AND m.organization_id IN (${ids}))`;
  const rawSearch = async (q: string) => {
    const pattern = likePattern(q.toLowerCase());
    await raw.all(`SELECT count(*) AS n FROM users u WHERE ${where}`, [pattern]);
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
