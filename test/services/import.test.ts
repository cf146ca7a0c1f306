import bcrypt from 'bcryptjs';
import { Op } from 'sequelize';
import { AuditEvent, Organization, User } from '../../src/store/models';
import { cli, cliEnv, inspect, writeCsv } from '../support/cli';
import { IMPORT_HEADER, membershipsOf } from '../support/import';
import { DIALECTS, freshDatabase, type TestDatabase } from '../support/db';
import { worldState } from '../support/state';

const HEADER = IMPORT_HEADER;

describe.each(DIALECTS)('userops import on %s', (dialect) => {
  let db: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await freshDatabase(dialect);
    env = cliEnv(db);
  });
  afterAll(async () => db.drop());

  const importText = (name: string, text: string) => cli(['import', writeCsv(db, name, text)], env);

  test('a good file creates users, memberships and organizations; passwords are hashed; enabled is honoured', async () => {
    const r = await importText(
      'good.csv',
      [
        HEADER,
        'ana,Ana@Example.com,Ana,Admin,acme,administrator;security,Correct-Horse-42-Battery,true',
        'bob,bob@example.com,Bob,Builder,acme,viewer,,false',
        'cyd,cyd@example.com,"Cyd, Jr.",Smith,globex,,Another-Good-Pass-9,',
        '',
      ].join('\n'),
    );
    expect(r).toEqual({ code: 0, out: ['3 rows: 3 created, 0 updated, 0 rejected.'], err: [] });
    await inspect(db, async () => {
      const ana = (await User.findOne({ where: { username: 'ana' } }))!;
      expect([ana.email, ana.emailNormalized, ana.enabled, ana.authStatus]).toEqual(['Ana@Example.com', 'ana@example.com', true, 'active']);
      expect(ana.passwordHash).toMatch(/^\$2[aby]\$04\$/);
      expect(await bcrypt.compare('Correct-Horse-42-Battery', ana.passwordHash!)).toBe(true);
      expect(ana.passwordChangedAt).not.toBeNull();
      expect(await membershipsOf('ana')).toEqual({ acme: 'administrator;security' });

      const bob = (await User.findOne({ where: { username: 'bob' } }))!;
      // A new user without a password cannot log in until an admin resets it.
      expect([bob.enabled, bob.authStatus, bob.passwordHash, bob.passwordChangedAt]).toEqual([false, 'password_reset', null, null]);
      expect(await membershipsOf('bob')).toEqual({ acme: 'viewer' });

      const cyd = (await User.findOne({ where: { username: 'cyd' } }))!;
      expect([cyd.firstName, cyd.lastName, cyd.enabled]).toEqual(['Cyd, Jr.', 'Smith', true]);
      expect(await membershipsOf('cyd')).toEqual({ globex: '' });

      expect((await Organization.findAll({ order: [['slug', 'ASC']] })).map((o) => o.slug)).toEqual(['acme', 'globex']);
      const audit = await AuditEvent.findAll({ order: [['id', 'ASC']] });
      expect(audit.filter((a) => a.action === 'import_create').map((a) => a.targetLabel)).toEqual([
        'ana <Ana@Example.com>',
        'bob <bob@example.com>',
        'cyd <cyd@example.com>',
      ]);
      expect(audit.filter((a) => a.action === 'create_organization')).toHaveLength(2);
      expect(audit.every((a) => a.actorLabel === 'system (cli)')).toBe(true);
      const everything = JSON.stringify(await worldState());
      expect(everything).not.toContain('Correct-Horse-42-Battery');
      expect(everything).not.toContain('Another-Good-Pass-9');
    });
  });

  test('re-importing a file whose password cells are empty updates users without touching passwords', async () => {
    const text = [
      HEADER,
      'dee,dee@example.com,Dee,First,acme,helpdesk,Dee-Password-Long-1,true',
      'eli,eli@example.com,Eli,First,acme,viewer,,true',
    ].join('\n');
    expect((await importText('pw.csv', text)).code).toBe(0);
    const before = await inspect(db, async () =>
      (await User.findAll({ where: { username: ['dee', 'eli'] }, order: [['username', 'ASC']] })).map((u) => [
        u.passwordHash,
        u.passwordChangedAt?.toISOString() ?? null,
        u.authStatus,
      ]),
    );
    const again = [
      HEADER,
      'dee,DEE@example.com,Dee,Second,acme,helpdesk;security,,false',
      'eli,eli@example.com,Eli,Second,acme,viewer,,true',
    ].join('\r\n');
    for (let i = 0; i < 2; i++) {
      const r = await importText('pw-again.csv', again);
      expect(r).toEqual({ code: 0, out: ['2 rows: 0 created, 2 updated, 0 rejected.'], err: [] });
    }
    await inspect(db, async () => {
      const users = await User.findAll({ where: { username: ['dee', 'eli'] }, order: [['username', 'ASC']] });
      expect(users.map((u) => [u.passwordHash, u.passwordChangedAt?.toISOString() ?? null, u.authStatus])).toEqual(before);
      expect(users.map((u) => [u.email, u.lastName, u.enabled])).toEqual([
        ['DEE@example.com', 'Second', false],
        ['eli@example.com', 'Second', true],
      ]);
      expect(await membershipsOf('dee')).toEqual({ acme: 'security;helpdesk' });
      expect(await User.count({ where: { username: { [Op.like]: 'dee%' } } })).toBe(1);
    });
  });

  test('bad rows are reported with their 1-based file line and nothing of them is written; good rows are', async () => {
    const before = await inspect(db, async () => ({ users: await User.count(), orgs: await Organization.count() }));
    const lines = [
      /* 1 */ HEADER,
      /* 2 */ 'dan,dan@example.com,Dan,Good,initech,viewer,,true',
      /* 3 */ 'eve,not-an-email,Eve,Bad,initech,viewer,,true',
      /* 4 */ 'fay,fay@example.com,"Fay',
      /* 5 */ 'Multi",Line,initech,viewer,,true',
      /* 6 */ 'dan,dan2@example.com,Dan,Again,initech,helpdesk,,true',
      /* 7 */ 'gus,gus@example.com,Gus,Role,ghost-org,superuser,,true',
      /* 8 */ 'hal,hal@example.com,Hal,Flag,initech,viewer,,yes',
      /* 9 */ 'ivy,ivy@example.com,Ivy,Weak,initech,viewer,password123,true',
      /* 10 */ 'jon,jon@example.com,Jon,Good,initech,"viewer;helpdesk",,true',
      /* 11 */ 'kim,kim@example.com,"Kim ""Quoted""",Good,initech,viewer,,true',
      /* 12 */ 'dan,dan3@example.com,Dan,Other,umbrella,viewer,,true',
      /* 13 */ 'jon,jon@example.com,Jon,Good,umbrella,viewer,,true',
      /* 14 */ 'lou,lou@example.com,Lou,Short,initech,viewer',
      /* 15 */ 'mia,ana@example.com,Mia,Taken,initech,viewer,,true',
      /* 16 */ 'Bad Name!,ned@example.com,Ned,Name,initech,viewer,,true',
    ];
    const r = await importText('bad.csv', `${lines.join('\n')}\n`);
    expect(r.code).toBe(1);
    expect(r.out).toEqual(['14 rows: 3 created, 1 updated, 10 rejected.']);
    expect(r.err.map((l) => Number(/^line (\d+): /.exec(l)?.[1]))).toEqual([3, 4, 6, 7, 8, 9, 12, 14, 15, 16]);
    const reason = (line: number) => r.err.find((l) => l.startsWith(`line ${line}: `));
    expect(reason(3)).toMatch(/email/);
    expect(reason(4)).toMatch(/control characters/);
    expect(reason(6)).toMatch(/duplicate username dan.*line 2/);
    expect(reason(7)).toMatch(/unknown role “superuser”/);
    expect(reason(8)).toMatch(/enabled must be true or false/);
    expect(reason(9)).toMatch(/password/);
    expect(reason(12)).toMatch(/duplicate username dan.*line 2/);
    expect(reason(14)).toMatch(/fields/);
    expect(reason(15)).toMatch(/ana@example.com.*ana/i);
    expect(reason(16)).toMatch(/username/);
    expect(r.err.join('\n')).not.toContain('password123');

    await inspect(db, async () => {
      for (const name of ['eve', 'fay', 'gus', 'hal', 'ivy', 'lou', 'mia', 'bad name!']) {
        expect(await User.findOne({ where: { username: name } })).toBeNull();
      }
      const dan = (await User.findOne({ where: { username: 'dan' } }))!;
      expect([dan.email, dan.lastName]).toEqual(['dan@example.com', 'Good']);
      expect(await membershipsOf('dan')).toEqual({ initech: 'viewer' });
      expect(await membershipsOf('jon')).toEqual({ initech: 'helpdesk;viewer', umbrella: 'viewer' });
      expect((await User.findOne({ where: { username: 'kim' } }))?.firstName).toBe('Kim "Quoted"');
      expect(await Organization.findOne({ where: { slug: 'ghost-org' } })).toBeNull();
      expect(await User.count()).toBe(before.users + 3);
      expect(await Organization.count()).toBe(before.orgs + 2);
      const ana = (await User.findOne({ where: { username: 'ana' } }))!;
      expect(ana.email).toBe('Ana@Example.com');
    });
  });

  test('classic Mac line endings (CR only) with a quoted multi-line cell still report the right lines', async () => {
    const text = [
      /* 1 */ HEADER,
      /* 2 */ 'uma,uma@example.com,"Uma',
      /* 3 */ 'Two",U,acme,viewer,,true',
      /* 4 */ 'vic,vic@example.com,Vic,V,acme,wizard,,true',
      /* 5 */ 'wes,wes@example.com,Wes,W,acme,viewer,,true',
    ].join('\r');
    const r = await importText('mac.csv', text);
    expect(r.out).toEqual(['3 rows: 1 created, 0 updated, 2 rejected.']);
    expect(r.err.map((l) => Number(/^line (\d+): /.exec(l)?.[1]))).toEqual([2, 4]);
  });

  test('an import cannot take the administrator role from the last administrator of an organization', async () => {
    expect((await importText('solo.csv', `${HEADER}\nsam,sam@example.com,Sam,S,soleorg,administrator,,true\n`)).code).toBe(0);
    const before = await inspect(db, worldState);
    const r = await importText('demote.csv', `${HEADER}\nsam,sam@example.com,Sam,Renamed,soleorg,viewer,,true\n`);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([expect.stringMatching(/^line 2: .*last administrator of soleorg/)]);
    expect(await inspect(db, worldState)).toEqual(before);

    // With another administrator named first in the same file, the demotion goes through.
    const handover = await importText(
      'handover.csv',
      [HEADER, 'tia,tia@example.com,Tia,T,soleorg,administrator,,true', 'sam,sam@example.com,Sam,S,soleorg,viewer,,true'].join('\n'),
    );
    expect(handover).toEqual({ code: 0, out: ['2 rows: 1 created, 1 updated, 0 rejected.'], err: [] });
    await inspect(db, async () => {
      expect(await membershipsOf('sam')).toEqual({ soleorg: 'viewer' });
      expect(await membershipsOf('tia')).toEqual({ soleorg: 'administrator' });
    });
  });

  test.each([
    ['an empty file', ''],
    ['a file of blank lines', '\n\n\r\n'],
  ])('%s is refused with a clear message and exit 1', async (_label, text) => {
    const before = await inspect(db, worldState);
    const r = await importText('empty.csv', text);
    expect(r.code).toBe(1);
    expect(r.out).toEqual([]);
    expect(r.err).toEqual([expect.stringMatching(/empty.*header/i)]);
    expect(await inspect(db, worldState)).toEqual(before);
  });

  test.each([
    ['a missing column', 'username,email,first_name,last_name,organization,roles,password', /missing enabled/],
    ['an unknown column', `${HEADER},shoe_size`, /unknown “shoe_size”/],
    [
      'a misspelt column',
      'user_name,email,first_name,last_name,organization,roles,password,enabled',
      /missing username.*unknown “user_name”/,
    ],
    ['a repeated column', `${HEADER},email`, /“email” twice/],
  ])('a wrong header (%s) imports nothing', async (_label, header, message) => {
    const before = await inspect(db, worldState);
    const r = await importText('header.csv', `${header}\nzed,zed@example.com,Zed,Z,acme,viewer,,true,x\n`);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([expect.stringMatching(message)]);
    expect(await inspect(db, worldState)).toEqual(before);
  });

  test('a header in another column order, with export-only columns, a BOM and CRLF works', async () => {
    const text =
      '\ufeffid,enabled,password,roles,organization,last_name,first_name,email,username,auth_status\r\n' +
      '77,true,,viewer,acme,Order,Olga,olga@example.com,olga,locked\r\n';
    const r = await importText('order.csv', text);
    expect(r).toEqual({ code: 0, out: ['1 row: 1 created, 0 updated, 0 rejected.'], err: [] });
    await inspect(db, async () => {
      const olga = (await User.findOne({ where: { username: 'olga' } }))!;
      expect([olga.firstName, olga.lastName, olga.authStatus]).toEqual(['Olga', 'Order', 'password_reset']);
      expect(olga.id).not.toBe(77);
    });
  });

  test('a header-only file imports nothing and succeeds', async () => {
    expect(await importText('header-only.csv', `${HEADER}\n`)).toEqual({
      code: 0,
      out: ['0 rows: 0 created, 0 updated, 0 rejected.'],
      err: [],
    });
  });

  test('a bcrypt hash in the password column (an export with hashes on) is stored as it is', async () => {
    const hash = bcrypt.hashSync('Hash-Imported-Password-5', 4);
    expect((await importText('hash.csv', `${HEADER}\npia,pia@example.com,Pia,Hash,acme,viewer,${hash},true\n`)).code).toBe(0);
    await inspect(db, async () => {
      const pia = (await User.findOne({ where: { username: 'pia' } }))!;
      expect([pia.passwordHash, pia.authStatus]).toEqual([hash, 'active']);
    });
  });

  test('cells neutralised against spreadsheet formulas on export come back as they were', async () => {
    expect((await importText('formula.csv', `${HEADER}\nquin,quin@example.com,'=Quin,'+Plus,acme,viewer,,true\n`)).code).toBe(0);
    await inspect(db, async () => {
      const quin = (await User.findOne({ where: { username: 'quin' } }))!;
      expect([quin.firstName, quin.lastName]).toEqual(['=Quin', '+Plus']);
    });
  });

  test('a file that cannot be read, or broken CSV, exits 1 and imports nothing', async () => {
    const missing = await cli(['import', `${db.dir}/no-such.csv`], env);
    expect(missing.code).toBe(1);
    expect(missing.err).toEqual([expect.stringContaining('ENOENT')]);
    const before = await inspect(db, worldState);
    const broken = await importText('broken.csv', `${HEADER}\nray,ray@example.com,"Ray,R,acme,viewer,,true\n`);
    expect(broken.code).toBe(1);
    expect(broken.err).toEqual([expect.stringMatching(/^line 2: .*never closed.*nothing was imported/)]);
    expect(await inspect(db, worldState)).toEqual(before);
    expect((await cli(['import'], env)).code).toBe(2);
  });
});
