// "Suggest password" in the change-password modal.
import { suggestPassword } from '../../../domain/password-policy';
import { showUser } from '../../../services/directory';
import type { BlockActionArgs } from '../../handler-args';
import { actorOrRefuse, modalTeller, safely, type SlackDeps } from '../../kit';
import { changePasswordModal, readMeta } from './views';

/** "Suggest password": re-render the input under a new block id so Slack shows the new value. */
export function suggestPasswordButton(deps: SlackDeps) {
  return async ({ ack, body, client }: BlockActionArgs): Promise<void> => {
    await ack();
    await safely(
      deps,
      undefined,
      'suggest_password',
      async () => {
        const view = body.view;
        const meta = readMeta(view?.private_metadata);
        if (!view || !meta) return;
        const actor = await actorOrRefuse(deps, client, body.user.id, body.user.username, undefined);
        if (!actor) return;
        const found = await showUser(deps.rt, actor, { ref: String(meta.userId) });
        if (!found.ok || !found.user.actions.includes('change_password')) return;
        const u = found.user;
        const suggested = suggestPassword(20, {
          username: u.username,
          email: u.email,
          firstName: u.firstName,
          lastName: u.lastName,
          minLength: deps.rt.config.PASSWORD_MIN_LENGTH,
        });
        await client.views.update({
          view_id: view.id,
          hash: view.hash,
          view: changePasswordModal({
            userId: u.id,
            username: u.username,
            email: u.email,
            generation: meta.generation + 1,
            suggested,
            minLength: deps.rt.config.PASSWORD_MIN_LENGTH,
          }),
        });
      },
      modalTeller(client, body.user.id, body.view?.id),
    );
  };
}
