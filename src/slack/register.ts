import type { App } from '@slack/bolt';
import { registerActions } from './actions';
import { apiKeyButton } from './actions/api-key-button';
import { apiKeyHide, apiKeyOrgSelected } from './actions/api-key-picker';
import { registerCommands } from './commands';
import { apiKeyCommand } from './commands/api-key';
import { exportCommand } from './commands/export';
import { ACTION, CALLBACK } from './constants';
import { delivery, withReliableReplies } from './delivery';
import type { SlackDeps } from './kit';
import { dropRepeatedRequests } from './middleware/retries';
import { refuseOtherWorkspaces } from './middleware/workspace';
import { registerDashboards } from './register-dashboards';
import { bulkResetCommand, bulkResetConfirm, bulkResetSubmit, bulkUserOptions } from './modals/bulk-reset';
import { changePasswordButton, changePasswordCommand, changePasswordSubmit, suggestPasswordButton } from './modals/change-password';
import { exportFieldsSubmit } from './modals/export-fields';

/** Every listener of the Slack surface, in one place (the registrar pattern of bolt-ts-starter-template). */
export function registerListeners(bolt: App, deps: SlackDeps): void {
  // Every listener's `respond` retries and falls back to a DM (src/slack/delivery.ts).
  const app = withReliableReplies(bolt, deps.delivery ?? delivery(), deps.rt.logger);
  // The workspace first: a request from elsewhere costs no database write.
  app.use(refuseOtherWorkspaces(deps.rt, deps.servedTeam));
  app.use(dropRepeatedRequests(deps.rt));
  registerCommands(
    app,
    deps,
    { 'change-password': changePasswordCommand, 'bulk-reset': bulkResetCommand, 'api-key': apiKeyCommand, export: exportCommand },
    ['change-password', 'bulk-reset', 'export fields'],
  );
  registerActions(app, deps, { change_password: changePasswordButton, api_key: apiKeyButton });
  app.action({ type: 'block_actions', action_id: ACTION.apiKeyOrg }, apiKeyOrgSelected(deps));
  app.action({ type: 'block_actions', action_id: ACTION.apiKeyHide }, apiKeyHide(deps));
  app.action({ type: 'block_actions', action_id: ACTION.suggestPassword }, suggestPasswordButton(deps));
  app.options({ type: 'block_suggestion', action_id: ACTION.bulkUserPicker }, bulkUserOptions(deps));
  app.view({ type: 'view_submission', callback_id: CALLBACK.changePassword }, changePasswordSubmit(deps));
  app.view({ type: 'view_submission', callback_id: CALLBACK.bulkReset }, bulkResetSubmit(deps));
  app.view({ type: 'view_submission', callback_id: CALLBACK.bulkResetConfirm }, bulkResetConfirm(deps));
  app.view({ type: 'view_submission', callback_id: CALLBACK.exportFields }, exportFieldsSubmit(deps));
  registerDashboards(app, deps);
}
