/** Roles and the permission matrix of DESIGN §2. Deny by default: a permission not listed is refused. */

export const ROLES = ['administrator', 'security', 'helpdesk', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'view',
  'enable_disable',
  'activate',
  'reset_password',
  'bulk_reset',
  'change_password',
  'delete',
  'reassign_records',
  'api_keys',
  'export',
  'audit_log',
  'webhooks',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const MATRIX: Record<Role, ReadonlySet<Permission>> = {
  administrator: new Set<Permission>(PERMISSIONS),
  security: new Set<Permission>(['view', 'enable_disable', 'activate', 'reset_password', 'bulk_reset', 'export', 'audit_log']),
  helpdesk: new Set<Permission>(['view', 'activate', 'reset_password']),
  viewer: new Set<Permission>(['view']),
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function roleGrants(role: Role, permission: Permission): boolean {
  return MATRIX[role]?.has(permission) ?? false;
}

export function rolesGrant(roles: readonly string[], permission: Permission): boolean {
  return roles.some((r) => isRole(r) && roleGrants(r, permission));
}

/** Every permission that `roles` grant (unknown role names grant nothing). */
export function permissionsOf(roles: readonly string[]): Set<Permission> {
  return new Set(PERMISSIONS.filter((p) => rolesGrant(roles, p)));
}

/** Does someone holding `roles` have a permission that `than` lacks? (Equal sets are not above.) */
export function rolesAbove(roles: readonly string[], than: readonly string[]): boolean {
  const mine = permissionsOf(than);
  return [...permissionsOf(roles)].some((p) => !mine.has(p));
}

/** Roles per organization id: the actor's, or a target's memberships (an empty list is a membership without roles). */
export type RolesByOrg = ReadonlyMap<number, readonly string[]>;

export type AccountActionDecision =
  | { allowed: true }
  /** The actor lacks `permission` in at least one of the target's organizations. */
  | { allowed: false; reason: 'missing_permission'; permission: Permission }
  /** In an organization of the target, the target holds a permission the actor lacks there. */
  | { allowed: false; reason: 'higher_role'; permission: Permission };

/**
 * May an actor use `permission` on another person's account (DESIGN §2)? Both conditions hold in
 * *every* organization where the target is a member, never in just one of them:
 * 1. the actor's roles there grant `permission`;
 * 2. never upward: the target's roles there grant nothing the actor's roles there do not (an equal
 *    role is fine: an administrator may act on an administrator).
 * A target without memberships belongs to nobody's organizations, so nobody may act on them
 * (the operator at the CLI is not a directory actor and does not come here).
 */
export function decideAccountAction(actor: RolesByOrg, target: RolesByOrg, permission: Permission): AccountActionDecision {
  if (target.size === 0) return { allowed: false, reason: 'missing_permission', permission };
  for (const org of target.keys()) {
    if (!rolesGrant(actor.get(org) ?? [], permission)) return { allowed: false, reason: 'missing_permission', permission };
  }
  for (const [org, roles] of target) {
    if (rolesAbove(roles, actor.get(org) ?? [])) return { allowed: false, reason: 'higher_role', permission };
  }
  return { allowed: true };
}

/** Human wording for refusals. */
export const PERMISSION_LABELS: Record<Permission, string> = {
  view: 'view users',
  enable_disable: 'enable or disable users',
  activate: 'unlock users',
  reset_password: 'reset passwords',
  bulk_reset: 'run bulk password resets',
  change_password: 'change passwords',
  delete: 'delete users',
  reassign_records: 'reassign records',
  api_keys: 'manage API keys',
  export: 'export users',
  audit_log: 'read the audit log',
  webhooks: 'manage webhook endpoints',
};

/** Roles are stored as a sorted, `;`-separated list (the import format). */
export function parseRoles(text: string): { roles: Role[]; unknown: string[] } {
  const parts = text
    .split(';')
    .map((p) => p.trim().toLowerCase())
    .filter((p) => p.length > 0);
  const roles = new Set<Role>();
  const unknown: string[] = [];
  for (const p of parts) {
    if (isRole(p)) roles.add(p);
    else unknown.push(p);
  }
  return { roles: ROLES.filter((r) => roles.has(r)), unknown };
}

export function formatRoles(roles: readonly Role[]): string {
  return ROLES.filter((r) => roles.includes(r)).join(';');
}
