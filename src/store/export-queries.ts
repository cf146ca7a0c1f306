/**
 * The export's reads: memberships of a set of organizations joined with their users and
 * organizations, in keyset pages of raw rows (bench/README.md, 6c1387a: one statement per page
 * SQLite can seek, only the needed columns, no model instances).
 */
import { Op, QueryTypes } from 'sequelize';
import { Membership, User } from './models';

/** A user as the export reads it: plain values straight from the row, no model instance. */
export type ExportUser = Pick<User, 'id' | 'username' | 'email' | 'firstName' | 'lastName' | 'authStatus' | 'failedLoginCount'> &
  // Read only when their field is on.
  Partial<Pick<User, 'phone' | 'title' | 'passwordHash'>> & {
    /** SQLite answers 1/0, PostgreSQL true/false. */
    enabled: boolean | number;
    /** SQLite answers text, PostgreSQL a Date. */
    lockedAt: Date | string | null;
    lockedUntil: Date | string | null;
    lastLoginAt: Date | string | null;
    passwordChangedAt: Date | string | null;
    createdAt: Date | string;
    updatedAt: Date | string;
  };

/** One membership row of the export: its user, organization id and slug, and the roles held there. */
export type ExportPageRow = ExportUser & { organizationId: number; org: string; roles: string };

/** Columns read only when their export field is on. */
export interface OptionalExportColumns {
  phone: boolean;
  title: boolean;
  passwordHash: boolean;
}

/**
 * One page of memberships after `after` in (user_id, organization_id) order, joined with their
 * users and organizations in a single statement. Keyset rather than OFFSET, written as a row-value
 * range so each page is a seek on memberships_user_org_unique; the scope is a plain filter
 * (`organization_id + 0`), because offered an index on it the planner reads every remaining
 * membership of each organization and sorts them, for every page. The rows are memberships, so the
 * scope is on the membership itself, not `usersInOrganizations`: a user in two organizations is
 * exported once per organization of `orgIds`. A user deleted meanwhile has no row (inner join).
 */
export async function exportPage(
  orgIds: number[] | null,
  columns: OptionalExportColumns,
  after: Pick<ExportPageRow, 'id' | 'organizationId'> | null,
  pageSize: number,
): Promise<ExportPageRow[]> {
  const where: string[] = [];
  if (orgIds !== null) where.push(`m.organization_id + 0 IN (${orgIds.length > 0 ? orgIds.map((n) => Math.trunc(n)).join(',') : 'NULL'})`);
  if (after) where.push(`(m.user_id, m.organization_id) > (${Math.trunc(after.id)}, ${Math.trunc(after.organizationId)})`);
  // Only the columns this export writes: every column costs a property on each of 100,000 row objects.
  const optional = [
    ...(columns.phone ? ['u.phone,'] : []),
    ...(columns.title ? ['u.title,'] : []),
    ...(columns.passwordHash ? ['u.password_hash AS "passwordHash",'] : []),
  ].join(' ');
  // RAW hands back the driver's rows as they are; a raw SELECT would copy each one.
  const [rows] = await User.sequelize!.query(
    `SELECT u.id, u.username, u.email, u.first_name AS "firstName", u.last_name AS "lastName", ${optional}
       u.enabled, u.auth_status AS "authStatus", u.failed_login_count AS "failedLoginCount", u.locked_at AS "lockedAt", u.locked_until AS "lockedUntil",
       u.last_login_at AS "lastLoginAt", u.password_changed_at AS "passwordChangedAt", u.created_at AS "createdAt", u.updated_at AS "updatedAt",
       m.organization_id AS "organizationId", m.roles, o.slug AS org
     FROM memberships m JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = m.organization_id
     ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY m.user_id, m.organization_id LIMIT ${Math.trunc(pageSize)}`,
    { type: QueryTypes.RAW },
  );
  return rows as ExportPageRow[];
}

/** Memberships in `orgIds` (null: all), of `userIds` when given (a view's): the export's row count. */
export async function countExportRows(orgIds: number[] | null, userIds?: number[]): Promise<number> {
  const scope = orgIds === null ? {} : { organizationId: { [Op.in]: orgIds } };
  if (!userIds) return Membership.count({ where: scope });
  let n = 0;
  for (let i = 0; i < userIds.length; i += 5000) {
    n += await Membership.count({ where: { ...scope, userId: { [Op.in]: userIds.slice(i, i + 5000) } } });
  }
  return n;
}
