// Approve and Deny on an approval request (the click goes through the same middleware and identity check as any other).
import { decideApproval, expireDueApprovals, approvalsFor } from '../../../services/approvals';
import { BLOCK } from '../../constants';
import { firstAction, type BlockActionArgs, type SubCommandHandler, type ViewSubmitArgs } from '../../handler-args';
import { actorOrRefuse, actorOrWarnModal, modalTeller, replyEphemeral, replyFailure, safely, updateView, type SlackDeps } from '../../kit';
import { inputText } from '../../view-state';
import { textMessage } from '../../views/messages';
import { loadingModal, noticeModal, warningModal } from '../../views/modals';
import { announceDecision, announceExpired } from './post';
import { approvalsListMessage, decisionLine, denyModal } from './views';

const requestId = (value: string | undefined): number | null => {
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
};

/** Approve: authorization for both people, the selection re-checked, then the action (once, whoever else clicks). */
export function approveButton(deps: SlackDeps) {
  return async ({ ack, body, client, respond }: BlockActionArgs): Promise<void> => {
    await ack();
    await safely(deps, respond, 'approve', async () => {
      const id = requestId(firstAction(body).value);
      if (id === null) return;
      const actor = await actorOrRefuse(deps, client, body.user.id, body.user.username, respond);
      if (!actor) return;
      const decided = await decideApproval(deps.rt, actor, { id, approve: true });
      if (!decided.ok) return replyFailure(respond, decided);
      await announceDecision(deps, client, decided);
      await replyEphemeral(respond, textMessage(decisionLine(decided.request)));
    });
  };
}

/** Deny opens a small modal for the reason (the trigger id is used before anything slow). */
export function denyButton(deps: SlackDeps) {
  return async ({ ack, body, client, respond }: BlockActionArgs): Promise<void> => {
    await ack();
    await safely(deps, respond, 'deny', async () => {
      const id = requestId(firstAction(body).value);
      if (id === null) return;
      await client.views.open({ trigger_id: body.trigger_id, view: denyModal(id, `request #${id}`) });
    });
  };
}

/** The reason submitted: the denial (or why it cannot be), shown in the modal; the request's messages rewritten. */
export function denySubmit(deps: SlackDeps) {
  return async ({ ack, body, view, client }: ViewSubmitArgs): Promise<void> => {
    const id = requestId(view.private_metadata);
    const reason = inputText(view.state.values, BLOCK.reason).trim();
    if (id === null) {
      await ack({ response_action: 'update', view: noticeModal('Deny request', 'This dialog is out of date.') });
      return;
    }
    if (reason.length < 3 || reason.length > 500) {
      await ack({ response_action: 'errors', errors: { [BLOCK.reason]: 'Give a reason of 3 to 500 characters.' } });
      return;
    }
    await ack({ response_action: 'update', view: loadingModal('Deny request') });
    await safely(
      deps,
      undefined,
      'deny_submit',
      async () => {
        const actor = await actorOrWarnModal(deps, client, body.user, 'Deny request', updateView(client, view.id));
        if (!actor) return;
        const decided = await decideApproval(deps.rt, actor, { id, approve: false, denyReason: reason });
        if (!decided.ok) {
          await client.views.update({ view_id: view.id, view: warningModal('Deny request', decided.message) });
          return;
        }
        await announceDecision(deps, client, decided);
        await client.views.update({ view_id: view.id, view: noticeModal('Deny request', decisionLine(decided.request)) });
      },
      modalTeller(client, body.user.id, view.id),
    );
  };
}

/** `/users approvals`: what waits for the viewer (requests past their time are settled as expired first). */
export const approvalsCommand: SubCommandHandler = async ({ deps, actor, client, respond }) => {
  const expired = await expireDueApprovals(deps.rt);
  if (expired.length > 0) await announceExpired(deps, client, expired);
  const list = await approvalsFor(deps.rt, actor);
  if (!list.ok) return replyFailure(respond, list);
  await replyEphemeral(respond, approvalsListMessage(list.requests));
};
