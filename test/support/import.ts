import { Membership, Organization, User } from '../../src/store/models';

/** The import (and export) header of DESIGN §6. */
export const IMPORT_HEADER = 'username,email,first_name,last_name,organization,roles,password,enabled';

/** A user's memberships as slug → stored roles text. */
export async function membershipsOf(username: string): Promise<Record<string, string>> {
  const user = await User.findOne({ where: { username } });
  if (!user) return {};
  const ms = await Membership.findAll({ where: { userId: user.id } });
  const orgs = await Organization.findAll({ where: { id: ms.map((m) => m.organizationId) } });
  const slug = new Map(orgs.map((o) => [o.id, o.slug]));
  return Object.fromEntries(ms.map((m) => [slug.get(m.organizationId)!, m.roles]));
}
