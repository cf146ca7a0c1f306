import { PERMISSIONS, ROLES, parseRoles, roleGrants, rolesGrant } from '../../src/domain/permissions';
import { DESIGN_MATRIX } from '../support/design-matrix';

const EXPECTED = DESIGN_MATRIX;

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
