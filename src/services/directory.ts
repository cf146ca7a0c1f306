import { Op, literal, type WhereOptions } from 'sequelize';
import { fail, ok, type Outcome } from '../domain/outcome';
import type { SavedView } from '../domain/status';
import { ApiKey, Membership, Organization, RecordAssignment, User } from '../store/models';
import { isFailure, loadAccess, orgsWith, rolesOfUsers } from './authz';
import type { Actor, Ctx } from './context';
import { canSee, notFound } from './target';
import { findUserByRef } from './user-refs';
import { rolesOf, toSummary, type UserDetail, type UserSummary } from './user-shapes';

export const MAX_PAGE_SIZE = 100;

export interface SearchInput {
  text?: string;
  view?: SavedView;
  offset?: number;
  limit?: number;
}

export interface SearchResult {
  users: UserSummary[];
  total: number;
  offset: number;
  limit: number;
}

/** `LIKE` with `!` as the escape character (portable between SQLite and PostgreSQL). */
export function likePattern(text: string): string {
  return `%${text.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

export function viewWhere(view: SavedView): WhereOptions<User> {
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
  }
}

/**
 * Users of `orgIds` (null: all users), for queries on the User model (aliased "User"). A correlated
 * EXISTS rather than `id IN (SELECT user_id …)`: SQLite answered the IN form by listing every
 * membership of the scope (110,000 for an administrator of every organization of 100,000 users) and
 * looking each user up, for every search; EXISTS probes memberships_user_org_unique only for the
 * rows that pass the other conditions, and lets a LIMIT stop early.
 */
export function orgScopeWhere(orgIds: number[] | null): WhereOptions<User> {
  if (orgIds === null) return {};
  const ids = orgIds.length > 0 ? orgIds.map((n) => Math.trunc(n)).join(',') : 'NULL';
  return literal(
    `EXISTS (SELECT 1 FROM memberships AS m WHERE m.user_id = "User"."id" AND m.organization_id IN (${ids}))`,
  ) as unknown as WhereOptions<User>;
}

export function searchWhere(db: Ctx['db'], text: string | undefined): WhereOptions<User> {
  const q = (text ?? '').trim().toLowerCase();
  if (q.length === 0) return {};
  const pattern = db.sequelize.escape(likePattern(q));
  return { [Op.and]: [literal(`search_text LIKE ${pattern} ESCAPE '!'`)] } as WhereOptions<User>;
}

/** find (text) and list (saved view), paginated, scoped to the organizations where the actor may view. */
export async function searchUsers(ctx: Ctx, actor: Actor, input: SearchInput): Promise<Outcome<SearchResult>> {
  const access = await loadAccess(ctx, actor);
  if (isFailure(access)) return access;
  const orgs = orgsWith(access, 'view');
  if (orgs !== null && orgs.length === 0)
    return fail('forbidden', 'You do not have a role in any organization, so there is nobody you can see.');
  const text = (input.text ?? '').trim();
  if (text.length > 200) return fail('invalid_input', 'Search text is limited to 200 characters.');
  const limit = Math.min(Math.max(1, Math.trunc(input.limit ?? 10)), MAX_PAGE_SIZE);
  const offset = Math.max(0, Math.trunc(input.offset ?? 0));
  // The text first: SQLite tests conditions in order, and the scope's EXISTS is the dearer one.
  const where = { [Op.and]: [searchWhere(ctx.db, text), viewWhere(input.view ?? 'all'), orgScopeWhere(orgs)] };
  const [total, rows] = await ctx.db.heavyRead(() =>
    Promise.all([User.count({ where }), User.findAll({ where, order: [['username', 'ASC']], offset, limit })]),
  );
  const rolesMap = await rolesOfUsers(rows.map((u) => u.id));
  return ok({ users: rows.map((u) => toSummary(u, access, rolesMap.get(u.id) ?? new Map())), total, offset, limit });
}

export async function showUser(ctx: Ctx, actor: Actor, input: { ref: string }): Promise<Outcome<{ user: UserDetail }>> {
  const access = await loadAccess(ctx, actor);
  if (isFailure(access)) return access;
  const user = await findUserByRef(input.ref);
  if (!user) return notFound(input.ref);
  const memberships = await Membership.findAll({ where: { userId: user.id }, order: [['organizationId', 'ASC']] });
  const orgIds = memberships.map((m) => m.organizationId);
  if (!canSee(access, orgIds)) return notFound(input.ref);
  const [orgs, recordsAssigned, keys] = await Promise.all([
    Organization.findAll({ where: { id: { [Op.in]: orgIds } } }),
    RecordAssignment.count({ where: { userId: user.id } }),
    ApiKey.findAll({ where: { userId: user.id } }),
  ]);
  const orgById = new Map(orgs.map((o) => [o.id, o]));
  const detail: UserDetail = {
    ...toSummary(user, access, new Map(memberships.map((m) => [m.organizationId, rolesOf(m.roles)]))),
    phone: user.phone,
    title: user.title,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    passwordChangedAt: user.passwordChangedAt,
    hasPassword: user.passwordHash !== null,
    organizations: memberships.map((m) => ({
      id: m.organizationId,
      slug: orgById.get(m.organizationId)?.slug ?? '?',
      name: orgById.get(m.organizationId)?.name ?? '?',
      roles: rolesOf(m.roles),
    })),
    recordsAssigned,
    apiKeys: keys.map((k) => ({
      organizationSlug: orgById.get(k.organizationId)?.slug ?? '?',
      displayPrefix: k.displayPrefix,
      createdAt: k.createdAt,
      lastUsedAt: k.lastUsedAt,
    })),
  };
  return ok({ user: detail });
}

/** Counts per saved view over the actor's organizations (App Home). */
export async function countByView(ctx: Ctx, actor: Actor): Promise<Outcome<{ counts: Record<SavedView, number> }>> {
  const access = await loadAccess(ctx, actor);
  if (isFailure(access)) return access;
  const orgs = orgsWith(access, 'view');
  if (orgs !== null && orgs.length === 0) return fail('forbidden', 'You do not have a role in any organization.');
  const views: SavedView[] = ['all', 'active', 'disabled', 'locked', 'password-reset', 'cannot-login'];
  const counts = await ctx.db.heavyRead(() =>
    Promise.all(views.map((v) => User.count({ where: { [Op.and]: [orgScopeWhere(orgs), viewWhere(v)] } }))),
  );
  return ok({ counts: Object.fromEntries(views.map((v, i) => [v, counts[i]])) as Record<SavedView, number> });
}
