// `/users delete USER`: asks first.
import { deleteConfirmation } from '../../flows/confirm';
import { replyEphemeral } from '../../kit';
import { userRefs } from '../../presenters';
import { errorMessage } from '../../views/messages';
import type { SubCommandHandler } from '../../handler-args';

/** `delete USER`: never deletes directly — it asks first, with a confirm-carrying button. */
export const deleteCommand: SubCommandHandler = async ({ deps, actor, command, respond, client }) => {
  const { refs, problems } = await userRefs(deps, client, command.args);
  if (problems.length > 0) return replyEphemeral(respond, errorMessage(problems[0]));
  await deleteConfirmation(deps, actor, refs[0], respond);
};
