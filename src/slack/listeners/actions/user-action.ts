// The buttons of a user card.
import { USER_ACTIONS, type UserAction } from '../../../domain/actions';
import { ACTION } from '../../constants';
import { actorOrRefuse, replaceOriginal, replyFailure, safely, type SlackDeps } from '../../kit';
import { isMessage, presentCard } from '../../presenters';
import { textMessage } from '../../views/messages';
import { performUserAction } from '../../perform';
import { firstAction, type BlockActionArgs } from '../../handler-args';

/** A card button that answers in its own way (a modal, a new message); the actions registrar names them. */
export type ModalButton = (args: BlockActionArgs, deps: SlackDeps, userId: number) => Promise<void>;

/** A button on a user card: do it, then rewrite the card to its new state ("Disabled by @ana at 10:42"). */
export function userActionButton(deps: SlackDeps, modalButtons: Partial<Record<UserAction, ModalButton>>) {
  return async (args: BlockActionArgs): Promise<void> => {
    const { ack, body, client, respond } = args;
    await ack();
    const { actionId, value } = firstAction(body);
    const action = actionId.slice(ACTION.userActionPrefix.length) as UserAction;
    const userId = Number(value);
    if (!(USER_ACTIONS as readonly string[]).includes(action) || !Number.isSafeInteger(userId)) return;
    const modal = modalButtons[action];
    if (modal) return modal(args, deps, userId);
    await safely(deps, respond, `card:${action}`, async () => {
      const actor = await actorOrRefuse(deps, client, body.user.id, body.user.username, respond);
      if (!actor) return;
      const done = await performUserAction(deps, actor, action, userId, body.user.id, client);
      if (!done.ok) return replyFailure(respond, done);
      if (done.deleted) return replaceOriginal(respond, textMessage(done.notice));
      const card = await presentCard(deps, actor, String(userId), { notice: done.notice });
      if (!isMessage(card)) return replyFailure(respond, card);
      await replaceOriginal(respond, card);
      await deps.hooks.refreshHome?.(client, body.user.id);
    });
  };
}
