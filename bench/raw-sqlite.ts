import sqlite3 from 'sqlite3';

/**
 * The baselines' access to the same database file: the node `sqlite3` driver Sequelize itself
 * uses, without the ORM, promisified. Parameters are bound, never interpolated.
 */
export type Params = Array<string | number | null>;

export class RawSqlite {
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
    return new RawStatement(this.db.prepare(sql));
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => this.db.close((err) => (err ? reject(err) : resolve())));
  }
}

export class RawStatement {
  constructor(private readonly stmt: sqlite3.Statement) {}

  all<T>(params: Params): Promise<T[]> {
    return new Promise((resolve, reject) => this.stmt.all<T>(params, (err, rows) => (err ? reject(err) : resolve(rows))));
  }

  finalize(): Promise<void> {
    return new Promise((resolve) => this.stmt.finalize(() => resolve()));
  }
}
