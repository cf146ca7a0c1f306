import { Op, type Transaction } from 'sequelize';
import type { ApprovalKind } from '../domain/approvals';
import { fail, ok, type Failure, type Outcome } from '../domain/outcome';
import { approvalGate, approvalNeeded, type ApprovedBy } from './approval-gate';
import { Membership, Organization, RecordAssignment } from '../store/models';
import { isFailure, loadAccess, mayOn } from './authz';
import { writeAudit } from './audit';
import type { Actor, Ctx } from './context';
import { otherAdministrators } from './memberships';
import { authorityOrg, loadTarget, loadVisible } from './target';

/**
 * Delete a user. Refused for yourself, while records are assigned, and for the last administrator
 * of an organization. Memberships, API keys and reset tokens go with the row (ON DELETE CASCADE);
 * the audit row keeps the facts. Needs the delete permission in every organization of the user and
 * never reaches upward (see `loadTarget`).
 */
export async function deleteUser(
  ctx: Ctx,
  actor: Actor,
  input: { ref: string; approved?: ApprovedBy | null },
): Promise<Outcome<{ username: string; userId: number }>> {
  return ctx.db.tx(async (t) => {
    const access = await loadAccess(ctx, actor, t);
    if (isFailure(access)) return access;
    const target = await loadTarget(access, input.ref, 'delete', t);
    if (isFailure(target)) return target;
    const { user, orgIds } = target;
    const refused = await deleteRefusal(access.userId, user, t);
    if (refused) return refused;
    const needed = approvalGate(ctx, actor, { kind: 'single', action: 'delete' }, [target.roles], input.approved);
    if (needed) return needed;
    const facts = { id: user.id, username: user.username, email: user.email };
    await writeAudit(ctx, t, actor, {
      action: 'delete',
      target: facts,
      organizationId: authorityOrg(access, 'delete', orgIds),
      details: {
        organizations: orgIds,
        firstName: user.firstName,
        lastName: user.lastName,
        ...(input.approved ? { approvalId: input.approved.approvalId } : {}),
      },
    });
    await user.destroy({ transaction: t });
    return ok({ username: facts.username, userId: facts.id });
  });
}

/**
 * May the actor delete this user now, and if not, why — the checks `deleteUser` makes, without
 * deleting. The delete confirmation asks this before it shows a Delete button.
 */
export async function precheckDelete(
  ctx: Ctx,
  actor: Actor,
  input: { ref: string },
): Promise<Outcome<{ username: string; userId: number; needsApproval?: ApprovalKind }>> {
  return ctx.db.tx(async (t) => {
    const access = await loadAccess(ctx, actor, t);
    if (isFailure(access)) return access;
    const target = await loadTarget(access, input.ref, 'delete', t);
    if (isFailure(target)) return target;
    const refused = await deleteRefusal(access.userId, target.user, t);
    const needsApproval = approvalNeeded(ctx, { kind: 'single', action: 'delete' }, [target.roles]);
    return refused ?? ok({ username: target.user.username, userId: target.user.id, ...(needsApproval ? { needsApproval } : {}) });
  });
}

/** Why a user the actor may delete by permission still cannot go: themselves, records assigned, last administrator. */
async function deleteRefusal(actorUserId: number | null, user: { id: number; username: string }, t: Transaction): Promise<Failure | null> {
  if (actorUserId === user.id) return fail('self_action', 'You cannot delete your own account.');
  const records = await RecordAssignment.count({ where: { userId: user.id }, transaction: t });
  if (records > 0) {
    return fail(
      'has_records',
      `${user.username} still owns ${records} record${records === 1 ? '' : 's'}. Move them first with reassign FROM TO, then delete.`,
    );
  }
  const lastAdminOf = await soleAdministratorOf(user.id, t);
  if (lastAdminOf.length > 0) {
    return fail(
      'last_administrator',
      `${user.username} is the last administrator of ${lastAdminOf.join(', ')}. Grant the role to someone else first.`,
    );
  }
  return null;
}

/** Slugs of organizations where `userId` is the only administrator. */
async function soleAdministratorOf(userId: number, t: Transaction): Promise<string[]> {
  const mine = await Membership.findAll({ where: { userId, roles: { [Op.like]: '%administrator%' } }, transaction: t });
  const out: string[] = [];
  for (const m of mine) {
    if ((await otherAdministrators(m.organizationId, userId, t)) === 0) {
      const org = await Organization.findByPk(m.organizationId, { transaction: t });
      out.push(org?.slug ?? String(m.organizationId));
    }
  }
  return out;
}

/**
 * Move every record FROM owns to TO, in the organizations where the actor may reassign and TO is a
 * member. Records in other organizations stay and are reported, so a following delete explains itself.
 */
export async function reassignRecords(
  ctx: Ctx,
  actor: Actor,
  input: { from: string; to: string },
): Promise<Outcome<{ moved: number; remaining: number; from: string; to: string }>> {
  return ctx.db.tx(async (t) => {
    const access = await loadAccess(ctx, actor, t);
    if (isFailure(access)) return access;
    const from = await loadTarget(access, input.from, 'reassign_records', t);
    if (isFailure(from)) return from;
    const to = await loadVisible(access, input.to, t);
    if (isFailure(to)) return to;
    if (from.user.id === to.user.id) return fail('invalid_input', 'FROM and TO are the same user.');
    if (!to.user.enabled) return fail('precondition_failed', `${to.user.username} is disabled; records cannot move to a disabled user.`);
    const orgs = from.orgIds.filter((o) => to.orgIds.includes(o) && mayOn(access, 'reassign_records', [o]));
    const total = await RecordAssignment.count({ where: { userId: from.user.id }, transaction: t });
    if (total === 0) return fail('precondition_failed', `${from.user.username} has no records to move.`);
    let moved = 0;
    if (orgs.length > 0) {
      const [count] = await RecordAssignment.update(
        { userId: to.user.id },
        { where: { userId: from.user.id, organizationId: { [Op.in]: orgs } }, transaction: t },
      );
      moved = count;
    }
    if (moved === 0) {
      return fail(
        'precondition_failed',
        `None of ${from.user.username}'s records are in an organization ${to.user.username} belongs to and you may manage.`,
      );
    }
    await writeAudit(ctx, t, actor, {
      action: 'reassign_records',
      target: from.user,
      organizationId: orgs[0],
      details: { to: to.user.username, toUserId: to.user.id, moved },
    });
    return ok({ moved, remaining: total - moved, from: from.user.username, to: to.user.username });
  });
}
