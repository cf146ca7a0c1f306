import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { csvField, writeExportCsv } from '../../src/jobs/export-csv';
import { parseCsv } from '../../src/lib/csv-parse';
import { exportScope } from '../../src/services/export';
import {
  EXPORT_FIELD_NAMES,
  type ExportFieldName,
  columnsImportCannotRead,
  enabledFields,
  exportableFields,
  exportColumns,
  listExportFields,
  loadExportFieldSettings,
  setExportFields,
} from '../../src/services/export-fields';
import { IMPORT_COLUMNS } from '../../src/services/import-users';
import { SYSTEM_ACTOR } from '../../src/services/context';
import { AuditEvent, ExportField, Organization, User } from '../../src/store/models';
import { DIALECTS } from '../support/db';
import { actorFor, makeUser, testEnv, type TestEnv } from '../support/fixtures';

const DEFAULT_COLUMNS = [
  ...IMPORT_COLUMNS,
  'auth_status',
  'failed_login_count',
  'locked_at',
  'locked_until',
  'last_login_at',
  'password_changed_at',
  'created_at',
  'updated_at',
];

test('csvField quotes exactly what RFC 4180 requires and doubles quotes', () => {
  expect(csvField('plain')).toBe('plain');
  expect(csvField('')).toBe('');
  expect(csvField('a,b')).toBe('"a,b"');
  expect(csvField('say "hi"')).toBe('"say ""hi"""');
  expect(csvField('two\nlines')).toBe('"two\nlines"');
  expect(csvField('cr\ronly')).toBe('"cr\ronly"');
  expect(csvField("'=1+1")).toBe("'=1+1");
});

test('every optional column is one import accepts and ignores', () => {
  expect(columnsImportCannotRead()).toEqual([]);
  expect(exportColumns([])).toEqual([...IMPORT_COLUMNS]);
  // The hash never gets a column of its own: it goes into `password`.
  expect(exportColumns(EXPORT_FIELD_NAMES)).not.toContain('password_hash');
});

describe.each(DIALECTS)('export CSV and field settings on %s', (dialect) => {
  let env: TestEnv;
  let dir: string;
  let n = 0;
  const users: Record<string, User> = {};

  beforeAll(async () => {
    env = await testEnv(dialect);
    dir = env.db.dir;
    users.ana = await makeUser({ username: 'ana', orgs: { acme: ['administrator'], globex: ['administrator'] } });
    users.sec = await makeUser({ username: 'sec', orgs: { acme: ['security'] } });
    users.hlp = await makeUser({ username: 'hlp', orgs: { acme: ['helpdesk'] } });
    users.vic = await makeUser({ username: 'vic', orgs: { acme: ['viewer'] } });
    users.eve = await makeUser({
      username: 'eve',
      firstName: '=HYPERLINK("http://evil.test","click")',
      lastName: 'O"Neil, Jr',
      orgs: { acme: [] },
    });
    users.two = await makeUser({ username: 'two', orgs: { acme: ['viewer'], globex: ['helpdesk', 'security'] } });
    users.lou = await makeUser({ username: 'lou', authStatus: 'locked', failedLoginCount: 5, password: null, orgs: { globex: [] } });
    await users.eve.update({ phone: '-5551234', title: 'Head of\r\nOps' });
    await makeUser({ username: 'zed', orgs: { initech: ['administrator'] } });
  });
  afterAll(async () => env.close());

  /** Run `fn` as a deployment with EXPORT_ALLOW_PASSWORD_HASHES=true (the runtime's config is read at each call). */
  async function withHashesAllowed<T>(fn: () => Promise<T>): Promise<T> {
    const config = env.rt.config as { EXPORT_ALLOW_PASSWORD_HASHES: boolean };
    config.EXPORT_ALLOW_PASSWORD_HASHES = true;
    try {
      return await fn();
    } finally {
      config.EXPORT_ALLOW_PASSWORD_HASHES = false;
    }
  }

  async function exportOf(orgIds: number[] | null, chosen?: ExportFieldName[], pageSize?: number) {
    const fields = chosen ?? enabledFields(await loadExportFieldSettings(), env.rt.config);
    const path = join(dir, `t${++n}.csv`);
    const result = await writeExportCsv({ orgIds, fields }, path, { pageSize });
    const bytes = readFileSync(path);
    const [header, ...rows] = parseCsv(bytes.toString('utf8')).map((r) => r.fields);
    return { result, bytes, header, rows: rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]]))) };
  }

  const orgId = async (slug: string) => (await Organization.findOne({ where: { slug } }))!.id;

  test('one row per membership, header = the column names, CRLF line ends, UTF-8 without a BOM', async () => {
    const { result, bytes, header, rows } = await exportOf(null);
    expect(header).toEqual(DEFAULT_COLUMNS);
    expect(bytes.subarray(0, 9).toString()).toBe('username,');
    expect(bytes.toString()).toContain('\r\n');
    expect(result).toMatchObject({ rows: 10, users: 8, columns: DEFAULT_COLUMNS });
    const two = rows.filter((r) => r.username === 'two');
    expect(two.map((r) => [r.organization, r.roles])).toEqual([
      ['acme', 'viewer'],
      ['globex', 'security;helpdesk'],
    ]);
    const lou = rows.find((r) => r.username === 'lou')!;
    expect(lou).toMatchObject({ auth_status: 'locked', failed_login_count: '5', enabled: 'true', password: '' });
    expect(lou.locked_at).toBe('2026-11-01T08:00:00.000Z');
    // A permanent lock has no end.
    expect(lou.locked_until).toBe('');
    // No hash unless the field is on.
    expect(rows.every((r) => r.password === '')).toBe(true);
  });

  test("a temporary lock's end is the locked_until column, only while the account is locked", async () => {
    await users.lou.update({ lockedUntil: new Date('2026-11-02T10:15:00Z') });
    try {
      expect((await exportOf(null)).rows.find((r) => r.username === 'lou')!.locked_until).toBe('2026-11-02T10:15:00.000Z');
      await users.lou.update({ authStatus: 'active' });
      expect((await exportOf(null)).rows.find((r) => r.username === 'lou')!.locked_until).toBe('');
    } finally {
      await users.lou.update({ authStatus: 'locked', lockedUntil: null });
    }
  });

  test('formula cells are neutralised and quoting survives commas, quotes and line breaks', async () => {
    const { bytes, rows } = await exportOf(null, ['phone', 'title']);
    const eve = rows.find((r) => r.username === 'eve')!;
    expect(eve.first_name).toBe(`'=HYPERLINK("http://evil.test","click")`);
    expect(eve.last_name).toBe('O"Neil, Jr');
    expect(eve.phone).toBe("'-5551234");
    expect(eve.title).toBe('Head of\r\nOps');
    expect(bytes.toString()).toContain(`"'=HYPERLINK(""http://evil.test"",""click"")","O""Neil, Jr"`);
    // No cell of the file starts a formula.
    for (const r of rows) for (const v of Object.values(r)) expect(v).not.toMatch(/^[=+\-@\t\r]/);
  });

  test('keyset pages give the same file whatever the page size', async () => {
    const big = await exportOf(null, undefined, 1000);
    for (const size of [1, 2, 3, 8]) expect((await exportOf(null, undefined, size)).bytes.equals(big.bytes)).toBe(true);
  });

  test('a file that cannot be written, or a progress step that fails, rejects the export instead of hanging', async () => {
    const fields = enabledFields(await loadExportFieldSettings(), env.rt.config);
    await expect(writeExportCsv({ orgIds: null, fields }, join(dir, 'no-such-dir', 'x.csv'))).rejects.toMatchObject({ code: 'ENOENT' });
    const failing = writeExportCsv({ orgIds: null, fields }, join(dir, `t${++n}.csv`), {
      pageSize: 2,
      onPage: ({ rows }) => {
        if (rows >= 4) throw new Error('lease lost');
      },
    });
    await expect(failing).rejects.toThrow('lease lost');
  });

  test('scope: only the memberships of the given organizations', async () => {
    const { rows } = await exportOf([await orgId('acme')]);
    expect(new Set(rows.map((r) => r.organization))).toEqual(new Set(['acme']));
    expect(rows.map((r) => r.username).sort()).toEqual(['ana', 'eve', 'hlp', 'sec', 'two', 'vic']);
  });

  test('exportScope: an administrator of two organizations gets both, security one, helpdesk and viewers none', async () => {
    const ana = await exportScope(env.rt, actorFor(users.ana));
    expect(ana).toMatchObject({ ok: true, orgSlugs: ['acme', 'globex'] });
    expect(await exportScope(env.rt, actorFor(users.sec))).toMatchObject({ ok: true, orgSlugs: ['acme'] });
    // Security in globex (and viewer in acme): globex only.
    expect(await exportScope(env.rt, actorFor(users.two))).toMatchObject({ ok: true, orgSlugs: ['globex'] });
    for (const who of [users.hlp, users.vic]) {
      expect(await exportScope(env.rt, actorFor(who))).toMatchObject({ ok: false, code: 'forbidden' });
    }
    expect(await exportScope(env.rt, SYSTEM_ACTOR)).toMatchObject({ ok: true, orgIds: null, orgSlugs: ['acme', 'globex', 'initech'] });
  });

  describe('field settings', () => {
    afterEach(async () => ExportField.destroy({ where: {} }));

    test('defaults without any row: import columns, status fields and timestamps; no hash, no phone', async () => {
      expect(await ExportField.count()).toBe(0);
      const list = await listExportFields(env.rt, actorFor(users.ana));
      if (!list.ok) throw new Error(list.message);
      expect(list.always).toEqual([...IMPORT_COLUMNS]);
      expect(list.fields.filter((f) => f.enabled).map((f) => f.field)).toEqual(DEFAULT_COLUMNS.slice(IMPORT_COLUMNS.length));
      // Not even offered unless the deployment sets EXPORT_ALLOW_PASSWORD_HASHES=true.
      expect(list.passwordHashAllowed).toBe(false);
      expect(list.fields.map((f) => f.field)).not.toContain('password_hash');
      const allowed = await withHashesAllowed(() => listExportFields(env.rt, actorFor(users.ana)));
      if (!allowed.ok) throw new Error(allowed.message);
      expect(allowed.fields.find((f) => f.field === 'password_hash')).toMatchObject({ enabled: false, default: false });
    });

    test('an administrator switches fields; the columns follow; one audit row names the change', async () => {
      const before = await AuditEvent.count({ where: { action: 'export_fields_changed' } });
      const r = await setExportFields(env.rt, actorFor(users.ana), {
        phone: true,
        created_at: false,
        updated_at: false,
        auth_status: true,
      });
      expect(r).toMatchObject({ ok: true, enabled: ['phone'], disabled: ['created_at', 'updated_at'] });
      const { header } = await exportOf(null);
      expect(header).toEqual([
        ...IMPORT_COLUMNS,
        'phone',
        'auth_status',
        'failed_login_count',
        'locked_at',
        'locked_until',
        'last_login_at',
        'password_changed_at',
      ]);
      const audit = await AuditEvent.findAll({ where: { action: 'export_fields_changed' }, order: [['id', 'ASC']] });
      expect(audit).toHaveLength(before + 1);
      expect(JSON.parse(audit[audit.length - 1].details!)).toEqual({ enabled: ['phone'], disabled: ['created_at', 'updated_at'] });
      // Saying it again changes nothing and audits nothing.
      expect(await setExportFields(env.rt, actorFor(users.ana), { phone: true })).toMatchObject({ ok: true, enabled: [], disabled: [] });
      expect(await AuditEvent.count({ where: { action: 'export_fields_changed' } })).toBe(before + 1);
    });

    test('with EXPORT_ALLOW_PASSWORD_HASHES=true the hash field puts the bcrypt hash in the password column', async () => {
      await withHashesAllowed(async () => {
        expect(await setExportFields(env.rt, SYSTEM_ACTOR, { password_hash: true })).toMatchObject({
          ok: true,
          enabled: ['password_hash'],
        });
        const { header, rows } = await exportOf(null);
        expect(header).toEqual(DEFAULT_COLUMNS);
        expect(rows.find((r) => r.username === 'ana')!.password).toBe((await User.findByPk(users.ana.id))!.passwordHash);
        expect(rows.find((r) => r.username === 'lou')!.password).toBe('');
      });
    });

    test('without EXPORT_ALLOW_PASSWORD_HASHES: switching the hash on is refused and changes nothing; a stored setting is ignored', async () => {
      const audits = await AuditEvent.count({ where: { action: 'export_fields_changed' } });
      for (const who of [SYSTEM_ACTOR, actorFor(users.ana)]) {
        const r = await setExportFields(env.rt, who, { phone: true, password_hash: true });
        expect(r).toMatchObject({ ok: false, code: 'forbidden' });
        expect(r.ok ? '' : r.message).toMatch(/Password hashes cannot be exported on this deployment.*EXPORT_ALLOW_PASSWORD_HASHES=true/);
      }
      expect(await ExportField.count()).toBe(0);
      expect(await AuditEvent.count({ where: { action: 'export_fields_changed' } })).toBe(audits);

      // Switched on while allowed; the deployment then turned the switch off.
      await withHashesAllowed(() => setExportFields(env.rt, SYSTEM_ACTOR, { password_hash: true }));
      expect(enabledFields(await loadExportFieldSettings(), env.rt.config)).not.toContain('password_hash');
      expect(exportableFields(env.rt.config, ['phone', 'password_hash'])).toEqual(['phone']);
      const { header, rows } = await exportOf(null);
      expect(header).toEqual(DEFAULT_COLUMNS);
      expect(rows.every((r) => r.password === '')).toBe(true);
      // Switching it off is always allowed.
      expect(await setExportFields(env.rt, SYSTEM_ACTOR, { password_hash: false })).toMatchObject({
        ok: true,
        disabled: ['password_hash'],
      });
    });

    test('security, helpdesk and viewers cannot change or read the settings', async () => {
      for (const who of [users.sec, users.hlp, users.vic]) {
        expect(await setExportFields(env.rt, actorFor(who), { phone: true })).toMatchObject({ ok: false, code: 'forbidden' });
        expect(await listExportFields(env.rt, actorFor(who))).toMatchObject({ ok: false, code: 'forbidden' });
      }
      expect(await ExportField.count()).toBe(0);
    });

    test('API keys, reset tokens, passwords and unknown names are refused before anything changes', async () => {
      for (const [name, says] of [
        ['api_keys', /API keys are never exportable/],
        ['api_key', /API keys are never exportable/],
        ['reset_tokens', /reset tokens are never exportable/],
        ['password', /enable password_hash/],
        ['email', /always exported/],
        ['shoe_size', /Unknown export field/],
      ] as const) {
        const r = await setExportFields(env.rt, SYSTEM_ACTOR, { phone: true, [name]: true });
        expect(r).toMatchObject({ ok: false, code: 'invalid_input' });
        expect(r.ok ? '' : r.message).toMatch(says);
      }
      expect(await ExportField.count()).toBe(0);
    });
  });
});
