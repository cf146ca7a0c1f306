/** Invitations (issue 20): the open ones of a person, locked, optionally within some organizations. */
import { Op, type Transaction } from 'sequelize';
import { Invitation } from './models';

/** Open (neither accepted nor revoked) invitations of `userId` in `orgIds` (null: all), locked for the transaction. */
export async function openInvitationsOf(userId: number, orgIds: number[] | null, t: Transaction): Promise<Invitation[]> {
  return Invitation.findAll({
    where: { userId, acceptedAt: null, revokedAt: null, ...(orgIds === null ? {} : { organizationId: { [Op.in]: orgIds } }) },
    transaction: t,
    lock: t.LOCK.UPDATE,
  });
}
