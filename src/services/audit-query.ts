import { fail, ok, type Failure, type Outcome } from '../domain/outcome';
import { auditPage, type PersonMatch } from '../store/audit-queries';
import type { AuditEvent } from '../store/models';
import { isFailure, loadAccess, orgsWith } from './authz';
import type { Actor, Ctx } from './context';
import { findUserByRef } from './user-refs';

export interface AuditRecord {
  id: number;
  at: Date;
  actor: string;
  action: string;
  target: string | null;
  outcome: string;
  reason: string | null;
  details: Record<string, unknown> | null;
}

export function auditRecord(r: AuditEvent): AuditRecord {
  return {
    id: r.id,
    at: r.at,
    actor: r.actorLabel,
    action: r.action,
    target: r.targetLabel,
    outcome: r.outcome,
    reason: r.reason,
    details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null,
  };
}

export interface AuditFilter {
  /** Events about this user (username, email or id). */
  ref?: string;
  /** Events done by this user. */
  by?: string;
  /** One action, e.g. `disable` or `reset_password`. */
  action?: string;
}

/**
 * Events about (or by) one person: by their id while they exist, else by the label the audit row
 * kept — so a deleted user's history, and non-person actors such as "system (cli)", stay findable.
 */
async function personFilter(ref: string | undefined): Promise<PersonMatch | Failure | undefined> {
  const r = ref?.trim();
  if (!r) return undefined;
  if (r.length > 254) return fail('invalid_input', 'That user reference is too long.');
  const user = await findUserByRef(r);
  return user ? { userId: user.id } : { label: r.toLowerCase() };
}

export const AUDIT_ACTION_PATTERN = /^[a-z][a-z0-9_-]{0,49}$/;

/**
 * The latest audit events in the organizations where the actor may read the audit log, newest
 * first, paginated by id. With a user reference: that user's events, including after a delete
 * (matched on the label the audit row kept); `by` does the same for who acted.
 */
export async function queryAudit(
  ctx: Ctx,
  actor: Actor,
  input: AuditFilter & { beforeId?: number; limit?: number },
): Promise<Outcome<{ events: AuditRecord[]; nextBeforeId: number | null }>> {
  const access = await loadAccess(ctx, actor);
  if (isFailure(access)) return access;
  const orgs = orgsWith(access, 'audit_log');
  if (orgs !== null && orgs.length === 0) return fail('forbidden', 'You do not have permission to read the audit log.');
  const limit = Math.min(Math.max(1, Math.trunc(input.limit ?? 10)), 100);
  let action: string | undefined;
  if (input.action) {
    action = input.action.trim().toLowerCase();
    if (!AUDIT_ACTION_PATTERN.test(action)) return fail('invalid_input', 'An action is a word such as disable or reset_password.');
  }
  const about = await personFilter(input.ref);
  if (isFailure(about)) return about;
  const by = await personFilter(input.by);
  if (isFailure(by)) return by;
  // An event is visible when it was recorded under one of the actor's organizations, or when its
  // target is (still) a member of one: an administrator of a second organization of the same person
  // sees what was done to them under the first.
  const rows = await auditPage(ctx.db, { orgIds: orgs, beforeId: input.beforeId, action, about, by, limit });
  const page = rows.slice(0, limit);
  return ok({
    events: page.map(auditRecord),
    nextBeforeId: rows.length > limit ? page[page.length - 1].id : null,
  });
}
