// `/users reset-password USER…`: one at once, several after a confirmation.
import { resetPasswords } from '../../../services/passwords';
import { resetConfirmation } from '../../flows/confirm';
import { replyEphemeral, replyFailure } from '../../kit';
import { userRefs } from '../../presenters';
import { errorMessage, resultsMessage } from '../../views/messages';
import type { SubCommandHandler } from '../../handler-args';

/** `reset-password USER…`: one user right away; several only after a confirmation. */
export const resetPasswordCommand: SubCommandHandler = async ({ deps, actor, command, respond, client }) => {
  const { refs, problems } = await userRefs(deps, client, command.args);
  if (problems.length > 0) return replyEphemeral(respond, errorMessage(problems[0]));
  if (refs.length === 1) {
    const result = await resetPasswords(deps.rt, actor, { refs });
    if (!result.ok) return replyFailure(respond, result);
    return replyEphemeral(respond, resultsMessage('Password reset', result.results));
  }
  await resetConfirmation(deps, actor, refs, respond);
};
