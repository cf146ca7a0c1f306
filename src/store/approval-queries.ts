/** The queries of approval requests (issue 19): the one-time move out of `pending`, and what is due or open. */
import { Op, type Transaction } from 'sequelize';
import type { ApprovalStatus } from '../domain/approvals';
import { ApprovalRequest } from './approval-model';

type Decision = Partial<
  Pick<
    ApprovalRequest,
    'approverUserId' | 'approverLabel' | 'approverSlackId' | 'denyReason' | 'outcome' | 'jobId' | 'decidedAt' | 'expiresAt'
  >
>;

/**
 * Move a request out of `pending`, once: a conditional update that only a still-pending request
 * (and, unless it is being expired, an unexpired one) matches. Of two clicks at the same moment —
 * on one instance or two — exactly one sees a row changed; the other is told it was decided.
 */
export async function settlePending(
  id: number,
  to: Exclude<ApprovalStatus, 'pending' | 'used'>,
  now: Date,
  changes: Decision,
  t?: Transaction,
): Promise<boolean> {
  const where =
    to === 'expired' ? { id, status: 'pending', expiresAt: { [Op.lte]: now } } : { id, status: 'pending', expiresAt: { [Op.gt]: now } };
  const [count] = await ApprovalRequest.update({ ...changes, status: to, decidedAt: changes.decidedAt ?? now }, { where, transaction: t });
  return count === 1;
}

/**
 * Use an approved request, once: approved → used, only by its requester and only before its
 * `expiresAt` (for an approved API key request, the end of the window to create the key). Of two
 * clicks at once, exactly one sees a row changed.
 */
export async function claimApproved(id: number, requesterUserId: number, now: Date, t: Transaction): Promise<boolean> {
  const [count] = await ApprovalRequest.update(
    { status: 'used' },
    { where: { id, status: 'approved', requesterUserId, expiresAt: { [Op.gt]: now } }, transaction: t },
  );
  return count === 1;
}

/** Pending requests past their time, oldest first. */
export async function duePending(now: Date, limit = 100): Promise<ApprovalRequest[]> {
  return ApprovalRequest.findAll({ where: { status: 'pending', expiresAt: { [Op.lte]: now } }, order: [['id', 'ASC']], limit });
}

/** Open requests (pending, not expired), newest first. */
export async function openRequests(now: Date, limit = 200): Promise<ApprovalRequest[]> {
  return ApprovalRequest.findAll({ where: { status: 'pending', expiresAt: { [Op.gt]: now } }, order: [['id', 'DESC']], limit });
}
