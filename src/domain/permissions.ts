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
