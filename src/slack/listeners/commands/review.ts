// `/users review [ORG]`: the access review of one organization, in the requester's DM.
import { accessReview, recordReviewPosted } from '../../../services/access-review';
import { postAccessReview } from '../../access-review-publisher';
import type { SubCommandHandler } from '../../handler-args';
import { replyEphemeral, replyFailure } from '../../kit';
import { errorMessage, textMessage } from '../../views/messages';

export const reviewCommand: SubCommandHandler = async ({ deps, actor, command, body, client, respond }) => {
  const arg = command.args[0];
  if (command.args.length > 1 || (arg && arg.kind !== 'text')) {
    return replyEphemeral(respond, errorMessage(`Usage: \`${deps.commandName} review [ORG]\`.`));
  }
  const result = await accessReview(deps.rt, actor, { org: arg?.kind === 'text' ? arg.value : undefined });
  if (!result.ok) return replyFailure(respond, result);
  const { review } = result;
  const posted = await postAccessReview(client, review, { slackUserId: body.user_id }, { scheduled: false });
  if (!posted.ok) return replyEphemeral(respond, errorMessage(`The access review was not delivered: ${posted.reason}.`));
  await recordReviewPosted(deps.rt, actor, review, { to: 'requester_dm' });
  await replyEphemeral(
    respond,
    textMessage(
      `:white_check_mark: The access review of *${review.organization.slug}* is in your direct messages with userops, with its CSV.`,
    ),
  );
};
