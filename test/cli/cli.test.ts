import { MIGRATIONS } from '../../migrations';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AuditEvent, Membership, Organization, User } from '../../src/store/models';
import { cli, cliEnv, inspect, writeCsv } from '../support/cli';
import { DIALECTS, freshDatabase, type TestDatabase } from '../support/db';

const HEADER = 'username,email,first_name,last_name,organization,roles,password,enabled';

async function tables(db: TestDatabase): Promise<string[]> {
  return inspect(db, async () => {
    const names = (await User.sequelize!.getQueryInterface().showAllTables()) as Array<string | { tableName: string }>;
    return names.map((n) => (typeof n === 'string' ? n : n.tableName)).sort();
  });
}

async function rolesIn(db: TestDatabase, email: string, slug: string): Promise<string | null> {
  return inspect(db, async () => {
    const user = await User.findOne({ where: { emailNormalized: email.toLowerCase() } });
    const org = await Organization.findOne({ where: { slug } });
    if (!user || !org) return null;
    return (await Membership.findOne({ where: { userId: user.id, organizationId: org.id } }))?.roles ?? null;
  });
}

describe('configuration errors stop every command with one line naming the variable', () => {
  const cases: Array<[string, Record<string, string>, string, string | null]> = [
    ['BCRYPT_COST out of range', { BCRYPT_COST: '99' }, 'BCRYPT_COST', null],
    ['a MySQL DATABASE_URL', { DATABASE_URL: 'mysql://root:Sup3rS3cret@db.internal/users' }, 'DATABASE_URL', 'Sup3rS3cret'],
    ['a bad bot token', { SLACK_BOT_TOKEN: 'hunter2-not-a-token' }, 'SLACK_BOT_TOKEN', 'hunter2-not-a-token'],
    ['an SMTP URL with another scheme', { SMTP_URL: 'http://mailer:Pa55word@mail.internal' }, 'SMTP_URL', 'Pa55word'],
    ['a non-numeric LOCKOUT_THRESHOLD', { LOCKOUT_THRESHOLD: 'ten' }, 'LOCKOUT_THRESHOLD', null],
  ];
  test.each(cases)('%s', async (_label, bad, variable, secret) => {
    for (const command of [['migrate'], ['migrate', '--status'], ['import', 'x.csv'], ['grant', 'a@b.c', 'viewer', 'acme']]) {
      const r = await cli(command, { DATABASE_URL: 'sqlite:/nonexistent-dir-userops/never.sqlite', ...bad });
      expect(r.code).toBe(1);
      expect(r.out).toEqual([]);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).not.toContain('\n');
      expect(r.err[0]).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
      if (secret) expect(r.err[0]).not.toContain(secret);
    }
    expect(existsSync('/nonexistent-dir-userops')).toBe(false);
  });
});

test('help, no command and an unknown command', async () => {
  const help = await cli(['help'], {});
  expect(help.code).toBe(0);
  expect(help.out.join('\n')).toMatch(/migrate.*\n.*import FILE\.csv/s);
  expect((await cli([], {})).code).toBe(2);
  const unknown = await cli(['frobnicate'], { DATABASE_URL: 'sqlite::memory:' });
  expect(unknown.code).toBe(2);
  expect(unknown.err.join('\n')).toContain('Unknown command “frobnicate”');
});

describe.each(DIALECTS)('userops CLI on %s', (dialect) => {
  let db: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    db = await freshDatabase(dialect);
    env = cliEnv(db);
  });
  afterAll(async () => db.drop());

  test('migrate, migrate --status, migrate --down, and migrate again', async () => {
    const names = MIGRATIONS.map((m) => m.name);
    const last = names[names.length - 1];
    expect(await cli(['migrate', '--status'], env)).toEqual({ code: 0, out: names.map((n) => `pending  ${n}`), err: [] });
    expect(await cli(['migrate'], env)).toEqual({ code: 0, out: [`Applied: ${names.join(', ')}`], err: [] });
    expect(await cli(['migrate'], env)).toEqual({ code: 0, out: ['No pending migrations.'], err: [] });
    expect(await cli(['migrate', '--status'], env)).toEqual({ code: 0, out: names.map((n) => `applied  ${n}`), err: [] });
    expect(await tables(db)).toEqual(expect.arrayContaining(['users', 'memberships', 'organizations', 'audit_events', 'mail_outbox']));

    // --down undoes the newest migration only; repeated, it walks back to an empty schema.
    expect(await cli(['migrate', '--down'], env)).toEqual({ code: 0, out: [`Undone: ${last}`], err: [] });
    expect(await cli(['migrate', '--status'], env)).toEqual({
      code: 0,
      out: [...names.slice(0, -1).map((n) => `applied  ${n}`), `pending  ${last}`],
      err: [],
    });
    for (let i = names.length - 2; i >= 0; i--)
      expect(await cli(['migrate', '--down'], env)).toEqual({ code: 0, out: [`Undone: ${names[i]}`], err: [] });
    expect(await tables(db)).toEqual(['schema_migrations']);
    expect(await cli(['migrate', '--down'], env)).toEqual({ code: 0, out: ['Nothing to undo.'], err: [] });

    expect(await cli(['migrate'], env)).toEqual({ code: 0, out: [`Applied: ${names.join(', ')}`], err: [] });
    const bad = await cli(['migrate', '--sideways'], env);
    expect(bad.code).toBe(2);
    expect(bad.err).toEqual([expect.stringContaining('--sideways')]);
  });

  test('grant and revoke roles; the last administrator of an organization cannot be revoked', async () => {
    const csv = writeCsv(
      db,
      'people.csv',
      [HEADER, 'ana,ana@example.com,Ana,A,acme,administrator,,true', 'bob,bob@example.com,Bob,B,acme,viewer,,true'].join('\n'),
    );
    expect((await cli(['import', csv], env)).code).toBe(0);

    const grant = await cli(['grant', 'BOB@example.com', 'security', 'acme'], env);
    expect(grant).toEqual({ code: 0, out: ['bob now has security, viewer in acme.'], err: [] });
    expect(await rolesIn(db, 'bob@example.com', 'acme')).toBe('security;viewer');
    const again = await cli(['grant', 'bob@example.com', 'security', 'acme'], env);
    expect(again).toEqual({ code: 0, out: ['bob already has security in acme.'], err: [] });

    const last = await cli(['revoke', 'ana@example.com', 'administrator', 'acme'], env);
    expect(last.code).toBe(1);
    expect(last.err).toEqual([expect.stringContaining('last administrator of acme')]);
    expect(await rolesIn(db, 'ana@example.com', 'acme')).toBe('administrator');

    expect((await cli(['grant', 'bob@example.com', 'administrator', 'acme'], env)).code).toBe(0);
    const revoke = await cli(['revoke', 'ana@example.com', 'administrator', 'acme'], env);
    expect(revoke).toEqual({ code: 0, out: ['ana now has no roles in acme.'], err: [] });
    expect(await rolesIn(db, 'ana@example.com', 'acme')).toBe('');

    await inspect(db, async () => {
      const audit = await AuditEvent.findAll({ where: { action: ['role_granted', 'role_revoked'] }, order: [['id', 'ASC']] });
      expect(audit.map((a) => [a.action, a.targetLabel, a.actorLabel, JSON.parse(a.details!).role])).toEqual([
        ['role_granted', 'bob <bob@example.com>', 'system (cli)', 'security'],
        ['role_granted', 'bob <bob@example.com>', 'system (cli)', 'administrator'],
        ['role_revoked', 'ana <ana@example.com>', 'system (cli)', 'administrator'],
      ]);
    });

    const refusals: Array<[string[], RegExp]> = [
      [['grant', 'bob@example.com', 'wizard', 'acme'], /Unknown role “wizard”/],
      [['grant', 'nobody@example.com', 'viewer', 'acme'], /No user “nobody@example.com”/],
      [['grant', 'bob@example.com', 'viewer', 'no-such-org'], /No organization “no-such-org”/],
    ];
    for (const [argv, message] of refusals) {
      const r = await cli(argv, env);
      expect(r.code).toBe(1);
      expect(r.err).toEqual([expect.stringMatching(message)]);
    }
    expect((await cli(['grant', 'bob@example.com', 'viewer'], env)).code).toBe(2);
  });

  test('every command applies pending migrations first', async () => {
    const fresh = await freshDatabase(dialect);
    try {
      const e = cliEnv(fresh);
      const r = await cli(['grant', 'x@example.com', 'viewer', 'acme'], e);
      expect(r).toEqual({ code: 1, out: [], err: ['No organization “acme”.'] });
      expect(await cli(['migrate', '--status'], e)).toEqual({ code: 0, out: MIGRATIONS.map((m) => `applied  ${m.name}`), err: [] });
      if (dialect === 'sqlite') expect(existsSync(join(fresh.dir, 'userops.sqlite'))).toBe(true);
    } finally {
      await fresh.drop();
    }
  });
});
