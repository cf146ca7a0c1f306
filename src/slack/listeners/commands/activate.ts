// `/users activate USER`.
import { activateUser } from '../../../services/account-status';
import { replyEphemeral, replyFailure } from '../../kit';
import { isMessage, presentCard, userRefs } from '../../presenters';
import { byLine } from '../../kit';
import { errorMessage } from '../../views/messages';
import type { SubCommandHandler } from '../../handler-args';

/** `activate USER`: unlock, then show the card in its new state. */
export const activateCommand: SubCommandHandler = async ({ deps, actor, command, respond, client, body }) => {
  const { refs, problems } = await userRefs(deps, client, command.args);
  if (problems.length > 0) return replyEphemeral(respond, errorMessage(problems[0]));
  const result = await activateUser(deps.rt, actor, { ref: refs[0] });
  if (!result.ok) return replyFailure(respond, result);
  const notice = result.result.status === 'done' ? `Activated ${byLine(body.user_id, deps.rt.now())}` : `➖ ${result.result.message}`;
  const card = await presentCard(deps, actor, String(result.result.userId), { notice });
  if (!isMessage(card)) return replyFailure(respond, card);
  await replyEphemeral(respond, card);
};
