// API keys under two-person approval (issue 19): "Request approval" for a key, and "Create the key now" once approved.
import { createApprovedApiKey } from '../../../services/approvals';
import { firstAction, type BlockActionArgs } from '../../handler-args';
import { actorOrRefuse, actorOrWarnModal, replaceOriginal, replyFailure, safely, updateView, type SlackDeps } from '../../kit';
import { apiKeyIssuedModal, parseKeyApprovalValue } from '../../views/api-key';
import { textMessage } from '../../views/messages';
import { loadingModal, warningModal } from '../../views/modals';
import { askSingleApprovalIfNeeded, pendingNotice } from './ask';
import { announceKeyCreated } from './post';

/** "Request approval" on the message a key that needs approval answers with: the request is stored and sent. */
export function requestKeyApprovalButton(deps: SlackDeps) {
  return async ({ ack, body, client, respond }: BlockActionArgs): Promise<void> => {
    await ack();
    await safely(deps, respond, 'api_key_request_approval', async () => {
      const what = parseKeyApprovalValue(firstAction(body).value);
      if (!what) return;
      const actor = await actorOrRefuse(deps, client, body.user.id, body.user.username, respond);
      if (!actor) return;
      // The service checks everything again (access, the user, the organization); the button only names them.
      const asked = await askSingleApprovalIfNeeded(deps, client, actor, body.user.id, {
        action: 'api_key',
        userId: what.userId,
        organization: String(what.organizationId),
      });
      if (!asked.ok) return replyFailure(respond, asked);
      await replaceOriginal(
        respond,
        textMessage(asked.requested ? pendingNotice(asked) : 'No approval is needed any more: run `api-key` again to create the key.'),
      );
    });
  };
}

/**
 * "Create the key now" in the requester's DM: a modal opens at once (the trigger id lasts 3 s) and
 * shows the key, made now under the approval, or why not. The key is never posted in a message: a
 * DM persists, a closed modal does not.
 */
export function createApprovedKeyButton(deps: SlackDeps) {
  return async ({ ack, body, client, respond }: BlockActionArgs): Promise<void> => {
    await ack();
    await safely(deps, respond, 'api_key_create_approved', async () => {
      const id = Number(firstAction(body).value);
      if (!Number.isSafeInteger(id) || id <= 0) return;
      const opened = await client.views.open({ trigger_id: body.trigger_id, view: loadingModal('API key') });
      const viewId = opened.view?.id;
      if (!viewId) return;
      const show = updateView(client, viewId);
      const actor = await actorOrWarnModal(deps, client, { id: body.user.id, name: body.user.username }, 'API key', show);
      if (!actor) return;
      const made = await createApprovedApiKey(deps.rt, actor, { id });
      if (!made.ok) return void (await show(warningModal('API key', made.message)));
      await show(apiKeyIssuedModal(made.issued, id));
      const clicked = body.channel?.id && body.message?.ts ? { channel: body.channel.id, ts: body.message.ts } : null;
      await announceKeyCreated(deps, client, made.request, clicked);
    });
  };
}
