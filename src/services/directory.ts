import { fail, ok, type Outcome } from '../domain/outcome';
import type { Role } from '../domain/permissions';
import { canLogIn, STATUS_VIEWS, type AuthStatus, type SavedView, type StatusView } from '../domain/status';
import type { User } from '../store/models';
import {
  countUsersByView,
  findUserInOrganizations,
  membershipsOf,
  organizationsById,
  recordsAndKeysOf,
  searchUserPage,
  userKeysetPage,
} from '../store/user-queries';
import { isFailure, loadAccess, mayView, rolesOfUsers, viewableMemberships, viewableOrgs, type Access } from './authz';
import type { Actor, Ctx } from './context';
import { notFound } from './target';
import { findUserByRef } from './user-refs';
import { managesRolesIn, rolesOf, toSummary, type UserDetail, type UserSummary } from './user-shapes';

/**
 * Reading the directory: find and list (`searchUsers`), the user card (`showUser`), App Home's
 * counts (`countByView`) and the integrations' pages (`pageUsers`, `getUser`). Every one is scoped
 * by the same rule, `viewableOrgs` (services/authz), through the store's `usersInOrganizations`,
 * and names only the organizations the actor can view.
 */

export const MAX_PAGE_SIZE = 100;

/** What the dormant views read: the clock (replaceable in tests) and DORMANT_DAYS. */
export function viewClock(ctx: Ctx): { now: Date; dormantDays: number } {
  return { now: ctx.now(), dormantDays: ctx.config.DORMANT_DAYS };
}

export interface SearchInput {
  text?: string;
  view?: SavedView;
  offset?: number;
  limit?: number;
}

export interface SearchResult {
  users: UserSummary[];
  /** How many match, at most SEARCH_COUNT_CAP (10,000). */
  total: number;
  /** More than SEARCH_COUNT_CAP match: `total` is the cap ("10,000+"), not the count. */
  capped: boolean;
  offset: number;
  limit: number;
}

/** find (text) and list (saved view), paginated, scoped to the organizations where the actor may view. */
export async function searchUsers(ctx: Ctx, actor: Actor, input: SearchInput): Promise<Outcome<SearchResult>> {
  const access = await loadAccess(ctx, actor);
  if (isFailure(access)) return access;
  const orgs = viewableOrgs(access);
  if (orgs !== null && orgs.length === 0)
    return fail('forbidden', 'You do not have a role in any organization, so there is nobody you can see.');
  const text = (input.text ?? '').trim();
  if (text.length > 200) return fail('invalid_input', 'Search text is limited to 200 characters.');
  const limit = Math.min(Math.max(1, Math.trunc(input.limit ?? 10)), MAX_PAGE_SIZE);
  const offset = Math.max(0, Math.trunc(input.offset ?? 0));
  const { total, capped, rows } = await searchUserPage(
    ctx.db,
    { orgIds: orgs, text, view: input.view, ...viewClock(ctx) },
    { offset, limit },
  );
  const rolesMap = await rolesOfUsers(rows.map((u) => u.id));
  return ok({ users: rows.map((u) => toSummary(u, access, rolesMap.get(u.id) ?? new Map())), total, capped, offset, limit });
}

/**
 * The user card. Its actions weigh every membership of the user (DESIGN §2: every organization,
 * never upward), but it lists only the organizations, roles and API keys of organizations the
 * actor can view: a read never names the others (issue 14).
 */
export async function showUser(ctx: Ctx, actor: Actor, input: { ref: string }): Promise<Outcome<{ user: UserDetail }>> {
  const access = await loadAccess(ctx, actor);
  if (isFailure(access)) return access;
  const user = await findUserByRef(input.ref);
  if (!user) return notFound(input.ref);
  const memberships = await membershipsOf([user.id], null);
  const orgIds = memberships.map((m) => m.organizationId);
  if (!mayView(access, orgIds)) return notFound(input.ref);
  const shown = viewableMemberships(access, memberships);
  const [orgById, { recordsAssigned, keys }] = await Promise.all([
    organizationsById(shown.map((m) => m.organizationId)),
    recordsAndKeysOf(user.id),
  ]);
  const detail: UserDetail = {
    ...toSummary(user, access, new Map(memberships.map((m) => [m.organizationId, rolesOf(m.roles)]))),
    phone: user.phone,
    title: user.title,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    passwordChangedAt: user.passwordChangedAt,
    hasPassword: user.passwordHash !== null,
    organizations: shown.map((m) => ({
      id: m.organizationId,
      slug: orgById.get(m.organizationId)?.slug ?? '?',
      name: orgById.get(m.organizationId)?.name ?? '?',
      roles: rolesOf(m.roles),
      manageable: managesRolesIn(access, m.organizationId, user.id),
    })),
    canManageRoles: shown.some((m) => managesRolesIn(access, m.organizationId, user.id)),
    recordsAssigned,
    apiKeys: viewableMemberships(access, keys).map((k) => ({
      organizationSlug: orgById.get(k.organizationId)?.slug ?? '?',
      displayPrefix: k.displayPrefix,
      createdAt: k.createdAt,
      lastUsedAt: k.lastUsedAt,
    })),
  };
  return ok({ user: detail });
}

/** Counts per saved view over the actor's organizations (App Home). */
export async function countByView(
  ctx: Ctx,
  actor: Actor,
  opts: { fresh?: boolean } = {},
): Promise<Outcome<{ counts: Record<StatusView, number>; asOf: Date; reused: boolean }>> {
  const access = await loadAccess(ctx, actor);
  if (isFailure(access)) return access;
  const orgs = viewableOrgs(access);
  if (orgs !== null && orgs.length === 0) return fail('forbidden', 'You do not have a role in any organization.');
  const views = [...STATUS_VIEWS];
  const count = () => countUsersByView(ctx.db, { orgIds: orgs, ...viewClock(ctx) }, views);
  // The status views depend on the scope alone (not the clock), so the scope is the key.
  const scope = orgs === null ? 'all' : [...orgs].sort((a, b) => a - b).join(',');
  const counted = ctx.viewCounts ? await ctx.viewCounts.get(scope, count, opts) : { value: await count(), asOf: ctx.now(), reused: false };
  return ok({
    counts: Object.fromEntries(views.map((v, i) => [v, counted.value[i]])) as Record<StatusView, number>,
    asOf: counted.asOf,
    reused: counted.reused,
  });
}

/*
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
  /** When a temporary lock ends by itself; null for a permanent lock or none. */
  lockedUntil: Date | null;
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

const NO_VIEW_ROLE = 'You do not have a role that lets you view users in this organization.';

async function present(access: Access, users: User[]): Promise<DirectoryUser[]> {
  if (users.length === 0) return [];
  const ids = users.map((u) => u.id);
  const memberships = viewableMemberships(access, await membershipsOf(ids, null));
  const orgById = await organizationsById(memberships.map((m) => m.organizationId));
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
    lockedUntil: u.lockedUntil,
    lastLoginAt: u.lastLoginAt,
    passwordChangedAt: u.passwordChangedAt,
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
    organizations: memberships
      .filter((m) => m.userId === u.id)
      .map((m) => ({ slug: orgById.get(m.organizationId)?.slug ?? '?', roles: rolesOf(m.roles) })),
  }));
}

/** One page of users in id order, after `afterId`, filtered by saved view and search text. */
export async function pageUsers(ctx: Ctx, actor: Actor, input: PageInput): Promise<Outcome<UserPage>> {
  const access = await loadAccess(ctx, actor);
  if (isFailure(access)) return access;
  const orgs = viewableOrgs(access);
  if (orgs !== null && orgs.length === 0) return fail('forbidden', NO_VIEW_ROLE);
  const text = (input.text ?? '').trim();
  if (text.length > 200) return fail('invalid_input', 'Search text is limited to 200 characters.');
  const limit = Math.min(Math.max(1, Math.trunc(input.limit ?? 50)), MAX_PAGE_SIZE);
  // One row more than asked tells whether another page exists without a count.
  const rows = await userKeysetPage(ctx.db, { orgIds: orgs, view: input.view, text, ...viewClock(ctx) }, { afterId: input.afterId, limit });
  const hasMore = rows.length > limit;
  const page = rows.slice(0, limit);
  return ok({ users: await present(access, page), lastId: hasMore ? page[page.length - 1].id : null, hasMore });
}

/** One user by id, if the actor may view them; otherwise "not found", whether they exist elsewhere or not. */
export async function getUser(ctx: Ctx, actor: Actor, input: { id: number }): Promise<Outcome<{ user: DirectoryUser }>> {
  const access = await loadAccess(ctx, actor);
  if (isFailure(access)) return access;
  const orgs = viewableOrgs(access);
  if (orgs !== null && orgs.length === 0) return fail('forbidden', NO_VIEW_ROLE);
  // No id in the words: the answer for someone elsewhere and for nobody is the same body, byte for byte.
  const notFoundHere = fail('not_found', 'No user with this id in your organizations.');
  if (!Number.isSafeInteger(input.id) || input.id < 1) return notFoundHere;
  const user = await findUserInOrganizations(orgs, input.id);
  if (!user) return notFoundHere;
  const [shown] = await present(access, [user]);
  return ok({ user: shown });
}
