import { literal } from 'sequelize';
import { Membership, User, userSearchText } from '../../src/store/models';
import { likePattern, SEARCH_COUNT_CAP, searchTuning, searchUserPage, trigramQuery, type UserFilter } from '../../src/store/user-queries';
import { DIALECTS } from '../support/db';
import { makeUser, org, testEnv, type TestEnv } from '../support/fixtures';

// Issue 22: `/users find` through a trigram index (migration 0013), its count capped at 10,000.

describe('trigramQuery', () => {
  test('a text of fewer than three characters (code points) has no trigram', () => {
    expect(trigramQuery('')).toBeNull();
    expect(trigramQuery('ab')).toBeNull();
    expect(trigramQuery('😀😀')).toBeNull();
    expect(trigramQuery('abc')).toBe('"abc"');
  });

  test('distinct trigrams ANDed as quoted strings, a double quote doubled', () => {
    expect(trigramQuery('anana')).toBe('"ana" AND "nan"');
    expect(trigramQuery('a"bc')).toBe('"a""b" AND """bc"');
    expect(trigramQuery('é ü')).toBe('"é ü"');
  });

  test('at most eight, spread over the text from its first to its last', () => {
    const q = trigramQuery('abcdefghijklmnopqrstuvwxyz')!;
    const grams = q.split(' AND ');
    expect(grams).toHaveLength(8);
    expect(grams[0]).toBe('"abc"');
    expect(grams[7]).toBe('"xyz"');
  });
});

describe.each(DIALECTS)('searchUserPage on %s', (dialect) => {
  let env: TestEnv;
  let acme: number;
  const filter = (text: string | undefined, extra: Partial<UserFilter> = {}): UserFilter => ({
    orgIds: null,
    text,
    now: new Date('2026-11-02T10:00:00Z'),
    dormantDays: 90,
    ...extra,
  });
  const names = (rows: User[]) => rows.map((u) => u.username);
  /** A page with its users as plain values (dates as Dates, whichever read built them). */
  const plain = (p: { rows: User[] }) => ({ ...p, rows: p.rows.map((u) => u.get({ plain: true })) });
  /** What a plain LIKE over search_text answers: the reference the index must not change. */
  const byLike = async (text: string) =>
    names(
      await User.findAll({
        where: literal(`search_text LIKE ${env.rt.db.sequelize.escape(likePattern(text.trim().toLowerCase()))} ESCAPE '!'`),
        order: [['username', 'ASC']],
      }),
    );

  beforeAll(async () => {
    env = await testEnv(dialect);
    const people: Array<[string, string, string, string[]]> = [
      ['ann.lee', 'Ann', 'Lee', ['acme']],
      ['anna.smith', 'Anna', 'Smith', ['acme']],
      ['hannah.o', 'Hannah', "O'Brien", ['beta']],
      ['joanna', 'Joanna', 'Nakamura', ['acme', 'beta']],
      ['jurgen', 'Jürgen', 'Müller', ['beta']],
      ['zoe', 'Zoë', 'Dubois', ['acme']],
      ['pct', '100%', 'Real_Name', ['acme']],
      ['bang', 'Ex!clam', 'Quote"d', ['beta']],
      ['spaced', 'Mary Ann', 'de la Cruz', ['acme']],
    ];
    for (const [username, firstName, lastName, orgs] of people) {
      await makeUser({ username, firstName, lastName, orgs: Object.fromEntries(orgs.map((o) => [o, []])) });
    }
    acme = (await org('acme')).id;
  });
  afterAll(async () => env.close());

  test('answers exactly what a LIKE over search_text answers, in username order, whatever the text', async () => {
    const texts = [
      'a',
      'an',
      'ann',
      'ANNA',
      ' anna ',
      'nna',
      'müller',
      'zoë',
      'ë d',
      "o'brien",
      '100%',
      '0%r',
      'l_n',
      'real_',
      'x!c',
      'quote"d',
      'e"d',
      'mary ann',
      'y an',
      'la cr',
      'example.com',
      'nobody-here',
      '%',
      '_',
      '!',
    ];
    for (const text of texts) {
      const expected = await byLike(text);
      const page = await searchUserPage(env.rt.db, filter(text), { offset: 0, limit: 100 });
      expect({ text, got: names(page.rows), total: page.total, capped: page.capped }).toEqual({
        text,
        got: expected,
        total: expected.length,
        capped: false,
      });
    }
  });

  test('pages through the matches with offset and limit', async () => {
    const all = await byLike('an');
    expect(all.length).toBeGreaterThan(4);
    const first = await searchUserPage(env.rt.db, filter('an'), { offset: 0, limit: 2 });
    const second = await searchUserPage(env.rt.db, filter('ann'), { offset: 1, limit: 2 });
    expect(names(first.rows)).toEqual(all.slice(0, 2));
    expect(first.total).toBe(all.length);
    expect(names(second.rows)).toEqual((await byLike('ann')).slice(1, 3));
  });

  test('combines the text with a saved view and the organizations read', async () => {
    const page = await searchUserPage(env.rt.db, filter('anna', { orgIds: [acme] }), { offset: 0, limit: 10 });
    expect(names(page.rows)).toEqual(['anna.smith', 'joanna']);
    await User.update({ enabled: false }, { where: { username: 'joanna' } });
    const disabled = await searchUserPage(env.rt.db, filter('anna', { view: 'disabled' }), { offset: 0, limit: 10 });
    expect(names(disabled.rows)).toEqual(['joanna']);
    expect(disabled.total).toBe(1);
    await User.update({ enabled: true }, { where: { username: 'joanna' } });
  });

  test('the index follows a rename, a new user and a deletion', async () => {
    const find = async (text: string) => names((await searchUserPage(env.rt.db, filter(text), { offset: 0, limit: 10 })).rows);
    const zoe = await User.findOne({ where: { username: 'zoe' } });
    zoe!.lastName = 'Quenneville';
    await zoe!.save();
    expect(await find('dubois')).toEqual([]);
    expect(await find('quennev')).toEqual(['zoe']);
    const late = await makeUser({ username: 'latecomer', firstName: 'Xavier', lastName: 'Ostrowski', orgs: { acme: [] } });
    expect(await find('ostrow')).toEqual(['latecomer']);
    await Membership.destroy({ where: { userId: late.id } });
    await late.destroy();
    expect(await find('ostrow')).toEqual([]);
    expect(await find('quennev')).toEqual(await byLike('quennev'));
  });

  test(`past ${SEARCH_COUNT_CAP} matches the count stops at the cap, and the page is still the first in username order`, async () => {
    const now = new Date('2026-11-02T10:00:00Z');
    const rows = Array.from({ length: SEARCH_COUNT_CAP + 5 }, (_, i) => {
      const username = `bulk${String(i).padStart(5, '0')}`;
      const email = `${username}@example.com`;
      return {
        username,
        email,
        emailNormalized: email,
        firstName: 'Bulk',
        lastName: 'Person',
        searchText: userSearchText({ username, email, firstName: 'Bulk', lastName: 'Person' }),
        enabled: true,
        authStatus: 'active' as const,
        createdAt: now,
        updatedAt: now,
      };
    });
    for (let i = 0; i < rows.length; i += 1000) await User.bulkCreate(rows.slice(i, i + 1000), { hooks: false });
    const dense = await searchUserPage(env.rt.db, filter('bulk'), { offset: 0, limit: 5 });
    expect(dense).toMatchObject({ total: SEARCH_COUNT_CAP, capped: true });
    // Rows read by the index's own statement are Users like findAll's: dates as Dates, booleans as booleans.
    expect(dense.rows[0].createdAt).toEqual(now);
    expect(dense.rows[0].enabled).toBe(true);
    expect(plain(dense).rows[0]).toEqual((await User.findOne({ where: { username: 'bulk00000' } }))!.get({ plain: true }));
    expect(names(dense.rows)).toEqual(['bulk00000', 'bulk00001', 'bulk00002', 'bulk00003', 'bulk00004']);
    const deep = await searchUserPage(env.rt.db, filter('bulk'), { offset: SEARCH_COUNT_CAP, limit: 10 });
    expect(names(deep.rows)).toEqual(['bulk10000', 'bulk10001', 'bulk10002', 'bulk10003', 'bulk10004']);
    // Past the cap the page is either the matches sorted or a walk in username order (searchTuning decides by
    // dialect and the matches' estimated number): both give the same pages.
    const tuning = { ...searchTuning.sortMatchesUpTo };
    try {
      for (const upTo of [0, Number.MAX_SAFE_INTEGER]) {
        searchTuning.sortMatchesUpTo = { sqlite: upTo, postgres: upTo };
        expect(plain(await searchUserPage(env.rt.db, filter('bulk'), { offset: 0, limit: 5 }))).toEqual(plain(dense));
        expect(names((await searchUserPage(env.rt.db, filter('bulk'), { offset: SEARCH_COUNT_CAP, limit: 10 })).rows)).toEqual(
          names(deep.rows),
        );
      }
    } finally {
      searchTuning.sortMatchesUpTo = tuning;
    }
    // A narrower text counts exactly again.
    const narrow = await searchUserPage(env.rt.db, filter('bulk0000'), { offset: 0, limit: 20 });
    expect(narrow).toMatchObject({ total: 10, capped: false });
    expect(names(narrow.rows)).toEqual(Array.from({ length: 10 }, (_, i) => `bulk0000${i}`));
    // A view without text counts up to the cap too.
    expect(await searchUserPage(env.rt.db, filter(undefined), { offset: 0, limit: 1 })).toMatchObject({
      total: SEARCH_COUNT_CAP,
      capped: true,
    });
    expect(await searchUserPage(env.rt.db, filter('bulk', { view: 'disabled' }), { offset: 0, limit: 1 })).toMatchObject({
      total: 0,
      capped: false,
    });
  });
});
