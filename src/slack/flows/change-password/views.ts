// Block Kit of the change-password flow: the form, and the metadata it carries between steps.
import type { KnownBlock, ModalView } from '@slack/types';
import { ACTION, BLOCK, CALLBACK } from '../../constants';
import { esc } from '../../views/common';
import { modal } from '../../views/modals';

export interface ChangePasswordMeta {
  userId: number;
  generation: number;
}

/** The user and the suggestion generation a change-password modal was built for (its private_metadata). */
export function readMeta(text: string | undefined): ChangePasswordMeta | null {
  try {
    const m = JSON.parse(text ?? '') as Partial<ChangePasswordMeta>;
    return Number.isSafeInteger(m.userId) && Number.isSafeInteger(m.generation) ? { userId: m.userId!, generation: m.generation! } : null;
  } catch {
    return null;
  }
}

/** `password:<n>`: a new block id each time a suggestion is filled in, because Slack keeps typed values per block. */
export function passwordBlockId(generation: number): string {
  return `${BLOCK.password}:${generation}`;
}

export interface ChangePasswordModalData {
  userId: number;
  username: string;
  email: string;
  generation: number;
  suggested?: string;
  minLength: number;
}

export function changePasswordModal(d: ChangePasswordModalData): ModalView {
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `Set a new password for *${esc(d.username)}* (${esc(d.email)}). They get an email saying it changed — never the password itself.`,
      },
    },
    {
      type: 'input',
      block_id: passwordBlockId(d.generation),
      label: { type: 'plain_text', text: 'New password' },
      hint: { type: 'plain_text', text: `At least ${d.minLength} characters, at most 72 bytes; not a common password.` },
      element: {
        type: 'plain_text_input',
        action_id: 'value',
        min_length: 1,
        max_length: 200,
        ...(d.suggested ? { initial_value: d.suggested } : {}),
      },
    },
    {
      type: 'actions',
      elements: [
        { type: 'button', action_id: ACTION.suggestPassword, text: { type: 'plain_text', text: 'Suggest password' }, value: 'suggest' },
      ],
    },
  ];
  if (d.suggested) {
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: 'A suggested password is in the field. Copy it now to give to the user through a safe channel; userops does not keep it.',
        },
      ],
    });
  }
  return modal('Change password', blocks, {
    callback_id: CALLBACK.changePassword,
    submit: { type: 'plain_text', text: 'Set password' },
    private_metadata: JSON.stringify({ userId: d.userId, generation: d.generation }),
  });
}
