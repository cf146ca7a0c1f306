// Cancel on a confirmation: the message says nothing changed.
import type { BlockActionArgs } from '../../handler-args';
import { replaceOriginal, safely, type SlackDeps } from '../../kit';
import { textMessage } from '../../views/messages';

export function cancelButton(deps: SlackDeps) {
  return async ({ ack, respond }: BlockActionArgs): Promise<void> => {
    await ack();
    await safely(deps, respond, 'cancel', () => replaceOriginal(respond, textMessage('Cancelled; nothing changed.')));
  };
}
