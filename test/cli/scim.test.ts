import { AuditEvent, ScimToken } from '../../src/store/models';
import { cli, cliEnv, inspect, writeCsv } from '../support/cli';
import { DIALECTS, freshDatabase, type TestDatabase } from '../support/db';

describe.each(DIALECTS)('userops scim token on %s', (dialect) => {
  let db: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    db = await freshDatabase(dialect);
    env = cliEnv(db, { PUBLIC_URL: 'https://users.example.com' });
    const csv = writeCsv(
      db,
      'people.csv',
      'username,email,first_name,last_name,organization,roles,password,enabled\nann,ann@example.com,Ann,A,acme,administrator,,true\n',
    );
    expect((await cli(['import', csv], env)).code).toBe(0);
  });
  afterAll(async () => db.drop());

  test('create prints the token once on the last line; list shows only its prefix; revoke stops it', async () => {
    const made = await cli(['scim', 'token', 'create', '--org', 'acme', '--name', 'Okta prod'], env);
    expect(made.code).toBe(0);
    const token = made.out[made.out.length - 1];
    expect(token).toMatch(/^uoscim_[A-Za-z0-9_-]{43}$/);
    expect(made.out.join('\n')).toContain('https://users.example.com/scim/v2');
    const stored = await inspect(db, () => ScimToken.findAll());
    expect(stored.map((s) => [s.name, s.tokenHash.length, s.tokenHash.includes(token)])).toEqual([['Okta prod', 64, false]]);

    const listed = await cli(['scim', 'token', 'list'], env);
    expect(listed.code).toBe(0);
    expect(listed.out).toHaveLength(1);
    expect(listed.out[0]).toMatch(/^#\d+\tacme\tOkta prod\tuoscim_\S{6}…/);
    expect(listed.out[0]).not.toContain(token.slice(13));

    const id = String(stored[0].id);
    expect(await cli(['scim', 'token', 'revoke', id], env)).toEqual({ code: 0, out: [expect.stringContaining('revoked')], err: [] });
    expect((await cli(['scim', 'token', 'list', '--org', 'acme'], env)).out[0]).toContain('revoked');
    const actions = await inspect(db, async () => (await AuditEvent.findAll({ order: [['id', 'ASC']] })).map((a) => a.action));
    expect(actions).toEqual(expect.arrayContaining(['scim_token_create', 'scim_token_revoke']));
  });

  test('bad use: unknown organization, missing --org, a non-id', async () => {
    const unknown = await cli(['scim', 'token', 'create', '--org', 'nope'], env);
    expect([unknown.code, unknown.err]).toEqual([1, ['No organization “nope” that you administer.']]);
    expect((await cli(['scim', 'token', 'create'], env)).code).toBe(2);
    expect((await cli(['scim', 'token', 'revoke', 'abc'], env)).code).toBe(1);
    expect((await cli(['scim', 'token', 'revoke', '999'], env)).err).toEqual(['No SCIM token #999 among yours.']);
    expect((await cli(['scim'], env)).code).toBe(2);
  });
});
