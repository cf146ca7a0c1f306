// The Roles modal submitted: each organization's checkboxes become that membership's roles, each under every guard.
import { setRoles } from '../../../services/roles';
import { BLOCK } from '../../constants';
import type { ViewSubmitArgs } from '../../handler-args';
import { actorOrWarnModal, type SlackDeps } from '../../kit';
import { selectedValues } from '../../view-state';
import { esc } from '../../views/common';
import { noticeModal } from '../../views/modals';
import { readRolesMeta } from './views';

export function rolesSubmit(deps: SlackDeps) {
  return async ({ ack, body, view, client }: ViewSubmitArgs): Promise<void> => {
    const meta = readRolesMeta(view.private_metadata);
    const blockIds = Object.keys(view.state.values).filter((k) => k.startsWith(BLOCK.rolesOrg));
    if (!meta) {
      await ack({ response_action: 'update', view: noticeModal('Roles', 'This dialog is out of date; open it again.') });
      return;
    }
    const actor = await actorOrWarnModal(deps, client, body.user, 'Roles', (v) => ack({ response_action: 'update', view: v }));
    if (!actor) return;
    const errors: Record<string, string> = {};
    const lines: string[] = [];
    // Each organization is its own change (its own guards and transaction): a refusal in one leaves the others applied.
    for (const blockId of blockIds) {
      const org = blockId.slice(BLOCK.rolesOrg.length);
      const result = await setRoles(deps.rt, actor, {
        ref: String(meta.userId),
        org,
        roles: selectedValues(view.state.values, blockId),
      });
      if (!result.ok) errors[blockId] = result.message;
      else if (result.changed) lines.push(`✅ ${esc(result.message)}`);
    }
    if (Object.keys(errors).length > 0) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack({ response_action: 'update', view: noticeModal('Roles', lines.length > 0 ? lines.join('\n') : 'Nothing changed.') });
  };
}
