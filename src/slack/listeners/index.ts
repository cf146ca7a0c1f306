// Every listener of the Slack surface, in one place (the registrar pattern of bolt-ts-starter-template). Import only registerListeners from here.
import type { App } from '@slack/bolt';
import { delivery, withReliableReplies } from '../delivery';
import { homeRefresher } from '../home-tab';
import type { SlackDeps } from '../kit';
import { dropRepeatedRequests } from '../middleware/retries';
import { refuseOtherWorkspaces } from '../middleware/workspace';
import { registerActions } from './actions';
import { registerCommands } from './commands';
import { registerEvents } from './events';
import { registerViews } from './views';

/**
 * Middleware first, then one registrar per kind of request: commands (`/users` and its
 * sub-commands), actions (buttons, menus, and the options of external selects), views (modal
 * submissions), events (App Home).
 */
export function registerListeners(bolt: App, deps: SlackDeps): void {
  // Every listener's `respond` retries and falls back to a DM (src/slack/delivery.ts).
  const app = withReliableReplies(bolt, deps.delivery ?? delivery(), deps.rt.logger);
  // The workspace first: a request from elsewhere costs no database write.
  app.use(refuseOtherWorkspaces(deps.rt, deps.servedTeam));
  app.use(dropRepeatedRequests(deps.rt));
  // After an action anywhere, the actor's Home tab shows the new counts.
  deps.hooks.refreshHome ??= homeRefresher(deps, { freshCounts: true });
  registerCommands(app, deps);
  registerActions(app, deps);
  registerViews(app, deps);
  registerEvents(app, deps);
}
