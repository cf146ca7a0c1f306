// The shapes of approval requests (issue 19) shared by asking (approval-requests.ts) and deciding (approvals.ts).
import { createHash } from 'node:crypto';
import type { ApprovalKind, ApprovalStatus, SingleApprovalAction } from '../domain/approvals';
import { ACTION_PERMISSION } from '../domain/actions';
import { BULK_PERMISSION, BULK_TITLE, type BulkAction } from '../domain/bulk-actions';
import { rolesGrant, type Permission, type RolesByOrg } from '../domain/permissions';
import type { ApprovalRequest } from '../store/models';
import { decide, type Access } from './authz';
import type { BulkActionPreview } from './bulk-actions';
import type { Actor, Ctx } from './context';

export type NotifyTarget = { channel: string; ts: string };

export interface BulkPayload {
  type: 'bulk';
  jobId: number;
  action: BulkAction;
  preview: Omit<BulkActionPreview, 'needsApproval'>;
  notify: NotifyTarget | null;
}

export interface SinglePayload {
  type: 'single';
  action: SingleApprovalAction;
  userId: number;
  username: string;
  email: string;
  organizations: string[];
  /** The target's memberships when asked: organization id → roles. */
  roles?: Array<[number, string[]]>;
  /** change_password: the bcrypt hash made at request time (never the password). */
  passwordHash?: string;
  /** api_key: the organization the key is for (the key itself is made only when the requester uses the approval). */
  keyOrganization?: { id: number; slug: string };
  notify: NotifyTarget | null;
}

export type Payload = BulkPayload | SinglePayload;

/** What a Slack message (or any other surface) shows of a request; never a password hash. */
export interface ApprovalView {
  id: number;
  kind: 'bulk' | 'single';
  action: string;
  title: string;
  status: ApprovalStatus;
  neededBecause: ApprovalKind;
  reason: string | null;
  requester: { label: string; slackId: string | null };
  approver: { label: string; slackId: string | null } | null;
  denyReason: string | null;
  outcome: string | null;
  jobId: number | null;
  expiresAt: Date;
  decidedAt: Date | null;
  /** bulk: the preview as the requester saw it. */
  preview: Omit<BulkActionPreview, 'needsApproval'> | null;
  /** single: who. */
  target: { userId: number; username: string; email: string; organizations: string[] } | null;
  /** api_key: the organization of the key. */
  keyOrganization: { id: number; slug: string } | null;
  messages: NotifyTarget[];
  notify: NotifyTarget | null;
}

const SINGLE_TITLE: Record<SingleApprovalAction, string> = {
  delete: 'Delete user',
  reset_password: 'Reset password',
  enable: 'Enable user',
  disable: 'Disable user',
  activate: 'Unlock user',
  change_password: 'Set password',
  api_key: 'Create API key',
};

export function parsePayload(req: ApprovalRequest): Payload {
  return JSON.parse(req.payload) as Payload;
}

export function viewOf(req: ApprovalRequest): ApprovalView {
  const p = parsePayload(req);
  return {
    id: req.id,
    kind: p.type,
    action: req.action,
    title: p.type === 'bulk' ? BULK_TITLE[p.action] : SINGLE_TITLE[p.action],
    status: req.status,
    neededBecause: req.neededBecause as ApprovalKind,
    reason: req.reason,
    requester: { label: req.requesterLabel, slackId: req.requesterSlackId },
    approver: req.approverLabel ? { label: req.approverLabel, slackId: req.approverSlackId } : null,
    denyReason: req.denyReason,
    outcome: req.outcome,
    jobId: req.jobId,
    expiresAt: req.expiresAt,
    decidedAt: req.decidedAt,
    preview: p.type === 'bulk' ? p.preview : null,
    target: p.type === 'single' ? { userId: p.userId, username: p.username, email: p.email, organizations: p.organizations } : null,
    keyOrganization: p.type === 'single' ? (p.keyOrganization ?? null) : null,
    messages: req.messages ? (JSON.parse(req.messages) as NotifyTarget[]) : [],
    notify: p.notify,
  };
}

/** Why a request that left `pending` cannot be decided (or used) again. */
export function settledText(v: ApprovalView): string {
  switch (v.status) {
    case 'approved':
      return `That request was already approved by ${v.approver?.label ?? 'someone'}; nothing more was done.`;
    case 'used':
      return `That request was already approved by ${v.approver?.label ?? 'someone'} and its key created; nothing more was done.`;
    case 'denied':
      return `That request was already denied by ${v.approver?.label ?? 'someone'}; nothing changed.`;
    case 'expired':
      return 'That request expired; nothing changed. The requester can ask again.';
    case 'void':
      return `That request is void (${v.outcome ?? 'its selection changed'}); nothing changed.`;
    default:
      return 'That request is still pending.';
  }
}

/**
 * When an approved API key request stops being usable: APPROVAL_TTL_MINUTES from the approval (not
 * the request's own expiry, which may be a minute away when someone approves late).
 */
export function keyWindowEnd(ctx: Ctx): Date {
  return expiresAt(ctx);
}

export function permissionOf(p: Payload): Permission {
  return p.type === 'bulk' ? BULK_PERMISSION[p.action] : ACTION_PERMISSION[p.action];
}

/** The selection's fingerprint: who it acts on (and, for one user, the roles they hold), hashed. */
export function fingerprint(ids: number[], roles?: RolesByOrg): string {
  const sorted = [...ids].sort((a, b) => a - b).join(',');
  const extra = roles ? JSON.stringify([...roles.entries()].sort((a, b) => a[0] - b[0]).map(([o, r]) => [o, [...r].sort()])) : '';
  return createHash('sha256').update(`${sorted}|${extra}`).digest('hex');
}

export function expiresAt(ctx: Ctx): Date {
  return new Date(ctx.now().getTime() + Math.round(ctx.config.APPROVAL_TTL_MINUTES * 60_000));
}

export function firstOrg(access: Access, permission: Permission): number | null {
  return [...access.roles.entries()].find(([, r]) => rolesGrant(r, permission))?.[0] ?? null;
}

export function requesterOf(req: ApprovalRequest): Actor {
  return {
    kind: 'user',
    userId: req.requesterUserId,
    label: req.requesterLabel,
    via: 'slack',
    slackUserId: req.requesterSlackId ?? undefined,
  };
}

/** May `access` decide a request acting on these users (the same permission, every organization, never upward)? */
export function mayDecide(
  access: Access,
  permission: Permission,
  targets: { ids: number[]; roles: Map<number, Map<number, string[]>> },
): boolean {
  return targets.ids.every((id) => decide(access, targets.roles.get(id) ?? new Map(), permission).allowed);
}
