import type { QueryInterface } from 'sequelize';

/**
 * A trigram index over `search_text`, so `/users find` stops reading every user for a selective
 * text (issue 22: at 1,000,000 users a search read the whole directory, ~0.9 s, and the acks of
 * the commands behind it waited for the CPU it held).
 *
 * SQLite: an FTS5 table with the trigram tokenizer over `users.search_text` (external content: it
 * holds only the index, `users` keeps the text), kept in step by three triggers, and filled from
 * the existing rows. `detail='none'` and
 * `columnsize=0` keep it small (no positions, no token counts): a search ANDs trigrams of its
 * text and rechecks the LIKE on the user's row (store/user-queries.ts), so a row whose trigrams
 * all occur but not in order is dropped there. A later migration that rebuilds the `users` table
 * (SQLite's ALTER TABLE by copy) must recreate the triggers and rebuild this table.
 *
 * PostgreSQL: pg_trgm's GIN operator class; the planner uses it for `LIKE '%text%'` by itself.
 * pg_trgm is a trusted extension (PostgreSQL 13+: the database's owner may create it); where it
 * cannot be created, searches stay correct and scan, and a warning says so.
 */
export const name = '0013-users-trigram-search';

const FTS = 'users_search';
const PG_INDEX = 'users_search_trgm';

/** The SQLite statements, in order; the bench's seeding replays the triggers after its bulk insert. */
export const SQLITE_TRIGGERS = [
  `CREATE TRIGGER ${FTS}_ai AFTER INSERT ON users BEGIN
     INSERT INTO ${FTS}(rowid, search_text) VALUES (new.id, new.search_text);
   END`,
  `CREATE TRIGGER ${FTS}_ad AFTER DELETE ON users BEGIN
     INSERT INTO ${FTS}(${FTS}, rowid, search_text) VALUES ('delete', old.id, old.search_text);
   END`,
  `CREATE TRIGGER ${FTS}_au AFTER UPDATE OF search_text ON users BEGIN
     INSERT INTO ${FTS}(${FTS}, rowid, search_text) VALUES ('delete', old.id, old.search_text);
     INSERT INTO ${FTS}(rowid, search_text) VALUES (new.id, new.search_text);
   END`,
];

function isSqlite(qi: QueryInterface): boolean {
  return qi.sequelize.getDialect() === 'sqlite';
}

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  const q = (sql: string) => qi.sequelize.query(sql);
  if (isSqlite(qi)) {
    await q(
      `CREATE VIRTUAL TABLE ${FTS} USING fts5(search_text, content='users', content_rowid='id', tokenize='trigram', detail='none', columnsize=0)`,
    );
    for (const sql of SQLITE_TRIGGERS) await q(sql);
    await q(`INSERT INTO ${FTS}(${FTS}) VALUES ('rebuild')`);
    return;
  }
  try {
    await q('CREATE EXTENSION IF NOT EXISTS pg_trgm');
  } catch (e) {
    process.emitWarning(
      `pg_trgm could not be created (${(e as Error).message}): /users find will scan every user. ` +
        `Create it as a superuser (CREATE EXTENSION pg_trgm) then "userops migrate --down" (undoes ${name}, the last) and "userops migrate".`,
      { code: 'USEROPS_NO_TRGM' },
    );
    return;
  }
  const [rows] = await qi.sequelize.query(
    `SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'`,
  );
  const schema = (rows as Array<{ schema: string }>)[0]?.schema ?? 'public';
  await q(`CREATE INDEX IF NOT EXISTS ${PG_INDEX} ON users USING gin (search_text "${schema.replace(/"/g, '""')}".gin_trgm_ops)`);
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  const q = (sql: string) => qi.sequelize.query(sql);
  if (isSqlite(qi)) {
    for (const t of ['ai', 'ad', 'au']) await q(`DROP TRIGGER IF EXISTS ${FTS}_${t}`);
    await q(`DROP TABLE IF EXISTS ${FTS}`);
    return;
  }
  await q(`DROP INDEX IF EXISTS ${PG_INDEX}`);
}
