// Starting an export for a Slack user (from `/users export` and from the App Home shortcut).
import type { Outcome } from '../domain/outcome';
import type { SavedView } from '../domain/status';
import type { Actor } from '../services/context';
import { exportScope, requestExport } from '../services/export';
import type { SlackDeps } from './kit';
import type { ExportStarted } from './views/export';

/**
 * Start an export for a Slack user: the progress message in their DM first (so the job has
 * somewhere to report from its first page), then the queued job. The file goes to that DM and
 * nowhere else, whether the command was typed in a channel or the App Home shortcut was used, so
 * the channel is not even passed on. A DM that cannot be opened does not stop the export — the
 * email copy still goes to the requester — but they are told at once, here.
 */
export async function startExport(
  deps: SlackDeps,
  actor: Actor,
  slackUserId: string,
  opts: { view?: SavedView } = {},
): Promise<Outcome<ExportStarted>> {
  // Refuse before posting anything in the DM: helpdesk and viewers get one ephemeral line.
  const scope = await exportScope(deps.rt, actor);
  if (!scope.ok) return scope;
  const progress = await deps.notifier?.start(slackUserId, 'User export', 'Queued…');
  const notify = progress?.ok ? progress.target : null;
  const started = await requestExport(deps.rt, actor, { notify, requestedBySlack: slackUserId, view: opts.view });
  if (!started.ok && notify) await deps.notifier?.fail(notify, `The export did not start: ${started.message}`);
  if (!started.ok) return started;
  return { ...started, view: opts.view ?? null, dmProblem: progress && !progress.ok ? progress.message : null };
}
