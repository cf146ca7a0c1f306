// The card's "Roles…" button: open a loading modal first (the trigger expires in 3 s), then fill it.
import { showUser } from '../../../services/directory';
import { firstAction, type BlockActionArgs } from '../../handler-args';
import { actorOrWarnModal, safely, updateView, type SlackDeps } from '../../kit';
import { loadingModal, warningModal } from '../../views/modals';
import { rolesModal } from './views';

export function rolesButton(deps: SlackDeps) {
  return async (args: BlockActionArgs): Promise<void> => {
    const { ack, body, client, respond } = args;
    await ack();
    const userId = Number(firstAction(body).value);
    if (!Number.isSafeInteger(userId)) return;
    await safely(deps, respond, 'roles_button', async () => {
      const opened = await client.views.open({ trigger_id: body.trigger_id, view: loadingModal('Roles') });
      const viewId = opened.view?.id;
      if (!viewId) return;
      const show = updateView(client, viewId);
      const actor = await actorOrWarnModal(deps, client, { id: body.user.id, name: body.user.username }, 'Roles', show);
      if (!actor) return;
      const found = await showUser(deps.rt, actor, { ref: String(userId) });
      if (!found.ok) return void (await show(warningModal('Roles', found.message)));
      const u = found.user;
      await show(rolesModal({ userId: u.id, username: u.username, organizations: u.organizations }));
    });
  };
}
