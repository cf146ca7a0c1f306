import { setUsersEnabled } from '../../services/account-status';
import { resetPasswords } from '../../services/passwords';
import { actorOrRefuse, replaceOriginal, replyFailure, safely, type SlackDeps } from '../kit';
import { resultsMessage, textMessage } from '../views/messages';
import { performUserAction } from './perform';
import { firstAction, type BlockActionArgs } from './types';

/** The Delete button of a delete confirmation (it carries a Block Kit confirm). */
export function confirmDelete(deps: SlackDeps) {
  return async ({ ack, body, client, respond }: BlockActionArgs): Promise<void> => {
    await ack();
    await safely(deps, respond, 'confirm_delete', async () => {
      const userId = Number(firstAction(body).value);
      if (!Number.isSafeInteger(userId)) return;
      const actor = await actorOrRefuse(deps, client, body.user.id, body.user.username, respond);
      if (!actor) return;
      const done = await performUserAction(deps, actor, 'delete', userId, body.user.id);
      if (!done.ok) return replyFailure(respond, done);
      await replaceOriginal(respond, textMessage(done.notice));
      await deps.hooks.refreshHome?.(client, body.user.id);
    });
  };
}

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

export function cancelButton(deps: SlackDeps) {
  return async ({ ack, respond }: BlockActionArgs): Promise<void> => {
    await ack();
    await safely(deps, respond, 'cancel', () => replaceOriginal(respond, textMessage('Cancelled; nothing changed.')));
  };
}

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
