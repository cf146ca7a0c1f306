/** The job runner's claim: jobs of the kinds this instance runs that are queued, or running under a lapsed lease. */
import { Op } from 'sequelize';
import { Job } from './models';

/**
 * Claim one job of `kinds` for `owner` until `leaseUntil`: the first (in id order) of a few
 * candidates that a conditional update takes — of several instances, exactly one sees one row
 * changed. Null when there is nothing to run.
 */
export async function claimJob(kinds: string[], now: Date, owner: string, leaseUntil: Date): Promise<Job | null> {
  if (kinds.length === 0) return null;
  const candidates = await Job.findAll({
    where: {
      kind: { [Op.in]: kinds },
      [Op.or]: [{ status: 'queued' }, { status: 'running', leaseUntil: { [Op.lt]: now } }],
    },
    order: [['id', 'ASC']],
    limit: 5,
  });
  for (const c of candidates) {
    const [changed] = await Job.update(
      { status: 'running', leaseOwner: owner, leaseUntil, attempts: c.attempts + 1 },
      { where: { id: c.id, status: c.status, attempts: c.attempts } },
    );
    if (changed === 1) return Job.findByPk(c.id);
  }
  return null;
}
