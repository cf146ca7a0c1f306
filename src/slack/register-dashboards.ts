import type { App } from '@slack/bolt';
import { digestRowButton, digestSpikeButton } from './actions/digest';
import { homeActivateButton, homeBulkResetButton, homeExportButton, homeFindButton } from './actions/home';
import { ACTION, CALLBACK } from './constants';
import { appHomeOpened, homeRefresher } from './events/app-home';
import type { SlackDeps } from './kit';
import { findSubmit } from './modals/find';

/** The lockout digest's buttons, App Home with its shortcuts, and the Home refresh after actions elsewhere. */
export function registerDashboards(app: App, deps: SlackDeps): void {
  deps.hooks.refreshHome ??= homeRefresher(deps);
  app.event('app_home_opened', appHomeOpened(deps));
  app.action({ type: 'block_actions', action_id: ACTION.homeActivate }, homeActivateButton(deps));
  app.action({ type: 'block_actions', action_id: ACTION.homeOpenBulk }, homeBulkResetButton(deps));
  app.action({ type: 'block_actions', action_id: ACTION.homeFind }, homeFindButton(deps));
  app.action({ type: 'block_actions', action_id: ACTION.homeExport }, homeExportButton(deps));
  app.view({ type: 'view_submission', callback_id: CALLBACK.findModal }, findSubmit(deps));
  app.action({ type: 'block_actions', action_id: ACTION.digestActivate }, digestRowButton(deps, 'activate'));
  app.action({ type: 'block_actions', action_id: ACTION.digestReset }, digestRowButton(deps, 'reset_password'));
  app.action({ type: 'block_actions', action_id: ACTION.digestSpikeBulk }, digestSpikeButton(deps));
}
