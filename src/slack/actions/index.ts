import type { App } from '@slack/bolt';
import type { UserAction } from '../../domain/actions';
import { ACTION } from '../constants';
import type { SlackDeps } from '../kit';
import { cancelButton, confirmDelete, confirmResetMany, undoButton } from './confirm';
import { auditMore, pageButton, viewPicker } from './list-navigation';
import { rowMenu } from './row-menu';
import { userActionButton, type ModalButton } from './user-action';

export function registerActions(app: App, deps: SlackDeps, modalButtons: Partial<Record<UserAction, ModalButton>> = {}): void {
  app.action({ type: 'block_actions', action_id: new RegExp(`^${ACTION.userActionPrefix}`) }, userActionButton(deps, modalButtons));
  app.action({ type: 'block_actions', action_id: ACTION.rowMenu }, rowMenu(deps));
  app.action({ type: 'block_actions', action_id: ACTION.pagePrev }, pageButton(deps));
  app.action({ type: 'block_actions', action_id: ACTION.pageNext }, pageButton(deps));
  app.action({ type: 'block_actions', action_id: ACTION.viewPicker }, viewPicker(deps));
  app.action({ type: 'block_actions', action_id: ACTION.confirmDelete }, confirmDelete(deps));
  app.action({ type: 'block_actions', action_id: ACTION.confirmResetMany }, confirmResetMany(deps));
  app.action({ type: 'block_actions', action_id: ACTION.cancel }, cancelButton(deps));
  app.action({ type: 'block_actions', action_id: ACTION.undo }, undoButton(deps));
  app.action({ type: 'block_actions', action_id: ACTION.auditMore }, auditMore(deps));
}
