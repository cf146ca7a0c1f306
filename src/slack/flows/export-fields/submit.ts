// The export-fields modal saved: the modal turns into "working", then into what changed.
import { EXPORT_FIELD_GROUPS, EXPORT_FIELDS, setExportFields } from '../../../services/export-fields';
import type { ViewSubmitArgs } from '../../handler-args';
import { actorOrWarnModal, modalTeller, safely, updateView, type SlackDeps } from '../../kit';
import { selectedValues, type StateValues } from '../../view-state';
import { esc } from '../../views/common';
import { loadingModal, noticeModal } from '../../views/modals';
import { TITLE } from './command';
import { exportFieldsBlockId, exportFieldsSavedText } from './views';

/** Every field shown in the modal, on when its box is ticked. */
export function readExportFieldChoices(values: StateValues): Record<string, boolean> {
  const choices: Record<string, boolean> = {};
  for (const group of EXPORT_FIELD_GROUPS) {
    if (!values[exportFieldsBlockId(group)]?.value) continue;
    const ticked = new Set(selectedValues(values, exportFieldsBlockId(group)));
    for (const [field, info] of Object.entries(EXPORT_FIELDS)) if (info.group === group) choices[field] = ticked.has(field);
  }
  return choices;
}

/** Save: the modal turns into "working", then into what changed. */
export function exportFieldsSubmit(deps: SlackDeps) {
  return async ({ ack, body, view, client }: ViewSubmitArgs): Promise<void> => {
    const choices = readExportFieldChoices(view.state.values);
    await ack({ response_action: 'update', view: loadingModal(TITLE) });
    await safely(
      deps,
      undefined,
      'export_fields_submit',
      async () => {
        const actor = await actorOrWarnModal(deps, client, body.user, TITLE, updateView(client, view.id));
        if (!actor) return;
        const saved = await setExportFields(deps.rt, actor, choices);
        await client.views.update({
          view_id: view.id,
          view: noticeModal(TITLE, saved.ok ? exportFieldsSavedText(saved) : `:warning: ${esc(saved.message)}`),
        });
      },
      modalTeller(client, body.user.id, view.id),
    );
  };
}
