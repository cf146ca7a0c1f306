import { Op } from 'sequelize';
import { fail, ok, type Outcome } from '../domain/outcome';
import type { Role } from '../domain/permissions';
import { canLogIn, type AuthStatus, type SavedView } from '../domain/status';
import { Membership, Organization, User } from '../store/models';
import { isFailure, loadAccess, orgsWith, type Access } from './authz';
import type { Actor, Ctx } from './context';
import { MAX_PAGE_SIZE, orgScopeWhere, searchWhere, viewWhere } from './directory';
import { rolesOf } from './user-shapes';

/**
 * Reading the directory page by page for integrations: keyset pagination on id (stable while users
 * are added or removed, unlike offsets), scoped to the organizations where the actor may view.
 * An API key's actor has roles in its own organization only, so that is all it ever sees.
 */

/** A user as integrations see them. Never carries a hash, token or key. */
export interface DirectoryUser {
  id: number;
  username: string;
  email: string;
  firstName: string;
  lastName: string;
  phone: string | null;
  title: string | null;
  enabled: boolean;
  authStatus: AuthStatus;
  canLogIn: boolean;
  failedLoginCount: number;
  lockedAt: Date | null;
  lastLoginAt: Date | null;
  passwordChangedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** Memberships in the organizations the actor can view, not the others. */
  organizations: Array<{ slug: string; roles: Role[] }>;
}

export interface PageInput {
  view?: SavedView;
  text?: string;
  /** Return users with an id greater than this (the last id of the previous page). */
  afterId?: number;
  limit?: number;
}

export interface UserPage {
  users: DirectoryUser[];
  /** The id to continue after, or null when this was the last page. */
  lastId: number | null;
  hasMore: boolean;
}

function viewableOrgs(access: Access): number[] | null | 'none' {
  const orgs = orgsWith(access, 'view');
  return orgs !== null && orgs.length === 0 ? 'none' : orgs;
}

async function present(users: User[], orgs: number[] | null): Promise<DirectoryUser[]> {
  if (users.length === 0) return [];
  const memberships = await Membership.findAll({
    where: { userId: { [Op.in]: users.map((u) => u.id) }, ...(orgs === null ? {} : { organizationId: { [Op.in]: orgs } }) },
    order: [['organizationId', 'ASC']],
  });
  const slugs = new Map(
    (await Organization.findAll({ where: { id: { [Op.in]: [...new Set(memberships.map((m) => m.organizationId))] } } })).map((o) => [
      o.id,
      o.slug,
    ]),
  );
  return users.map((u) => ({
    id: u.id,
    username: u.username,
    email: u.email,
    firstName: u.firstName,
    lastName: u.lastName,
    phone: u.phone,
    title: u.title,
    enabled: u.enabled,
    authStatus: u.authStatus,
    canLogIn: canLogIn(u),
    failedLoginCount: u.failedLoginCount,
    lockedAt: u.lockedAt,
    lastLoginAt: u.lastLoginAt,
    passwordChangedAt: u.passwordChangedAt,
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
    organizations: memberships
      .filter((m) => m.userId === u.id)
      .map((m) => ({ slug: slugs.get(m.organizationId) ?? '?', roles: rolesOf(m.roles) })),
  }));
}

/** One page of users in id order, after `afterId`, filtered by saved view and search text. */
export async function pageUsers(ctx: Ctx, actor: Actor, input: PageInput): Promise<Outcome<UserPage>> {
  const access = await loadAccess(ctx, actor);
  if (isFailure(access)) return access;
  const orgs = viewableOrgs(access);
  if (orgs === 'none') return fail('forbidden', 'You do not have a role that lets you view users in this organization.');
  const text = (input.text ?? '').trim();
  if (text.length > 200) return fail('invalid_input', 'Search text is limited to 200 characters.');
  const limit = Math.min(Math.max(1, Math.trunc(input.limit ?? 50)), MAX_PAGE_SIZE);
  const after = input.afterId !== undefined ? { id: { [Op.gt]: Math.trunc(input.afterId) } } : {};
  const where = { [Op.and]: [orgScopeWhere(orgs), viewWhere(input.view ?? 'all'), searchWhere(ctx.db, text), after] };
  // One row more than asked tells whether another page exists without a count.
  const rows = await User.findAll({ where, order: [['id', 'ASC']], limit: limit + 1 });
  const hasMore = rows.length > limit;
  const page = rows.slice(0, limit);
  return ok({ users: await present(page, orgs), lastId: hasMore ? page[page.length - 1].id : null, hasMore });
}

/** One user by id, if the actor may view them; otherwise "not found", whether they exist elsewhere or not. */
export async function getUser(ctx: Ctx, actor: Actor, input: { id: number }): Promise<Outcome<{ user: DirectoryUser }>> {
  const access = await loadAccess(ctx, actor);
  if (isFailure(access)) return access;
  const orgs = viewableOrgs(access);
  if (orgs === 'none') return fail('forbidden', 'You do not have a role that lets you view users in this organization.');
  // No id in the words: the answer for someone elsewhere and for nobody is the same body, byte for byte.
  const notFound = fail('not_found', 'No user with this id in your organizations.');
  if (!Number.isSafeInteger(input.id) || input.id < 1) return notFound;
  const user = await User.findOne({ where: { [Op.and]: [{ id: input.id }, orgScopeWhere(orgs)] } });
  if (!user) return notFound;
  const [shown] = await present([user], orgs);
  return ok({ user: shown });
}
