// The change-password form: `/users change-password USER` and the card's button open it and fill it.
import type { WebClient } from '@slack/web-api';
import type { Actor } from '../../../services/context';
import { changePasswordTarget } from '../../../services/passwords';
import type { BlockActionArgs, SubCommandHandler } from '../../handler-args';
import { actorOrRefuse, safely, type SlackDeps } from '../../kit';
import { userRefs } from '../../presenters';
import { loadingModal, noticeModal, warningModal } from '../../views/modals';
import { changePasswordModal } from './views';

/** Fill an already-open (loading) modal with the form, or with the reason it cannot be used. */
async function fillForm(
  deps: SlackDeps,
  client: WebClient,
  actor: Actor,
  ref: string,
  viewId: string,
  suggested?: string,
  generation = 0,
): Promise<void> {
  const found = await changePasswordTarget(deps.rt, actor, { ref });
  if (!found.ok) {
    await client.views.update({ view_id: viewId, view: warningModal('Change password', found.message) });
    return;
  }
  const u = found.user;
  await client.views.update({
    view_id: viewId,
    view: changePasswordModal({
      userId: u.id,
      username: u.username,
      email: u.email,
      generation,
      suggested,
      minLength: deps.rt.config.PASSWORD_MIN_LENGTH,
    }),
  });
}

/** `/users change-password USER` (the dispatcher already opened a loading modal). */
export const changePasswordCommand: SubCommandHandler = async ({ deps, actor, command, client, modalViewId }) => {
  if (!modalViewId) return;
  const { refs, problems } = await userRefs(deps, client, command.args);
  if (problems.length > 0) {
    await client.views.update({ view_id: modalViewId, view: warningModal('Change password', problems[0]) });
    return;
  }
  await fillForm(deps, client, actor, refs[0], modalViewId);
};

/** The card's "Change password" button: open first (the trigger expires in 3 s), then fill. */
export async function changePasswordButton(args: BlockActionArgs, deps: SlackDeps, userId: number): Promise<void> {
  const { body, client, respond } = args;
  await safely(deps, respond, 'change_password_button', async () => {
    const opened = await client.views.open({ trigger_id: body.trigger_id, view: loadingModal('Change password') });
    const actor = await actorOrRefuse(deps, client, body.user.id, body.user.username, respond);
    if (!opened.view?.id) return;
    if (!actor) {
      await client.views.update({
        view_id: opened.view.id,
        view: noticeModal('Change password', 'You cannot use userops; see the message in Slack.'),
      });
      return;
    }
    await fillForm(deps, client, actor, String(userId), opened.view.id);
  });
}
