/** Organizations and memberships beyond a lookup by id: organizations of a set, memberships of many users, administrators. */
import { Op, type Transaction } from 'sequelize';
import { Membership, Organization } from './models';

/** Organizations of `orgIds` (null: all of them), in slug order. */
export async function organizationsIn(orgIds: number[] | null, t?: Transaction): Promise<Organization[]> {
  return Organization.findAll({ where: orgIds === null ? {} : { id: { [Op.in]: orgIds } }, order: [['slug', 'ASC']], transaction: t });
}

/**
 * The memberships of `userIds` (user, organization and roles), in organization order. Chunks keep a
 * 100,000-user bulk preview's statements (and their parameter lists) reasonable.
 */
export async function membershipsOfUsers(
  userIds: number[],
  t?: Transaction,
): Promise<Array<Pick<Membership, 'userId' | 'organizationId' | 'roles'>>> {
  const out: Array<Pick<Membership, 'userId' | 'organizationId' | 'roles'>> = [];
  for (let i = 0; i < userIds.length; i += 5000) {
    const rows = await Membership.findAll({
      where: { userId: { [Op.in]: userIds.slice(i, i + 5000) } },
      attributes: ['userId', 'organizationId', 'roles'],
      order: [['organizationId', 'ASC']],
      transaction: t,
    });
    out.push(...rows);
  }
  return out;
}

/** How many members of `organizationId` other than `userId` hold the administrator role. */
export async function countOtherAdministrators(organizationId: number, userId: number, t: Transaction): Promise<number> {
  return Membership.count({
    where: { organizationId, userId: { [Op.ne]: userId }, roles: { [Op.like]: '%administrator%' } },
    transaction: t,
  });
}

/**
 * The organization with `slug`, its row locked until the transaction ends (PostgreSQL; SQLite's
 * writers are serialised anyway). Every change that can take an administrator away from an
 * organization takes this lock before counting the others, so two administrators demoting each
 * other at the same moment cannot both pass the "not the last administrator" check.
 */
export async function lockOrganizationBySlug(slug: string, t: Transaction): Promise<Organization | null> {
  return Organization.findOne({ where: { slug }, transaction: t, lock: t.LOCK.UPDATE });
}

/** One membership, locked for the rest of the transaction. */
export async function lockMembership(userId: number, organizationId: number, t: Transaction): Promise<Membership | null> {
  return Membership.findOne({ where: { userId, organizationId }, transaction: t, lock: t.LOCK.UPDATE });
}

/** How many organizations `userId` belongs to. */
export async function countMemberships(userId: number, t: Transaction): Promise<number> {
  return Membership.count({ where: { userId }, transaction: t });
}
