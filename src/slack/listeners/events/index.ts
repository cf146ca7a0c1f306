// The Events API registrar. Import only registerEvents from here.
import type { App } from '@slack/bolt';
import type { SlackDeps } from '../../kit';
import { appHomeOpened } from './app-home-opened';

export function registerEvents(app: App, deps: SlackDeps): void {
  app.event('app_home_opened', appHomeOpened(deps));
}
