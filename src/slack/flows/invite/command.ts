// `/users invite …`: the form (opened by the dispatcher before any slow work), or resend / revoke.
import { invitableOrganizations, resendInvitation, revokeInvitation } from '../../../services/invitations';
import { argText, keywordArgs } from '../../command-parser';
import type { SubCommandHandler } from '../../handler-args';
import { replyEphemeral, replyFailure } from '../../kit';
import { esc } from '../../views/common';
import { errorMessage, textMessage } from '../../views/messages';
import { warningModal } from '../../views/modals';
import { inviteModal, MAX_EMAIL_LENGTH } from './views';

/** `invite resend|revoke …` answer in the channel; everything else opens the form. */
export function isInviteManagement(first: string | undefined): boolean {
  return first === 'resend' || first === 'revoke';
}

export const inviteCommand: SubCommandHandler = async ({ deps, actor, command, client, respond, modalViewId }) => {
  const first = command.args[0];
  const word = first?.kind === 'text' ? first.value.toLowerCase() : undefined;
  if (isInviteManagement(word)) {
    const rest = command.args.slice(1);
    if (rest.length < 1 || rest.length > 2) {
      return replyEphemeral(respond, errorMessage(`Usage: \`${deps.commandName} invite ${word} EMAIL [ORG]\`.`));
    }
    const input = { email: argText(rest[0]), org: rest[1] ? argText(rest[1]) : undefined };
    const result = word === 'resend' ? await resendInvitation(deps.rt, actor, input) : await revokeInvitation(deps.rt, actor, input);
    if (!result.ok) return replyFailure(respond, result);
    return replyEphemeral(respond, textMessage(`✅ ${esc(result.message)}`));
  }
  if (!modalViewId) return;
  const show = (view: Parameters<typeof client.views.update>[0]['view']) => client.views.update({ view_id: modalViewId, view });
  const split = keywordArgs(command.args, ['to', 'as']);
  if ('error' in split || split.positional.length > 1) {
    const why = 'error' in split ? split.error : 'Name one email address.';
    return void (await show(warningModal('Invite someone', `${why} Usage: ${deps.commandName} invite EMAIL [to ORG] [as ROLE]`)));
  }
  const email = split.positional[0] ? argText(split.positional[0]) : undefined;
  if (email !== undefined && email.length > MAX_EMAIL_LENGTH) {
    const why = `An email address has at most ${MAX_EMAIL_LENGTH} characters; that one has ${email.length}.`;
    return void (await show(warningModal('Invite someone', `${why} Usage: ${deps.commandName} invite EMAIL [to ORG] [as ROLE]`)));
  }
  const orgs = await invitableOrganizations(deps.rt, actor);
  if (!orgs.ok) return void (await show(warningModal('Invite someone', orgs.message)));
  await show(
    inviteModal({
      organizations: orgs.organizations,
      email,
      org: split.named.to?.toLowerCase(),
      role: split.named.as?.toLowerCase(),
    }),
  );
};
