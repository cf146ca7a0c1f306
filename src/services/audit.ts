import type { CreationAttributes, Transaction } from 'sequelize';
import { AuditEvent, type User } from '../store/models';
import { insertPlainRows } from '../store/plain-rows';
import type { Actor, Ctx } from './context';
import { emitForAudit } from './webhook-events';

export type AuditOutcome = 'ok' | 'noop' | 'skipped' | 'failed';

export interface AuditEntry {
  action: string;
  target?: Pick<User, 'id' | 'username' | 'email'> | null;
  organizationId?: number | null;
  outcome?: AuditOutcome;
  reason?: string | null;
  details?: Record<string, unknown>;
}

export function actorUserId(actor: Actor): number | null {
  return actor.kind === 'user' ? actor.userId : null;
}

export function userLabel(u: Pick<User, 'username' | 'email'>): string {
  return `${u.username} <${u.email}>`;
}

export function buildAuditRow(ctx: Ctx, actor: Actor, entry: AuditEntry): CreationAttributes<AuditEvent> {
  return {
    at: ctx.now(),
    actorUserId: actorUserId(actor),
    actorLabel: actor.label,
    action: entry.action,
    targetUserId: entry.target?.id ?? null,
    // The label keeps the facts after the user row is deleted.
    targetLabel: entry.target ? userLabel(entry.target) : null,
    organizationId: entry.organizationId ?? null,
    outcome: entry.outcome ?? 'ok',
    reason: entry.reason ? entry.reason.slice(0, 500) : null,
    details: entry.details ? JSON.stringify(entry.details) : null,
  };
}

/** One audit row, written in the caller's transaction: the fact and the change commit together. */
export async function writeAudit(ctx: Ctx, t: Transaction, actor: Actor, entry: AuditEntry): Promise<AuditEvent> {
  const row = await AuditEvent.create(buildAuditRow(ctx, actor, entry), { transaction: t });
  // The webhook events of this change (src/domain/webhook-events.ts maps actions to events), in the same transaction.
  await emitForAudit(ctx, t, actor, [entry]);
  t.afterCommit(() => ctx.notify?.('audit'));
  return row;
}

/**
 * One audit row per user of a batch (bulk jobs, typed mass actions), in the caller's transaction,
 * each carrying the reason and the job id.
 */
export async function writeBatchAudit(
  ctx: Ctx,
  t: Transaction,
  actor: Actor,
  users: Array<Pick<User, 'id' | 'username' | 'email'>>,
  batch: {
    action: string;
    organizationOf: (userId: number) => number | null;
    reason?: string | null;
    jobId?: number | null;
    /** The approval request the batch runs under (issue 19). */
    approvalId?: number | null;
  },
): Promise<void> {
  const entries: AuditEntry[] = users.map((u) => ({
    action: batch.action,
    target: u,
    organizationId: batch.organizationOf(u.id),
    reason: batch.reason ?? null,
    details:
      batch.jobId || batch.approvalId
        ? { ...(batch.jobId ? { jobId: batch.jobId } : {}), ...(batch.approvalId ? { approvalId: batch.approvalId } : {}) }
        : undefined,
  }));
  await insertPlainRows(
    AuditEvent,
    entries.map((e) => buildAuditRow(ctx, actor, e)),
    t,
  );
  await emitForAudit(ctx, t, actor, entries);
  t.afterCommit(() => ctx.notify?.('audit'));
}
