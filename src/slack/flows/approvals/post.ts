// Where approval requests go (APPROVALS_CHANNEL, or a DM to each person who may decide) and how their messages are rewritten once decided.
import type { WebClient } from '@slack/web-api';
import { approverEmails, recordApprovalMessages, type ApprovalView, type Decided, type NotifyTarget } from '../../../services/approvals';
import type { SlackDeps } from '../../kit';
import { plural } from '../../views/common';
import { textMessage, type SlackMessage } from '../../views/messages';
import { approvalRequestMessage, requesterMessage } from './views';
import { memberIdByEmail } from '../../members';

async function post(client: WebClient, channel: string, m: SlackMessage): Promise<NotifyTarget | null> {
  const r = await client.chat.postMessage({ channel, text: m.text, blocks: m.blocks });
  return r.ok && r.channel && r.ts ? { channel: r.channel, ts: r.ts } : null;
}

async function dm(client: WebClient, slackUserId: string, m: SlackMessage): Promise<NotifyTarget | null> {
  const open = await client.conversations.open({ users: slackUserId });
  return open.channel?.id ? post(client, open.channel.id, m) : null;
}

/**
 * Send a new request to the people who may decide it: the approvals channel, or each of them by DM
 * (matched by email with users.lookupByEmail; whoever clicks is still matched the usual way, by
 * users.info and a confirmed email). Then the requester's DM says it waits. Where each message went
 * is stored, so the decision rewrites them all.
 */
export async function sendApprovalRequest(
  deps: SlackDeps,
  client: WebClient,
  request: ApprovalView,
  requesterSlackId: string,
): Promise<{ sentTo: string }> {
  const m = approvalRequestMessage(request);
  const messages: NotifyTarget[] = [];
  let sentTo: string;
  const channel = deps.rt.config.APPROVALS_CHANNEL;
  if (channel) {
    const at = await post(client, channel, m).catch((e: unknown) => {
      deps.rt.logger.warn('could not post an approval request', { approvalId: request.id, error: String(e) });
      return null;
    });
    if (at) messages.push(at);
    sentTo = at ? `<#${channel}>` : 'nobody (the approvals channel refused it; approvers can find it with `approvals`)';
  } else {
    const emails = await approverEmails(deps.rt, request.id);
    for (const email of emails) {
      try {
        const id = await memberIdByEmail(client, email);
        if (!id || id === requesterSlackId) continue;
        const at = await dm(client, id, m);
        if (at) messages.push(at);
      } catch (e) {
        deps.rt.logger.warn('could not send an approval request by DM', {
          approvalId: request.id,
          error: String((e as Error).message ?? e),
        });
      }
    }
    sentTo =
      messages.length > 0
        ? plural(messages.length, 'person', 'people') + ' who may approve it'
        : `nobody yet (no one else who may approve it could be reached in Slack; they can find it with \`${deps.commandName} approvals\`)`;
  }
  const notify = await dm(client, requesterSlackId, requesterMessage(request, sentTo)).catch(() => null);
  await recordApprovalMessages(deps.rt, request.id, { messages, notify });
  return { sentTo };
}

/** Rewrite every posted copy of a decided request to its final state, and tell the requester. */
export async function announceDecision(deps: Pick<SlackDeps, 'rt'>, client: WebClient, d: Decided): Promise<void> {
  const v = d.request;
  const final = approvalRequestMessage(v);
  for (const to of v.messages) {
    await client.chat
      .update({ channel: to.channel, ts: to.ts, text: final.text, blocks: final.blocks })
      .catch((e: unknown) => deps.rt.logger.warn('could not rewrite an approval request', { approvalId: v.id, error: String(e) }));
  }
  const mine = requesterMessage(v, null);
  if (v.jobId && d.happened === 'approved') {
    // The job rewrites the waiting message with its progress and summary; the approval is a new line.
    if (v.requester.slackId) await dm(client, v.requester.slackId, mine).catch(() => null);
    return;
  }
  if (v.notify) {
    const updated = await client.chat.update({ channel: v.notify.channel, ts: v.notify.ts, text: mine.text, blocks: mine.blocks }).then(
      () => true,
      () => false,
    );
    if (updated) {
      // An update does not notify: a short new line does.
      if (v.requester.slackId)
        await dm(client, v.requester.slackId, textMessage(`Your approval request #${v.id} was decided: see above.`)).catch(() => null);
      return;
    }
  }
  if (v.requester.slackId) await dm(client, v.requester.slackId, mine).catch(() => null);
}

/** Expired requests found by anyone: their messages say so, and their requesters are told. */
export async function announceExpired(deps: Pick<SlackDeps, 'rt'>, client: WebClient, expired: ApprovalView[]): Promise<void> {
  for (const request of expired) await announceDecision(deps, client, { happened: 'expired', request, result: null });
}

/**
 * An approved key was created: every copy of the request, and the requester's DM with the button
 * (`clicked`, and the waiting message if that is another), say so and lose their buttons. Never the key.
 */
export async function announceKeyCreated(
  deps: Pick<SlackDeps, 'rt'>,
  client: WebClient,
  v: ApprovalView,
  clicked: NotifyTarget | null,
): Promise<void> {
  const final = approvalRequestMessage(v);
  const mine = requesterMessage(v, null);
  const rewrites: Array<[NotifyTarget, SlackMessage]> = v.messages.map((to) => [to, final]);
  if (clicked) rewrites.push([clicked, mine]);
  if (v.notify && (!clicked || v.notify.channel !== clicked.channel || v.notify.ts !== clicked.ts)) rewrites.push([v.notify, mine]);
  for (const [to, m] of rewrites) {
    await client.chat
      .update({ channel: to.channel, ts: to.ts, text: m.text, blocks: m.blocks })
      .catch((e: unknown) => deps.rt.logger.warn('could not rewrite an approval message', { approvalId: v.id, error: String(e) }));
  }
}
