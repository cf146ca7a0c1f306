import { PERMISSIONS, ROLES, parseRoles, roleGrants, rolesGrant, type Permission, type Role } from '../../src/domain/permissions';

// DESIGN §2, written out again here on purpose: the test is the contract, the module the implementation.
const EXPECTED: Record<Role, Permission[]> = {
  administrator: [
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
  ],
  security: ['view', 'enable_disable', 'activate', 'reset_password', 'bulk_reset', 'export', 'audit_log'],
  helpdesk: ['view', 'activate', 'reset_password'],
  viewer: ['view'],
};

describe('permission matrix', () => {
  const cells = ROLES.flatMap((role) => PERMISSIONS.map((p) => [role, p, EXPECTED[role].includes(p)] as const));
  test.each(cells)('%s / %s → %s', (role, permission, allowed) => {
    expect(roleGrants(role, permission)).toBe(allowed);
  });

  test('deny by default: no roles, unknown roles', () => {
    for (const p of PERMISSIONS) {
      expect(rolesGrant([], p)).toBe(false);
      expect(rolesGrant(['owner', 'root', 'ADMINISTRATOR'], p)).toBe(false);
    }
  });

  test('parseRoles sorts, dedupes and reports unknown names', () => {
    expect(parseRoles(' Viewer;administrator;viewer ;')).toEqual({ roles: ['administrator', 'viewer'], unknown: [] });
    expect(parseRoles('admin;helpdesk')).toEqual({ roles: ['helpdesk'], unknown: ['admin'] });
    expect(parseRoles('')).toEqual({ roles: [], unknown: [] });
  });
});
