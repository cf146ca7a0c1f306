// The Reset button of a multi-user (or list-row) reset confirmation.
import { resetPasswords } from '../../../services/passwords';
import { firstAction, type BlockActionArgs } from '../../handler-args';
import { actorOrRefuse, replaceOriginal, replyFailure, safely, type SlackDeps } from '../../kit';
import { resultsMessage } from '../../views/messages';

function parseRefs(value: string | undefined): string[] | null {
  try {
    const v: unknown = JSON.parse(value ?? '');
    return Array.isArray(v) && v.every((x) => typeof x === 'string') && v.length > 0 && v.length <= 100 ? (v as string[]) : null;
  } catch {
    return null;
  }
}

/** The Reset button of a multi-user (or list-row) reset confirmation. */
export function confirmResetMany(deps: SlackDeps) {
  return async ({ ack, body, client, respond }: BlockActionArgs): Promise<void> => {
    await ack();
    await safely(deps, respond, 'confirm_reset_many', async () => {
      const refs = parseRefs(firstAction(body).value);
      if (!refs) return;
      const actor = await actorOrRefuse(deps, client, body.user.id, body.user.username, respond);
      if (!actor) return;
      const result = await resetPasswords(deps.rt, actor, { refs });
      if (!result.ok) return replyFailure(respond, result);
      await replaceOriginal(respond, resultsMessage('Password reset', result.results));
      await deps.hooks.refreshHome?.(client, body.user.id);
    });
  };
}
