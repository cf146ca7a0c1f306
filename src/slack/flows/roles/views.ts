// Block Kit of the "Roles…" modal: a user's memberships the actor can see, with checkboxes where they administer.
import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { ROLES } from '../../../domain/permissions';
import type { OrganizationRoles } from '../../../services/user-shapes';
import { BLOCK, CALLBACK } from '../../constants';
import { esc } from '../../views/common';
import { modal } from '../../views/modals';

export interface RolesModalData {
  userId: number;
  username: string;
  organizations: OrganizationRoles[];
}

const option = (role: string): PlainTextOption => ({ text: { type: 'plain_text', text: role }, value: role });

/** The user a Roles modal was built for (its private_metadata), or null. */
export function readRolesMeta(text: string | undefined): { userId: number } | null {
  try {
    const m = JSON.parse(text ?? '') as { userId?: unknown };
    return typeof m.userId === 'number' && Number.isSafeInteger(m.userId) ? { userId: m.userId } : null;
  } catch {
    return null;
  }
}

export function rolesModal(d: RolesModalData): ModalView {
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `Roles of *${esc(d.username)}*, per organization. You can change them where you are an administrator.`,
      },
    },
  ];
  for (const o of d.organizations) {
    if (!o.manageable) {
      blocks.push({
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `*${esc(o.slug)}*: ${o.roles.length > 0 ? o.roles.join(', ') : '_no roles_'} _(not yours to change)_`,
        },
      });
      continue;
    }
    const initial = o.roles.map(option);
    blocks.push({
      type: 'input',
      block_id: `${BLOCK.rolesOrg}${o.slug}`,
      optional: true,
      label: { type: 'plain_text', text: o.slug },
      element: {
        type: 'checkboxes',
        action_id: 'value',
        options: ROLES.map(option),
        ...(initial.length > 0 ? { initial_options: initial } : {}),
      },
    });
  }
  const editable = d.organizations.some((o) => o.manageable);
  return modal('Roles', blocks, {
    callback_id: CALLBACK.rolesForm,
    private_metadata: JSON.stringify({ userId: d.userId }),
    ...(editable ? { submit: { type: 'plain_text' as const, text: 'Save' } } : {}),
  });
}
