import { fillBulkResetForm } from '../modals/bulk-reset';
import { isFailure } from '../../services/authz';
import { publishHome } from '../events/app-home';
import { safely, type SlackDeps } from '../kit';
import { esc } from '../views/common';
import { findModal } from '../views/home';
import { loadingModal, noticeModal } from '../views/modals';
import { performUserAction } from './perform';
import { firstAction, type BlockActionArgs } from './types';

/** Activate from the Home tab: the tab is republished with what happened (or why not) on top. */
export function homeActivateButton(deps: SlackDeps) {
  return async ({ ack, body, client }: BlockActionArgs): Promise<void> => {
    await ack();
    await safely(deps, undefined, 'home_activate', async () => {
      const userId = Number(firstAction(body).value);
      if (!Number.isSafeInteger(userId)) return;
      const actor = await deps.identity.actorFor(client, body.user.id, body.user.username);
      let notice: string;
      if (isFailure(actor)) notice = `:warning: ${esc(actor.message)}`;
      else {
        const done = await performUserAction(deps, actor, 'activate', userId, body.user.id);
        notice = done.ok ? `${done.username ? `*${esc(done.username)}*: ` : ''}${done.notice}` : `:warning: ${esc(done.message)}`;
      }
      await publishHome(deps, client, body.user.id, notice);
    });
  };
}

/** Open a modal at once (the trigger id lives 3 s), then fill it. */
async function openLoading(client: BlockActionArgs['client'], triggerId: string, title: string): Promise<string | null> {
  const opened = await client.views.open({ trigger_id: triggerId, view: loadingModal(title) });
  return opened.view?.id ?? null;
}

export function homeBulkResetButton(deps: SlackDeps) {
  return async ({ ack, body, client }: BlockActionArgs): Promise<void> => {
    await ack();
    await safely(deps, undefined, 'home_open_bulk', async () => {
      const viewId = await openLoading(client, body.trigger_id, 'Bulk password reset');
      if (!viewId) return;
      const actor = await deps.identity.actorFor(client, body.user.id, body.user.username);
      if (isFailure(actor)) {
        await client.views.update({ view_id: viewId, view: noticeModal('Bulk password reset', `:warning: ${esc(actor.message)}`) });
        return;
      }
      await fillBulkResetForm(deps, client, actor, viewId);
    });
  };
}

export function homeFindButton(deps: SlackDeps) {
  return async ({ ack, body, client }: BlockActionArgs): Promise<void> => {
    await ack();
    await safely(deps, undefined, 'home_find', async () => {
      await client.views.open({ trigger_id: body.trigger_id, view: findModal() });
    });
  };
}

/**
 * Export from the Home tab. The export itself answers where it was asked (a channel or DM), which
 * a Home tab is not, so the button opens the DM with userops and says how to start it there.
 */
export function homeExportButton(deps: SlackDeps) {
  return async ({ ack, body, client }: BlockActionArgs): Promise<void> => {
    await ack();
    await safely(deps, undefined, 'home_export', async () => {
      const dm = await client.conversations.open({ users: body.user.id });
      if (!dm.channel?.id) return;
      await client.chat.postMessage({
        channel: dm.channel.id,
        text: `To export your users as CSV, type \`${deps.commandName} export\` here (or in any channel): the file arrives where you ask, and a copy by email.`,
      });
    });
  };
}
