import type { App } from '@slack/bolt';
import { registerActions } from './actions';
import { registerCommands } from './commands';
import type { SlackDeps } from './kit';
import { dropRetriedDeliveries } from './middleware/retries';

/** Every listener of the Slack surface, in one place (the registrar pattern of bolt-ts-starter-template). */
export function registerListeners(app: App, deps: SlackDeps): void {
  app.use(dropRetriedDeliveries(deps.rt));
  registerCommands(app, deps);
  registerActions(app, deps);
}
