import type { RawDb } from './raw-db';

/**
 * The secondary indexes of the seeded tables, read from the database's own catalog, so the seeding
 * can drop them before the bulk insert and recreate them after with exactly the statements that
 * made them (whatever the migrations declare now). Indexes that back a constraint (primary keys,
 * UNIQUE columns) stay: they cannot be dropped on their own. `sameIndexes` is the check that the
 * bench never measures a database missing one.
 */

export interface IndexDef {
  table: string;
  name: string;
  /** The statement that creates it (SQLite's as stored; PostgreSQL's `pg_get_indexdef`). */
  sql: string;
  /** Backs a constraint (or is SQLite's automatic index): never dropped. */
  constraint: boolean;
}

export async function indexesOf(db: RawDb, tables: string[]): Promise<IndexDef[]> {
  const list = tables.map(() => '?').join(',');
  if (db.dialect === 'sqlite') {
    const rows = await db.all<{ tbl_name: string; name: string; sql: string | null }>(
      `SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN (${list}) ORDER BY tbl_name, name`,
      tables,
    );
    return rows.map((r) => ({ table: r.tbl_name, name: r.name, sql: r.sql ?? '', constraint: r.sql === null }));
  }
  const rows = await db.all<{ tbl: string; name: string; sql: string; constraint: boolean }>(
    `SELECT t.relname AS tbl, i.relname AS name, pg_get_indexdef(i.oid) AS sql,
            EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid) AS "constraint"
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = current_schema() AND t.relname IN (${list})
      ORDER BY t.relname, i.relname`,
    tables,
  );
  return rows.map((r) => ({ table: r.tbl, name: r.name, sql: r.sql, constraint: r.constraint }));
}

/** Drop the droppable ones; returns them, for `recreateIndexes`. */
export async function dropSecondaryIndexes(db: RawDb, indexes: IndexDef[]): Promise<IndexDef[]> {
  const dropped = indexes.filter((i) => !i.constraint);
  for (const i of dropped) await db.run(`DROP INDEX "${i.name.replace(/"/g, '""')}"`);
  return dropped;
}

export async function recreateIndexes(db: RawDb, dropped: IndexDef[]): Promise<void> {
  for (const i of dropped) await db.run(i.sql);
}

/** Throws naming every index missing, added or changed between `before` and `after`. */
export function sameIndexes(before: IndexDef[], after: IndexDef[]): void {
  const key = (i: IndexDef) => `${i.table}.${i.name}: ${i.sql}`;
  const a = new Set(before.map(key));
  const b = new Set(after.map(key));
  const missing = [...a].filter((k) => !b.has(k));
  const added = [...b].filter((k) => !a.has(k));
  if (missing.length > 0 || added.length > 0) {
    throw new Error(
      `the seeded database's indexes differ from the migrations': missing ${JSON.stringify(missing)}, unexpected ${JSON.stringify(added)}`,
    );
  }
}

/** A SQLite trigger as stored (PostgreSQL: none are seeded around). */
export interface TriggerDef {
  name: string;
  sql: string;
}

/**
 * SQLite's triggers on `tables` (the trigram index's, migration 0013), dropped before the bulk
 * insert so it does not feed the index row by row; `recreateTriggers` rebuilds the index once.
 */
export async function dropTriggers(db: RawDb, tables: string[]): Promise<TriggerDef[]> {
  if (db.dialect !== 'sqlite') return [];
  const rows = await db.all<{ name: string; sql: string }>(
    `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (${tables.map(() => '?').join(',')}) ORDER BY name`,
    tables,
  );
  for (const t of rows) await db.run(`DROP TRIGGER "${t.name.replace(/"/g, '""')}"`);
  return rows;
}

/** Rebuild the trigram index from the rows now in `users`, then put the triggers back. */
export async function recreateTriggers(db: RawDb, triggers: TriggerDef[]): Promise<void> {
  if (triggers.some((t) => t.name.startsWith('users_search_'))) await db.run(`INSERT INTO users_search(users_search) VALUES ('rebuild')`);
  for (const t of triggers) await db.run(t.sql);
}
