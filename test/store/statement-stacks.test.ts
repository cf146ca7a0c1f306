import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataTypes, QueryTypes } from 'sequelize';
import { memoryLogger } from '../../src/lib/logger';
import { migrateUp, openDatabase, type Database } from '../../src/store/db';
import { Organization } from '../../src/store/models';

/**
 * Issue 22: Sequelize's SQLite dialect formatted a stack trace for every statement, failed or not
 * (~0.34 ms of the main thread each). src/store/db.ts makes that Error without frames; these tests
 * hold the three things that must stay true around it.
 */
describe('SQLite statements and stack traces', () => {
  let root: string;
  let db: Database;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'userops-stacks-'));
    db = openDatabase(`sqlite:${join(root, 'userops.sqlite')}`);
    await migrateUp(db);
    await db.tx((t) => Organization.create({ slug: 'acme', name: 'ACME' }, { transaction: t }));
  });
  afterAll(async () => {
    await db.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('a statement that succeeds formats no stack frames', async () => {
    const framesSeen: number[] = [];
    const previous = Error.prepareStackTrace;
    Error.prepareStackTrace = (err, frames) => {
      if (frames.some((f) => /sequelize[\\/]lib[\\/]dialects[\\/]sqlite/.test(f.getFileName() ?? ''))) framesSeen.push(frames.length);
      return `${String(err)}\n${frames.map((f) => `    at ${String(f)}`).join('\n')}`;
    };
    try {
      const rows = await db.sequelize.query<{ n: number }>('SELECT count(*) AS n FROM organizations', { type: QueryTypes.SELECT });
      expect(rows[0].n).toBe(1);
      expect(await Organization.findOne({ where: { slug: 'acme' } })).not.toBeNull();
    } finally {
      Error.prepareStackTrace = previous;
    }
    expect(framesSeen).toEqual([]);
  });

  test('the process keeps its stack traces: the limit is restored after each statement', async () => {
    const before = Error.stackTraceLimit;
    await Promise.all([1, 2, 3].map(() => Organization.count()));
    expect(Error.stackTraceLimit).toBe(before);
    expect(new Error('here').stack).toMatch(/\n\s+at /);
  });

  test('a failed statement still rejects with its message and SQL, and the log shows the driver’s message', async () => {
    const err = await db
      .tx((t) => Organization.create({ slug: 'acme', name: 'Again' }, { transaction: t }))
      .then(
        () => null,
        (e: unknown) => e as Error & { parent?: Error; sql?: string },
      );
    expect(err?.name).toBe('SequelizeUniqueConstraintError');
    expect(err?.parent?.message).toMatch(/UNIQUE constraint failed: organizations\.slug/);
    expect(err?.sql).toMatch(/INSERT INTO `organizations`/);
    const { logger, lines } = memoryLogger();
    logger.error('could not create', { error: err });
    const logged = JSON.parse(lines[0]) as { error: { name: string; stack: string } };
    expect(logged.error.name).toBe('SequelizeUniqueConstraintError');
    // The driver's own error (made in native code, so without JS frames), rather than a bare "Error".
    expect(logged.error.stack).toMatch(/^Error: SQLITE_CONSTRAINT: UNIQUE constraint failed: organizations\.slug/);
    // Nothing changed: the first organization is still the only one.
    expect(await Organization.count()).toBe(1);
  });

  /** The statements the default connection runs, as SQLite traces them (one listener for the file: sqlite3 does not turn tracing back on). */
  const trace: string[] = [];
  beforeAll(async () => {
    const cm = db.sequelize.connectionManager as unknown as { getConnection(): Promise<NodeJS.EventEmitter> };
    (await cm.getConnection()).on('trace', (s: string) => trace.push(s));
  });
  async function traced<T>(fn: () => Promise<T>): Promise<{ value: T; sql: string[] }> {
    const from = trace.length;
    const value = await fn();
    // Trace events come on later turns of the event loop: wait for a marker statement's, sent last.
    const marker = `trace-marker-${from}`;
    await db.sequelize.query(`SELECT '${marker}'`);
    const deadline = Date.now() + 5000;
    while (!trace.slice(from).some((s) => s.includes(marker)) && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    const sql = trace.slice(from);
    expect(sql.some((s) => s.includes(marker))).toBe(true);
    return { value, sql: sql.filter((s) => !s.includes(marker)) };
  }

  test('a model read asks SQLite for its table’s column types once, not on every read', async () => {
    // The first read asks (and waits for its trace, so it is not counted below).
    await traced(() => Organization.findAll());
    const { value, sql } = await traced(async () => {
      const found = [];
      for (let i = 0; i < 3; i++) found.push(await Organization.findOne({ where: { slug: 'acme' } }));
      return found;
    });
    expect(value.map((o) => o?.slug)).toEqual(['acme', 'acme', 'acme']);
    expect(sql.filter((s) => /^SELECT .* FROM `organizations`/.test(s))).toHaveLength(3);
    expect(sql.filter((s) => /PRAGMA table_info/i.test(s))).toEqual([]);
  });

  test('after DDL the column types are read again: a column added later is parsed by its type', async () => {
    await db.sequelize.query('CREATE TABLE probes (id INTEGER PRIMARY KEY, label TEXT)');
    const attrs = { id: { type: DataTypes.INTEGER, primaryKey: true }, label: DataTypes.TEXT };
    const Before = db.sequelize.define('ProbeBefore', attrs, { tableName: 'probes', timestamps: false });
    await db.sequelize.query("INSERT INTO probes (id, label) VALUES (1, 'one')");
    expect((await Before.findAll()).map((p) => p.get('label'))).toEqual(['one']);
    await db.sequelize.query('ALTER TABLE probes ADD COLUMN ready BOOLEAN');
    await db.sequelize.query('UPDATE probes SET ready = 1');
    const After = db.sequelize.define('ProbeAfter', { ...attrs, ready: DataTypes.BOOLEAN }, { tableName: 'probes', timestamps: false });
    const { value, sql } = await traced(() => After.findAll());
    // BOOLEAN is parsed to true only when SQLite's answer about the table names the new column.
    expect(value.map((p) => p.get('ready'))).toEqual([true]);
    expect(sql.filter((s) => /PRAGMA table_info\(`probes`\)/.test(s))).toHaveLength(1);
  });
});
