// The Delete button of a delete confirmation (it carries a Block Kit confirm).
import { firstAction, type BlockActionArgs } from '../../handler-args';
import { actorOrRefuse, replaceOriginal, replyFailure, safely, type SlackDeps } from '../../kit';
import { performUserAction } from '../../perform';
import { textMessage } from '../../views/messages';

/** The Delete button of a delete confirmation (it carries a Block Kit confirm). */
export function confirmDelete(deps: SlackDeps) {
  return async ({ ack, body, client, respond }: BlockActionArgs): Promise<void> => {
    await ack();
    await safely(deps, respond, 'confirm_delete', async () => {
      const userId = Number(firstAction(body).value);
      if (!Number.isSafeInteger(userId)) return;
      const actor = await actorOrRefuse(deps, client, body.user.id, body.user.username, respond);
      if (!actor) return;
      const done = await performUserAction(deps, actor, 'delete', userId, body.user.id, client);
      if (!done.ok) return replyFailure(respond, done);
      await replaceOriginal(respond, textMessage(done.notice));
      await deps.hooks.refreshHome?.(client, body.user.id);
    });
  };
}
