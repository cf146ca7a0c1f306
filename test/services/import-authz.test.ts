import bcrypt from 'bcryptjs';
import { AuditEvent, Membership, Organization, ResetToken, User } from '../../src/store/models';
import { cli, cliEnv, inspect, writeCsv } from '../support/cli';
import { IMPORT_HEADER, membershipsOf } from '../support/import';
import { DIALECTS, freshDatabase, type TestDatabase } from '../support/db';
import { worldState } from '../support/state';

const HEADER = IMPORT_HEADER;
const NEW_PASSWORD = 'Plum-Orchard-Lantern-77';

/** An outstanding reset link for `username`, as a reset from Slack leaves it. */
async function outstandingToken(username: string, hash: string): Promise<void> {
  const user = (await User.findOne({ where: { username } }))!;
  await User.update({ authStatus: 'password_reset' }, { where: { id: user.id } });
  await ResetToken.create({ userId: user.id, tokenHash: hash, expiresAt: new Date(Date.now() + 86_400_000) });
}

describe.each(DIALECTS)('userops import --as (a directory user’s import) on %s', (dialect) => {
  let db: TestDatabase;
  let env: Record<string, string>;

  const importText = (name: string, text: string, as?: string) =>
    cli(['import', writeCsv(db, name, text), ...(as ? ['--as', as] : [])], env);

  beforeAll(async () => {
    db = await freshDatabase(dialect);
    env = cliEnv(db);
    const seed = await importText(
      'seed.csv',
      [
        HEADER,
        'ana,ana@example.com,Ana,Admin,acme,administrator,Correct-Horse-42-Battery,true',
        'adm2,adm2@example.com,Second,Admin,acme,administrator,Correct-Horse-42-Battery,true',
        'sec,sec@example.com,Sec,Urity,acme,security,Correct-Horse-42-Battery,true',
        'alice,alice@example.com,Alice,Acme,acme,viewer,Correct-Horse-42-Battery,true',
        'dual,dual@example.com,Dual,Member,acme,viewer,Correct-Horse-42-Battery,true',
        'dual,dual@example.com,Dual,Member,beta,viewer,Correct-Horse-42-Battery,true',
        'boss,boss@example.com,Boss,Beta,beta,administrator,Correct-Horse-42-Battery,true',
        'off,off@example.com,Off,Line,acme,administrator,Correct-Horse-42-Battery,false',
      ].join('\n'),
    );
    expect(seed).toMatchObject({ code: 0 });
  });
  afterAll(async () => db.drop());

  test('--as needs a directory user who can log in; otherwise nothing is read or written', async () => {
    const before = await inspect(db, worldState);
    const file = `${HEADER}\nnewbie,newbie@example.com,New,Bie,acme,viewer,,true\n`;
    const unknown = await importText('nobody.csv', file, 'nobody@example.com');
    expect(unknown).toEqual({
      code: 1,
      out: [],
      err: ['No directory user has the email nobody@example.com, so you cannot use this command.'],
    });
    const disabled = await importText('off.csv', file, 'off@example.com');
    expect(disabled.code).toBe(1);
    expect(disabled.err).toEqual([expect.stringMatching(/disabled, locked or waiting for a password reset/)]);
    expect((await cli(['import', '--as'], env)).code).toBe(2);
    expect(await inspect(db, worldState)).toEqual(before);
  });

  test('an administrator imports into their organization only, never names what they cannot see, and refused rows write nothing', async () => {
    const before = await inspect(db, async () => ({
      users: await User.findAll({ order: [['id', 'ASC']], raw: true }),
      memberships: await Membership.findAll({ order: [['id', 'ASC']], raw: true }),
      orgs: await Organization.count(),
    }));
    const r = await importText(
      'as-ana.csv',
      [
        HEADER,
        'newbie,newbie@example.com,New,Bie,acme,helpdesk,,true', // 2: created in acme
        'alice,alice@example.com,Alice,Acme,acme,viewer,Plum-Orchard-Lantern-77,false', // 3: only in acme: password and enabled
        'stranger,stranger@example.com,Str,Anger,beta,viewer,,true', // 4: beta is not hers
        'nova,nova@example.com,No,Va,newco,viewer,,true', // 5: an organization that does not exist reads the same
        'boss,boss@example.com,Boss,Beta,acme,viewer,,true', // 6: a user she cannot see
        'taken,boss@example.com,Ta,Ken,acme,viewer,,true', // 7: an email of somebody she cannot see
        'dual,dual@example.com,Dual,Member,acme,viewer,Plum-Orchard-Lantern-77,true', // 8: also in beta: no password
        'dual,dual@example.com,Dual,Member,acme,viewer;helpdesk,,true', // 9: also in beta: no roles
        'dual,dual@example.com,Dual,Member,acme,viewer,,true', // 10: nothing changes: fine
        'adm2,adm2@example.com,Second,Admin,acme,administrator,,false', // 11: equal rank: fine
      ].join('\n'),
      'ana@example.com',
    );
    expect(r.err).toEqual([
      'line 4: you are not an administrator of “beta”, so you cannot import users into it',
      'line 5: you are not an administrator of “newco”, so you cannot import users into it',
      'line 6: username boss is already taken',
      'line 7: email boss@example.com is already in use',
      'line 8: You do not have permission to change passwords for dual: it is needed in every organization they belong to.',
      'line 9: you must be an administrator in every organization of dual to change their memberships or roles',
    ]);
    expect(r.out).toEqual(['10 rows: 1 created, 3 updated, 6 rejected.']);
    expect(r.code).toBe(1);
    await inspect(db, async () => {
      expect(await membershipsOf('newbie')).toEqual({ acme: 'helpdesk' });
      const alice = (await User.findOne({ where: { username: 'alice' } }))!;
      expect([alice.enabled, await bcrypt.compare(NEW_PASSWORD, alice.passwordHash!)]).toEqual([false, true]);
      expect((await User.findOne({ where: { username: 'adm2' } }))!.enabled).toBe(false);
      for (const name of ['stranger', 'nova', 'taken']) expect(await User.count({ where: { username: name } })).toBe(0);
      expect(await Organization.count({ where: { slug: 'newco' } })).toBe(0);
      const after = {
        users: await User.findAll({ order: [['id', 'ASC']], raw: true }),
        memberships: await Membership.findAll({ order: [['id', 'ASC']], raw: true }),
      };
      // boss and dual are exactly as they were (rows 6–9 wrote nothing; row 10 changed nothing).
      for (const name of ['boss', 'dual']) {
        const pick = (s: typeof before) => s.users.find((u) => u.username === name);
        expect(after.users.find((u) => u.username === name)).toEqual({ ...pick(before), updatedAt: expect.anything() });
        expect(after.users.find((u) => u.username === name)?.passwordHash).toBe(pick(before)?.passwordHash);
      }
      expect(await membershipsOf('dual')).toEqual({ acme: 'viewer', beta: 'viewer' });
      expect(await membershipsOf('boss')).toEqual({ beta: 'administrator' });
      const audit = await AuditEvent.findAll({ where: { actorLabel: 'ana (cli import)' } });
      expect(audit.map((a) => a.action).sort()).toEqual(['import_create', 'import_update', 'import_update', 'import_update']);
      expect(audit.every((a) => a.actorUserId === before.users.find((u) => u.username === 'ana')!.id)).toBe(true);
    });
  });

  test('an importer cannot disable their own account, as in Slack', async () => {
    const before = await inspect(db, worldState);
    const r = await importText('self.csv', `${HEADER}\nana,ana@example.com,Ana,Admin,acme,administrator,,false\n`, 'ana@example.com');
    expect(r.err).toEqual(['line 2: you cannot disable your own account']);
    expect(await inspect(db, worldState)).toEqual(before);
  });

  test('a directory user who is not an administrator there imports nothing', async () => {
    const before = await inspect(db, worldState);
    const r = await importText(
      'as-sec.csv',
      [HEADER, 'alice,alice@example.com,Alice,Acme,acme,viewer,,true', 'fresh,fresh@example.com,Fre,Sh,acme,viewer,,true'].join('\n'),
      'sec@example.com',
    );
    expect(r.err).toEqual([
      'line 2: you are not an administrator of “acme”, so you cannot import users into it',
      'line 3: you are not an administrator of “acme”, so you cannot import users into it',
    ]);
    expect(await inspect(db, worldState)).toEqual(before);
  });

  test.each([
    ['the operator', undefined],
    ['an administrator (--as)', 'ana@example.com'],
  ])('a password set by %s revokes the user’s outstanding reset links, as a change from Slack does', async (_label, as) => {
    const name = as ? 'alice' : 'newbie';
    const org = 'acme';
    await inspect(db, () => outstandingToken(name, `${'ab'.repeat(31)}${as ? '01' : '02'}`));
    const roles = as ? 'viewer' : 'helpdesk';
    const r = await importText(
      `token-${name}.csv`,
      `${HEADER}\n${name},${name}@example.com,${name === 'alice' ? 'Alice,Acme' : 'New,Bie'},${org},${roles},${NEW_PASSWORD}-x,true\n`,
      as,
    );
    expect(r).toMatchObject({ code: 0, err: [] });
    await inspect(db, async () => {
      const user = (await User.findOne({ where: { username: name } }))!;
      const tokens = await ResetToken.findAll({ where: { userId: user.id } });
      expect(tokens.length).toBeGreaterThan(0);
      expect(tokens.every((t) => t.revokedAt !== null || t.usedAt !== null)).toBe(true);
      // The pending reset is over, as after an administrator's change: the new password works.
      expect(user.authStatus).toBe('active');
      expect(await bcrypt.compare(`${NEW_PASSWORD}-x`, user.passwordHash!)).toBe(true);
    });
  });

  test('an import without a password leaves outstanding reset links alone', async () => {
    await inspect(db, () => outstandingToken('adm2', 'cd'.repeat(32)));
    const r = await importText('nopass.csv', `${HEADER}\nadm2,adm2@example.com,Second,Admin,acme,administrator,,true\n`);
    expect(r).toMatchObject({ code: 0 });
    await inspect(db, async () => {
      const user = (await User.findOne({ where: { username: 'adm2' } }))!;
      expect(await ResetToken.count({ where: { userId: user.id, revokedAt: null, usedAt: null } })).toBe(1);
      expect(user.authStatus).toBe('password_reset');
    });
  });
});
