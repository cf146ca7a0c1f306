// `/users api-key USER [ORG]` and `/users api-key revoke USER [ORG]`.
import { generateApiKey, revokeApiKey } from '../../../services/api-keys';
import { argText } from '../../command-parser';
import { replyEphemeral, replyFailure } from '../../kit';
import { userRefs } from '../../presenters';
import { apiKeyGenerateMessage, apiKeyRevokeMessage } from '../../views/api-key';
import { errorMessage } from '../../views/messages';
import type { SubCommandHandler } from '../../handler-args';

/**
 * `api-key USER [ORG]` creates (or replaces) the user's key in ORG and shows it once, ephemerally;
 * `api-key revoke USER [ORG]` removes it. Without ORG: the only candidate organization, or a picker.
 */
export const apiKeyCommand: SubCommandHandler = async ({ deps, actor, command, respond, client, body }) => {
  const [first, ...rest] = command.args;
  const revoke = first.kind === 'text' && first.value.toLowerCase() === 'revoke';
  const args = revoke ? rest : command.args;
  if (args.length < 1 || args.length > 2) {
    return replyEphemeral(
      respond,
      errorMessage(`Usage: \`${deps.commandName} api-key USER [ORG]\` or \`${deps.commandName} api-key revoke USER [ORG]\`.`),
    );
  }
  const { refs, problems } = await userRefs(deps, client, args.slice(0, 1));
  if (problems.length > 0) return replyEphemeral(respond, errorMessage(problems[0]));
  const input = { ref: refs[0], organization: args[1] ? argText(args[1]) : undefined };
  if (revoke) {
    const result = await revokeApiKey(deps.rt, actor, input);
    if (!result.ok) return replyFailure(respond, result);
    return replyEphemeral(respond, apiKeyRevokeMessage(result, body.user_id, deps.rt.now()));
  }
  const result = await generateApiKey(deps.rt, actor, input);
  if (!result.ok) return replyFailure(respond, result);
  await replyEphemeral(respond, apiKeyGenerateMessage(result));
};
