import { RawPg } from './raw-pg';
import { RawSqlite } from './raw-sqlite';

/**
 * The baselines' access to the database the bench measures, without the ORM: the node `sqlite3`
 * driver on the same file, or `pg` on the same PostgreSQL database. SQL is written with `?`
 * placeholders (the pg side numbers them); where the dialects need different SQL, each measure
 * keeps both versions side by side (`db.dialect`). Parameters are bound, never interpolated.
 */

export type Params = Array<string | number | boolean | null>;

export interface RawStatement {
  all<T>(params: Params): Promise<T[]>;
  finalize(): Promise<void>;
}

export interface RawDb {
  readonly dialect: 'sqlite' | 'postgres';
  all<T>(sql: string, params?: Params): Promise<T[]>;
  run(sql: string, params?: Params): Promise<{ changes: number }>;
  /** A statement run many times (the export's keyset page). */
  prepare(sql: string): RawStatement;
  /** A write transaction: SQLite's BEGIN IMMEDIATE (the write lock up front, as the product's `tx`), PostgreSQL's BEGIN. */
  begin(): Promise<void>;
  close(): Promise<void>;
}

export function sqlitePathOf(url: string): string {
  return url.slice('sqlite:'.length).replace(/^\/\//, '');
}

export function dialectOf(url: string): RawDb['dialect'] {
  return url.startsWith('sqlite:') ? 'sqlite' : 'postgres';
}

/** Open DATABASE_URL's database (`sqlite:PATH` or `postgres://…`) for a baseline. */
export async function openRaw(url: string, opts: { readOnly?: boolean; busyTimeoutMs?: number } = {}): Promise<RawDb> {
  if (dialectOf(url) === 'postgres') return RawPg.open(url);
  const db = await RawSqlite.open(sqlitePathOf(url), opts.readOnly ?? false);
  if (opts.busyTimeoutMs) db.configureBusyTimeout(opts.busyTimeoutMs);
  return db;
}
