/** Reads of the audit log: one page of events, newest first, under a scope and filters. */
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
