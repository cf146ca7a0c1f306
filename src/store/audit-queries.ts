/** The audit log's reads: a page of events under a scope and filters, and the mirror's claim, skip and release. */
import { Op, type WhereOptions } from 'sequelize';
import type { Database } from './db';
import { AuditEvent } from './models';
import { usersInOrganizations } from './user-queries';

/** Who an event is about or by: a user id while they exist, else the label the audit row kept (already lower-cased). */
export type PersonMatch = { userId: number } | { label: string };

export interface AuditQuery {
  /**
   * Organizations whose events are read (null: all): an event is visible when it was recorded
   * under one of them, or when its target is (still) a member of one.
   */
  orgIds: number[] | null;
  beforeId?: number;
  action?: string;
  about?: PersonMatch;
  by?: PersonMatch;
  limit: number;
}

/** Target labels read "name <email>", actor labels "name (how)" or a bare "login api". */
function personWhere(db: Database, match: PersonMatch, role: 'about' | 'by'): WhereOptions<AuditEvent> {
  if ('userId' in match) return role === 'about' ? { targetUserId: match.userId } : { actorUserId: match.userId };
  const like = db.dialect === 'postgres' ? Op.iLike : Op.like;
  const r = match.label.replace(/%/g, '');
  return role === 'about'
    ? { [Op.or]: [{ targetLabel: { [like]: `${r} <%` } }, { targetLabel: { [like]: `%<${r}>` } }] }
    : { [Op.or]: [{ actorLabel: { [like]: `${r} (%` } }, { actorLabel: { [like]: r } }] };
}

/** Up to `limit + 1` events in id order, newest first: one more than asked tells whether another page exists. */
export async function auditPage(db: Database, q: AuditQuery): Promise<AuditEvent[]> {
  const and: WhereOptions<AuditEvent>[] = [];
  if (q.orgIds !== null) {
    and.push({ [Op.or]: [{ organizationId: { [Op.in]: q.orgIds } }, usersInOrganizations<AuditEvent>(q.orgIds, 'auditTargets')] });
  }
  if (q.beforeId !== undefined) and.push({ id: { [Op.lt]: q.beforeId } });
  if (q.action !== undefined) and.push({ action: q.action });
  if (q.about) and.push(personWhere(db, q.about, 'about'));
  if (q.by) and.push(personWhere(db, q.by, 'by'));
  return AuditEvent.findAll({ where: { [Op.and]: and }, order: [['id', 'DESC']], limit: q.limit + 1 });
}

/** The audit mirror: mark events before `cutoff` never mirrored as skipped (`skipped`, a sentinel time). */
export async function skipUnmirroredBefore(db: Database, cutoff: Date, skipped: Date): Promise<void> {
  await db.tx((t) => AuditEvent.update({ mirroredAt: skipped }, { where: { mirroredAt: null, at: { [Op.lt]: cutoff } }, transaction: t }));
}

/**
 * The audit mirror's claim: up to `batchSize` events since `since` not mirrored yet, oldest first,
 * stamped `mirroredAt = now` in one transaction (PostgreSQL: rows another instance holds are
 * skipped, and only what this statement stamped counts as claimed).
 */
export async function claimUnmirrored(db: Database, opts: { since: Date; now: Date; batchSize: number }): Promise<AuditEvent[]> {
  return db.tx(async (t) => {
    const rows = await AuditEvent.findAll({
      where: { mirroredAt: null, at: { [Op.gte]: opts.since } },
      order: [['id', 'ASC']],
      limit: opts.batchSize,
      transaction: t,
      ...(db.dialect === 'postgres' ? { lock: t.LOCK.UPDATE, skipLocked: true } : {}),
    });
    if (rows.length === 0) return [];
    const where = { id: { [Op.in]: rows.map((r) => r.id) }, mirroredAt: null };
    if (db.dialect === 'postgres') {
      // Only what this statement stamped counts as ours, should a lock ever not be taken.
      const [, claimed] = await AuditEvent.update({ mirroredAt: opts.now }, { where, transaction: t, returning: true });
      return claimed.sort((a, b) => a.id - b.id);
    }
    await AuditEvent.update({ mirroredAt: opts.now }, { where, transaction: t });
    return rows;
  });
}

/** Give claimed events back to the mirror (posting them failed). */
export async function releaseMirrored(db: Database, ids: number[]): Promise<void> {
  await db.tx((t) => AuditEvent.update({ mirroredAt: null }, { where: { id: { [Op.in]: ids } }, transaction: t }));
}
