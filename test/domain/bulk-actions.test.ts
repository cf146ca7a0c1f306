import { BULK_ACTIONS, BULK_PERMISSION, bulkStateCheck, type BulkAction } from '../../src/domain/bulk-actions';
import { rolesGrant } from '../../src/domain/permissions';
import type { AuthStatus } from '../../src/domain/status';

/** Which users each bulk action changes, on state alone (permission is decided apart). */
describe('bulkStateCheck', () => {
  const states: Array<[boolean, AuthStatus]> = [
    [true, 'active'],
    [true, 'locked'],
    [true, 'password_reset'],
    [false, 'active'],
    [false, 'locked'],
  ];
  const table = (action: BulkAction, self = false) =>
    states.map(([enabled, authStatus]) => {
      const r = bulkStateCheck(action, { enabled, authStatus }, self);
      return r.go ? 'go' : r.reason;
    });

  test.each<[BulkAction, string[]]>([
    ['disable', ['go', 'go', 'go', 'already', 'already']],
    ['enable', ['already', 'already', 'already', 'go', 'go']],
    ['activate', ['already', 'go', 'not_applicable', 'already', 'go']],
    // A user already waiting for a reset gets a fresh link; a disabled one cannot be reset.
    ['reset_password', ['go', 'go', 'go', 'not_applicable', 'not_applicable']],
  ])('%s', (action, expected) => expect(table(action)).toEqual(expected));

  test('yourself: never disabled or reset by a bulk action; enabling or unlocking yourself reads as already done', () => {
    expect(table('disable', true)).toEqual(states.map(() => 'self'));
    expect(table('reset_password', true)).toEqual(states.map(() => 'self'));
    expect(bulkStateCheck('enable', { enabled: true, authStatus: 'active' }, true)).toMatchObject({ go: false, reason: 'already' });
    expect(bulkStateCheck('activate', { enabled: true, authStatus: 'active' }, true)).toMatchObject({ go: false, reason: 'already' });
  });

  test('a bulk reset needs bulk_reset, which only roles that also reset one password hold', () => {
    for (const roles of [['administrator'], ['security'], ['helpdesk'], ['viewer']])
      if (rolesGrant(roles, BULK_PERMISSION.reset_password)) expect(rolesGrant(roles, 'reset_password')).toBe(true);
    expect(BULK_ACTIONS.map((a) => BULK_PERMISSION[a])).toEqual(['bulk_reset', 'enable_disable', 'enable_disable', 'activate']);
  });
});
