/** Reads and marks of lockout events: the digest's window, App Home's latest, a spike's users. */
import { Op, type Transaction } from 'sequelize';
import { LockoutEvent, User } from './models';
import { membershipsOf, organizationsById, usersInOrganizations } from './user-queries';

const OLDEST_FIRST: Array<[string, string]> = [
  ['lockedAt', 'ASC'],
  ['id', 'ASC'],
];

/** Lockouts no digest has reported yet, locked in (after, until], oldest first. */
export async function unreportedLockouts(after: Date, until: Date): Promise<LockoutEvent[]> {
  return LockoutEvent.findAll({ where: { digestSlot: null, lockedAt: { [Op.gt]: after, [Op.lte]: until } }, order: OLDEST_FIRST });
}

/** Users locked now, except `userIds`, oldest lockout first. */
export async function lockedUsersExcept(userIds: number[]): Promise<User[]> {
  return User.findAll({ where: { authStatus: 'locked', id: { [Op.notIn]: [...userIds, 0] } }, order: OLDEST_FIRST });
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
  const memberships = await membershipsOf(userIds, orgIds);
  const orgs = await organizationsById(memberships.map((m) => m.organizationId));
  for (const m of memberships) out.set(m.userId, [...(out.get(m.userId) ?? []), orgs.get(m.organizationId)?.slug ?? '?']);
  return out;
}
