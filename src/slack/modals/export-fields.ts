import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { isFailure } from '../../services/authz';
import { EXPORT_FIELD_GROUPS, EXPORT_FIELDS, listExportFields, setExportFields } from '../../services/export-fields';
import type { SubCommandHandler } from '../commands/types';
import { modalTeller, safely, type SlackDeps } from '../kit';
import { selectedValues, type StateValues } from '../view-state';
import { esc } from '../views/common';
import { exportFieldsBlockId, exportFieldsModal, exportFieldsSavedText } from '../views/export';
import { loadingModal, noticeModal, warningModal } from '../views/modals';

const TITLE = 'Export fields';

/** `/users export fields`: the dispatcher opened a loading modal; fill it with the checkboxes, or say why not. */
export const exportFieldsCommand: SubCommandHandler = async ({ deps, actor, client, modalViewId }) => {
  if (!modalViewId) return;
  const list = await listExportFields(deps.rt, actor);
  await client.views.update({
    view_id: modalViewId,
    view: list.ok ? exportFieldsModal(list) : warningModal(TITLE, list.message),
  });
};

type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

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
  return async ({ ack, body, view, client }: ViewArgs): Promise<void> => {
    const choices = readExportFieldChoices(view.state.values);
    await ack({ response_action: 'update', view: loadingModal(TITLE) });
    await safely(
      deps,
      undefined,
      'export_fields_submit',
      async () => {
        const actor = await deps.identity.actorFor(client, body.user.id, body.user.name);
        const saved = isFailure(actor) ? actor : await setExportFields(deps.rt, actor, choices);
        await client.views.update({
          view_id: view.id,
          view: noticeModal(TITLE, saved.ok ? exportFieldsSavedText(saved) : `:warning: ${esc(saved.message)}`),
        });
      },
      modalTeller(client, body.user.id, view.id),
    );
  };
}
