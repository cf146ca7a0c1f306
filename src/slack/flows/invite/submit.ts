// The invitation form submitted: a bad email under its field; otherwise the invitation and its answer.
import { inviteUser } from '../../../services/invitations';
import { BLOCK } from '../../constants';
import type { ViewSubmitArgs } from '../../handler-args';
import { actorOrWarnModal, type SlackDeps } from '../../kit';
import { inputText, selectedValue } from '../../view-state';
import { esc } from '../../views/common';
import { noticeModal } from '../../views/modals';

export function inviteSubmit(deps: SlackDeps) {
  return async ({ ack, body, view, client }: ViewSubmitArgs): Promise<void> => {
    const v = view.state.values;
    const actor = await actorOrWarnModal(deps, client, body.user, 'Invite someone', (m) => ack({ response_action: 'update', view: m }));
    if (!actor) return;
    const result = await inviteUser(deps.rt, actor, {
      email: inputText(v, BLOCK.inviteEmail),
      firstName: inputText(v, BLOCK.inviteFirstName),
      lastName: inputText(v, BLOCK.inviteLastName),
      org: selectedValue(v, BLOCK.inviteOrg) ?? '',
      role: selectedValue(v, BLOCK.inviteRole),
    });
    if (!result.ok) {
      const blockId = result.fields?.email ? BLOCK.inviteEmail : result.code === 'invalid_input' ? BLOCK.inviteRole : BLOCK.inviteOrg;
      await ack({ response_action: 'errors', errors: { [blockId]: result.message } });
      return;
    }
    await ack({ response_action: 'update', view: noticeModal('Invite someone', `✅ ${esc(result.message)}`) });
  };
}
