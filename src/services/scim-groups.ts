import { filter as filterTester } from 'scim2-parse-filter';
import { fail, ok } from '../domain/outcome';
import { ROLES, isRole, type Role } from '../domain/permissions';
import { SCIM_GROUP_SCHEMA } from '../domain/scim';
import { parseAnyFilter } from '../domain/scim-filter';
import { Organization } from '../store/models';
import { membershipsIn, roleHolders } from '../store/scim-queries';
import { usersById } from '../store/user-queries';
import { isFailure, loadAccess } from './authz';
import type { Ctx } from './context';
import { otherAdministrators, writeRoleChange } from './memberships';
import { applyPatch, readPatchBody, scimFail } from './scim-common';
import { scimBaseUrl, type ScimActor, type ScimOutcome } from './scim-users';

/**
 * SCIM Groups: one fixed group per role of the token's organization (`administrator`, `security`,
 * `helpdesk`, `viewer`; the id is the role name, stable forever). Membership of a group is the role
 * in that organization: PATCH of `members` grants and revokes it, with Slack's guard (never the
 * last administrator). Groups cannot be created, renamed or deleted.
 */

export interface ScimGroupResource {
  schemas: string[];
  id: string;
  displayName: string;
  members: Array<{ value: string; display: string; $ref: string }>;
  meta: { resourceType: 'Group'; location: string };
}

async function groupOf(ctx: Ctx, orgId: number, role: Role): Promise<ScimGroupResource> {
  const base = scimBaseUrl(ctx);
  const holders = await roleHolders(orgId, role);
  return {
    schemas: [SCIM_GROUP_SCHEMA],
    id: role,
    displayName: role,
    members: holders.map((u) => ({ value: String(u.id), display: u.username, $ref: `${base}/Users/${u.id}` })),
    meta: { resourceType: 'Group', location: `${base}/Groups/${role}` },
  };
}

function noGroup(id: string) {
  return fail('not_found', `Resource ${id.slice(0, 40)} not found; the groups are ${ROLES.join(', ')}.`);
}

export async function getScimGroup(ctx: Ctx, actor: ScimActor, id: string): Promise<ScimOutcome<{ resource: ScimGroupResource }>> {
  const access = await loadAccess(ctx, actor);
  if (isFailure(access)) return access;
  if (!isRole(id)) return noGroup(id);
  return ok({ resource: await groupOf(ctx, actor.organizationId, id) });
}

/** The four groups, filtered in memory with the library's own tester (e.g. `displayName eq "viewer"`). */
export async function listScimGroups(
  ctx: Ctx,
  actor: ScimActor,
  q: { filter?: string; startIndex: number; count: number },
): Promise<ScimOutcome<{ total: number; startIndex: number; resources: ScimGroupResource[] }>> {
  const access = await loadAccess(ctx, actor);
  if (isFailure(access)) return access;
  let all = await Promise.all(ROLES.map((r) => groupOf(ctx, actor.organizationId, r)));
  if (q.filter !== undefined && q.filter.trim().length > 0) {
    const parsed = parseAnyFilter(q.filter);
    if (!parsed.ok) return scimFail('invalid_input', 'invalidFilter', parsed.detail);
    const test = filterTester(parsed.filter);
    all = all.filter((g) => test(g));
  }
  const startIndex = Math.max(1, q.startIndex);
  return ok({ total: all.length, startIndex, resources: all.slice(startIndex - 1, startIndex - 1 + Math.max(0, q.count)) });
}

/**
 * PATCH a group: the operations are applied to its SCIM form (`scim-patch`), and the difference in
 * `members` becomes role grants and revokes, all in one transaction. Users who are not members of
 * the organization are "not found"; taking the role from every administrator is refused before anything is written.
 */
export async function patchScimGroup(
  ctx: Ctx,
  actor: ScimActor,
  id: string,
  body: unknown,
): Promise<ScimOutcome<{ resource: ScimGroupResource }>> {
  const ops = readPatchBody(body);
  if (!Array.isArray(ops)) return ops;
  if (!isRole(id)) return noGroup(id);
  const role = id;
  const current = await getScimGroup(ctx, actor, role);
  if (!current.ok) return current;
  // Members as bare `{value}`: Entra removes by value (`"value":[{"value":"12"}]`), and scim-patch matches whole objects.
  const patched = applyPatch({ ...current.resource, members: current.resource.members.map((m) => ({ value: m.value })) }, ops);
  if (!patched.ok) return patched;
  const after = patched.after;
  if (after.displayName !== current.resource.displayName || after.id !== current.resource.id)
    return scimFail('invalid_input', 'mutability', 'A group’s id and displayName are its role and cannot be changed.');
  const members = Array.isArray(after.members) ? after.members : [];
  const wanted = new Set<string>();
  for (const m of members) {
    const v = (m as { value?: unknown } | null)?.value;
    if (typeof v !== 'string' && typeof v !== 'number')
      return scimFail('invalid_input', 'invalidValue', 'Each member needs a value (a User id).');
    wanted.add(String(v));
  }
  const had = new Set(current.resource.members.map((m) => m.value));
  const grant = [...wanted].filter((v) => !had.has(v));
  const revoke = [...had].filter((v) => !wanted.has(v));
  const outcome = await ctx.db.tx(async (t) => {
    const access = await loadAccess(ctx, actor, t);
    if (isFailure(access)) return access;
    // The organization's row lock orders this against every other last-administrator check (services/roles.ts).
    const org = await Organization.findByPk(actor.organizationId, { transaction: t, lock: t.LOCK.UPDATE });
    if (!org) return fail('not_found', 'The organization of this token no longer exists.');
    const ids = grant.map((v) => (/^\d{1,15}$/.test(v) ? Number(v) : -1));
    const memberships = await membershipsIn(org.id, [...ids, ...revoke.map(Number)], t);
    const missing = grant.find((_v, i) => !memberships.has(ids[i]));
    if (missing !== undefined) return scimFail('not_found', 'invalidValue', `No user ${missing.slice(0, 40)} in this organization.`);
    if (role === 'administrator' && revoke.length > 0) {
      const remaining = (await otherAdministrators(org.id, -1, t)) - revoke.length + grant.length;
      if (remaining <= 0)
        return fail(
          'last_administrator',
          'This would remove the last administrator of the organization; grant the role to someone else first.',
        );
    }
    const users = await usersById([...ids, ...revoke.map(Number)], t);
    for (const [list, isGrant] of [
      [grant, true],
      [revoke, false],
    ] as const) {
      for (const v of list) {
        const user = users.get(Number(v));
        const membership = memberships.get(Number(v));
        if (user && membership) await writeRoleChange(ctx, t, actor, { user, org, membership, role, grant: isGrant });
      }
    }
    return ok({});
  });
  if (!outcome.ok) return outcome;
  return getScimGroup(ctx, actor, role);
}
