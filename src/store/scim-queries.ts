/**
 * SCIM reads and token rows: the compiled user filter (src/domain/scim-filter.ts → a where clause,
 * so `userName eq` probes users_username_unique and `externalId eq` memberships_org_external_id),
 * the organization-scoped page, externalIds, role holders, and the scim_tokens table.
 */
import { Op, col, fn, literal, where as sqlWhere, type Transaction, type WhereOptions } from 'sequelize';
import type { UserFilter } from '../domain/scim-filter';
import type { Database } from './db';
import { Membership, ScimToken, User } from './models';
import { likePattern, usersInOrganizations } from './user-queries';

const COLUMN = {
  userName: 'username',
  email: 'email_normalized',
  givenName: 'first_name',
  familyName: 'last_name',
  title: 'title',
} as const;

function textCompare(db: Database, column: string, op: string, value: string, lowerColumn: boolean): WhereOptions<User> {
  const v = value.toLowerCase();
  const target = lowerColumn ? fn('lower', col(column)) : col(column);
  const escaped = db.sequelize.escape;
  switch (op) {
    case 'eq':
      return sqlWhere(target, v) as WhereOptions<User>;
    case 'ne':
      return sqlWhere(target, { [Op.ne]: v }) as WhereOptions<User>;
    case 'co':
    case 'sw':
    case 'ew': {
      const inner = likePattern(v).slice(1, -1);
      const pattern = op === 'co' ? `%${inner}%` : op === 'sw' ? `${inner}%` : `%${inner}`;
      const left = lowerColumn ? `LOWER(${column})` : column;
      return literal(`${left} LIKE ${escaped.call(db.sequelize, pattern)} ESCAPE '!'`) as unknown as WhereOptions<User>;
    }
    default:
      return { [Op.and]: [literal(`${column} IS NOT NULL AND ${column} <> ''`)] } as WhereOptions<User>;
  }
}

const DATE_OP = { eq: Op.eq, ne: Op.ne, gt: Op.gt, ge: Op.gte, lt: Op.lt, le: Op.lte } as const;

/** One checked filter node as a where clause on users, inside organization `orgId`. */
export function compileUserFilter(db: Database, f: UserFilter, orgId: number): WhereOptions<User> {
  switch (f.kind) {
    case 'and':
      return { [Op.and]: f.items.map((x) => compileUserFilter(db, x, orgId)) } as WhereOptions<User>;
    case 'or':
      return { [Op.or]: f.items.map((x) => compileUserFilter(db, x, orgId)) } as WhereOptions<User>;
    case 'not':
      return { [Op.not]: compileUserFilter(db, f.item, orgId) } as WhereOptions<User>;
    case 'const':
      return literal(f.value ? '1=1' : '1=0') as unknown as WhereOptions<User>;
    case 'cmp':
      break;
  }
  const { attr, op, value } = f;
  switch (attr) {
    case 'userName':
    case 'email':
      // Both are stored lower-case (username normalized, email_normalized), so the index serves eq.
      return textCompare(db, COLUMN[attr], op, String(value ?? ''), false);
    case 'givenName':
    case 'familyName':
    case 'title':
      return textCompare(db, COLUMN[attr], op, String(value ?? ''), true);
    case 'active':
      if (op === 'pr') return literal('1=1') as unknown as WhereOptions<User>;
      return { enabled: op === 'eq' ? value === true : value !== true };
    case 'id': {
      if (op === 'pr') return literal('1=1') as unknown as WhereOptions<User>;
      const id = /^\d{1,15}$/.test(String(value)) ? Number(value) : -1;
      return { id: op === 'eq' ? id : { [Op.ne]: id } };
    }
    case 'created':
    case 'lastModified': {
      const column = attr === 'created' ? 'createdAt' : 'updatedAt';
      if (op === 'pr') return literal('1=1') as unknown as WhereOptions<User>;
      return { [column]: { [DATE_OP[op as keyof typeof DATE_OP]]: value as Date } } as WhereOptions<User>;
    }
    case 'externalId': {
      const org = Math.trunc(orgId);
      const cond = op === 'pr' ? 'm.external_id IS NOT NULL' : `m.external_id = ${db.sequelize.escape(String(value ?? ''))}`;
      const exists = `EXISTS (SELECT 1 FROM memberships AS m WHERE m.user_id = "User"."id" AND m.organization_id = ${org} AND ${cond})`;
      return literal(op === 'ne' ? `NOT ${exists}` : exists) as unknown as WhereOptions<User>;
    }
  }
}

/**
 * One page of an organization's members (optionally filtered), in id order, and how many match.
 * Unfiltered (an IdP's import walks every page), the count and the offset run on the covering index
 * memberships_org_user alone and only the page's users are read: an OFFSET over users with the
 * scope's EXISTS per row made a 100,000-member walk quadratic in user rows.
 */
export async function scimUserPage(
  db: Database,
  orgId: number,
  filter: UserFilter | null,
  page: { offset: number; limit: number },
): Promise<{ total: number; rows: User[] }> {
  if (!filter) {
    return db.heavyRead(async () => {
      const [total, ids] = await Promise.all([
        Membership.count({ where: { organizationId: orgId } }),
        page.limit > 0
          ? Membership.findAll({
              where: { organizationId: orgId },
              attributes: ['userId'],
              order: [['userId', 'ASC']],
              offset: page.offset,
              limit: page.limit,
            })
          : Promise.resolve([]),
      ]);
      const rows =
        ids.length > 0 ? await User.findAll({ where: { id: { [Op.in]: ids.map((m) => m.userId) } }, order: [['id', 'ASC']] }) : [];
      return { total, rows };
    });
  }
  // The filter first: SQLite tests conditions in order, and an eq on an indexed column is the cheap one.
  const where = { [Op.and]: [compileUserFilter(db, filter, orgId), usersInOrganizations([orgId])] };
  const [total, rows] = await db.heavyRead(() =>
    Promise.all([
      User.count({ where }),
      page.limit > 0 ? User.findAll({ where, order: [['id', 'ASC']], offset: page.offset, limit: page.limit }) : Promise.resolve([]),
    ]),
  );
  return { total, rows };
}

/** The memberships of `userIds` in `orgId`. */
export async function membershipsIn(orgId: number, userIds: number[], t?: Transaction): Promise<Map<number, Membership>> {
  if (userIds.length === 0) return new Map();
  const rows = await Membership.findAll({ where: { organizationId: orgId, userId: { [Op.in]: userIds } }, transaction: t });
  return new Map(rows.map((m) => [m.userId, m]));
}

/** Members of `orgId` whose roles include `role` (ids and usernames), in id order. */
export async function roleHolders(orgId: number, role: string, t?: Transaction): Promise<Array<{ id: number; username: string }>> {
  const rows = await Membership.findAll({
    where: { organizationId: orgId, roles: { [Op.like]: `%${role}%` } },
    attributes: ['userId', 'roles'],
    transaction: t,
  });
  const ids = rows.filter((m) => m.roles.split(';').includes(role)).map((m) => m.userId);
  if (ids.length === 0) return [];
  const users = await User.findAll({
    where: { id: { [Op.in]: ids } },
    attributes: ['id', 'username'],
    order: [['id', 'ASC']],
    transaction: t,
  });
  return users.map((u) => ({ id: u.id, username: u.username }));
}

/** A user by exact (normalized) username or email, for uniqueness checks. */
export async function userByUsernameOrEmail(username: string, emailNormalized: string, t: Transaction): Promise<User[]> {
  return User.findAll({ where: { [Op.or]: [{ username }, { emailNormalized }] }, transaction: t });
}

export async function insertScimToken(
  row: { organizationId: number; name: string; tokenHash: string; displayPrefix: string; createdAt: Date },
  t: Transaction,
): Promise<ScimToken> {
  return ScimToken.create(row, { transaction: t });
}

export async function scimTokenByHash(tokenHash: string): Promise<ScimToken | null> {
  return ScimToken.findOne({ where: { tokenHash } });
}

export async function scimTokenById(id: number, t?: Transaction, lock = false): Promise<ScimToken | null> {
  return ScimToken.findByPk(id, { transaction: t, lock: lock && t ? t.LOCK.UPDATE : undefined });
}

/** Tokens of `orgIds` (null: all), newest first. */
export async function scimTokensOf(orgIds: number[] | null): Promise<ScimToken[]> {
  return ScimToken.findAll({ where: orgIds === null ? {} : { organizationId: { [Op.in]: orgIds } }, order: [['id', 'DESC']] });
}

/** Record use at most once a `resolutionMs`; conditional, so several instances write once between them. */
export async function touchScimToken(id: number, now: Date, resolutionMs: number, t: Transaction): Promise<void> {
  const stale = new Date(now.getTime() - resolutionMs);
  await ScimToken.update(
    { lastUsedAt: now },
    { where: { id, [Op.or]: [{ lastUsedAt: null }, { lastUsedAt: { [Op.lt]: stale } }] }, transaction: t },
  );
}
