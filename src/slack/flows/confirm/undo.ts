// Undo on the result of a mass enable/disable.
import { setUsersEnabled } from '../../../services/account-status';
import { firstAction, type BlockActionArgs } from '../../handler-args';
import { actorOrRefuse, replaceOriginal, replyFailure, safely, type SlackDeps } from '../../kit';
import { resultsMessage } from '../../views/messages';

/** Undo a mass enable/disable from its result message. */
export function undoButton(deps: SlackDeps) {
  return async ({ ack, body, client, respond }: BlockActionArgs): Promise<void> => {
    await ack();
    await safely(deps, respond, 'undo', async () => {
      const m = /^(enable|disable):(\d+(?:,\d+){0,99})$/.exec(firstAction(body).value ?? '');
      if (!m) return;
      const actor = await actorOrRefuse(deps, client, body.user.id, body.user.username, respond);
      if (!actor) return;
      const enabled = m[1] === 'enable';
      const result = await setUsersEnabled(deps.rt, actor, { refs: m[2].split(','), enabled });
      if (!result.ok) return replyFailure(respond, result);
      await replaceOriginal(respond, resultsMessage(`Undone: ${enabled ? 'enabled' : 'disabled'} again`, result.results));
    });
  };
}
