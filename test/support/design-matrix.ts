import type { Permission, Role } from '../../src/domain/permissions';

/**
 * DESIGN §2's permission matrix, written out again on purpose and independently of
 * src/domain/permissions.ts: the tests hold the contract, the module is the implementation.
 */
export const DESIGN_MATRIX: Record<Role, Permission[]> = {
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
    'webhooks',
  ],
  security: ['view', 'enable_disable', 'activate', 'reset_password', 'bulk_reset', 'export', 'audit_log'],
  helpdesk: ['view', 'activate', 'reset_password'],
  viewer: ['view'],
};
