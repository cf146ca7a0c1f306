// `/users help`.
import type { SubCommandHandler } from '../../handler-args';
import { replyEphemeral } from '../../kit';
import { helpMessage } from '../../views/help';

export const helpCommand: SubCommandHandler = async ({ deps, respond }) => replyEphemeral(respond, helpMessage(deps.commandName));
