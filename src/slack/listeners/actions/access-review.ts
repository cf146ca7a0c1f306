// An access review's section buttons: the bulk form, preselected with the section's action, view and organization.
import { accessReview, SECTION_VIEW } from '../../../services/access-review';
import { fillBulkForm } from '../../flows/bulk';
import { firstAction, type BlockActionArgs } from '../../handler-args';
import { actorOrWarnModal, safely, updateView, type SlackDeps } from '../../kit';
import { parseReviewButton, REVIEW_TITLE } from '../../views/access-review';
import { loadingModal, warningModal } from '../../views/modals';

/** The bulk form's paste box holds 3,000 characters. */
const PASTE_MAX = 3000;

/**
 * A section with a saved view (administrators, dormant, invited) preselects that view and the
 * organization: the preview re-reads the view when it runs, so it is never stale. The others
 * (security role, API keys) paste the section's usernames, read again now with the clicker's own
 * permission: the buttons are the same for everyone in the channel.
 */
export function reviewBulkButton(deps: SlackDeps) {
  return async ({ ack, body, client, respond }: BlockActionArgs): Promise<void> => {
    await ack();
    await safely(deps, respond, 'access_review_bulk', async () => {
      const value = parseReviewButton(firstAction(body).value);
      if (!value) return;
      // The trigger id expires in 3 s: open the modal before any query.
      const opened = await client.views.open({ trigger_id: body.trigger_id, view: loadingModal('Bulk action') });
      const viewId = opened.view?.id;
      if (!viewId) return;
      const show = updateView(client, viewId);
      const actor = await actorOrWarnModal(deps, client, { id: body.user.id, name: body.user.username }, 'Bulk action', show);
      if (!actor) return;
      const view = SECTION_VIEW[value.s];
      if (view) {
        await fillBulkForm(deps, client, actor, viewId, { action: value.a, view, org: value.o });
        return;
      }
      const result = await accessReview(deps.rt, actor, { org: value.o });
      if (!result.ok) {
        await show(warningModal('Bulk action', result.message));
        return;
      }
      const rows = result.review.sections.find((s) => s.key === value.s)?.rows ?? [];
      let pasted = '';
      for (const r of rows) {
        if (pasted.length + r.username.length + 1 > PASTE_MAX) break;
        pasted += `${r.username}\n`;
      }
      if (rows.length === 0) {
        await show(warningModal('Bulk action', `${REVIEW_TITLE[value.s]} of ${value.o}: nobody any more.`));
        return;
      }
      await fillBulkForm(deps, client, actor, viewId, { action: value.a, pasted: pasted.trimEnd(), org: value.o });
    });
  };
}
