// `/users export` (and the hand-over to `export fields`).
import { replyEphemeral, replyFailure } from '../../kit';
import { startExport } from '../../start-export';
import { exportStartedMessage } from '../../views/export';
import { errorMessage } from '../../views/messages';
import { exportFieldsCommand } from '../../flows/export-fields';
import type { SubCommandHandler } from '../../handler-args';

/** `/users export` and `/users export fields`. */
export const exportCommand: SubCommandHandler = async (run) => {
  const { deps, actor, command, body, respond } = run;
  const arg = command.args[0];
  if (arg) {
    if (arg.kind === 'text' && arg.value.toLowerCase() === 'fields') return exportFieldsCommand(run);
    return replyEphemeral(
      respond,
      errorMessage(
        `Usage: \`${deps.commandName} export\` (your users as CSV) or \`${deps.commandName} export fields\` (choose the columns).`,
      ),
    );
  }
  const started = await startExport(deps, actor, body.user_id);
  if (!started.ok) return replyFailure(respond, started);
  await replyEphemeral(respond, exportStartedMessage(started));
};
