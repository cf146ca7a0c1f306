import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { suggestPassword } from '../../domain/password-policy';
import { isFailure } from '../../services/authz';
import type { Actor } from '../../services/context';
import { showUser } from '../../services/directory';
import { changePassword, changePasswordTarget, precheckChangePassword } from '../../services/passwords';
import type { BlockActionArgs } from '../actions/types';
import type { SubCommandHandler } from '../commands/types';
import { BLOCK } from '../constants';
import { actorOrRefuse, modalTeller, safely, type SlackDeps } from '../kit';
import { userRefs } from '../presenters';
import { inputText } from '../view-state';
import { esc } from '../views/common';
import { changePasswordModal, loadingModal, noticeModal, warningModal } from '../views/modals';

interface Meta {
  userId: number;
  generation: number;
}

function readMeta(text: string | undefined): Meta | null {
  try {
    const m = JSON.parse(text ?? '') as Partial<Meta>;
    return Number.isSafeInteger(m.userId) && Number.isSafeInteger(m.generation) ? { userId: m.userId!, generation: m.generation! } : null;
  } catch {
    return null;
  }
}

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

type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** Submit: policy errors under the field (response_action: errors); else set it and show the outcome. */
export function changePasswordSubmit(deps: SlackDeps) {
  return async ({ ack, body, view, client }: ViewArgs): Promise<void> => {
    const meta = readMeta(view.private_metadata);
    const blockId = Object.keys(view.state.values).find((k) => k.startsWith(`${BLOCK.password}:`));
    const password = blockId ? inputText(view.state.values, blockId) : '';
    if (!meta || !blockId) {
      await ack({ response_action: 'update', view: noticeModal('Change password', 'This dialog is out of date; open it again.') });
      return;
    }
    const actor = await deps.identity.actorFor(client, body.user.id, body.user.name);
    if (isFailure(actor)) {
      await ack({ response_action: 'update', view: warningModal('Change password', actor.message) });
      return;
    }
    const pre = await precheckChangePassword(deps.rt, actor, { ref: String(meta.userId), password });
    if (!pre.ok) {
      if (pre.code === 'password_policy') {
        await ack({ response_action: 'errors', errors: { [blockId]: pre.message } });
      } else {
        await ack({ response_action: 'update', view: warningModal('Change password', pre.message) });
      }
      return;
    }
    // Hashing takes a moment: acknowledge with a working view, then show the result in it.
    await ack({ response_action: 'update', view: loadingModal('Change password') });
    await safely(
      deps,
      undefined,
      'change_password_submit',
      async () => {
        const result = await changePassword(deps.rt, actor, { ref: String(meta.userId), password });
        const text = result.ok
          ? `✅ The password of *${esc(result.username)}* was changed. They were emailed a notice (without the password).`
          : `:warning: ${esc(result.message)}`;
        await client.views.update({ view_id: view.id, view: noticeModal('Change password', text) });
      },
      modalTeller(client, body.user.id, view.id),
    );
  };
}
