// `/users export` (and the hand-over to `export fields`).
import type { SavedView } from '../../../domain/status';
import { viewOfArgs } from '../../command-parser';
import { replyEphemeral, replyFailure } from '../../kit';
import { startExport } from '../../start-export';
import { exportStartedMessage } from '../../views/export';
import { errorMessage } from '../../views/messages';
import { exportFieldsCommand } from '../../flows/export-fields';
import type { SubCommandHandler } from '../../handler-args';

/** `/users export [VIEW]` and `/users export fields`. */
export const exportCommand: SubCommandHandler = async (run) => {
  const { deps, actor, command, body, respond } = run;
  const arg = command.args[0];
  if (arg?.kind === 'text' && arg.value.toLowerCase() === 'fields' && command.args.length === 1) return exportFieldsCommand(run);
  let view: SavedView | undefined;
  if (arg) {
    const named = arg.kind === 'text' ? viewOfArgs(command.args, 'export') : { error: '' };
    if (typeof named !== 'string') {
      const usage = `Usage: \`${deps.commandName} export [VIEW]\` (your users as CSV, or those of a saved view) or \`${deps.commandName} export fields\` (choose the columns).`;
      return replyEphemeral(respond, errorMessage(named.error ? `${named.error} ${usage}` : usage));
    }
    view = named === 'all' ? undefined : named;
  }
  const started = await startExport(deps, actor, body.user_id, { view });
  if (!started.ok) return replyFailure(respond, started);
  await replyEphemeral(respond, exportStartedMessage(started));
};
