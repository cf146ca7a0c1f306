import type { QueryInterface } from 'sequelize';

/**
 * `/users find` matches `search_text LIKE '%text%'` in username order. On SQLite an index on
 * (username, search_text) lets both the count and the first page read the index instead of every
 * row: a typical search over 100,000 users went from about 100 ms to 20–30 ms (npm run bench).
 * PostgreSQL gets nothing from a btree for a leading wildcard, and a 700-character column could
 * exceed its btree row limit, so the index is SQLite's only.
 */
export const name = '0003-users-search-index';

const INDEX = 'users_username_search';

function isSqlite(qi: QueryInterface): boolean {
  return qi.sequelize.getDialect() === 'sqlite';
}

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  if (isSqlite(qi)) await qi.addIndex('users', ['username', 'search_text'], { name: INDEX });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  if (isSqlite(qi)) await qi.removeIndex('users', INDEX);
}
