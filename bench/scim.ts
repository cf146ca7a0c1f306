import { performance } from 'node:perf_hooks';
import type { Runtime } from '../src/app/runtime';
import type { Actor } from '../src/services/context';
import { pageUsers } from '../src/services/directory';
import { createScimToken, authenticateScimToken } from '../src/services/scim-tokens';
import { listScimUsers } from '../src/services/scim-users';
import { SYSTEM_ACTOR } from '../src/services/context';
import { Membership, Organization, User } from '../src/store/models';
import { percentile, prng } from './stats';

export interface ScimMeasure {
  /** The organization of every user it adds (`bench-all`). */
  organizationId: number;
  members: number;
  lookups: number;
  filterP95: number;
  filterP50: number;
  restSearchP95: number;
  restSearchP50: number;
  walkMs: number;
  walkPages: number;
  walkUsers: number;
  restWalkMs: number;
  restWalkPages: number;
}

/**
 * Issue 17's bench line. An organization holding every user of the bench (`bench-all`, added last
 * so the other measures see the directory they always saw) is read as an identity provider reads it:
 * `filter=userName eq "…"` lookups (service call, as the SCIM route makes it) against the REST
 * API's own list searching the same username (`pageUsers` with `q`, as GET /api/v1/users?q= does),
 * and a full paged walk with count=100 against the REST API's keyset walk with limit=100.
 */
export async function measureScim(opts: { rt: Runtime; adminId: number; usernames: string[]; lookups: number }): Promise<ScimMeasure> {
  const userIds = (await User.findAll({ attributes: ['id'], order: [['id', 'ASC']] })).map((u) => u.id);
  const org = await Organization.create({ slug: 'bench-all', name: 'Everyone' });
  for (let i = 0; i < userIds.length; i += 5000) {
    await Membership.bulkCreate(
      userIds
        .slice(i, i + 5000)
        .map((userId) => ({ userId, organizationId: org.id, roles: userId === opts.adminId ? 'administrator' : '' })),
    );
  }
  const made = await createScimToken(opts.rt, SYSTEM_ACTOR, { org: 'bench-all', name: 'bench' });
  if (!made.ok) throw new Error(made.message);
  const auth = await authenticateScimToken(opts.rt, made.token);
  if (!auth.ok) throw new Error(auth.message);
  const scim = auth.actor;
  // The REST API's key acts as its user inside its organization.
  const rest: Actor = { kind: 'user', userId: opts.adminId, via: 'api', organizationId: org.id, label: 'bench.admin (api key)' };
  const random = prng(17);
  const names = Array.from({ length: opts.lookups }, () => opts.usernames[Math.floor(random() * opts.usernames.length)]);

  const scimLookup = async (u: string) => {
    const r = await listScimUsers(opts.rt, scim, { filter: `userName eq "${u}"`, startIndex: 1, count: 100 });
    if (!r.ok || r.total !== 1) throw new Error(`SCIM lookup of ${u} failed`);
  };
  const restLookup = async (u: string) => {
    const r = await pageUsers(opts.rt, rest, { view: 'all', text: u, limit: 100 });
    if (!r.ok || r.users.length < 1) throw new Error(`REST search of ${u} failed`);
  };
  for (const u of names.slice(0, 5)) {
    await scimLookup(u);
    await restLookup(u);
  }
  const a: number[] = [];
  const b: number[] = [];
  for (const u of names) {
    let t = performance.now();
    await scimLookup(u);
    a.push(performance.now() - t);
    t = performance.now();
    await restLookup(u);
    b.push(performance.now() - t);
  }

  let t = performance.now();
  let walkPages = 0;
  let walkUsers = 0;
  for (let start = 1; ; start += 100) {
    const r = await listScimUsers(opts.rt, scim, { startIndex: start, count: 100 });
    if (!r.ok) throw new Error(r.message);
    walkPages++;
    walkUsers += r.resources.length;
    if (start + 100 > r.total) break;
  }
  const walkMs = performance.now() - t;
  if (walkUsers !== userIds.length) throw new Error(`SCIM walk saw ${walkUsers} of ${userIds.length} users`);

  t = performance.now();
  let restWalkPages = 0;
  let afterId: number | undefined;
  for (;;) {
    const r = await pageUsers(opts.rt, rest, { view: 'all', afterId, limit: 100 });
    if (!r.ok) throw new Error(r.message);
    restWalkPages++;
    if (r.lastId === null) break;
    afterId = r.lastId;
  }
  const restWalkMs = performance.now() - t;
  return {
    organizationId: org.id,
    members: userIds.length,
    lookups: names.length,
    filterP95: percentile(a, 95),
    filterP50: percentile(a, 50),
    restSearchP95: percentile(b, 95),
    restSearchP50: percentile(b, 50),
    walkMs,
    walkPages,
    walkUsers,
    restWalkMs,
    restWalkPages,
  };
}
