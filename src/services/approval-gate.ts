// Whether an action needs a second person (issue 19), asked by every service that could act without one.
import { approvalReason, isPrivileged, type ApprovalKind, type ApprovalSubject } from '../domain/approvals';
import { fail, type Failure } from '../domain/outcome';
import type { RolesByOrg } from '../domain/permissions';
import type { Actor, Ctx } from './context';

/** An approval an action runs under: the request's id (carried into every audit line it writes). */
export interface ApprovedBy {
  approvalId: number;
}

/** Why `subject` on targets holding `targetRoles` needs approval under this deployment's settings, or null. */
export function approvalNeeded(ctx: Ctx, subject: ApprovalSubject, targetRoles: Iterable<RolesByOrg>): ApprovalKind | null {
  if (ctx.config.APPROVAL_REQUIRED.length === 0) return null;
  let privileged = false;
  for (const r of targetRoles) if (isPrivileged(r)) privileged = true;
  return approvalReason(subject, privileged, ctx.config);
}

/**
 * The refusal of an action that needs approval and runs without one. The Slack card's buttons and
 * the bulk flow turn this code into "Request approval"; other paths (a typed command, the CLI as a
 * directory user) say where to ask.
 */
export function approvalRequired(kind: ApprovalKind, how = 'use the button on the user card (`show USER`) to request it'): Failure {
  return fail('approval_required', `This needs a second person's approval (${kind.replace('_', ' ')}): ${how}.`);
}

/** approvalNeeded → approvalRequired, or null when the action may go ahead (no need, or run under an approval). */
export function approvalGate(
  ctx: Ctx,
  actor: Actor,
  subject: ApprovalSubject,
  targetRoles: Iterable<RolesByOrg>,
  approved: ApprovedBy | null | undefined,
  how?: string,
): Failure | null {
  // The operator at the CLI is not a directory actor: approvals are for people acting through Slack (or an API key).
  if (approved || actor.kind === 'system') return null;
  const kind = approvalNeeded(ctx, subject, targetRoles);
  return kind ? approvalRequired(kind, how) : null;
}
