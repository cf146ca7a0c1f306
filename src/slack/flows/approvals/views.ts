// Block Kit of approvals (issue 19): the request with Approve and Deny, its final state, the requester's DM, the Deny modal, the list.
import type { KnownBlock, ModalView } from '@slack/types';
import { APPROVAL_REASON_TEXT } from '../../../domain/approvals';
import type { ApprovalView } from '../../../services/approvals';
import { ACTION, BLOCK, CALLBACK } from '../../constants';
import { esc, lineSections, mention, plural, slackDate, truncate } from '../../views/common';
import type { SlackMessage } from '../../views/messages';
import { modal } from '../../views/modals';
import { previewLines } from '../bulk/views';

function who(p: { label: string; slackId: string | null }): string {
  return p.slackId ? `${mention(p.slackId)} (${esc(p.label.replace(/ \(slack .*\)$/, ''))})` : esc(p.label);
}

/** The exact action: the bulk preview as the requester saw it, or the one user. */
export function approvalWhat(v: ApprovalView): string[] {
  if (v.preview) return previewLines({ ...v.preview }, null).map((l) => l.replace('⏭️ Skipped: you', '⏭️ Skipped: the requester'));
  const t = v.target!;
  return [
    `*${esc(t.username)}* (${esc(t.email)}) · ${t.organizations.map(esc).join(', ')}`,
    ...(v.keyOrganization
      ? [
          `An API key for them in *${esc(v.keyOrganization.slug)}*: once approved, the requester creates it and sees it once; it is never posted.`,
        ]
      : []),
    ...(v.reason ? [`Reason: “${esc(truncate(v.reason, 300))}”`] : []),
  ];
}

function header(v: ApprovalView): string[] {
  return [
    `*${esc(v.title)}* · approval request #${v.id}`,
    `Requested by ${who(v.requester)} · needs approval because of ${APPROVAL_REASON_TEXT[v.neededBecause]}.`,
  ];
}

/** The final line of a decided request. */
export function decisionLine(v: ApprovalView): string {
  const by = v.approver ? who(v.approver) : 'someone';
  const at = v.decidedAt ? ` ${slackDate(v.decidedAt, '{date_short_pretty} {time}')}` : '';
  switch (v.status) {
    case 'approved':
      if (v.keyOrganization)
        return `✅ Approved by ${by}${at}. The requester may create the key once, until ${slackDate(v.expiresAt, '{date_short_pretty} {time}')}.`;
      return `✅ Approved by ${by}${at}.${v.jobId ? ` Running as job #${v.jobId} on the requester's behalf.` : ''}${v.outcome && !v.jobId ? ` ${esc(v.outcome)}` : ''}`;
    case 'used':
      return `✅ Approved by ${by}${at}. ${esc(v.outcome ?? 'The key was created.')}`;
    case 'denied':
      return `⛔ Denied by ${by}${at}: “${esc(truncate(v.denyReason ?? '', 500))}”. Nothing changed.`;
    case 'expired':
      return `⌛ Expired${at} without a decision. Nothing changed.`;
    case 'void':
      return `➖ Void${at}: ${esc(v.outcome ?? 'the selection changed')}. Nothing changed; the requester can ask again.`;
    default:
      return `⏳ Waiting for approval until ${slackDate(v.expiresAt, '{date_short_pretty} {time}')}.`;
  }
}

/** The request as approvers see it: who, what, how many, why, and Approve / Deny. */
export function approvalRequestMessage(v: ApprovalView): SlackMessage {
  const blocks: KnownBlock[] = [...lineSections([...header(v), ...approvalWhat(v), decisionLine(v)])];
  if (v.status === 'pending') {
    blocks.push({
      type: 'actions',
      block_id: `approval:${v.id}`,
      elements: [
        {
          type: 'button',
          action_id: ACTION.approve,
          style: 'primary',
          text: { type: 'plain_text', text: 'Approve' },
          value: String(v.id),
          confirm: {
            title: { type: 'plain_text', text: 'Approve?' },
            text: {
              type: 'mrkdwn',
              text: v.keyOrganization
                ? 'The requester may then create the key once, seen only by them, with you recorded as the approver.'
                : `${esc(v.title)}${v.preview ? ` for ${plural(v.preview.count, 'user')}` : ''} runs at once, on the requester's behalf, with you recorded as the approver.`,
            },
            confirm: { type: 'plain_text', text: 'Approve' },
            deny: { type: 'plain_text', text: 'Back' },
          },
        },
        { type: 'button', action_id: ACTION.deny, style: 'danger', text: { type: 'plain_text', text: 'Deny…' }, value: String(v.id) },
      ],
    });
  }
  return { text: `${v.title}: approval request #${v.id} (${v.status})`, blocks: blocks.slice(0, 50) };
}

/** The requester's DM while the request waits, and once decided. */
export function requesterMessage(v: ApprovalView, sentTo: string | null): SlackMessage {
  const lines =
    v.status === 'pending'
      ? [
          `⏳ *${esc(v.title)}*: approval request #${v.id} sent${sentTo ? ` to ${sentTo}` : ''}. Nothing changes until a second person approves it; the result arrives here.`,
          decisionLine(v),
        ]
      : [`*${esc(v.title)}* · your approval request #${v.id}`, decisionLine(v)];
  const blocks: KnownBlock[] = [...lineSections(lines)];
  if (v.keyOrganization && v.status === 'approved') {
    // The key is a secret: this message (a DM, which persists) only carries the button; the key appears in a modal.
    blocks.push(
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: 'The key is shown once, to you only, in a dialog; it is never posted in a message.' }],
      },
      {
        type: 'actions',
        block_id: `approved_key:${v.id}`,
        elements: [
          {
            type: 'button',
            action_id: ACTION.apiKeyCreateApproved,
            style: 'primary',
            text: { type: 'plain_text', text: 'Create the key now' },
            value: String(v.id),
          },
        ],
      },
    );
  }
  return { text: lines.join(' '), blocks };
}

/** Deny asks why. */
export function denyModal(id: number, title: string): ModalView {
  return modal(
    'Deny request',
    [
      { type: 'section', text: { type: 'mrkdwn', text: `Deny *${esc(title)}* (request #${id})? The requester sees your reason.` } },
      {
        type: 'input',
        block_id: BLOCK.reason,
        label: { type: 'plain_text', text: 'Reason' },
        element: { type: 'plain_text_input', action_id: 'value', min_length: 3, max_length: 500 },
      },
    ],
    { callback_id: CALLBACK.denyReason, private_metadata: String(id), submit: { type: 'plain_text', text: 'Deny' } },
  );
}

/** `/users approvals`: the pending requests the viewer may decide, each with its buttons. */
export function approvalsListMessage(requests: ApprovalView[]): SlackMessage {
  if (requests.length === 0)
    return { text: 'No approval requests wait for you.', blocks: lineSections(['No approval requests wait for you.']) };
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${plural(requests.length, 'approval request')} wait for you*` } },
  ];
  for (const v of requests.slice(0, 10)) {
    const m = approvalRequestMessage(v);
    blocks.push({ type: 'divider' }, ...m.blocks);
  }
  if (requests.length > 10) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${requests.length - 10} more.` }] });
  return { text: `${plural(requests.length, 'approval request')} wait for you`, blocks: blocks.slice(0, 50) };
}
