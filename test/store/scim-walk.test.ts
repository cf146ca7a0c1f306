import { Membership } from '../../src/store/models';
import { scimUserPage } from '../../src/store/scim-queries';
import { DIALECTS } from '../support/db';
import { makeUser, org, testEnv } from '../support/fixtures';

/**
 * An IdP's walk of an organization (startIndex/count pages, no filter) continues after the last
 * member of the page before instead of stepping over every member again (issue 22: the walk was
 * quadratic at 1,000,000 members). The pages must hold what OFFSET pages hold, and a change
 * mid-walk must not make the walk skip anyone.
 */
describe.each(DIALECTS)('the SCIM members walk on %s', (dialect) => {
  let env: Awaited<ReturnType<typeof testEnv>>;
  beforeAll(async () => {
    env = await testEnv(dialect);
  });
  afterAll(async () => env.close());

  /** The statements run by `fn`, as Sequelize logs them. */
  async function statements<T>(fn: () => Promise<T>): Promise<{ value: T; sql: string[] }> {
    const sql: string[] = [];
    const { options } = env.rt.db.sequelize as unknown as { options: { logging: unknown } };
    const before = options.logging;
    options.logging = (s: string) => sql.push(s);
    try {
      return { value: await fn(), sql };
    } finally {
      options.logging = before;
    }
  }

  async function members(slug: string, n: number) {
    const users = [];
    for (let i = 0; i < n; i++) users.push(await makeUser({ username: `${slug}-${i}`, orgs: { [slug]: [] } }));
    return { orgId: (await org(slug)).id, names: users.map((u) => u.username) };
  }

  /** An offset as each dialect spells it: `OFFSET n` (PostgreSQL), `LIMIT n, m` (SQLite). */
  const SKIPS = /OFFSET|LIMIT \d+, ?\d+/i;
  const names = (p: { rows: Array<{ username: string }> }) => p.rows.map((r) => r.username);

  test('a walk returns exactly the OFFSET pages, and each page after the first skips by member id, not by OFFSET', async () => {
    const { orgId, names: all } = await members(`walk-a-${dialect}`, 10);
    const walked: string[] = [];
    const sql: string[] = [];
    for (let offset = 0; offset < 10; offset += 3) {
      const page = await statements(() => scimUserPage(env.rt.db, orgId, null, { offset, limit: 3 }));
      expect(page.value.total).toBe(10);
      walked.push(...names(page.value));
      if (offset > 0) sql.push(...page.sql);
    }
    expect(walked).toEqual(all);
    expect(sql.some((s) => /membership/i.test(s))).toBe(true);
    expect(sql.filter((s) => SKIPS.test(s))).toEqual([]);
    // The same pages asked out of order (no walk before them) are OFFSET pages, exact.
    const jump = await statements(() => scimUserPage(env.rt.db, orgId, null, { offset: 6, limit: 3 }));
    expect(names(jump.value)).toEqual(all.slice(6, 9));
    expect(jump.sql.some((s) => SKIPS.test(s))).toBe(true);
  });

  test('a member removed before the walk’s position mid-walk: nobody after it is skipped or served twice', async () => {
    const { orgId, names: all } = await members(`walk-b-${dialect}`, 9);
    const first = await scimUserPage(env.rt.db, orgId, null, { offset: 0, limit: 3 });
    expect(names(first)).toEqual(all.slice(0, 3));
    // The second member leaves: an OFFSET of 3 would now start at the fifth member and skip the fourth.
    const leaving = first.rows[1].id;
    await Membership.destroy({ where: { organizationId: orgId, userId: leaving } });
    const rest: string[] = [];
    for (let offset = 3; offset < 9; offset += 3) rest.push(...names(await scimUserPage(env.rt.db, orgId, null, { offset, limit: 3 })));
    expect(rest).toEqual(all.slice(3));
    // A new walk counts again: the member who left is gone from the total at once.
    expect((await scimUserPage(env.rt.db, orgId, null, { offset: 0, limit: 3 })).total).toBe(8);
  });

  test('a page asked twice (a retry) is the same page both times', async () => {
    const { orgId, names: all } = await members(`walk-c-${dialect}`, 6);
    await scimUserPage(env.rt.db, orgId, null, { offset: 0, limit: 2 });
    const once = await scimUserPage(env.rt.db, orgId, null, { offset: 2, limit: 2 });
    const again = await scimUserPage(env.rt.db, orgId, null, { offset: 2, limit: 2 });
    expect(names(once)).toEqual(all.slice(2, 4));
    expect(names(again)).toEqual(all.slice(2, 4));
  });
});
