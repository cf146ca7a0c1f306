import { Op, UniqueConstraintError, type Transaction } from 'sequelize';
import { JobSlot } from '../store/models';
import type { Ctx } from './context';

/**
 * Once-per-slot work across instances (the lockout digest). A slot is claimed by inserting its
 * row; UNIQUE(name, slot) lets exactly one insert win on SQLite and PostgreSQL alike, however many
 * instances try at the same moment. The winner does the work and stamps `finished_at`.
 */

export interface SlotClaim {
  id: number;
  name: string;
  slot: string;
  claimedAt: Date;
}

/** Claim `slot` of `name`; `null` when another instance (or an earlier run) already holds it. */
export async function claimSlot(ctx: Ctx, name: string, slot: string, claimedBy: string): Promise<SlotClaim | null> {
  try {
    const row = await ctx.db.tx((t) =>
      JobSlot.create({ name, slot, claimedBy: claimedBy.slice(0, 100), claimedAt: ctx.now() }, { transaction: t }),
    );
    return { id: row.id, name, slot, claimedAt: row.claimedAt };
  } catch (e) {
    if (e instanceof UniqueConstraintError) return null;
    throw e;
  }
}

/** Stamp the slot finished; `alongside` writes what the slot's work must record in the same transaction. */
export async function finishSlot(ctx: Ctx, claim: SlotClaim, alongside?: (t: Transaction) => Promise<void>): Promise<void> {
  await ctx.db.tx(async (t) => {
    await alongside?.(t);
    await JobSlot.update({ finishedAt: ctx.now() }, { where: { id: claim.id }, transaction: t });
  });
}

/**
 * The latest finished run of `name` (by claim time). A claimed but unfinished row (the instance
 * died, or Slack refused the post) does not count, so the next run covers what it would have.
 */
export async function lastFinishedSlot(_ctx: Ctx, name: string): Promise<SlotClaim | null> {
  const row = await JobSlot.findOne({
    where: { name, finishedAt: { [Op.ne]: null } },
    order: [
      ['claimedAt', 'DESC'],
      ['id', 'DESC'],
    ],
  });
  return row ? { id: row.id, name: row.name, slot: row.slot, claimedAt: row.claimedAt } : null;
}

export async function isSlotClaimed(_ctx: Ctx, name: string, slot: string): Promise<boolean> {
  return (await JobSlot.count({ where: { name, slot } })) > 0;
}
