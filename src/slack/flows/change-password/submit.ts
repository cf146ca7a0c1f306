// The change-password modal submitted: policy errors under the field, else the change and its outcome.
import { changePassword, hashForApproval, precheckChangePassword } from '../../../services/passwords';
import { askSingleApprovalIfNeeded, pendingNotice } from '../approvals';
import { BLOCK } from '../../constants';
import type { ViewSubmitArgs } from '../../handler-args';
import { actorOrWarnModal, modalTeller, safely, type SlackDeps } from '../../kit';
import { inputText } from '../../view-state';
import { esc } from '../../views/common';
import { loadingModal, noticeModal, warningModal } from '../../views/modals';
import { readMeta } from './views';

/** Submit: policy errors under the field (response_action: errors); else set it and show the outcome. */
export function changePasswordSubmit(deps: SlackDeps) {
  return async ({ ack, body, view, client }: ViewSubmitArgs): Promise<void> => {
    const meta = readMeta(view.private_metadata);
    const blockId = Object.keys(view.state.values).find((k) => k.startsWith(`${BLOCK.password}:`));
    const password = blockId ? inputText(view.state.values, blockId) : '';
    if (!meta || !blockId) {
      await ack({ response_action: 'update', view: noticeModal('Change password', 'This dialog is out of date; open it again.') });
      return;
    }
    const actor = await actorOrWarnModal(deps, client, body.user, 'Change password', (v) => ack({ response_action: 'update', view: v }));
    if (!actor) return;
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
        if (pre.needsApproval) {
          // APPROVAL_REQUIRED (issue 19): the password is hashed now and only the hash waits for the approval.
          const hashed = await hashForApproval(deps.rt, actor, { ref: String(meta.userId), password });
          const asked = hashed.ok
            ? await askSingleApprovalIfNeeded(deps, client, actor, body.user.id, {
                action: 'change_password',
                userId: hashed.userId,
                passwordHash: hashed.hash,
              })
            : hashed;
          const text = !asked.ok
            ? `:warning: ${esc(asked.message)}`
            : asked.requested
              ? pendingNotice(asked)
              : 'No approval is needed any more: submit the form again.';
          await client.views.update({ view_id: view.id, view: noticeModal('Change password', text) });
          return;
        }
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
