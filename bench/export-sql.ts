/** What the export baselines read: the export's default columns, straight from the tables. */

export interface ExportChildResult {
  mode: 'service' | 'raw';
  ms: number;
  rows: number;
  bytes: number;
  /** CPU time of the whole child process (user + system), less sensitive to a busy machine than wall time. */
  cpuMs: number;
  rssBeforeBytes: number;
  peakRssBytes: number;
}

const FROM = `FROM memberships m JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = m.organization_id`;

/**
 * For the driver baseline: keyset pages on (user_id, organization_id), the export's row order, written
 * as the export writes it (the same SQL on both databases; it is the fastest on SQLite): a row-value range on memberships_user_org_unique, the scope a
 * filter (`+ 0` keeps the planner from driving the query by organization and sorting every page).
 */
export function rawExportPageSql(orgCount: number): string {
  const scope = Array.from({ length: orgCount }, () => '?').join(',');
  return `SELECT m.user_id, m.organization_id, u.username, u.email, u.first_name, u.last_name, o.slug AS organization, m.roles,
    u.enabled, u.auth_status, u.failed_login_count, u.locked_at, u.last_login_at, u.password_changed_at, u.created_at, u.updated_at
    ${FROM} WHERE m.organization_id + 0 IN (${scope}) AND (m.user_id, m.organization_id) > (?, ?)
    ORDER BY m.user_id, m.organization_id LIMIT ?`;
}

/**
 * For the database's own CSV dump (`sqlite3 -csv`, or `psql -c "\\copy (…) to stdout csv header"`):
 * the export's columns under the export's names, one statement. Only `enabled` is spelled per dialect.
 */
export function cliExportSql(orgIds: number[], dialect: 'sqlite' | 'postgres'): string {
  const enabled =
    dialect === 'sqlite' ? `CASE u.enabled WHEN 1 THEN 'true' ELSE 'false' END` : `CASE WHEN u.enabled THEN 'true' ELSE 'false' END`;
  const sql = `SELECT u.username, u.email, u.first_name, u.last_name, o.slug AS organization, m.roles AS roles, '' AS password,
    ${enabled} AS enabled, u.auth_status, u.failed_login_count, u.locked_at,
    u.last_login_at, u.password_changed_at, u.created_at, u.updated_at
    ${FROM} WHERE m.organization_id IN (${orgIds.map((n) => Math.trunc(n)).join(',')})
    ORDER BY m.user_id, m.organization_id`;
  // psql's \copy reads one line.
  return dialect === 'sqlite' ? `${sql};` : `\\copy (${sql.replace(/\s+/g, ' ')}) to stdout with (format csv, header)`;
}
