// `app_home_opened`: the Home tab gets a new dashboard.
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { homeRefresher } from '../../home-tab';
import type { SlackDeps } from '../../kit';

/** `app_home_opened` on the Home tab: publish the dashboard (counts of a large directory may be a minute old, and say so). */
export function appHomeOpened(deps: SlackDeps) {
  return async ({ event, client }: SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs): Promise<void> => {
    if (event.tab !== 'home') return;
    await homeRefresher(deps, { freshCounts: false })(client, event.user);
  };
}
