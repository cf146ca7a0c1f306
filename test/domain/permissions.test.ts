import {
  PERMISSIONS,
  ROLES,
  decideAccountAction,
  parseRoles,
  roleGrants,
  rolesAbove,
  rolesGrant,
  type Permission,
  type Role,
} from '../../src/domain/permissions';
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

describe('decideAccountAction: every organization of the target, never upward (DESIGN §2)', () => {
  const grants = (role: Role | undefined, p: Permission) => role !== undefined && EXPECTED[role].includes(p);
  /** Does `target` hold a permission `actor` lacks? Written from the design's table, not the module. */
  const above = (target: Role | null, actor: Role | undefined) => target !== null && EXPECTED[target].some((p) => !grants(actor, p));
  const roles = (r: Role | null): Role[] => (r === null ? [] : [r]);

  const pairs = ROLES.flatMap((actor) => [...ROLES, null].flatMap((target) => PERMISSIONS.map((p) => [actor, target, p] as const)));
  test.each(pairs)('one organization: %s acting on %s with %s', (actor, target, p) => {
    const d = decideAccountAction(new Map([[1, [actor]]]), new Map([[1, roles(target)]]), p);
    if (!grants(actor, p)) expect(d).toEqual({ allowed: false, reason: 'missing_permission', permission: p });
    else if (above(target, actor)) expect(d).toEqual({ allowed: false, reason: 'higher_role', permission: p });
    else expect(d).toEqual({ allowed: true });
  });

  test('the permission is needed in every organization of the target, not in one', () => {
    const target = new Map<number, Role[]>([
      [1, []],
      [2, []],
    ]);
    expect(decideAccountAction(new Map([[1, ['administrator']]]), target, 'change_password')).toMatchObject({
      allowed: false,
      reason: 'missing_permission',
    });
    const both = new Map<number, Role[]>([
      [1, ['administrator']],
      [2, ['viewer']],
    ]);
    expect(decideAccountAction(both, target, 'change_password')).toMatchObject({ allowed: false, reason: 'missing_permission' });
    both.set(2, ['administrator']);
    expect(decideAccountAction(both, target, 'change_password')).toEqual({ allowed: true });
  });

  test('a higher role in any shared organization refuses, even when the other organization is fine', () => {
    const actor = new Map<number, Role[]>([
      [1, ['administrator']],
      [2, ['security']],
    ]);
    const target = new Map<number, Role[]>([
      [1, []],
      [2, ['administrator']],
    ]);
    expect(decideAccountAction(actor, target, 'reset_password')).toEqual({
      allowed: false,
      reason: 'higher_role',
      permission: 'reset_password',
    });
    // Several roles: the union of what they grant counts, on both sides.
    target.set(2, ['helpdesk', 'viewer']);
    expect(decideAccountAction(actor, target, 'reset_password')).toEqual({ allowed: true });
    actor.set(2, ['helpdesk']);
    target.set(2, ['security']);
    expect(decideAccountAction(actor, target, 'reset_password')).toMatchObject({ reason: 'higher_role' });
  });

  test('a user without memberships is nobody’s to act on', () => {
    expect(decideAccountAction(new Map([[1, ['administrator']]]), new Map(), 'enable_disable')).toMatchObject({ allowed: false });
  });

  test('rolesAbove compares what roles grant; equal is not above', () => {
    expect(rolesAbove(['administrator'], ['administrator'])).toBe(false);
    expect(rolesAbove(['security'], ['helpdesk'])).toBe(true);
    expect(rolesAbove(['helpdesk', 'viewer'], ['security'])).toBe(false);
    expect(rolesAbove([], ['viewer'])).toBe(false);
  });
});
