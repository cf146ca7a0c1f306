// The bulk form, step 1 → 2: the form submitted; the service's checks, then its preview.
import { isBulkAction, BULK_TITLE } from '../../../domain/bulk-actions';
import { isSavedView } from '../../../domain/status';
import { checkBulkSelection, previewBulkAction } from '../../../services/bulk-actions';
import { ACTION, BLOCK } from '../../constants';
import type { ViewSubmitArgs } from '../../handler-args';
import { actorOrWarnModal, modalTeller, safely, updateView, type SlackDeps } from '../../kit';
import { inputText, selectedValue, selectedValues, type StateValues } from '../../view-state';
import { loadingModal, warningModal } from '../../views/modals';
import { bulkPreviewModal } from './views';

function readForm(values: StateValues) {
  const picked = selectedValues(values, BLOCK.picked, ACTION.bulkUserPicker)
    .filter((v) => /^[1-9]\d{0,14}$/.test(v))
    .map(Number);
  const pasted = inputText(values, BLOCK.pasted);
  const view = selectedValue(values, BLOCK.scopeView);
  const orgSlug = selectedValue(values, BLOCK.scopeOrg);
  const reason = inputText(values, BLOCK.reason);
  const chosen = selectedValue(values, BLOCK.bulkAction);
  // A form opened before the action select existed submits no action: it was the reset form.
  const action = chosen === null ? 'reset_password' : isBulkAction(chosen) ? chosen : null;
  return { action, userIds: picked, pasted, view: view && isSavedView(view) ? view : null, orgSlug, reason };
}

/** The service's field names → this form's blocks. */
const BLOCK_OF_FIELD: Record<string, string> = {
  selection: BLOCK.picked,
  pasted: BLOCK.pasted,
  reason: BLOCK.reason,
  organization: BLOCK.scopeOrg,
};

/** Step 1 → 2: quick checks answer under the fields; then a preview, computed after the ack. */
export function bulkSubmit(deps: SlackDeps) {
  return async ({ ack, body, view, client }: ViewSubmitArgs): Promise<void> => {
    const { action, ...sel } = readForm(view.state.values);
    if (action === null) {
      await ack({ response_action: 'errors', errors: { [BLOCK.bulkAction]: 'Choose an action.' } });
      return;
    }
    // The service's form checks, answered under the fields.
    const bad = checkBulkSelection(sel);
    if (bad) {
      const errors = Object.fromEntries(
        Object.entries(bad.fields ?? { selection: bad.message }).map(([f, m]) => [BLOCK_OF_FIELD[f] ?? BLOCK.picked, m]),
      );
      await ack({ response_action: 'errors', errors });
      return;
    }
    const title = BULK_TITLE[action];
    await ack({ response_action: 'update', view: loadingModal(title) });
    await safely(
      deps,
      undefined,
      'bulk_preview',
      async () => {
        const actor = await actorOrWarnModal(deps, client, body.user, title, updateView(client, view.id));
        if (!actor) return;
        const preview = await previewBulkAction(deps.rt, actor, { ...sel, action });
        if (!preview.ok) {
          await client.views.update({ view_id: view.id, view: warningModal(title, preview.message) });
          return;
        }
        await client.views.update({ view_id: view.id, view: bulkPreviewModal(preview, sel.orgSlug) });
      },
      modalTeller(client, body.user.id, view.id),
    );
  };
}
