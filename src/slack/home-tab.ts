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
 * otherwise. `notice` reports the last action taken from the tab; `freshCounts` counts the saved
 * views anew (after the person's own action) instead of showing counts kept from a moment ago.
 */
export async function publishHome(
  deps: SlackDeps,
  client: WebClient,
  slackUserId: string,
  opts: { notice?: string; freshCounts?: boolean } = {},
): Promise<void> {
  const actor = await deps.identity.actorFor(client, slackUserId);
  let view;
  if (isFailure(actor)) view = homeNoticeView(`:information_source: ${esc(actor.message)}`);
  else {
    const dashboard = await homeDashboard(deps.rt, actor, { freshCounts: opts.freshCounts });
    if (!dashboard.ok) view = homeNoticeView(dashboard.code === 'forbidden' ? NO_ROLE : `:warning: ${esc(dashboard.message)}`);
    else view = homeView({ dashboard, commandName: deps.commandName, updatedAt: deps.rt.now(), notice: opts.notice });
  }
  await client.views.publish({ user_id: slackUserId, view });
}

/**
 * Publish a person's Home tab, logging a failure rather than reporting it: when they open the tab
 * (counts kept from a moment ago will do) and, as `deps.hooks.refreshHome`, after an action anywhere
 * (`freshCounts`: the tab shows the new counts; the action itself has already succeeded).
 */
export function homeRefresher(deps: SlackDeps, opts: { freshCounts: boolean }) {
  return async (client: WebClient, slackUserId: string): Promise<void> => {
    await publishHome(deps, client, slackUserId, opts).catch((e: unknown) =>
      deps.rt.logger.warn('could not refresh App Home', { error: String((e as Error)?.message ?? e) }),
    );
  };
}
