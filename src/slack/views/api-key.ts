// Block Kit of API keys: the key shown once, the organization picker, the hidden and revoked states.
import type { KnownBlock, PlainTextOption } from '@slack/types';
import type { ModalView } from '@slack/types';
import { APPROVAL_REASON_TEXT } from '../../domain/approvals';
import type { ChooseOrganization, GenerateResult, IssuedApiKey, KeyNeedsApproval, RevokeResult } from '../../services/api-keys';
import { ACTION } from '../constants';
import { esc, mention, slackDate, truncate } from './common';
import { textMessage, type SlackMessage } from './messages';
import { modal } from './modals';

export type KeyPurpose = 'generate' | 'revoke';

/** The value of a picker option: what to do, to whom, where. */
export function orgChoiceValue(purpose: KeyPurpose, userId: number, organizationId: number): string {
  return `${purpose}:${userId}:${organizationId}`;
}

export function parseOrgChoice(value: string | undefined): { purpose: KeyPurpose; userId: number; organizationId: number } | null {
  const m = /^(generate|revoke):(\d{1,15}):(\d{1,15})$/.exec(value ?? '');
  return m ? { purpose: m[1] as KeyPurpose, userId: Number(m[2]), organizationId: Number(m[3]) } : null;
}

/** What the Hide button needs to write the final state without the key: user, organization, prefix. */
export function hideValue(issued: Pick<IssuedApiKey, 'username' | 'organization' | 'displayPrefix'>): string {
  return JSON.stringify({ u: issued.username, o: issued.organization.slug, p: issued.displayPrefix });
}

export function parseHideValue(value: string | undefined): { username: string; org: string; prefix: string } | null {
  try {
    const v = JSON.parse(value ?? '') as { u?: unknown; o?: unknown; p?: unknown };
    if (typeof v.u !== 'string' || typeof v.o !== 'string' || typeof v.p !== 'string') return null;
    return { username: v.u.slice(0, 64), org: v.o.slice(0, 64), prefix: v.p.slice(0, 20) };
  } catch {
    return null;
  }
}

/**
 * The one time a key is shown: ephemeral, to the actor only. The key is in the blocks and never in
 * `text`, which Slack uses for notifications and previews. Hide rewrites the message without it.
 */
function issuedNotes(issued: IssuedApiKey): string[] {
  return [
    'Use it as `Authorization: Bearer <key>`. It is shown only this once and cannot be recovered; store it in your secret manager now.',
    issued.replaced ? 'The earlier key for this user and organization stopped working.' : '',
    issued.usableNow
      ? ''
      : `:warning: ${esc(issued.username)} is disabled, locked or waiting for a password reset, so the key is refused until that changes.`,
  ].filter((n) => n.length > 0);
}

function issuedBlocks(issued: IssuedApiKey): KnownBlock[] {
  const who = `*${esc(issued.username)}* in *${esc(issued.organization.slug)}*`;
  return [
    { type: 'section', text: { type: 'mrkdwn', text: `:key: New API key for ${who}:` } },
    { type: 'section', text: { type: 'mrkdwn', text: `\`\`\`${issued.key}\`\`\`` } },
    { type: 'context', elements: issuedNotes(issued).map((n) => ({ type: 'mrkdwn' as const, text: n })) },
  ];
}

export function apiKeyIssuedMessage(issued: IssuedApiKey): SlackMessage {
  const blocks: KnownBlock[] = [
    ...issuedBlocks(issued),
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: ACTION.apiKeyHide,
          text: { type: 'plain_text', text: 'I saved it — hide the key' },
          style: 'primary',
          value: hideValue(issued),
        },
      ],
    },
  ];
  return { text: `New API key for ${issued.username} in ${issued.organization.slug} (shown once, in this message only)`, blocks };
}

/** The key message after Hide: what was created, by whom, and nothing secret. */
export function apiKeyHiddenMessage(d: { username: string; org: string; prefix: string; slackUserId: string; at: Date }): SlackMessage {
  return textMessage(
    `:key: API key \`${esc(d.prefix)}…\` for *${esc(d.username)}* in *${esc(d.org)}* — hidden by ${mention(d.slackUserId)} at ${slackDate(d.at, '{time}')}. ` +
      'If it was not saved, generate a new one (the new key replaces this one).',
  );
}

/** ORG was omitted and there are several: a static select of the candidate organizations. */
export function apiKeyOrgPicker(choice: ChooseOrganization, purpose: KeyPurpose): SlackMessage {
  const shown = choice.organizations.slice(0, 100);
  const options: PlainTextOption[] = shown.map((o) => ({
    text: { type: 'plain_text', text: truncate(`${o.slug}${o.hasKey ? ' (has a key)' : ''}`, 75) },
    value: orgChoiceValue(purpose, choice.userId, o.id),
  }));
  const question =
    purpose === 'generate'
      ? `*${esc(choice.username)}* is in several organizations where you manage API keys. Which one is the key for?`
      : `*${esc(choice.username)}* has API keys in several organizations. Which one do you want to revoke?`;
  return {
    text: `Choose the organization for ${choice.username}'s API key`,
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: question },
        accessory: {
          type: 'static_select',
          action_id: ACTION.apiKeyOrg,
          placeholder: { type: 'plain_text', text: 'Organization' },
          options,
        },
      },
      {
        type: 'actions',
        elements: [{ type: 'button', action_id: ACTION.cancel, text: { type: 'plain_text', text: 'Cancel' }, value: 'cancel' }],
      },
    ],
  };
}

/**
 * An approved key, made when its requester clicked "Create the key now" (issue 19): shown in a modal,
 * which Slack does not keep once closed, because the approval's messages persist in DMs.
 */
export function apiKeyIssuedModal(issued: IssuedApiKey, approvalId: number): ModalView {
  return modal('API key', [
    ...issuedBlocks(issued),
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `Made under approval request #${approvalId}, which is now used. This dialog is the only place the key appears: closing it removes it.`,
        },
      ],
    },
  ]);
}

/** The value of "Request approval" for a key: who and where. */
export function keyApprovalValue(r: Pick<KeyNeedsApproval, 'userId' | 'organization'>): string {
  return `${r.userId}:${r.organization.id}`;
}

export function parseKeyApprovalValue(value: string | undefined): { userId: number; organizationId: number } | null {
  const m = /^(\d{1,15}):(\d{1,15})$/.exec(value ?? '');
  return m ? { userId: Number(m[1]), organizationId: Number(m[2]) } : null;
}

/** The key needs a second person: what happens if asked, and "Request approval". */
export function apiKeyApprovalNeededMessage(r: KeyNeedsApproval): SlackMessage {
  const who = `*${esc(r.username)}* in *${esc(r.organization.slug)}*`;
  return {
    text: `An API key for ${r.username} in ${r.organization.slug} needs a second person's approval`,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text:
            `:lock: An API key for ${who} needs a second person's approval (${APPROVAL_REASON_TEXT[r.because]}). ` +
            '*Request approval* asks them; nothing is made until one of them approves. Then you create the key yourself with ' +
            'a button in your direct messages with userops: it is shown once, to you only, in a dialog, never in a message.',
        },
      },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            action_id: ACTION.apiKeyRequestApproval,
            style: 'primary',
            text: { type: 'plain_text', text: 'Request approval' },
            value: keyApprovalValue(r),
          },
          { type: 'button', action_id: ACTION.cancel, text: { type: 'plain_text', text: 'Cancel' }, value: 'cancel' },
        ],
      },
    ],
  };
}

/** A generate outcome as a message: the key (shown once), the organization picker, or Request approval. */
export function apiKeyGenerateMessage(result: GenerateResult): SlackMessage {
  switch (result.step) {
    case 'issued':
      return apiKeyIssuedMessage(result.issued);
    case 'choose_organization':
      return apiKeyOrgPicker(result, 'generate');
    case 'approval_needed':
      return apiKeyApprovalNeededMessage(result);
  }
}

/** A revoke outcome as a message, naming who revoked it. */
export function apiKeyRevokeMessage(result: RevokeResult, slackUserId: string, at: Date): SlackMessage {
  switch (result.step) {
    case 'revoked':
      return textMessage(
        `:no_entry: API key \`${esc(result.displayPrefix)}…\` of *${esc(result.username)}* in *${esc(result.organization.slug)}* revoked by ${mention(slackUserId)} at ${slackDate(at, '{time}')}. It stopped working at once.`,
      );
    case 'no_key':
      return textMessage(`➖ ${esc(result.message)}`);
    case 'choose_organization':
      return apiKeyOrgPicker(result, 'revoke');
  }
}
