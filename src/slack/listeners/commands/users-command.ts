// `/users …`: the dispatcher every sub-command goes through (ack, parse, actor, handler).
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { parseCommand, type ParsedCommand } from '../../command-parser';
import { actorOrRefuse, replyEphemeral, safely, type SlackDeps } from '../../kit';
import { errorMessage } from '../../views/messages';
import type { SubCommandHandler } from '../../handler-args';

export interface CommandTable {
  handlers: Record<string, SubCommandHandler>;
  /**
   * Sub-commands that open a modal: the modal is opened right after the ack, before any slow I/O.
   * A name, or a name and its first word (`export fields`) when only that form opens one.
   */
  opensModal: ReadonlySet<string>;
  /** Forms that open a modal only with some arguments (a typed command naming many users). */
  alsoOpensModal?: (command: ParsedCommand) => boolean;
}

function opensModal(table: CommandTable, command: ParsedCommand): boolean {
  const first = command.args[0];
  const form = first?.kind === 'text' ? `${command.name} ${first.value.toLowerCase()}` : null;
  return table.opensModal.has(command.name) || (form !== null && table.opensModal.has(form)) || (table.alsoOpensModal?.(command) ?? false);
}

/**
 * `/users …`: ack first (Slack's 3 s), then parse, resolve the acting directory user and hand over
 * to one sub-command handler. Everything after the ack reports through `respond`.
 */
export function usersCommand(deps: SlackDeps, table: CommandTable) {
  return async ({ ack, body, client, respond }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    await ack();
    // One turn of the event loop before the work: requests already waiting are read and acked
    // first, so a burst of commands is not acked behind the searches of the ones before it
    // (npm run bench: p50 45 -> 26 ms at 50 concurrent).
    await new Promise((resolve) => setImmediate(resolve));
    await safely(deps, respond, 'command', async () => {
      const parsed = parseCommand(body.text ?? '', deps.commandName);
      if (!parsed.ok) return replyEphemeral(respond, errorMessage(parsed.message));
      const { command } = parsed;
      const handler = table.handlers[command.name];
      // registerCommands checked at start-up that every sub-command the parser knows has a handler.
      if (!handler) throw new Error(`no handler for ${command.name}`);
      let modalViewId: string | undefined;
      if (opensModal(table, command)) {
        const opened = await client.views.open({
          trigger_id: body.trigger_id,
          view: {
            type: 'modal',
            title: { type: 'plain_text', text: 'userops' },
            close: { type: 'plain_text', text: 'Close' },
            blocks: [{ type: 'section', text: { type: 'mrkdwn', text: ':hourglass_flowing_sand: Loading…' } }],
          },
        });
        modalViewId = opened.view?.id;
      }
      const actor = await actorOrRefuse(deps, client, body.user_id, body.user_name, respond);
      if (!actor) {
        if (modalViewId)
          await client.views.update({ view_id: modalViewId, view: closedNotice('You cannot use userops: see the message in Slack.') });
        return;
      }
      await handler({ deps, actor, command, body, client, respond, modalViewId });
    });
  };
}

export function closedNotice(text: string) {
  return {
    type: 'modal' as const,
    title: { type: 'plain_text' as const, text: 'userops' },
    close: { type: 'plain_text' as const, text: 'Close' },
    blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text } }],
  };
}
