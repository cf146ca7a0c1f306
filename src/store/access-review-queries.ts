/** The reads of an access review (issue 20 §4): one organization's role holders, API key holders, and its users in a saved view. */
import { Op, type Transaction } from 'sequelize';
import type { SavedView } from '../domain/status';
import { ApiKey, Membership, Organization, User } from './models';
import { usersInOrganizations, viewWhere, type ViewParams } from './user-queries';

/** An organization by its slug (exact, lower case), or null. */
export async function organizationBySlug(slug: string, t?: Transaction): Promise<Organization | null> {
  return Organization.findOne({ where: { slug }, transaction: t });
}

/** The memberships of an organization whose roles text mentions `role` (the caller parses the roles to be exact). */
export async function membershipsMentioningRole(organizationId: number, role: string): Promise<Membership[]> {
  return Membership.findAll({ where: { organizationId, roles: { [Op.like]: `%${role.replace(/[%_]/g, '')}%` } } });
}

/** The API keys issued in an organization, oldest first. */
export async function apiKeysOfOrganization(organizationId: number): Promise<ApiKey[]> {
  return ApiKey.findAll({ where: { organizationId }, order: [['id', 'ASC']] });
}

/** Users by id in username order. */
export async function usersByIdInNameOrder(ids: number[]): Promise<User[]> {
  if (ids.length === 0) return [];
  const out: User[] = [];
  for (let i = 0; i < ids.length; i += 5000) out.push(...(await User.findAll({ where: { id: { [Op.in]: ids.slice(i, i + 5000) } } })));
  return out.sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
}

/** Every user of a saved view in `p.orgIds`, in username order: the same condition as `/users list VIEW`. */
export async function usersInView(p: ViewParams, view: SavedView): Promise<User[]> {
  return User.findAll({ where: { [Op.and]: [usersInOrganizations(p.orgIds), viewWhere(view, p)] }, order: [['username', 'ASC']] });
}
