// The App Home tab: publish a person's dashboard, and refresh it after actions elsewhere.
import type { WebClient } from '@slack/web-api';
import { isFailure } from '../services/authz';
import { homeDashboard } from '../services/dashboard';
import type { SlackDeps } from './kit';
import { esc } from './views/common';
import { homeNoticeView, homeView } from './views/home';

const NO_ROLE =
  'userops administers the user directory. You have no role in any organization, so there is nothing here for you. ' +
  'An administrator can give you one (`userops grant`).';

/**
 * Build and publish a person's Home tab: the dashboard when they have a role, a short notice
 * otherwise. `notice` reports the last action taken from the tab.
 */
export async function publishHome(deps: SlackDeps, client: WebClient, slackUserId: string, notice?: string): Promise<void> {
  const actor = await deps.identity.actorFor(client, slackUserId);
  let view;
  if (isFailure(actor)) view = homeNoticeView(`:information_source: ${esc(actor.message)}`);
  else {
    const dashboard = await homeDashboard(deps.rt, actor);
    if (!dashboard.ok) view = homeNoticeView(dashboard.code === 'forbidden' ? NO_ROLE : `:warning: ${esc(dashboard.message)}`);
    else view = homeView({ dashboard, commandName: deps.commandName, updatedAt: deps.rt.now(), notice });
  }
  await client.views.publish({ user_id: slackUserId, view });
}

/**
 * `deps.hooks.refreshHome`: after an action anywhere, the actor's Home tab shows the new counts.
 * A refresh that fails is logged, never reported: the action itself succeeded.
 */
export function homeRefresher(deps: SlackDeps) {
  return async (client: WebClient, slackUserId: string): Promise<void> => {
    await publishHome(deps, client, slackUserId).catch((e: unknown) =>
      deps.rt.logger.warn('could not refresh App Home', { error: String((e as Error)?.message ?? e) }),
    );
  };
}
