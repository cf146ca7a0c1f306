// Block Kit of the invitation modal: email, names, organization (those the actor administers) and an optional role.
import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { ROLES } from '../../../domain/permissions';
import { BLOCK, CALLBACK } from '../../constants';
import { modal } from '../../views/modals';

export interface InviteModalData {
  organizations: string[];
  email?: string;
  org?: string;
  role?: string;
}

/** RFC 5321's limit on a whole address; the form's email field allows no more. */
export const MAX_EMAIL_LENGTH = 254;

const option = (v: string): PlainTextOption => ({ text: { type: 'plain_text', text: v }, value: v });

function text(blockId: string, label: string, initial?: string, optional = false): KnownBlock {
  const maxLength = blockId === BLOCK.inviteEmail ? MAX_EMAIL_LENGTH : 100;
  return {
    type: 'input',
    block_id: blockId,
    optional,
    label: { type: 'plain_text', text: label },
    element: {
      type: 'plain_text_input',
      action_id: 'value',
      max_length: maxLength,
      // Slack refuses a view whose initial value is longer than the field allows.
      ...(initial && initial.length <= maxLength ? { initial_value: initial } : {}),
    },
  };
}

export function inviteModal(d: InviteModalData): ModalView {
  const org = d.org && d.organizations.includes(d.org) ? d.org : d.organizations.length === 1 ? d.organizations[0] : undefined;
  const role = d.role && (ROLES as readonly string[]).includes(d.role) ? d.role : undefined;
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: 'They get an email with a single-use link to join. A new account cannot sign in until they set a password through it.',
      },
    },
    text(BLOCK.inviteEmail, 'Email', d.email),
    text(BLOCK.inviteFirstName, 'First name', undefined, true),
    text(BLOCK.inviteLastName, 'Last name', undefined, true),
    {
      type: 'input',
      block_id: BLOCK.inviteOrg,
      label: { type: 'plain_text', text: 'Organization' },
      element: {
        type: 'static_select',
        action_id: 'value',
        options: d.organizations.slice(0, 100).map(option),
        ...(org ? { initial_option: option(org) } : {}),
      },
    },
    {
      type: 'input',
      block_id: BLOCK.inviteRole,
      optional: true,
      label: { type: 'plain_text', text: 'Role' },
      element: { type: 'static_select', action_id: 'value', options: ROLES.map(option), ...(role ? { initial_option: option(role) } : {}) },
    },
  ];
  return modal('Invite someone', blocks, { callback_id: CALLBACK.inviteForm, submit: { type: 'plain_text', text: 'Send invitation' } });
}
