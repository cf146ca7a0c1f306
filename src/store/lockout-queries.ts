/** Reads and marks of lockout events: the digest's window, App Home's latest, a spike's users. */
import { Op, QueryTypes, type Transaction, type WhereOptions } from 'sequelize';
import { LOCKED_USERS_INDEX } from '../../migrations/0014-locked-users-index';
import type { AuthStatus } from '../domain/status';
import { LockoutEvent, Membership, User } from './models';
import { membershipsWhere, organizationsById, usersInOrganizations } from './user-queries';

const OLDEST_FIRST: Array<[string, string]> = [
  ['lockedAt', 'ASC'],
  ['id', 'ASC'],
];

/** Lockouts no digest has reported yet, locked in (after, until], oldest first. */
export async function unreportedLockouts(after: Date, until: Date): Promise<LockoutEvent[]> {
  return LockoutEvent.findAll({ where: { digestSlot: null, lockedAt: { [Op.gt]: after, [Op.lte]: until } }, order: OLDEST_FIRST });
}

/** A user as the digest lists them: only the columns it shows, as plain values. */
export interface DigestUser {
  id: number;
  username: string;
  firstName: string;
  lastName: string;
  email: string;
  enabled: boolean;
  authStatus: AuthStatus;
  lockedAt: Date | null;
  lockedUntil: Date | null;
  failedLoginCount: number;
}

const DIGEST_USER_ATTRIBUTES: Array<keyof DigestUser> = [
  'id',
  'username',
  'firstName',
  'lastName',
  'email',
  'enabled',
  'authStatus',
  'lockedAt',
  'lockedUntil',
  'failedLoginCount',
];

/** A date column of a raw row: SQLite answers text (UTC; Sequelize's own rule when it has no offset), PostgreSQL a Date. */
function asDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  const text = String(v);
  return new Date(text.includes('+') || text.endsWith('Z') ? text : `${text} +00:00`);
}

/** A raw row of DIGEST_USER_ATTRIBUTES (attribute names) as a DigestUser. */
function digestUserOf(r: Record<keyof DigestUser, unknown>): DigestUser {
  return {
    id: Number(r.id),
    username: String(r.username),
    firstName: String(r.firstName ?? ''),
    lastName: String(r.lastName ?? ''),
    email: String(r.email),
    enabled: r.enabled === true || r.enabled === 1,
    authStatus: r.authStatus as AuthStatus,
    lockedAt: asDate(r.lockedAt),
    lockedUntil: asDate(r.lockedUntil),
    failedLoginCount: Number(r.failedLoginCount),
  };
}

/**
 * The digest's users as plain rows (no model instance each: at 1,000,000 users a digest lists
 * ~10,000 of them, and building instances was most of its time; bench/README.md, issue 22).
 */
async function digestUsers(where: WhereOptions<User>): Promise<DigestUser[]> {
  const rows = (await User.findAll({ attributes: DIGEST_USER_ATTRIBUTES, where, raw: true })) as unknown as Array<
    Record<keyof DigestUser, unknown>
  >;
  return rows.map(digestUserOf);
}

/**
 * Users locked now, except `userIds`, oldest lockout first: read from the partial index of locked
 * users alone (migration 0014), which SQLite's planner has to be told to use.
 */
export async function lockedUsersExcept(userIds: number[]): Promise<DigestUser[]> {
  const sequelize = User.sequelize!;
  const hint = sequelize.getDialect() === 'sqlite' ? ` INDEXED BY ${LOCKED_USERS_INDEX}` : '';
  const columns = DIGEST_USER_ATTRIBUTES.map((a) => `${User.getAttributes()[a].field} AS "${a}"`).join(', ');
  const except = [...userIds, 0].map((n) => Math.trunc(n)).join(',');
  const rows = await sequelize.query<Record<keyof DigestUser, unknown>>(
    `SELECT ${columns} FROM users${hint} WHERE auth_status = 'locked' AND id NOT IN (${except}) ORDER BY locked_at, id`,
    { type: QueryTypes.SELECT },
  );
  return rows.map(digestUserOf);
}

/** The digest's users by id (missing ids are left out). */
export async function digestUsersById(ids: number[]): Promise<Map<number, DigestUser>> {
  if (ids.length === 0) return new Map();
  return new Map((await digestUsers({ id: { [Op.in]: ids } })).map((u) => [u.id, u]));
}

/** Record the digest slot that reported `eventIds` (those no digest has claimed yet). */
export async function markLockoutsReported(eventIds: number[], slot: string, t: Transaction): Promise<void> {
  if (eventIds.length === 0) return;
  await LockoutEvent.update({ digestSlot: slot }, { where: { id: { [Op.in]: eventIds }, digestSlot: null }, transaction: t });
}

/** Lockouts in [from, to) of users of `orgIds` (null: all), oldest first. */
export async function lockoutsBetween(orgIds: number[] | null, from: Date, to: Date): Promise<LockoutEvent[]> {
  return LockoutEvent.findAll({
    where: { [Op.and]: [{ lockedAt: { [Op.gte]: from, [Op.lt]: to } }, usersInOrganizations<LockoutEvent>(orgIds, 'lockouts')] },
    order: OLDEST_FIRST,
  });
}

/** The latest `limit` lockouts of users of `orgIds` (null: all), newest first. */
export async function latestLockouts(orgIds: number[] | null, limit: number): Promise<LockoutEvent[]> {
  return LockoutEvent.findAll({
    where: usersInOrganizations<LockoutEvent>(orgIds, 'lockouts'),
    order: [
      ['lockedAt', 'DESC'],
      ['id', 'DESC'],
    ],
    limit,
  });
}

/** The slugs of the organizations of each of `userIds`, limited to `orgIds` (null: all), in organization order. */
export async function organizationSlugsOf(userIds: number[], orgIds: number[] | null): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  if (userIds.length === 0) return out;
  // Plain rows of two columns: the digest names the organizations of ~10,000 users at 1,000,000.
  const memberships = (await Membership.findAll({
    attributes: ['userId', 'organizationId'],
    where: membershipsWhere(userIds, orgIds),
    order: [['organizationId', 'ASC']],
    raw: true,
  })) as unknown as Array<{ userId: number; organizationId: number }>;
  const orgs = await organizationsById(memberships.map((m) => m.organizationId));
  for (const m of memberships) {
    const slug = orgs.get(m.organizationId)?.slug ?? '?';
    const list = out.get(m.userId);
    if (list) list.push(slug);
    else out.set(m.userId, [slug]);
  }
  return out;
}
