/**
 * Two-person approval (issue 19): which actions need a second person, as a pure rule of the
 * deployment's settings and the targets. No I/O; src/services/approvals.ts applies it.
 */
import type { BulkAction } from './bulk-actions';

/** What APPROVAL_REQUIRED may list. */
export const APPROVAL_KINDS = ['bulk', 'delete', 'change_password', 'api_key', 'admin_target'] as const;
export type ApprovalKind = (typeof APPROVAL_KINDS)[number];

/**
 * The states of a request; only `pending` may be decided, and only once. An approved `api_key`
 * request moves on once more, to `used`, when its requester creates the key (once, before its expiry).
 */
export const APPROVAL_STATUSES = ['pending', 'approved', 'denied', 'expired', 'void', 'used'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/** The single-user actions a request can carry (a bulk request carries its BulkAction). */
export const SINGLE_APPROVAL_ACTIONS = ['delete', 'reset_password', 'enable', 'disable', 'activate', 'change_password', 'api_key'] as const;
export type SingleApprovalAction = (typeof SINGLE_APPROVAL_ACTIONS)[number];

export type ApprovalSubject = { kind: 'bulk'; action: BulkAction; count: number } | { kind: 'single'; action: SingleApprovalAction };

export interface ApprovalSettings {
  APPROVAL_REQUIRED: readonly ApprovalKind[];
  APPROVAL_BULK_MIN: number;
}

/** Roles that make a target "privileged" for `admin_target`: administrator or security, in any organization. */
export function isPrivileged(rolesByOrg: ReadonlyMap<number, readonly string[]>): boolean {
  for (const roles of rolesByOrg.values()) {
    if (roles.some((r) => r === 'administrator' || r === 'security')) return true;
  }
  return false;
}

/**
 * Why `subject` needs a second person under `settings`, or null when it does not: the first
 * matching kind of APPROVAL_REQUIRED. `privilegedTarget`: some target holds administrator or
 * security somewhere.
 */
export function approvalReason(subject: ApprovalSubject, privilegedTarget: boolean, settings: ApprovalSettings): ApprovalKind | null {
  const on = (k: ApprovalKind) => settings.APPROVAL_REQUIRED.includes(k);
  if (subject.kind === 'bulk') {
    if (on('bulk') && subject.count > settings.APPROVAL_BULK_MIN) return 'bulk';
  } else if (subject.action === 'delete' || subject.action === 'change_password' || subject.action === 'api_key') {
    if (on(subject.action)) return subject.action;
  }
  if (on('admin_target') && privilegedTarget) return 'admin_target';
  return null;
}

/** Why, in words, for the request message. */
export const APPROVAL_REASON_TEXT: Record<ApprovalKind, string> = {
  bulk: 'a bulk action over the approval threshold',
  delete: 'deleting a user',
  change_password: 'setting a password',
  api_key: 'an API key for someone',
  admin_target: 'it acts on an administrator or security member',
};
