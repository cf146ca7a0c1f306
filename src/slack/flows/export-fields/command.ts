// `/users export fields`: the modal with the checkboxes, filled in after the dispatcher opened it.
import { listExportFields } from '../../../services/export-fields';
import type { SubCommandHandler } from '../../handler-args';
import { warningModal } from '../../views/modals';
import { exportFieldsModal } from './views';

export const TITLE = 'Export fields';

/** `/users export fields`: the dispatcher opened a loading modal; fill it with the checkboxes, or say why not. */
export const exportFieldsCommand: SubCommandHandler = async ({ deps, actor, client, modalViewId }) => {
  if (!modalViewId) return;
  const list = await listExportFields(deps.rt, actor);
  await client.views.update({
    view_id: modalViewId,
    view: list.ok ? exportFieldsModal(list) : warningModal(TITLE, list.message),
  });
};
