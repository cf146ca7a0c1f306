// The App Home shortcuts: activate, the bulk form, find, export.
import { startExport } from '../../start-export';
import { fillBulkForm } from '../../flows/bulk';
import { isFailure } from '../../../services/authz';
import { publishHome } from '../../home-tab';
import { actorOrWarnModal, modalTeller, safely, updateView, type SlackDeps } from '../../kit';
import { esc } from '../../views/common';
import { exportStartedText } from '../../views/export';
import { findModal } from '../../views/home';
import { loadingModal } from '../../views/modals';
import { performUserAction } from '../../perform';
import { firstAction, type BlockActionArgs } from '../../handler-args';

/** Activate from the Home tab: the tab is republished with what happened (or why not) on top. */
export function homeActivateButton(deps: SlackDeps) {
  return async ({ ack, body, client }: BlockActionArgs): Promise<void> => {
    await ack();
    await safely(
      deps,
      undefined,
      'home_activate',
      async () => {
        const userId = Number(firstAction(body).value);
        if (!Number.isSafeInteger(userId)) return;
        const actor = await deps.identity.actorFor(client, body.user.id, body.user.username);
        let notice: string;
        if (isFailure(actor)) notice = `:warning: ${esc(actor.message)}`;
        else {
          const done = await performUserAction(deps, actor, 'activate', userId, body.user.id, client);
          notice = done.ok ? `${done.username ? `*${esc(done.username)}*: ` : ''}${done.notice}` : `:warning: ${esc(done.message)}`;
        }
        await publishHome(deps, client, body.user.id, { notice, freshCounts: true });
      },
      modalTeller(client, body.user.id, undefined),
    );
  };
}

/** Open a modal at once (the trigger id lives 3 s), then fill it. */
async function openLoading(client: BlockActionArgs['client'], triggerId: string, title: string): Promise<string | null> {
  const opened = await client.views.open({ trigger_id: triggerId, view: loadingModal(title) });
  return opened.view?.id ?? null;
}

/** The Home tab's bulk button: the bulk form with Reset password preselected. */
export function homeBulkButton(deps: SlackDeps) {
  return async ({ ack, body, client }: BlockActionArgs): Promise<void> => {
    await ack();
    let viewId: string | null = null;
    await safely(
      deps,
      undefined,
      'home_open_bulk',
      async () => {
        viewId = await openLoading(client, body.trigger_id, 'Bulk password reset');
        if (!viewId) return;
        const actor = await actorOrWarnModal(
          deps,
          client,
          { id: body.user.id, name: body.user.username },
          'Bulk password reset',
          updateView(client, viewId),
        );
        if (!actor) return;
        await fillBulkForm(deps, client, actor, viewId, { action: 'reset_password' });
      },
      (m) => modalTeller(client, body.user.id, viewId ?? undefined)(m),
    );
  };
}

export function homeFindButton(deps: SlackDeps) {
  return async ({ ack, body, client }: BlockActionArgs): Promise<void> => {
    await ack();
    await safely(
      deps,
      undefined,
      'home_find',
      async () => {
        await client.views.open({ trigger_id: body.trigger_id, view: findModal() });
      },
      modalTeller(client, body.user.id, undefined),
    );
  };
}

/**
 * Export from the Home tab: the same export as `/users export`, with its progress and the file in
 * the person's DM with userops (a Home tab has no channel); the tab says it started, or why not.
 */
export function homeExportButton(deps: SlackDeps) {
  return async ({ ack, body, client }: BlockActionArgs): Promise<void> => {
    await ack();
    await safely(
      deps,
      undefined,
      'home_export',
      async () => {
        const actor = await deps.identity.actorFor(client, body.user.id, body.user.username);
        let notice: string;
        if (isFailure(actor)) notice = `:warning: ${esc(actor.message)}`;
        else {
          const started = await startExport(deps, actor, body.user.id);
          notice = started.ok ? exportStartedText(started) : `:warning: ${esc(started.message)}`;
        }
        await publishHome(deps, client, body.user.id, { notice });
      },
      modalTeller(client, body.user.id, undefined),
    );
  };
}
