import { replyEphemeral } from '../kit';
import { helpMessage } from '../views/help';
import type { SubCommandHandler } from './types';

export function helpCommand(unavailable: ReadonlySet<string>): SubCommandHandler {
  return async ({ deps, respond }) => replyEphemeral(respond, helpMessage(deps.commandName, unavailable));
}
