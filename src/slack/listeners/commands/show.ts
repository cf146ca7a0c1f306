// `/users show USER`: the user card.
import { replyEphemeral, replyFailure } from '../../kit';
import { isMessage, presentCard, userRefs } from '../../presenters';
import { errorMessage } from '../../views/messages';
import type { SubCommandHandler } from '../../handler-args';

/** `show USER`: the user card with the actions the actor may take. */
export const showCommand: SubCommandHandler = async ({ deps, actor, command, respond, client }) => {
  const { refs, problems } = await userRefs(deps, client, command.args);
  if (problems.length > 0) return replyEphemeral(respond, errorMessage(problems[0]));
  const shared = command.flags.has('share');
  const out = await presentCard(deps, actor, refs[0], { shared });
  if (!isMessage(out)) return replyFailure(respond, out);
  await respond({ response_type: shared ? 'in_channel' : 'ephemeral', text: out.text, blocks: out.blocks });
};
