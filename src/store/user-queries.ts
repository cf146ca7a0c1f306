/**
 * Reads of users and their memberships: the organization scope (`usersInOrganizations`, the one
 * form every read path uses), saved views, text search and the pages built from them. Callers say
 * which organizations (services decide that: `viewableOrgs` in services/authz); nothing here checks
 * a permission.
 */
import { Op, QueryTypes, Utils, literal, type QueryOptionsWithModel, type Transaction, type WhereOptions } from 'sequelize';
import { dormantDaysOf, type SavedView } from '../domain/status';
import type { Database } from './db';
import { ApiKey, Membership, Organization, RecordAssignment, User } from './models';

/** Where the user id sits in the statement a scope is added to: Sequelize aliases a model's table by its name. */
const USER_ID_COLUMN = {
  users: '"User"."id"',
  lockouts: '"LockoutEvent"."user_id"',
  auditTargets: '"AuditEvent"."target_user_id"',
} as const;

export type ScopedTable = keyof typeof USER_ID_COLUMN;

/**
 * Rows whose user belongs to one of `orgIds` (null: every row, for the system actor; []: none).
 * A correlated EXISTS rather than `id IN (SELECT user_id …)`: SQLite answered the IN form by
 * listing every membership of the scope (110,000 for an administrator of every organization of
 * 100,000 users) and looking each user up, for every search; EXISTS probes
 * memberships_user_org_unique only for the rows that pass the other conditions, and lets a LIMIT
 * stop early (bench/README.md, e1b3344). Put it after the cheaper conditions: SQLite tests them in order.
 */
export function usersInOrganizations<M = User>(orgIds: number[] | null, on: ScopedTable = 'users'): WhereOptions<M> {
  if (orgIds === null) return {};
  const ids = orgIds.length > 0 ? orgIds.map((n) => Math.trunc(n)).join(',') : 'NULL';
  return literal(
    `EXISTS (SELECT 1 FROM memberships AS m WHERE m.user_id = ${USER_ID_COLUMN[on]} AND m.organization_id IN (${ids}))`,
  ) as unknown as WhereOptions<M>;
}

/** `LIKE` with `!` as the escape character (portable between SQLite and PostgreSQL). */
export function likePattern(text: string): string {
  return `%${text.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/** What the views beyond the login state need: the organizations read (`admins`) and the clock (`dormant`). */
export interface ViewParams {
  orgIds: number[] | null;
  now: Date;
  /** DORMANT_DAYS: the days of the plain `dormant` view. */
  dormantDays: number;
}

function idList(orgIds: number[]): string {
  return orgIds.length > 0 ? orgIds.map((n) => Math.trunc(n)).join(',') : 'NULL';
}

/** The users of a saved view (DESIGN §2, issue 20). */
export function viewWhere(view: SavedView, p: ViewParams): WhereOptions<User> {
  const days = dormantDaysOf(view, p.dormantDays);
  if (days !== null) {
    // Enabled accounts only (a disabled one is no risk); never logged in counts from creation.
    const cutoff = new Date(p.now.getTime() - days * 86_400_000);
    return {
      enabled: true,
      [Op.or]: [{ lastLoginAt: { [Op.lt]: cutoff } }, { lastLoginAt: null, createdAt: { [Op.lt]: cutoff } }],
    } as WhereOptions<User>;
  }
  switch (view) {
    case 'all':
      return {};
    case 'active':
      return { enabled: true };
    case 'disabled':
      return { enabled: false };
    case 'locked':
      return { authStatus: 'locked' };
    case 'password-reset':
      return { authStatus: 'password_reset' };
    case 'cannot-login':
      return { [Op.or]: [{ enabled: false }, { authStatus: { [Op.ne]: 'active' } }] };
    case 'admins': {
      // The role must be held in an organization read: an administrator of another organization is not one here.
      const scope = p.orgIds === null ? '' : ` AND am.organization_id IN (${idList(p.orgIds)})`;
      return literal(
        `EXISTS (SELECT 1 FROM memberships AS am WHERE am.user_id = "User"."id" AND am.roles LIKE '%administrator%'${scope})`,
      ) as unknown as WhereOptions<User>;
    }
    case 'invited':
      return literal(
        `EXISTS (SELECT 1 FROM reset_tokens AS it WHERE it.user_id = "User"."id" AND it.purpose = 'invite' AND it.used_at IS NULL AND it.revoked_at IS NULL)`,
      ) as unknown as WhereOptions<User>;
  }
  return {};
}

/** The search text as `search_text` holds it: trimmed, lower case; '' for none. */
function searchTextOf(text: string | undefined): string {
  return (text ?? '').trim().toLowerCase();
}

/** Users whose name, username or email contains `text` (case-insensitive; the `search_text` column). */
export function searchWhere(db: Database, text: string | undefined): WhereOptions<User> {
  const q = searchTextOf(text);
  if (q.length === 0) return {};
  return { [Op.and]: [literal(likeSql(db, q))] } as WhereOptions<User>;
}

function likeSql(db: Database, q: string): string {
  return `"User"."search_text" LIKE ${db.sequelize.escape(likePattern(q))} ESCAPE '!'`;
}

/** Past this many matches a search answers "10,000+" instead of counting every one (issue 22). */
export const SEARCH_COUNT_CAP = 10_000;

/** SQLite's trigram index over `search_text` (migration 0013). */
const TRIGRAM_TABLE = 'users_search';
/** How many of a text's trigrams a query asks the index for: a few are as selective as all of them. */
const MAX_TRIGRAMS = 8;

/**
 * An FTS5 query for SQLite's trigram index finding every `search_text` that contains `q`: some of
 * its distinct trigrams (spread over the text), each a quoted string, ANDed. The index keeps no
 * positions, so a row can have them all and not contain `q`: the caller rechecks with LIKE. null
 * for a text of fewer than three characters, which has no trigram.
 */
export function trigramQuery(q: string): string | null {
  const chars = [...q];
  if (chars.length < 3) return null;
  const grams = [...new Set(chars.slice(0, -2).map((_, i) => chars.slice(i, i + 3).join('')))];
  const picked =
    grams.length <= MAX_TRIGRAMS
      ? grams
      : Array.from({ length: MAX_TRIGRAMS }, (_, k) => grams[Math.round((k * (grams.length - 1)) / (MAX_TRIGRAMS - 1))]);
  return picked.map((g) => `"${g.replace(/"/g, '""')}"`).join(' AND ');
}

export interface UserFilter {
  /** Organizations whose users are read; null: all. */
  orgIds: number[] | null;
  view?: SavedView;
  text?: string;
  /** The clock and DORMANT_DAYS, for the dormant views. */
  now: Date;
  dormantDays: number;
}

export interface UserPage {
  /** The number of matches, at most SEARCH_COUNT_CAP. */
  total: number;
  /** More than SEARCH_COUNT_CAP match: `total` is the cap, not the count. */
  capped: boolean;
  rows: User[];
}

/**
 * How many rows match, counting at most SEARCH_COUNT_CAP + 1 (a count that stops reading past the
 * cap), and the highest user id among those counted.
 */
async function cappedCount(db: Database, from: string, where: string): Promise<{ n: number; lastId: number }> {
  const [row] = await db.sequelize.query<{ n: number | string; last: number | string | null }>(
    `SELECT COUNT(*) AS n, MAX(id) AS last FROM (SELECT "User"."id" AS id FROM ${from} WHERE ${where || '1=1'} LIMIT ${SEARCH_COUNT_CAP + 1}) AS capped`,
    { type: QueryTypes.SELECT },
  );
  return { n: Number(row?.n ?? 0), lastId: Number(row?.last ?? 0) };
}

/**
 * Up to this many matches (estimated), a page past the cap is the matches sorted, not a walk in
 * username order. SQLite walks the covering index `users(username, search_text)`, reading no row:
 * at 1,000,000 users that was faster than sorting ~30,000 matches of a name prefix (search p95
 * 138 against 285 ms), so it always walks. PostgreSQL's walk reads each row from the table: a
 * name prefix's matches cost it 2–5 s, sorting them 0.5 s. Tests move these to reach either path.
 */
export const searchTuning: { sortMatchesUpTo: Record<Database['dialect'], number> } = {
  sortMatchesUpTo: { sqlite: 0, postgres: 100_000 },
};

/**
 * find and list: the number of matches (up to SEARCH_COUNT_CAP) and one page of them in username
 * order, as one heavy read.
 *
 * A text of three characters or more is looked up in the trigram index (migration 0013), which
 * drives the read: the count walks the index's matches and stops past the cap, and the page is
 * the matches sorted by username — unless they are so many that sorting them costs more than
 * walking the username order until the page is full (`searchTuning`). Past the cap the count's
 * reach tells: it read in id order, so 10,001 matches among the first tenth of the ids mean
 * ~100,000 in all.
 * Walking username order is cheap only when matches are spread through it; a first name's
 * matches sit together there (usernames are "first.last"), and a walk to them read 800,000 rows
 * at 1,000,000 users (bench/README.md, issue 22). On SQLite the FTS5 table is joined in so it
 * drives; on PostgreSQL the matches are a MATERIALIZED CTE, so the planner cannot choose the
 * username walk for them. Without text (a saved view) or with a shorter one, the count stops at
 * the cap and the page walks username order.
 */
export async function searchUserPage(db: Database, filter: UserFilter, page: { offset: number; limit: number }): Promise<UserPage> {
  const q = searchTextOf(filter.text);
  const rest: WhereOptions<User> = { [Op.and]: [viewWhere(filter.view ?? 'all', filter), usersInOrganizations(filter.orgIds)] };
  const trigrams = trigramQuery(q);
  const offset = Math.max(0, Math.trunc(page.offset));
  const limit = Math.max(1, Math.trunc(page.limit));
  const walk = () => User.findAll({ where: { [Op.and]: [searchWhere(db, q), rest] }, order: [['username', 'ASC']], offset, limit });
  return db.heavyRead(async () => {
    if (trigrams === null) {
      const where: WhereOptions<User> = { [Op.and]: [searchWhere(db, q), rest] };
      const [{ n }, rows] = await Promise.all([cappedCount(db, 'users AS "User"', whereSql(db, where)), walk()]);
      return { total: Math.min(n, SEARCH_COUNT_CAP), capped: n > SEARCH_COUNT_CAP, rows };
    }
    // The text first: SQLite tests conditions in order, and the scope's EXISTS is the dearer one.
    const conditions = [likeSql(db, q), whereSql(db, rest)].filter(Boolean);
    const sqlite = db.dialect === 'sqlite';
    const from = sqlite ? `${TRIGRAM_TABLE} CROSS JOIN users AS "User" ON "User"."id" = ${TRIGRAM_TABLE}.rowid` : 'users AS "User"';
    const where = (sqlite ? [`${TRIGRAM_TABLE} MATCH ${db.sequelize.escape(trigrams)}`, ...conditions] : conditions).join(' AND ');
    const { n, lastId } = await cappedCount(db, from, where);
    const capped = n > SEARCH_COUNT_CAP;
    if (capped) {
      const [top] = await db.sequelize.query<{ id: number | string | null }>('SELECT MAX(id) AS id FROM users', {
        type: QueryTypes.SELECT,
      });
      const estimated = (SEARCH_COUNT_CAP * Number(top?.id ?? 0)) / Math.max(1, lastId);
      if (estimated > searchTuning.sortMatchesUpTo[db.dialect]) return { total: SEARCH_COUNT_CAP, capped, rows: await walk() };
    }
    // The matches are sorted as (id, username) pairs; only the page's users are read whole.
    const window = `ORDER BY "username" ASC LIMIT ${limit} OFFSET ${offset}`;
    const keys = `SELECT "User"."id" AS "id", "User"."username" AS "username" FROM ${from} WHERE ${where}`;
    const pageIds = sqlite
      ? `SELECT "id" FROM (${keys}) AS matches ${window}`
      : `WITH matches AS MATERIALIZED (${keys}) SELECT "id" FROM matches ${window}`;
    const sql = `SELECT ${userColumnsSql()} FROM users AS "User" WHERE "User"."id" IN (${pageIds}) ORDER BY "User"."username" ASC`;
    // `tableNames` makes Sequelize's SQLite dialect read the columns' types, so dates come back as Dates as in findAll.
    const rows = await db.sequelize.query<User>(sql, {
      type: QueryTypes.SELECT,
      model: User,
      tableNames: ['users'],
    } as QueryOptionsWithModel<User>);
    return { total: Math.min(n, SEARCH_COUNT_CAP), capped, rows };
  });
}

let userColumns: string | undefined;
/** Every column of `users` under its attribute name, as the model's own SELECTs spell it (so the rows build Users). */
function userColumnsSql(): string {
  userColumns ??= Object.entries(User.getAttributes())
    .map(([attr, a]) => `"User"."${a.field ?? attr}" AS "${attr}"`)
    .join(', ');
  return userColumns;
}

/**
 * One keyset page in id order after `afterId` (stable while users are added or removed, unlike
 * offsets), with one row more than `limit` when another page follows.
 */
export async function userKeysetPage(db: Database, filter: UserFilter, page: { afterId?: number; limit: number }): Promise<User[]> {
  const after = page.afterId !== undefined ? { id: { [Op.gt]: Math.trunc(page.afterId) } } : {};
  const where = {
    [Op.and]: [usersInOrganizations(filter.orgIds), viewWhere(filter.view ?? 'all', filter), searchWhere(db, filter.text), after],
  };
  return User.findAll({ where, order: [['id', 'ASC']], limit: page.limit + 1 });
}

/** Users per saved view in `orgIds` (App Home), as one heavy read. */
export async function countUsersByView(db: Database, p: ViewParams, views: SavedView[]): Promise<number[]> {
  if (views.length === 0) return [];
  // One pass over the scope, a conditional sum per view: six counts were six scans of the
  // directory, each probing every user's memberships (issue 22: App Home at 1M users).
  const sql = (where: WhereOptions<User>) => whereSql(db, where) || '1=1';
  const sums = views.map((v, i) => `SUM(CASE WHEN ${sql(viewWhere(v, p))} THEN 1 ELSE 0 END) AS c${i}`).join(', ');
  // Every user of the scope is read here, so the scope is the list of its members (`IN`), which
  // SQLite builds once, not a probe of memberships per user (`EXISTS`, right for searches that stop
  // early): 74 against 149 ms for the six counts over 110,000 memberships.
  const scope =
    p.orgIds === null ? '1=1' : `"User"."id" IN (SELECT user_id FROM memberships WHERE organization_id IN (${idList(p.orgIds)}))`;
  const [row] = await db.heavyRead(() =>
    db.sequelize.query<Record<string, number | string | null>>(`SELECT ${sums} FROM users AS "User" WHERE ${scope}`, {
      type: QueryTypes.SELECT,
    }),
  );
  return views.map((_, i) => Number(row?.[`c${i}`] ?? 0));
}

/** A where object as SQL on the `User` alias, exactly as the model's own queries would spell it ('' for no condition). */
function whereSql(db: Database, where: WhereOptions<User>): string {
  const generator = db.sequelize.getQueryInterface().queryGenerator as unknown as {
    getWhereConditions(where: object, table: string, model: typeof User): string;
  };
  return generator.getWhereConditions(Utils.mapWhereFieldNames(where as object, User), 'User', User);
}

/** The ids of the users of a saved view in `orgIds` (a bulk selection's scope). */
export async function userIdsInView(p: ViewParams, view: SavedView): Promise<number[]> {
  const where: WhereOptions<User> = { [Op.and]: [usersInOrganizations(p.orgIds), viewWhere(view, p)] };
  return (await User.findAll({ where, attributes: ['id'] })).map((u) => u.id);
}

/** One user by id if they belong to one of `orgIds`. */
export async function findUserInOrganizations(orgIds: number[] | null, id: number): Promise<User | null> {
  return User.findOne({ where: { [Op.and]: [{ id }, usersInOrganizations(orgIds)] } });
}

/** Users by id (missing ids are left out). */
export async function usersById(ids: number[], t?: Transaction): Promise<Map<number, User>> {
  if (ids.length === 0) return new Map();
  return new Map((await User.findAll({ where: { id: { [Op.in]: ids } }, transaction: t })).map((u) => [u.id, u]));
}

/** The memberships of `userIds` in `orgIds` (null: all of them). */
export function membershipsWhere(userIds: number[], orgIds: number[] | null): WhereOptions<Membership> {
  return { userId: { [Op.in]: userIds }, ...(orgIds === null ? {} : { organizationId: { [Op.in]: orgIds } }) };
}

/** The memberships of `userIds` in `orgIds` (null: all of them), in organization order. */
export async function membershipsOf(userIds: number[], orgIds: number[] | null): Promise<Membership[]> {
  if (userIds.length === 0) return [];
  return Membership.findAll({ where: membershipsWhere(userIds, orgIds), order: [['organizationId', 'ASC']] });
}

/** Organizations by id. */
export async function organizationsById(ids: number[]): Promise<Map<number, Organization>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  return new Map((await Organization.findAll({ where: { id: { [Op.in]: unique } } })).map((o) => [o.id, o]));
}

/** How many records a user owns, and their API keys (the user card). */
export async function recordsAndKeysOf(userId: number): Promise<{ recordsAssigned: number; keys: ApiKey[] }> {
  const [recordsAssigned, keys] = await Promise.all([RecordAssignment.count({ where: { userId } }), ApiKey.findAll({ where: { userId } })]);
  return { recordsAssigned, keys };
}
