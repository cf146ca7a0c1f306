/**
 * SCIM reads and token rows: the compiled user filter (src/domain/scim-filter.ts → a where clause,
 * so `userName eq` probes users_username_unique and `externalId eq` memberships_org_external_id),
 * the organization-scoped page, externalIds, role holders, and the scim_tokens table.
 */
import { Op, literal, type Transaction, type WhereOptions } from 'sequelize';
import type { UserFilter } from '../domain/scim-filter';
import type { Database } from './db';
import { Membership, ScimToken, User } from './models';
import { likePattern, usersInOrganizations } from './user-queries';

/** Columns a filter reads, as the statement names them (Sequelize aliases the users table "User"). */
const COLUMN = {
  userName: '"User"."username"',
  email: '"User"."email_normalized"',
  givenName: 'LOWER(COALESCE("User"."first_name", \'\'))',
  familyName: 'LOWER(COALESCE("User"."last_name", \'\'))',
  title: 'LOWER(COALESCE("User"."title", \'\'))',
  created: '"User"."created_at"',
  lastModified: '"User"."updated_at"',
} as const;

const SQL_OP = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' } as const;

/**
 * One checked filter node as SQL over users, inside organization `orgId`. Every value goes through
 * the driver's escaping; column names are this module's constants. Text columns compare lower-case
 * (username and email_normalized are stored so, which keeps `eq` on their unique indexes).
 */
function filterSql(db: Database, f: UserFilter, orgId: number): string {
  const q = (v: unknown) => db.sequelize.escape(v as string);
  switch (f.kind) {
    case 'and':
    case 'or':
      return `(${f.items.map((x) => filterSql(db, x, orgId)).join(f.kind === 'and' ? ' AND ' : ' OR ')})`;
    case 'not':
      return `(NOT ${filterSql(db, f.item, orgId)})`;
    case 'const':
      return f.value ? '(1=1)' : '(1=0)';
    case 'cmp':
      break;
  }
  const { attr, op, value } = f;
  switch (attr) {
    case 'userName':
    case 'email':
    case 'givenName':
    case 'familyName':
    case 'title': {
      const column = COLUMN[attr];
      if (op === 'pr') return `(${column} IS NOT NULL AND ${column} <> '')`;
      const v = String(value ?? '').toLowerCase();
      if (op === 'eq' || op === 'ne') return `(${column} ${SQL_OP[op]} ${q(v)})`;
      const inner = likePattern(v).slice(1, -1);
      const pattern = op === 'co' ? `%${inner}%` : op === 'sw' ? `${inner}%` : `%${inner}`;
      return `(${column} LIKE ${q(pattern)} ESCAPE '!')`;
    }
    case 'active':
      if (op === 'pr') return '(1=1)';
      return `("User"."enabled" = ${(op === 'eq') === (value === true) ? 'true' : 'false'})`;
    case 'id': {
      if (op === 'pr') return '(1=1)';
      const id = /^\d{1,15}$/.test(String(value)) ? Number(value) : -1;
      return `("User"."id" ${op === 'eq' ? '=' : '<>'} ${id})`;
    }
    case 'created':
    case 'lastModified':
      if (op === 'pr') return '(1=1)';
      return `(${COLUMN[attr]} ${SQL_OP[op as keyof typeof SQL_OP]} ${q(value)})`;
    case 'externalId': {
      const cond = op === 'pr' ? 'm.external_id IS NOT NULL' : `m.external_id = ${q(String(value ?? ''))}`;
      const exists = `EXISTS (SELECT 1 FROM memberships AS m WHERE m.user_id = "User"."id" AND m.organization_id = ${Math.trunc(orgId)} AND ${cond})`;
      return op === 'ne' ? `(NOT ${exists})` : `(${exists})`;
    }
  }
}

/** A checked filter as a where clause on users of organization `orgId`. */
export function compileUserFilter(db: Database, f: UserFilter, orgId: number): WhereOptions<User> {
  return literal(filterSql(db, f, orgId)) as unknown as WhereOptions<User>;
}

/**
 * Where IdP walks of an organization's members got to, per database: for the offset a page ended
 * at, the member id it ended with and the total it reported. SCIM pages by `startIndex` (an
 * offset); an OFFSET steps over every member before it, and the count reads them all, for every
 * page, so a walk of 1,000,000 members cost the square of its size (issue 22's 1M bench). The next
 * page of a walk starts after that member instead (a keyset step) and reports the total counted at
 * most COUNT_FOR_MS before. Only this process's own pages leave a mark, each is used once, and any
 * other request (startIndex=1, a jump, a retry, another instance) counts and steps as before.
 */
const walks = new WeakMap<Database, Map<string, { userId: number; total: number; countedAt: number }>>();
const COUNT_FOR_MS = 2_000;
const MARKS_KEPT = 1_000;

function walkMarks(db: Database) {
  let marks = walks.get(db);
  if (!marks) walks.set(db, (marks = new Map()));
  return marks;
}

/**
 * One page of an organization's members (optionally filtered), in id order, and how many match.
 * Unfiltered (an IdP's import walks every page), the count and the offset run on the covering index
 * memberships_org_user alone and only the page's users are read: an OFFSET over users with the
 * scope's EXISTS per row made a 100,000-member walk quadratic in user rows. A page that continues
 * one this process served starts after its last member (see `walks`).
 */
export async function scimUserPage(
  db: Database,
  orgId: number,
  filter: UserFilter | null,
  page: { offset: number; limit: number },
): Promise<{ total: number; rows: User[] }> {
  if (!filter) {
    const marks = walkMarks(db);
    const key = `${orgId}:${page.offset}`;
    const mark = page.offset > 0 ? marks.get(key) : undefined;
    marks.delete(key);
    const now = Date.now();
    const counted = mark && now - mark.countedAt < COUNT_FOR_MS ? mark : null;
    return db.heavyRead(async () => {
      const [total, ids] = await Promise.all([
        counted ? counted.total : Membership.count({ where: { organizationId: orgId } }),
        page.limit > 0
          ? Membership.findAll({
              where: mark ? { organizationId: orgId, userId: { [Op.gt]: mark.userId } } : { organizationId: orgId },
              attributes: ['userId'],
              order: [['userId', 'ASC']],
              ...(mark ? {} : { offset: page.offset }),
              limit: page.limit,
            })
          : Promise.resolve([]),
      ]);
      if (page.limit > 0 && ids.length === page.limit) {
        if (marks.size >= MARKS_KEPT) marks.delete(marks.keys().next().value!);
        marks.set(`${orgId}:${page.offset + ids.length}`, {
          userId: ids[ids.length - 1].userId,
          total,
          countedAt: counted ? counted.countedAt : now,
        });
      }
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
