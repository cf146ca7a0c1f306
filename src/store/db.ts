/** The database handle: opening it (SQLite file or PostgreSQL URL), transactions, heavy reads, migrations and a health ping. */
import { dirname } from 'node:path';
import { Sequelize, Transaction } from 'sequelize';
import { Umzug, type MigrationMeta } from 'umzug';
import { MIGRATIONS } from '../../migrations';
import type { Logger } from '../lib/logger';
import { ensurePrivateDirSync, ensurePrivateFileSync, narrowSync } from '../lib/private-files';
import { initModels } from './models';
import { initWebhookModels } from './webhook-models';

export type Dialect = 'sqlite' | 'postgres';

export interface Database {
  sequelize: Sequelize;
  dialect: Dialect;
  /** Run `fn` in one write transaction; see `transaction()` below for the guarantees. */
  tx<T>(fn: (t: Transaction) => Promise<T>): Promise<T>;
  /**
   * Run a read that scans much of the directory (a text search, counts per view) with few of them
   * in flight at once; the rest wait here, not in front of short queries. On SQLite every read
   * outside a transaction shares one connection, first come first served: a login waited 34 s
   * behind 2,000 queued `/users find` before this (npm run bench, 100,000 users).
   */
  heavyRead<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A FIFO async mutex: SQLite has one writer, so one process queues its own writers instead of spinning on SQLITE_BUSY. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  async run<T>(fn: () => Promise<T>): Promise<T> {
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const prev = this.tail;
    this.tail = prev.then(() => next);
    await prev;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

/** At most `slots` callers at once, the others in FIFO order. */
class Semaphore {
  private free: number;
  private readonly waiting: Array<() => void> = [];
  constructor(slots: number) {
    this.free = slots;
  }
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}

/** Heavy reads in flight: SQLite's one shared connection runs one statement at a time anyway; PostgreSQL keeps most of its pool for short queries. */
const HEAVY_READ_SLOTS = { sqlite: 1, postgres: 3 } as const;

const RETRYABLE = /SQLITE_BUSY|SQLITE_LOCKED|deadlock detected|could not serialize access/;

function isRetryable(err: unknown): boolean {
  const e = err as { message?: string; original?: { code?: string; message?: string }; parent?: { code?: string } };
  const code = e?.original?.code ?? e?.parent?.code;
  return (
    code === '40P01' || code === '40001' || RETRYABLE.test(String(e?.message ?? '')) || RETRYABLE.test(String(e?.original?.message ?? ''))
  );
}

/**
 * The database holds password hashes and personal data, so it is owner-only whatever the umask: its
 * directory, when we create it, is 0700, and the file is created here as 0600 before SQLite would
 * create it (0644 less the umask). SQLite gives the -wal and -shm files the database file's mode.
 * Files from before this rule (or copied in with a wider mode) are narrowed, with a warning; one
 * that cannot be (owned by someone else) is reported and left to SQLite.
 */
function protectSqliteFiles(storage: string, logger?: Logger): void {
  ensurePrivateDirSync(dirname(storage));
  for (const path of [storage, `${storage}-wal`, `${storage}-shm`, `${storage}-journal`]) {
    try {
      const narrowed = path === storage ? ensurePrivateFileSync(path) === 'narrowed' : narrowSync(path);
      if (narrowed) logger?.warn('database file narrowed to owner-only (0600)', { path });
    } catch (e) {
      logger?.warn('database file could not be made owner-only', { path, error: (e as NodeJS.ErrnoException).code ?? String(e) });
    }
  }
}

export function openDatabase(url: string, logger?: Logger): Database {
  let sequelize: Sequelize;
  let dialect: Dialect;
  if (url.startsWith('sqlite:')) {
    dialect = 'sqlite';
    const storage = url.slice('sqlite:'.length).replace(/^\/\//, '') || 'data/userops.sqlite';
    if (storage !== ':memory:') protectSqliteFiles(storage, logger);
    sequelize = new Sequelize({
      dialect: 'sqlite',
      storage,
      logging: false,
      retry: { match: [/SQLITE_BUSY/], max: 8 },
    });
    tuneSqlite(sequelize);
  } else {
    dialect = 'postgres';
    sequelize = new Sequelize(url, {
      dialect: 'postgres',
      logging: false,
      pool: { max: 10, min: 0, idle: 10_000, acquire: 30_000 },
    });
  }
  initModels(sequelize);
  initWebhookModels(sequelize);
  const writeLock = new Mutex();
  const heavyReads = new Semaphore(HEAVY_READ_SLOTS[dialect]);

  /**
   * Write transactions. On SQLite, `BEGIN IMMEDIATE` takes the write lock up front (a deferred
   * transaction that upgrades later can deadlock against another writer), behind an in-process
   * queue; other processes on the same file wait on busy_timeout. On PostgreSQL, READ COMMITTED
   * with row locks (`lock: t.LOCK.UPDATE`) in the services. Both retry the whole unit a few times on
   * busy/deadlock/serialization errors, so no such error reaches a person.
   */
  async function tx<T>(fn: (t: Transaction) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        if (dialect === 'sqlite') {
          return await writeLock.run(() => sequelize.transaction({ type: Transaction.TYPES.IMMEDIATE }, fn));
        }
        return await sequelize.transaction(fn);
      } catch (err) {
        if (attempt >= 5 || !isRetryable(err)) throw err;
        logger?.warn('transaction retried', { attempt, error: String((err as Error).message) });
        await new Promise((r) => setTimeout(r, 20 * attempt + Math.floor(Math.random() * 20)));
      }
    }
  }

  return { sequelize, dialect, tx, heavyRead: (fn) => heavyReads.run(fn), close: () => sequelize.close() };
}

type StatementCallback = (this: unknown, ...results: unknown[]) => void;

/**
 * Sequelize's SQLite dialect asks `PRAGMA table_info` of every table in every model SELECT, to
 * parse the values by declared type: one more statement, queued on the connection, per table per
 * read (issue 22's profile). The answers are kept per database (all its connections) and forgotten
 * on any CREATE, ALTER or DROP that goes through it, migrations included. A schema changed by
 * another process while this one runs is seen after a restart, as the models are.
 */
type ColumnTypeCache = Map<string, unknown[]>;
const TABLE_INFO = /^PRAGMA table_info\(`([^`]+)`\)$/;
const DDL = /^\s*(CREATE|ALTER|DROP)\b/i;
type StatementMethod = (...args: unknown[]) => unknown;
const STATEMENT_METHODS = ['all', 'run', 'get', 'exec'] as const;

/**
 * One statement at a time per connection. node-sqlite3 finalizes every statement on the main
 * thread, and finalizing takes the connection's mutex: while another statement on the same
 * connection runs in the thread pool (a 100,000-row search), the event loop stops until it ends,
 * and with it every Slack ack. SQLite runs one statement per connection at a time anyway, so
 * queueing them here costs no parallelism; the next one starts on the following turn of the event
 * loop, after the previous one was finalized.
 */
function queueStatements(conn: Record<(typeof STATEMENT_METHODS)[number], StatementMethod>, columns: ColumnTypeCache): void {
  const waiting: Array<() => void> = [];
  let busy = false;
  const next = () => {
    const start = waiting.shift();
    if (start) start();
    else busy = false;
  };
  for (const method of STATEMENT_METHODS) {
    const original = conn[method].bind(conn);
    conn[method] = (...args: unknown[]) => {
      const callback = typeof args[args.length - 1] === 'function' ? (args.pop() as StatementCallback) : undefined;
      const sql = typeof args[0] === 'string' ? args[0] : '';
      const table = method === 'all' ? TABLE_INFO.exec(sql)?.[1] : undefined;
      const known = table === undefined ? undefined : columns.get(table);
      if (known) {
        // The answer is the schema's, which only DDL changes: no statement, no turn in the queue.
        process.nextTick(() => callback?.call(conn, null, known));
        return conn;
      }
      const ddl = DDL.test(sql);
      // Forgotten when DDL is queued and again when it ends: an answer read meanwhile on another connection may be the old one.
      if (ddl) columns.clear();
      const wrapped: StatementCallback | undefined =
        table !== undefined || ddl
          ? function (this: unknown, err: unknown, rows: unknown) {
              if (ddl) columns.clear();
              else if (!err && Array.isArray(rows)) columns.set(table!, rows);
              callback?.call(this, err, rows);
            }
          : callback;
      const start = () => {
        try {
          original(...args, function (this: unknown, ...results: unknown[]) {
            setImmediate(next);
            wrapped?.apply(this, results);
          });
        } catch (err) {
          // Never leave the queue waiting for a statement that did not start.
          setImmediate(next);
          wrapped?.call(conn, err);
        }
      };
      if (busy) waiting.push(start);
      else {
        busy = true;
        start();
      }
      return conn;
    };
  }
}

/**
 * Sequelize's SQLite dialect creates an Error in `serialize`'s callback for every statement and
 * reads its `.stack` when the statement ends, failed or not: formatting ten frames cost ~0.34 ms
 * of the main thread per statement (3 % of it during the ack bench, issue 22's profile). The
 * Error is made without frames; a failed statement's error still carries its message, SQL and
 * driver error (`parent`), and `stack` gets the driver error's own.
 */
function skipSuccessStacks(conn: { serialize(cb?: () => void): unknown }): void {
  const original = conn.serialize.bind(conn);
  conn.serialize = (cb?: () => void) =>
    original(
      cb &&
        (() => {
          const limit = Error.stackTraceLimit;
          Error.stackTraceLimit = 0;
          try {
            return cb();
          } finally {
            Error.stackTraceLimit = limit;
          }
        }),
    );
}

/** Idle transaction connections kept open: SQLite has one writer, and `tx` queues the rest. */
const IDLE_TRANSACTION_CONNECTIONS = 2;

/**
 * WAL (readers never block the writer), a busy timeout, and synchronous=NORMAL (safe with WAL).
 *
 * Transactions reuse connections. Sequelize's SQLite dialect opens a connection for each
 * transaction and closes it at the end, so every write paid for opening the file and parsing the
 * schema again: about a millisecond, most of what a one-row update costs (the mail outbox settles
 * each sent mail in a transaction of its own). A connection goes back to the idle list only after
 * a clean commit or rollback — Sequelize destroys, not releases, one whose transaction failed to
 * end — so it never carries an open transaction into the next.
 */
function tuneSqlite(sequelize: Sequelize): void {
  type Conn = Record<(typeof STATEMENT_METHODS)[number], StatementMethod> & {
    configure(option: 'busyTimeout', ms: number): void;
    serialize(cb?: () => void): unknown;
    close(cb?: (err: Error | null) => void): void;
    filename?: string;
    uuid?: string;
    __tuned?: boolean;
  };
  const cm = sequelize.connectionManager as unknown as {
    connections: Record<string, Conn>;
    getConnection(o?: { uuid?: string }): Promise<Conn>;
    releaseConnection(conn: Conn, force?: boolean): void;
    _onProcessExit(): Promise<void>;
  };
  const original = cm.getConnection.bind(cm);
  const release = cm.releaseConnection.bind(cm);
  const closeAll = cm._onProcessExit.bind(cm);
  const idle: Conn[] = [];
  const columns: ColumnTypeCache = new Map();
  let closing = false;
  let walSet = false;
  cm.getConnection = async (options?: { uuid?: string }) => {
    const uuid = options?.uuid;
    const reused = uuid && uuid !== 'default' ? idle.pop() : undefined;
    if (uuid && reused) {
      cm.connections[uuid] = reused;
      return reused;
    }
    const conn = await original(options);
    if (!conn.__tuned) {
      queueStatements(conn, columns);
      skipSuccessStacks(conn);
      conn.configure('busyTimeout', 15_000);
      if (!walSet) {
        conn.run('PRAGMA journal_mode=WAL');
        walSet = true;
      }
      conn.run('PRAGMA synchronous=NORMAL');
      conn.__tuned = true;
    }
    return conn;
  };
  cm.releaseConnection = (conn: Conn, force?: boolean) => {
    if (
      conn.uuid &&
      conn.uuid !== 'default' &&
      !force &&
      !closing &&
      conn.filename !== ':memory:' &&
      idle.length < IDLE_TRANSACTION_CONNECTIONS
    ) {
      delete cm.connections[conn.uuid];
      idle.push(conn);
      return;
    }
    release(conn, force);
  };
  cm._onProcessExit = async () => {
    closing = true;
    await Promise.all(idle.splice(0).map((c) => new Promise<void>((resolve) => c.close(() => resolve()))));
    return closeAll();
  };
}

/** One trivial statement, for health checks: resolves when the database answers. */
export async function pingDatabase(db: Database): Promise<void> {
  await db.sequelize.query('SELECT 1');
}

export function migrator(db: Database, logger?: Logger): Umzug<ReturnType<Sequelize['getQueryInterface']>> {
  return new Umzug({
    migrations: MIGRATIONS.map((m) => ({ name: m.name, up: m.up, down: m.down })),
    context: db.sequelize.getQueryInterface(),
    storage: new SequelizeMetaStorage(db.sequelize),
    logger: logger
      ? {
          info: (m) => logger.info('migration', m as Record<string, unknown>),
          warn: (m) => logger.warn('migration', m as Record<string, unknown>),
          error: (m) => logger.error('migration', m as Record<string, unknown>),
          debug: () => undefined,
        }
      : undefined,
  });
}

/** Umzug's storage, in a `schema_migrations` table, written through the same Sequelize instance. */
class SequelizeMetaStorage {
  private ready: Promise<void> | null = null;
  constructor(private readonly sequelize: Sequelize) {}
  /**
   * Once per instance: two concurrent CREATE TABLE IF NOT EXISTS on PostgreSQL race on the catalog
   * ("typname must be unique"), and umzug asks for executed() and pending() at the same time.
   */
  private ensure(): Promise<void> {
    this.ready ??= this.sequelize.query('CREATE TABLE IF NOT EXISTS schema_migrations (name VARCHAR(255) PRIMARY KEY)').then(
      () => undefined,
      (e: unknown) => {
        this.ready = null;
        throw e;
      },
    );
    return this.ready;
  }
  async logMigration({ name }: { name: string }): Promise<void> {
    await this.ensure();
    await this.sequelize.query('INSERT INTO schema_migrations (name) VALUES (?)', { replacements: [name] });
  }
  async unlogMigration({ name }: { name: string }): Promise<void> {
    await this.ensure();
    await this.sequelize.query('DELETE FROM schema_migrations WHERE name = ?', { replacements: [name] });
  }
  async executed(): Promise<string[]> {
    await this.ensure();
    const [rows] = await this.sequelize.query('SELECT name FROM schema_migrations ORDER BY name');
    return (rows as Array<{ name: string }>).map((r) => r.name);
  }
}

/**
 * Apply pending migrations. Several instances may start at once against one PostgreSQL: an
 * advisory lock makes the others wait instead of racing on CREATE TABLE.
 */
export async function migrateUp(db: Database, logger?: Logger): Promise<MigrationMeta[]> {
  const umzug = migrator(db, logger);
  if (db.dialect !== 'postgres') return umzug.up();
  const LOCK_KEY = 4_242_001;
  const qi = db.sequelize;
  return qi.transaction(async (t) => {
    await qi.query('SELECT pg_advisory_xact_lock(?)', { replacements: [LOCK_KEY], transaction: t });
    return umzug.up();
  });
}
