// The block_actions registrar (buttons, menus, pickers), and the block_suggestion options of external selects. Import only registerActions from here.
import type { App } from '@slack/bolt';
import type { UserAction } from '../../../domain/actions';
import { ACTION } from '../../constants';
import { approveButton, createApprovedKeyButton, denyButton, requestKeyApprovalButton } from '../../flows/approvals';
import { bulkConfirmButton, bulkUserOptions, requestApprovalButton } from '../../flows/bulk';
import { changePasswordButton, suggestPasswordButton } from '../../flows/change-password';
import { rolesButton } from '../../flows/roles';
import { cancelButton, confirmDelete, confirmResetMany, undoButton } from '../../flows/confirm';
import type { SlackDeps } from '../../kit';
import { reviewBulkButton } from './access-review';
import { apiKeyButton } from './api-key-button';
import { apiKeyHide, apiKeyOrgSelected } from './api-key-picker';
import { digestRowButton, digestSpikeButton } from './digest';
import { homeActivateButton, homeBulkButton, homeExportButton, homeFindButton } from './home';
import { auditMore, pageButton, viewPicker } from './list-navigation';
import { rowMenu } from './row-menu';
import { userActionButton, type ModalButton } from './user-action';

/** User-card buttons that answer with a modal or a new message instead of rewriting the card. */
const CARD_BUTTONS_OF_THEIR_OWN: Partial<Record<UserAction, ModalButton>> = {
  change_password: changePasswordButton,
  api_key: apiKeyButton,
};

export function registerActions(app: App, deps: SlackDeps): void {
  const on = (actionId: string | RegExp) => ({ type: 'block_actions' as const, action_id: actionId });
  // User cards and lists.
  app.action(on(new RegExp(`^${ACTION.userActionPrefix}`)), userActionButton(deps, CARD_BUTTONS_OF_THEIR_OWN));
  app.action(on(ACTION.rowMenu), rowMenu(deps));
  app.action(on(ACTION.rolesOpen), rolesButton(deps));
  app.action(on(ACTION.pagePrev), pageButton(deps));
  app.action(on(ACTION.pageNext), pageButton(deps));
  app.action(on(ACTION.viewPicker), viewPicker(deps));
  app.action(on(ACTION.auditMore), auditMore(deps));
  // Confirmations (flows/confirm).
  app.action(on(ACTION.confirmDelete), confirmDelete(deps));
  app.action(on(ACTION.confirmResetMany), confirmResetMany(deps));
  app.action(on(ACTION.cancel), cancelButton(deps));
  app.action(on(ACTION.undo), undoButton(deps));
  // API keys.
  app.action(on(ACTION.apiKeyOrg), apiKeyOrgSelected(deps));
  app.action(on(ACTION.apiKeyHide), apiKeyHide(deps));
  // Change password (flows/change-password).
  app.action(on(ACTION.suggestPassword), suggestPasswordButton(deps));
  // The bulk flow (flows/bulk): the user picker's type-ahead, and Confirm on a typed command's preview.
  app.options({ type: 'block_suggestion', action_id: ACTION.bulkUserPicker }, bulkUserOptions(deps));
  app.action(on(ACTION.confirmBulk), bulkConfirmButton(deps));
  // Approvals (flows/approvals): Request approval on a typed preview, Approve and Deny on a request.
  app.action(on(ACTION.requestApproval), requestApprovalButton(deps));
  app.action(on(ACTION.approve), approveButton(deps));
  app.action(on(ACTION.deny), denyButton(deps));
  app.action(on(ACTION.apiKeyRequestApproval), requestKeyApprovalButton(deps));
  app.action(on(ACTION.apiKeyCreateApproved), createApprovedKeyButton(deps));
  // App Home.
  app.action(on(ACTION.homeActivate), homeActivateButton(deps));
  app.action(on(ACTION.homeOpenBulk), homeBulkButton(deps));
  app.action(on(ACTION.homeFind), homeFindButton(deps));
  app.action(on(ACTION.homeExport), homeExportButton(deps));
  // Lockout digest.
  app.action(on(ACTION.digestActivate), digestRowButton(deps, 'activate'));
  app.action(on(ACTION.digestReset), digestRowButton(deps, 'reset_password'));
  app.action(on(ACTION.digestSpikeBulk), digestSpikeButton(deps));
  // Access review (issue 20 §4).
  app.action(on(ACTION.reviewBulk), reviewBulkButton(deps));
}
