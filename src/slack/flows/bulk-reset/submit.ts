// Bulk reset, step 1 → 2: the form submitted; the service's checks, then its preview.
import { isSavedView } from '../../../domain/status';
import { checkBulkSelection } from '../../../services/bulk-actions';
import { previewBulkReset } from '../../../services/bulk-reset';
import { ACTION, BLOCK } from '../../constants';
import type { ViewSubmitArgs } from '../../handler-args';
import { actorOrWarnModal, modalTeller, safely, updateView, type SlackDeps } from '../../kit';
import { inputText, selectedValue, selectedValues, type StateValues } from '../../view-state';
import { loadingModal, warningModal } from '../../views/modals';
import { bulkPreviewModal } from './views';

function readSelection(values: StateValues) {
  const picked = selectedValues(values, BLOCK.picked, ACTION.bulkUserPicker)
    .filter((v) => /^[1-9]\d{0,14}$/.test(v))
    .map(Number);
  const pasted = inputText(values, BLOCK.pasted);
  const view = selectedValue(values, BLOCK.scopeView);
  const orgSlug = selectedValue(values, BLOCK.scopeOrg);
  const reason = inputText(values, BLOCK.reason);
  return { userIds: picked, pasted, view: view && isSavedView(view) ? view : null, orgSlug, reason };
}

/** Step 1 → 2: quick checks answer under the fields; then a preview, computed after the ack. */
export function bulkResetSubmit(deps: SlackDeps) {
  return async ({ ack, body, view, client }: ViewSubmitArgs): Promise<void> => {
    const sel = readSelection(view.state.values);
    // The service's form checks, answered under the fields (its field names are the block ids).
    const bad = checkBulkSelection(sel);
    if (bad) {
      // The service's field names → this form's blocks.
      const blockOf: Record<string, string> = {
        selection: BLOCK.picked,
        pasted: BLOCK.pasted,
        reason: BLOCK.reason,
        organization: BLOCK.scopeOrg,
      };
      const errors = Object.fromEntries(
        Object.entries(bad.fields ?? { selection: bad.message }).map(([f, m]) => [blockOf[f] ?? BLOCK.picked, m]),
      );
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack({ response_action: 'update', view: loadingModal('Bulk password reset') });
    await safely(
      deps,
      undefined,
      'bulk_reset_preview',
      async () => {
        const actor = await actorOrWarnModal(deps, client, body.user, 'Bulk password reset', updateView(client, view.id));
        if (!actor) return;
        const preview = await previewBulkReset(deps.rt, actor, sel);
        if (!preview.ok) {
          await client.views.update({ view_id: view.id, view: warningModal('Bulk password reset', preview.message) });
          return;
        }
        await client.views.update({ view_id: view.id, view: bulkPreviewModal(preview, sel.reason) });
      },
      modalTeller(client, body.user.id, view.id),
    );
  };
}
