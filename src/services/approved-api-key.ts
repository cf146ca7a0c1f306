// An API key approved by a second person (issue 19), created by its requester, once.
import { fail, ok, type Failure, type Outcome } from '../domain/outcome';
import { claimApproved } from '../store/approval-queries';
import { ApprovalRequest } from '../store/models';
import { generateApiKeyIn, type IssuedApiKey } from './api-keys';
import { fingerprint, parsePayload, settledText, viewOf, type ApprovalView } from './approval-shapes';
import { isFailure, loadAccess, rolesOfUsers } from './authz';
import type { Actor, Ctx } from './context';

/** Thrown inside the transaction to roll the claim back when the key cannot be made. */
class NotMade extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}

/**
 * The requester uses an approved `api_key` request: the key is made now and returned, to be shown
 * once where it does not persist (a Slack modal, never a message). Only the requester may, only once
 * (approved → used, a conditional update) and only before the request's `expiresAt`, which the
 * approval set to APPROVAL_TTL_MINUTES after the decision. The key is made as the requester, in the
 * same transaction as the claim, by generateApiKey's own rules (access, `loadTarget`, the
 * organization), with the approval id in its audit line; if those refuse, the claim rolls back and
 * nothing changed.
 */
export async function createApprovedApiKey(
  ctx: Ctx,
  actor: Actor,
  input: { id: number },
): Promise<Outcome<{ issued: IssuedApiKey; request: ApprovalView }>> {
  const access = await loadAccess(ctx, actor);
  if (isFailure(access)) return access;
  const req = await ApprovalRequest.findByPk(input.id);
  const p = req ? parsePayload(req) : null;
  if (!req || !p || p.type !== 'single' || p.action !== 'api_key' || !p.keyOrganization)
    return fail('not_found', 'That API key approval does not exist.');
  // Whoever else clicks (the approver included) learns nothing more than that it is not theirs.
  if (access.userId !== req.requesterUserId)
    return fail('forbidden', 'Only the person who asked for this key can create it: it is shown once, to them alone.');
  if (req.status === 'pending') return fail('precondition_failed', 'That request is still waiting for a second person’s approval.');
  if (req.status === 'used')
    return fail(
      'conflict',
      'The key of this approval was already created, and shown that one time. If it was not saved, ask for a new key (it needs a new approval).',
    );
  if (req.status !== 'approved') return fail('conflict', settledText(viewOf(req)));
  if (req.expiresAt.getTime() <= ctx.now().getTime())
    return fail(
      'token_expired',
      'The time to create this key ran out (APPROVAL_TTL_MINUTES after the approval); nothing was made. Ask again.',
    );
  const roles = (await rolesOfUsers([p.userId])).get(p.userId) ?? new Map<number, string[]>();
  if (fingerprint([p.userId], roles) !== req.fingerprint)
    return fail('precondition_failed', `${p.username}'s roles changed since the approval; nothing was made. Ask again.`);
  try {
    const issued = await ctx.db.tx(async (t) => {
      if (!(await claimApproved(req.id, req.requesterUserId, ctx.now(), t)))
        throw new NotMade(fail('conflict', 'The key of this approval was already created, or its time ran out; nothing more was made.'));
      const out = await generateApiKeyIn(ctx, t, actor, {
        ref: String(p.userId),
        organization: String(p.keyOrganization!.id),
        approved: { approvalId: req.id },
      });
      if (!out.ok) throw new NotMade(out);
      if (out.step !== 'issued')
        throw new NotMade(fail('precondition_failed', 'The key could not be made for that organization; nothing changed.'));
      const at = ctx.now().toISOString();
      const outcome = `Key ${out.issued.displayPrefix}… created by ${req.requesterLabel} at ${at.slice(0, 16).replace('T', ' ')} UTC.`;
      await ApprovalRequest.update({ outcome }, { where: { id: req.id }, transaction: t });
      return out.issued;
    });
    return ok({ issued, request: viewOf((await ApprovalRequest.findByPk(req.id))!) });
  } catch (err) {
    if (err instanceof NotMade) return err.failure;
    throw err;
  }
}
