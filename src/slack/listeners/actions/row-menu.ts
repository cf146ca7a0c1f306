// The overflow menu on a list row.
import { BLOCK } from '../../constants';
import { actorOrRefuse, replaceOriginal, replyEphemeral, replyFailure, safely, type SlackDeps } from '../../kit';
import { isMessage, presentCard, presentList } from '../../presenters';
import { decodeListState } from '../../views/list-state';
import { parseRowMenuValue } from '../../views/user-list';
import { deleteConfirmation, resetConfirmation } from '../../flows/confirm';
import { performUserAction } from '../../perform';
import { firstAction, type BlockActionArgs } from '../../handler-args';

/** The overflow menu on a list row. Quick, reversible actions act at once; delete and reset ask first. */
export function rowMenu(deps: SlackDeps) {
  return async ({ ack, body, client, respond }: BlockActionArgs): Promise<void> => {
    await ack();
    await safely(deps, respond, 'row_menu', async () => {
      const { blockId, selectedValue } = firstAction(body);
      const choice = parseRowMenuValue(selectedValue ?? '');
      if (!choice) return;
      const actor = await actorOrRefuse(deps, client, body.user.id, body.user.username, respond);
      if (!actor) return;
      const ref = String(choice.userId);
      if (choice.action === 'show') {
        const card = await presentCard(deps, actor, ref);
        return isMessage(card) ? replyEphemeral(respond, card) : replyFailure(respond, card);
      }
      if (choice.action === 'delete') return deleteConfirmation(deps, actor, ref, respond);
      if (choice.action === 'reset_password') return resetConfirmation(deps, actor, [ref], respond);
      const done = await performUserAction(deps, actor, choice.action, choice.userId, body.user.id, client);
      if (!done.ok) return replyFailure(respond, done);
      // Rewrite the list in place: the row shows its new state, the notice says who did what.
      const stateKey = blockId.startsWith(BLOCK.rowPrefix) ? blockId.slice(blockId.indexOf(':', BLOCK.rowPrefix.length) + 1) : '';
      const state = decodeListState(stateKey) ?? { text: '', view: 'all' as const, offset: 0 };
      const username = done.username ? `*${done.username}*: ` : '';
      const list = await presentList(deps, actor, state, { notice: `${username}${done.notice}` });
      if (!isMessage(list)) return replyFailure(respond, list);
      await replaceOriginal(respond, list);
      await deps.hooks.refreshHome?.(client, body.user.id);
    });
  };
}
