import sqlite3 from 'sqlite3';
import type { Params, RawDb, RawStatement } from './raw-db';

/**
 * The SQLite side of RawDb: the node `sqlite3` driver Sequelize itself uses, without the ORM,
 * promisified, on the same database file.
 */
export class RawSqlite implements RawDb {
  readonly dialect = 'sqlite' as const;
  private constructor(private readonly db: sqlite3.Database) {}

  static open(path: string, readOnly = false): Promise<RawSqlite> {
    return new Promise((resolve, reject) => {
      const mode = readOnly ? sqlite3.OPEN_READONLY : sqlite3.OPEN_READWRITE;
      const db = new sqlite3.Database(path, mode, (err) => (err ? reject(err) : resolve(new RawSqlite(db))));
    });
  }

  configureBusyTimeout(ms: number): void {
    this.db.configure('busyTimeout', ms);
  }

  all<T>(sql: string, params: Params = []): Promise<T[]> {
    return new Promise((resolve, reject) => this.db.all<T>(sql, params, (err, rows) => (err ? reject(err) : resolve(rows))));
  }

  run(sql: string, params: Params = []): Promise<{ changes: number; lastID: number }> {
    return new Promise((resolve, reject) =>
      this.db.run(sql, params, function (err) {
        if (err) reject(err);
        else resolve({ changes: this.changes, lastID: this.lastID });
      }),
    );
  }

  prepare(sql: string): RawStatement {
    const stmt = this.db.prepare(sql);
    return {
      all: <T>(params: Params) =>
        new Promise<T[]>((resolve, reject) => stmt.all<T>(params, (err, rows) => (err ? reject(err) : resolve(rows)))),
      finalize: () => new Promise<void>((resolve) => stmt.finalize(() => resolve())),
    };
  }

  async begin(): Promise<void> {
    await this.run('BEGIN IMMEDIATE');
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => this.db.close((err) => (err ? reject(err) : resolve())));
  }
}
