// The Home tab's Find modal, submitted.
import { isFailure } from '../../../services/authz';
import { BLOCK } from '../../constants';
import type { ViewSubmitArgs } from '../../handler-args';
import { modalTeller, safely, type SlackDeps } from '../../kit';
import { isMessage, presentList } from '../../presenters';
import { inputText } from '../../view-state';
import { esc } from '../../views/common';
import { errorMessage } from '../../views/messages';
import { noticeModal } from '../../views/modals';

/**
 * The Home tab's Find modal. The results go to the person's DM with userops as the same list
 * `/users find` shows, so paging and row actions work there as everywhere.
 */
export function findSubmit(deps: SlackDeps) {
  return async ({ ack, body, view, client }: ViewSubmitArgs): Promise<void> => {
    const text = inputText(view.state.values, BLOCK.findQuery).trim();
    if (text.length === 0 || text.length > 200) {
      await ack({ response_action: 'errors', errors: { [BLOCK.findQuery]: 'Type between 1 and 200 characters.' } });
      return;
    }
    await ack({
      response_action: 'update',
      view: noticeModal('Find users', `Results for “${esc(text)}” are in your messages with userops.`),
    });
    await safely(
      deps,
      undefined,
      'find_modal',
      async () => {
        const dm = await client.conversations.open({ users: body.user.id });
        const channel = dm.channel?.id;
        if (!channel) return;
        const actor = await deps.identity.actorFor(client, body.user.id, body.user.name);
        const message = isFailure(actor)
          ? errorMessage(actor.message)
          : await presentList(deps, actor, { text, view: 'all', offset: 0 }).then((m) => (isMessage(m) ? m : errorMessage(m.message)));
        await client.chat.postMessage({ channel, text: message.text, blocks: message.blocks });
      },
      modalTeller(client, body.user.id, view.id),
    );
  };
}
