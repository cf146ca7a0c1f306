// Asking for approval from Slack: a bulk preview's "Request approval", and a single action that needs one.
import type { WebClient } from '@slack/web-api';
import type { SingleApprovalAction } from '../../../domain/approvals';
import { ok, type Failure, type Outcome } from '../../../domain/outcome';
import { requestBulkApproval, requestSingleApproval, type ApprovalView } from '../../../services/approvals';
import type { Actor } from '../../../services/context';
import type { SlackDeps } from '../../kit';
import { sendApprovalRequest } from './post';

export type Asked = Outcome<{ request: ApprovalView; sentTo: string }>;

/** The pending line the requester's surface is rewritten to. */
export function pendingNotice(a: { request: ApprovalView; sentTo: string }): string {
  return `⏳ Approval requested (#${a.request.id}) and sent to ${a.sentTo}. Nothing changes until a second person approves it; the result arrives in your direct messages with userops.`;
}

/** "Request approval" on a bulk preview (its draft job). */
export async function askBulkApproval(
  deps: SlackDeps,
  client: WebClient,
  actor: Actor,
  slackUserId: string,
  jobId: number,
): Promise<Asked> {
  const asked = await requestBulkApproval(deps.rt, actor, { jobId });
  if (!asked.ok) return asked;
  const sent = await sendApprovalRequest(deps, client, asked.request, slackUserId);
  return ok({ request: asked.request, sentTo: sent.sentTo });
}

/**
 * One user's action, when APPROVAL_REQUIRED says it needs a second person: the request is stored and
 * sent, and `requested` is true; otherwise nothing happened and the caller acts as always.
 */
export async function askSingleApprovalIfNeeded(
  deps: SlackDeps,
  client: WebClient,
  actor: Actor,
  slackUserId: string,
  input: { action: SingleApprovalAction; userId: number; passwordHash?: string; organization?: string },
): Promise<Outcome<{ requested: false } | { requested: true; request: ApprovalView; sentTo: string }> | Failure> {
  if (deps.rt.config.APPROVAL_REQUIRED.length === 0) return ok({ requested: false as const });
  const asked = await requestSingleApproval(deps.rt, actor, {
    action: input.action,
    ref: String(input.userId),
    passwordHash: input.passwordHash,
    organization: input.organization,
  });
  if (!asked.ok || !asked.requested) return asked;
  const sent = await sendApprovalRequest(deps, client, asked.request, slackUserId);
  return ok({ requested: true as const, request: asked.request, sentTo: sent.sentTo });
}
