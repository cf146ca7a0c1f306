import { Op, type WhereOptions } from 'sequelize';
import { fail, ok, type Outcome } from '../domain/outcome';
import { AuditEvent } from '../store/models';
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

/**
 * The latest audit events in the organizations where the actor may read the audit log, newest
 * first, paginated by id. With a user reference: that user's events, including after a delete
 * (matched on the label the audit row kept).
 */
export async function queryAudit(
  ctx: Ctx,
  actor: Actor,
  input: { ref?: string; beforeId?: number; limit?: number; action?: string },
): Promise<Outcome<{ events: AuditRecord[]; nextBeforeId: number | null }>> {
  const access = await loadAccess(ctx, actor);
  if (isFailure(access)) return access;
  const orgs = orgsWith(access, 'audit_log');
  if (orgs !== null && orgs.length === 0) return fail('forbidden', 'You do not have permission to read the audit log.');
  const limit = Math.min(Math.max(1, Math.trunc(input.limit ?? 10)), 100);
  const and: WhereOptions<AuditEvent>[] = [];
  if (orgs !== null) and.push({ organizationId: { [Op.in]: orgs } });
  if (input.beforeId !== undefined) and.push({ id: { [Op.lt]: input.beforeId } });
  if (input.action) and.push({ action: input.action });
  const ref = input.ref?.trim();
  if (ref) {
    if (ref.length > 254) return fail('invalid_input', 'That user reference is too long.');
    const user = await findUserByRef(ref);
    if (user) and.push({ targetUserId: user.id });
    else {
      const r = ref.toLowerCase().replace(/%/g, '');
      const like = ctx.db.dialect === 'postgres' ? Op.iLike : Op.like;
      and.push({ [Op.or]: [{ targetLabel: { [like]: `${r} <%` } }, { targetLabel: { [like]: `%<${r}>` } }] });
    }
  }
  const rows = await AuditEvent.findAll({ where: { [Op.and]: and }, order: [['id', 'DESC']], limit: limit + 1 });
  const page = rows.slice(0, limit);
  return ok({
    events: page.map((r) => ({
      id: r.id,
      at: r.at,
      actor: r.actorLabel,
      action: r.action,
      target: r.targetLabel,
      outcome: r.outcome,
      reason: r.reason,
      details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null,
    })),
    nextBeforeId: rows.length > limit ? page[page.length - 1].id : null,
  });
}
