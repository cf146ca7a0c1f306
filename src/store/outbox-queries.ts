/** Statements over the mail outbox that are more than a lookup: the leased claim of due mail and the per-job counts. */
import { col, fn, literal, Op, QueryTypes, type Model, type ModelStatic, type Transaction, type WhereOptions } from 'sequelize';
import type { Database } from './db';
import { MailMessage, type MailStatus } from './models';

/** The columns a leased outbox table has (`mail_outbox`, `notices`). */
type LeasedRow = Model & { id: number; status: string; nextAttemptAt: Date; leaseUntil: Date | null; attempts: number };

/**
 * Claim up to `batchSize` due rows of a leased outbox table under `lease`, in one transaction:
 * pending ones whose time has come (by `cutoff`) and 'sending' ones whose lease ran out (a worker
 * that crashed or hung). The attempt is counted at claim time, so a row that crashes the process
 * every time still runs out of attempts. Returns the rows this claim now holds.
 */
export async function claimDueRows<M extends LeasedRow>(
  db: Database,
  model: ModelStatic<M>,
  opts: { cutoff: Date; lease: Date; batchSize: number },
): Promise<M[]> {
  const { cutoff, lease } = opts;
  const due = {
    [Op.or]: [
      { status: 'pending', nextAttemptAt: { [Op.lte]: cutoff } },
      { status: 'sending', [Op.or]: [{ leaseUntil: null }, { leaseUntil: { [Op.lt]: cutoff } }] },
    ],
  } as WhereOptions<M>;
  return db.tx(async (t) => {
    const candidates = await model.findAll({
      attributes: ['id'],
      where: due,
      order: [
        ['nextAttemptAt', 'ASC'],
        ['id', 'ASC'],
      ],
      limit: opts.batchSize,
      transaction: t,
      // PostgreSQL: instances claiming at once take disjoint rows instead of queueing on the same ones.
      // SQLite: BEGIN IMMEDIATE already makes the whole claim exclusive.
      ...(db.dialect === 'postgres' ? { lock: t.LOCK.UPDATE, skipLocked: true } : {}),
    });
    if (candidates.length === 0) return [];
    const ids = candidates.map((c) => c.id);
    await model.update(
      { status: 'sending', leaseUntil: lease, attempts: literal('attempts + 1') } as Parameters<ModelStatic<M>['update']>[0],
      {
        where: { [Op.and]: [{ id: ids }, due] } as WhereOptions<M>,
        transaction: t,
      },
    );
    return model.findAll({
      where: { id: ids, status: 'sending', leaseUntil: lease } as WhereOptions<M>,
      order: [['id', 'ASC']],
      transaction: t,
    });
  });
}

/** Claim due mail: {@link claimDueRows} over `mail_outbox`. */
export function claimDueMail(db: Database, opts: { cutoff: Date; lease: Date; batchSize: number }): Promise<MailMessage[]> {
  return claimDueRows(db, MailMessage, opts);
}

/** What a sender writes when it settles a mail it holds. */
export type MailOutcomeValues = Partial<
  Pick<MailMessage, 'status' | 'sentAt' | 'leaseUntil' | 'lastError' | 'nextAttemptAt' | 'attempts' | 'textBody' | 'htmlBody'>
>;

/**
 * Write a mail's outcome only while the row is still 'sending' under `lease` (the claim's fencing
 * token); returns 1 when written, 0 when the lease was lost. A plain UPDATE (issue 22:
 * `Model.update`'s option cloning, hooks and validation were a sixth of the mail drain's
 * main-thread time); values are escaped by Sequelize's own rules, so the lease compares equal to
 * the one the claim wrote.
 */
export async function settleMailRow(id: number, lease: Date, values: MailOutcomeValues, t: Transaction): Promise<number> {
  const sequelize = MailMessage.sequelize!;
  const attributes = MailMessage.getAttributes();
  const escape = (v: unknown) => sequelize.escape(v as string);
  const sets = Object.entries(values).map(([k, v]) => `${attributes[k as keyof MailOutcomeValues].field} = ${escape(v)}`);
  if (sets.length === 0) return 0;
  const sql = `UPDATE mail_outbox SET ${sets.join(', ')} WHERE id = ${Math.trunc(id)} AND status = 'sending' AND lease_until = ${escape(lease)}`;
  // BULKUPDATE: both dialects answer the number of rows changed.
  return Number(await sequelize.query(sql, { transaction: t, type: QueryTypes.BULKUPDATE }));
}

/** How many mails a job queued, by status. */
export async function mailCountsByStatus(jobId: number): Promise<Array<{ status: MailStatus; n: number }>> {
  const rows = (await MailMessage.findAll({
    attributes: ['status', [fn('COUNT', col('id')), 'n']],
    where: { jobId },
    group: ['status'],
    raw: true,
  })) as unknown as Array<{ status: MailStatus; n: number | string }>;
  return rows.map((r) => ({ status: r.status, n: Number(r.n) }));
}
