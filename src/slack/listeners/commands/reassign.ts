// `/users reassign FROM TO`.
import { reassignRecords } from '../../../services/delete-user';
import { replyEphemeral, replyFailure } from '../../kit';
import { userRefs } from '../../presenters';
import { esc, plural } from '../../views/common';
import { errorMessage, textMessage } from '../../views/messages';
import type { SubCommandHandler } from '../../handler-args';

/** `reassign FROM TO`: move records so FROM can be deleted. */
export const reassignCommand: SubCommandHandler = async ({ deps, actor, command, respond, client }) => {
  const { refs, problems } = await userRefs(deps, client, command.args);
  if (problems.length > 0) return replyEphemeral(respond, errorMessage(problems[0]));
  const result = await reassignRecords(deps.rt, actor, { from: refs[0], to: refs[1] });
  if (!result.ok) return replyFailure(respond, result);
  const rest =
    result.remaining > 0 ? ` ${plural(result.remaining, 'record')} in organizations you cannot manage stay with ${esc(result.from)}.` : '';
  await replyEphemeral(
    respond,
    textMessage(`✅ Moved ${plural(result.moved, 'record')} from *${esc(result.from)}* to *${esc(result.to)}*.${rest}`),
  );
};
