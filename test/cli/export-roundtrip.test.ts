import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRuntime } from '../../src/app/runtime';
import { writeExportCsv } from '../../src/jobs/export-csv';
import { testConfig } from '../../src/lib/config';
import { enabledFields, loadExportFieldSettings } from '../../src/services/export-fields';
import { ExportField, Membership, Organization, User } from '../../src/store/models';
import { cli, cliEnv, inspect, writeCsv } from '../support/cli';
import { DIALECTS, freshDatabase, type TestDatabase } from '../support/db';

const HEADER = 'username,email,first_name,last_name,organization,roles,password,enabled';

/** What an import could change: identity, status, password and memberships (not updated_at). */
async function directory(db: TestDatabase) {
  return inspect(db, async () => {
    const orgs = new Map((await Organization.findAll()).map((o) => [o.id, o.slug]));
    const users = await User.findAll({ order: [['username', 'ASC']] });
    const memberships = await Membership.findAll({ order: [['id', 'ASC']] });
    return users.map((u) => ({
      username: u.username,
      email: u.email,
      firstName: u.firstName,
      lastName: u.lastName,
      enabled: u.enabled,
      authStatus: u.authStatus,
      passwordHash: u.passwordHash,
      passwordChangedAt: u.passwordChangedAt?.toISOString() ?? null,
      memberships: memberships.filter((m) => m.userId === u.id).map((m) => `${orgs.get(m.organizationId)}:${m.roles}`),
    }));
  });
}

describe.each(DIALECTS)('an export imports back with userops import on %s', (dialect) => {
  let db: TestDatabase;
  let env: Record<string, string>;
  let n = 0;

  /** Export every organization with the current field settings, the way the export job writes it. */
  async function exportFile(overrides: Record<string, string> = {}): Promise<string> {
    const path = join(db.dir, `export-${++n}.csv`);
    const rt = await createRuntime(testConfig({ DATABASE_URL: db.url, EXPORT_DIR: join(db.dir, 'exports'), ...overrides }));
    try {
      await writeExportCsv({ orgIds: null, fields: enabledFields(await loadExportFieldSettings(), rt.config) }, path);
    } finally {
      await rt.close();
    }
    return path;
  }

  beforeAll(async () => {
    db = await freshDatabase(dialect);
    env = cliEnv(db);
    const seed = await cli(
      [
        'import',
        writeCsv(
          db,
          'seed.csv',
          [
            HEADER,
            'ana,ana@example.com,Ana,Admin,acme,administrator,Correct-Horse-42-Battery,true',
            'ana,ana@example.com,Ana,Admin,globex,administrator;security,,true',
            'eve,eve@example.com,"=SUM(A1:A9)","@Mallory, ""Jr""",acme,viewer,Another-Good-Pass-9,true',
            'bob,bob@example.com,Bob,-Builder,globex,,,false',
            'cyd,cyd@example.com,Cyd,Zoë Ünïcode,acme,helpdesk,Third-Good-Pass-77,true',
          ].join('\n'),
        ),
      ],
      env,
    );
    expect(seed).toMatchObject({ code: 0, err: [] });
  });
  afterAll(async () => db.drop());

  test('default fields: zero errors, nothing changes, no password is touched', async () => {
    const before = await directory(db);
    const path = await exportFile();
    expect(readFileSync(path, 'utf8')).toContain(`,'=SUM(A1:A9),"'@Mallory, ""Jr""",`);
    const r = await cli(['import', path], env);
    expect(r).toEqual({ code: 0, out: ['5 rows: 0 created, 5 updated, 0 rejected.'], err: [] });
    expect(await directory(db)).toEqual(before);
    expect(before.find((u) => u.username === 'eve')).toMatchObject({ firstName: '=SUM(A1:A9)', lastName: '@Mallory, "Jr"' });
  });

  test('with EXPORT_ALLOW_PASSWORD_HASHES=true and password_hash on: the hash goes out and comes back as it was', async () => {
    const allow = { EXPORT_ALLOW_PASSWORD_HASHES: 'true' };
    const list = await cli(['export-fields'], { ...env, ...allow });
    expect(list.out).toContainEqual(expect.stringMatching(/^password_hash\s+no\s+no$/));
    expect(await cli(['export-fields', 'enable', 'password_hash'], { ...env, ...allow })).toMatchObject({
      code: 0,
      out: ['Enabled: password_hash.'],
    });
    const before = await directory(db);
    const path = await exportFile(allow);
    const text = readFileSync(path, 'utf8');
    expect(text).toContain(before.find((u) => u.username === 'ana')!.passwordHash!);
    const r = await cli(['import', path], env);
    expect(r).toEqual({ code: 0, out: ['5 rows: 0 created, 5 updated, 0 rejected.'], err: [] });
    expect(await directory(db)).toEqual(before);
    expect(await cli(['export-fields', 'disable', 'password_hash'], { ...env, ...allow })).toMatchObject({
      code: 0,
      out: ['Disabled: password_hash.'],
    });
  });

  test('without EXPORT_ALLOW_PASSWORD_HASHES: not offered, enabling is refused, a stored setting is ignored', async () => {
    const list = await cli(['export-fields'], env);
    expect(list.code).toBe(0);
    expect(list.out.some((l) => l.startsWith('password_hash'))).toBe(false);
    expect(list.out).toContain(
      'Password hashes, API keys and reset tokens are not exportable (set EXPORT_ALLOW_PASSWORD_HASHES=true to offer password_hash).',
    );

    const settings = () =>
      inspect(db, async () => (await ExportField.findAll({ order: [['field', 'ASC']] })).map((f) => f.get({ plain: true })));
    const before = await settings();
    const refused = await cli(['export-fields', 'enable', 'password_hash', 'phone'], env);
    expect(refused.code).toBe(1);
    expect(refused.err.join('\n')).toMatch(
      /Password hashes cannot be exported on this deployment.*EXPORT_ALLOW_PASSWORD_HASHES=true.*Nothing was changed/,
    );
    expect(await settings()).toEqual(before);

    // Switched on while the deployment allowed it, then the deployment stopped allowing it.
    const allow = { ...env, EXPORT_ALLOW_PASSWORD_HASHES: 'true' };
    expect(await cli(['export-fields', 'enable', 'password_hash'], allow)).toMatchObject({ code: 0 });
    try {
      const hash = (await directory(db)).find((u) => u.username === 'ana')!.passwordHash!;
      const rows = readFileSync(await exportFile(), 'utf8').split('\r\n');
      expect(rows[0]).toBe(
        HEADER + ',auth_status,failed_login_count,locked_at,locked_until,last_login_at,password_changed_at,created_at,updated_at',
      );
      expect(rows.join('\n')).not.toContain(hash);
      expect(rows.find((r) => r.startsWith('ana,ana@example.com,Ana,Admin,acme,'))).toMatch(
        /^ana,ana@example\.com,Ana,Admin,acme,administrator,,true,/,
      );
    } finally {
      // Switching it off needs no permission from the deployment.
      expect(await cli(['export-fields', 'disable', 'password_hash'], env)).toMatchObject({ code: 0, out: ['Disabled: password_hash.'] });
    }
  });

  test('userops export-fields: list, enable and disable change the columns; secrets and unknown names are refused', async () => {
    const list = await cli(['export-fields'], env);
    expect(list.code).toBe(0);
    expect(list.out[0]).toBe(`Always exported (the import columns): ${HEADER.split(',').join(', ')}`);
    expect(list.out).toContainEqual(expect.stringMatching(/^phone\s+no\s+no$/));
    expect(list.out).toContainEqual(expect.stringMatching(/^created_at\s+yes\s+yes$/));

    expect(await cli(['export-fields', 'enable', 'phone', 'title'], env)).toMatchObject({ code: 0, out: ['Enabled: phone, title.'] });
    expect(await cli(['export-fields', 'disable', 'created_at', 'updated_at'], env)).toMatchObject({ code: 0 });
    expect(await cli(['export-fields', 'enable', 'phone'], env)).toMatchObject({ code: 0, out: ['Already enabled: phone.'] });
    const header = readFileSync(await exportFile(), 'utf8').split('\r\n')[0];
    expect(header).toBe(`${HEADER},phone,title,auth_status,failed_login_count,locked_at,locked_until,last_login_at,password_changed_at`);
    expect((await cli(['import', join(db.dir, `export-${n}.csv`)], env)).code).toBe(0);

    for (const [args, says] of [
      [['enable', 'api_keys'], /API keys are never exportable/],
      [['enable', 'reset_tokens'], /reset tokens are never exportable/],
      [['enable', 'shoe_size'], /Unknown export field “shoe_size”/],
    ] as const) {
      const r = await cli(['export-fields', ...args], env);
      expect(r.code).toBe(1);
      expect(r.err.join('\n')).toMatch(says);
    }
    expect((await cli(['export-fields', 'enable'], env)).code).toBe(2);
    expect((await cli(['export-fields', 'toggle', 'phone'], env)).code).toBe(2);
  });
});
