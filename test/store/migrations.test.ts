import { UniqueConstraintError } from 'sequelize';
import { MIGRATIONS } from '../../migrations';
import { WebhookDelivery, WebhookEndpoint } from '../../src/store/webhook-models';
import { migrateUp, migrator, openDatabase, type Database } from '../../src/store/db';
import { Membership, Organization, User } from '../../src/store/models';
import { DIALECTS, freshDatabase, type TestDatabase } from '../support/db';

const TABLES = [
  'api_keys',
  'approval_requests',
  'audit_events',
  'export_fields',
  'invitations',
  'job_items',
  'job_slots',
  'jobs',
  'lockout_events',
  'mail_outbox',
  'memberships',
  'notices',
  'organizations',
  'password_expiry_claims',
  'record_assignments',
  'reset_tokens',
  'scim_tokens',
  'slack_deliveries',
  'users',
  'webhook_deliveries',
  'webhook_endpoints',
];

/** SQLite's trigram index (migration 0013) is an FTS5 table with its shadow tables. */
const SQLITE_FTS = ['users_search', 'users_search_config', 'users_search_data', 'users_search_idx'];

async function tableNames(db: Database): Promise<string[]> {
  const names = (await db.sequelize.getQueryInterface().showAllTables()) as Array<string | { tableName: string }>;
  return names.map((n) => (typeof n === 'string' ? n : n.tableName)).sort();
}

interface IndexInfo {
  name: string;
  unique: boolean;
  fields: Array<{ attribute: string }>;
}

async function indexes(db: Database, table: string): Promise<Array<{ name: string; unique: boolean; columns: string[] }>> {
  const rows = (await db.sequelize.getQueryInterface().showIndex(table)) as unknown as IndexInfo[];
  return rows.map((r) => ({ name: r.name, unique: Boolean(r.unique), columns: r.fields.map((f) => f.attribute) }));
}

function userRow(username: string, email: string) {
  const now = new Date();
  return { username, email, email_normalized: email.toLowerCase(), created_at: now, updated_at: now };
}

describe.each(DIALECTS)('migrations on %s', (dialect) => {
  let t: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    t = await freshDatabase(dialect);
    db = openDatabase(t.url);
  });
  afterAll(async () => {
    await db.close();
    await t.drop();
  });

  test('up, down, up: every table appears, disappears and comes back; the migration log follows', async () => {
    const applied = await migrateUp(db);
    expect(applied.map((m) => m.name)).toEqual(MIGRATIONS.map((m) => m.name));
    expect(await tableNames(db)).toEqual([...TABLES, 'schema_migrations', ...(dialect === 'sqlite' ? SQLITE_FTS : [])].sort());
    const names = MIGRATIONS.map((m) => m.name);
    expect((await migrator(db).executed()).map((m) => m.name)).toEqual(names);
    expect(await migrateUp(db)).toEqual([]);

    // Data in every table the down migration must drop despite foreign keys.
    const org = await Organization.create({ slug: 'acme', name: 'Acme' });
    const user = await User.create({ username: 'ana', email: 'ana@example.com', emailNormalized: 'ana@example.com' });
    await Membership.create({ userId: user.id, organizationId: org.id, roles: 'administrator' });
    const endpoint = await WebhookEndpoint.create({
      organizationId: org.id,
      url: 'https://hooks.example.com/',
      events: '*',
      secretBox: 'v1.x.y',
      createdBy: 'test',
    });
    await WebhookDelivery.create({
      endpointId: endpoint.id,
      messageId: 'msg_1',
      eventType: 'user.disabled',
      orderingKey: `user:${user.id}`,
      payload: '{}',
      nextAttemptAt: new Date(),
      createdAt: new Date(),
    });

    // `down` undoes one migration at a time, newest first.
    for (let i = names.length - 1; i >= 0; i--) {
      const undone = await migrator(db).down();
      expect(undone.map((m) => m.name)).toEqual([names[i]]);
      expect((await migrator(db).executed()).map((m) => m.name)).toEqual(names.slice(0, i));
    }
    expect(await tableNames(db)).toEqual(['schema_migrations']);
    expect((await migrator(db).pending()).map((m) => m.name)).toEqual(names);

    expect((await migrateUp(db)).map((m) => m.name)).toEqual(names);
    expect(await tableNames(db)).toEqual([...TABLES, 'schema_migrations', ...(dialect === 'sqlite' ? SQLITE_FTS : [])].sort());
    expect(await User.count()).toBe(0);
  });

  test('the lookup indexes exist: username and normalized email unique, auth status, organization', async () => {
    const users = await indexes(db, 'users');
    expect(users).toEqual(
      expect.arrayContaining([
        { name: 'users_username_unique', unique: true, columns: ['username'] },
        { name: 'users_email_normalized_unique', unique: true, columns: ['email_normalized'] },
        { name: 'users_auth_status', unique: false, columns: ['auth_status'] },
        { name: 'users_enabled', unique: false, columns: ['enabled'] },
      ]),
    );
    const memberships = await indexes(db, 'memberships');
    expect(memberships).toEqual(
      expect.arrayContaining([
        { name: 'memberships_org_user', unique: false, columns: ['organization_id', 'user_id'] },
        { name: 'memberships_user_org_unique', unique: true, columns: ['user_id', 'organization_id'] },
      ]),
    );
    expect(await indexes(db, 'reset_tokens')).toEqual(
      expect.arrayContaining([{ name: 'reset_tokens_user', unique: false, columns: ['user_id'] }]),
    );
  });

  test('two users whose emails differ only in case are refused, through the model and in the database itself', async () => {
    await User.create({ username: 'ann', email: 'Ann@Example.com', emailNormalized: 'x' });
    // The model derives email_normalized whatever the caller passed.
    expect((await User.findOne({ where: { username: 'ann' } }))?.emailNormalized).toBe('ann@example.com');
    await expect(User.create({ username: 'ann2', email: 'ann@EXAMPLE.com', emailNormalized: 'ann@example.com' })).rejects.toBeInstanceOf(
      UniqueConstraintError,
    );
    const qi = db.sequelize.getQueryInterface();
    await expect(qi.bulkInsert('users', [userRow('ann3', 'ANN@example.com')])).rejects.toBeInstanceOf(UniqueConstraintError);
    await expect(qi.bulkInsert('users', [userRow('ann', 'someone.else@example.com')])).rejects.toBeInstanceOf(UniqueConstraintError);
    expect(await User.count({ where: { emailNormalized: 'ann@example.com' } })).toBe(1);
  });

  test('one membership per user and organization; deleting a user removes its memberships (ON DELETE CASCADE)', async () => {
    const org = await Organization.create({ slug: 'cascade', name: 'Cascade' });
    const user = await User.create({ username: 'cas', email: 'cas@example.com', emailNormalized: '' });
    await Membership.create({ userId: user.id, organizationId: org.id, roles: '' });
    await expect(Membership.create({ userId: user.id, organizationId: org.id, roles: 'viewer' })).rejects.toBeInstanceOf(
      UniqueConstraintError,
    );
    await user.destroy();
    expect(await Membership.count({ where: { organizationId: org.id } })).toBe(0);
  });

  test('0004 marks the lockouts earlier digests covered as reported, and only those', async () => {
    const fresh = await freshDatabase(dialect);
    const old = openDatabase(fresh.url);
    try {
      await migrator(old).up({ to: '0003-users-search-index' });
      const qi = old.sequelize.getQueryInterface();
      const at = (m: number) => new Date(Date.UTC(2026, 10, 2, 9, m));
      await qi.bulkInsert('job_slots', [
        { name: 'lockout_digest', slot: 'a', claimed_by: 'x', claimed_at: at(10), finished_at: at(10) },
        { name: 'lockout_digest', slot: 'b', claimed_by: 'x', claimed_at: at(20), finished_at: null },
      ]);
      await qi.bulkInsert(
        'lockout_events',
        [5, 10, 15].map((m) => ({ user_id: 1, locked_at: at(m), failed_count: 10, source_ip: null })),
      );
      expect((await migrator(old).up({ to: '0004-lockout-digest-marks' })).map((m) => m.name)).toEqual(['0004-lockout-digest-marks']);
      const [rows] = await old.sequelize.query('SELECT failed_count, digest_slot FROM lockout_events ORDER BY locked_at');
      expect((rows as Array<{ digest_slot: string | null }>).map((r) => r.digest_slot)).toEqual(['before-0004', 'before-0004', null]);
    } finally {
      await old.close();
      await fresh.drop();
    }
  });

  test('0013 indexes the users already there for search, and its down removes the index', async () => {
    const fresh = await freshDatabase(dialect);
    const old = openDatabase(fresh.url);
    try {
      await migrator(old).up({ to: '0012-invitations' });
      const qi = old.sequelize.getQueryInterface();
      await qi.bulkInsert('users', [
        { ...userRow('ana.lee', 'ana.lee@example.com'), search_text: 'ana.lee ana lee ana.lee@example.com' },
        { ...userRow('bo.chen', 'bo.chen@example.com'), search_text: 'bo.chen bo chen bo.chen@example.com' },
      ]);
      await migrator(old).up({ to: '0013-users-trigram-search' });
      const sql =
        dialect === 'sqlite'
          ? `SELECT u.username FROM users_search JOIN users u ON u.id = users_search.rowid WHERE users_search MATCH '"a.l"' ORDER BY 1`
          : `SELECT indexdef AS username FROM pg_indexes WHERE indexname = 'users_search_trgm'`;
      const [found] = await old.sequelize.query(sql);
      if (dialect === 'sqlite') expect(found).toEqual([{ username: 'ana.lee' }]);
      else expect((found as Array<{ username: string }>)[0].username).toMatch(/USING gin \(search_text \S*gin_trgm_ops\)/);
      // New and changed rows follow (SQLite: the triggers; PostgreSQL: the index itself).
      await old.sequelize.query(`UPDATE users SET search_text = 'bo.chen bo a.lovelace' WHERE username = 'bo.chen'`);
      if (dialect === 'sqlite') expect((await old.sequelize.query(sql))[0]).toEqual([{ username: 'ana.lee' }, { username: 'bo.chen' }]);
      await migrator(old).down();
      const left = await tableNames(old);
      expect(left.filter((n) => n.startsWith('users_search'))).toEqual([]);
      if (dialect === 'postgres') expect((await old.sequelize.query(sql))[0]).toEqual([]);
      // Writes to users work without the index's triggers.
      await old.sequelize.query(`UPDATE users SET search_text = 'x' WHERE username = 'bo.chen'`);
    } finally {
      await old.close();
      await fresh.drop();
    }
  });

  // Scale-out is PostgreSQL (DESIGN §8): an advisory lock serialises instances. SQLite is one process.
  const scaleOut = dialect === 'postgres' ? test : test.skip;
  scaleOut('several instances migrating one database at once apply each migration exactly once', async () => {
    const other = await freshDatabase(dialect);
    const handles = [openDatabase(other.url), openDatabase(other.url), openDatabase(other.url)];
    try {
      const results = await Promise.all(handles.map((h) => migrateUp(h)));
      expect(results.flat().map((m) => m.name)).toEqual(MIGRATIONS.map((m) => m.name));
      expect(await tableNames(handles[0])).toEqual([...TABLES, 'schema_migrations'].sort());
      const [trgm] = await handles[0].sequelize.query(`SELECT indexdef FROM pg_indexes WHERE indexname = 'users_search_trgm'`);
      expect(trgm).toHaveLength(1);
    } finally {
      await Promise.all(handles.map((h) => h.close()));
      await other.drop();
    }
  });
});
