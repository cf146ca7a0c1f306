// Ask first: the delete and reset confirmations (from a command or a list row).
import type { RespondFn } from '@slack/bolt';
import type { Actor } from '../../../services/context';
import { precheckDelete } from '../../../services/delete-user';
import { showUser } from '../../../services/directory';
import { ACTION } from '../../constants';
import { replyEphemeral, replyFailure, type SlackDeps } from '../../kit';
import { esc, plural } from '../../views/common';
import { confirmMessage, errorMessage } from '../../views/messages';

/** Ask before deleting: a message with a confirm-carrying Delete button (from the command or a list row). */
export async function deleteConfirmation(deps: SlackDeps, actor: Actor, ref: string, respond: RespondFn): Promise<void> {
  // The service says whether the delete would go through (self, records, permission, last administrator).
  const allowed = await precheckDelete(deps.rt, actor, { ref });
  if (!allowed.ok) return replyFailure(respond, allowed);
  const found = await showUser(deps.rt, actor, { ref: String(allowed.userId) });
  if (!found.ok) return replyFailure(respond, found);
  const u = found.user;
  const name = `${u.firstName} ${u.lastName}`.trim();
  // APPROVAL_REQUIRED (issue 19): the same button asks a second person instead of deleting.
  const approval = allowed.needsApproval !== undefined;
  await replyEphemeral(
    respond,
    confirmMessage({
      question: `Delete ${esc(u.username)}?`,
      details: `${name ? `${esc(name)} · ` : ''}${esc(u.email)} · ${u.organizations.map((o) => esc(o.slug)).join(', ')}\nTheir memberships, API keys and reset links are removed. The audit log keeps what happened.${approval ? "\n:lock: This needs a second person's approval: *Request approval* asks them; nothing changes until one of them approves." : ''}`,
      actionId: ACTION.confirmDelete,
      buttonText: approval ? 'Request approval' : 'Delete',
      value: String(u.id),
      confirmTitle: approval ? 'Request approval?' : 'Delete this user?',
      confirmText: approval
        ? `A second person will be asked to approve deleting ${esc(u.username)}.`
        : `${esc(u.username)} will be deleted. This cannot be undone.`,
    }),
  );
}

/** Ask before resetting several passwords (or one from a list row). */
export async function resetConfirmation(deps: SlackDeps, _actor: Actor, refs: string[], respond: RespondFn): Promise<void> {
  const value = JSON.stringify(refs);
  if (value.length > 2000) {
    return replyEphemeral(respond, errorMessage(`That is too many users for one command; use \`${deps.commandName} bulk\`.`));
  }
  const shown = refs.length === 1 && /^\d+$/.test(refs[0]) ? await showUser(deps.rt, _actor, { ref: refs[0] }) : null;
  const names = shown?.ok ? esc(`${shown.user.username} (${shown.user.email})`) : refs.map((r) => esc(r)).join(', ');
  await replyEphemeral(
    respond,
    confirmMessage({
      question: `Reset the password${refs.length === 1 ? '' : 's'} of ${refs.length === 1 ? names : plural(refs.length, 'user')}?`,
      details: `${refs.length === 1 ? '' : `${names}\n`}Each gets a single-use link by email and cannot log in until they choose a new password. Disabled users are skipped${refs.length > 1 ? ', and so are you if you are in the list' : ''}.`,
      actionId: ACTION.confirmResetMany,
      buttonText: refs.length === 1 ? 'Reset password' : `Reset ${refs.length}`,
      value,
      confirmTitle: 'Reset passwords?',
      confirmText: `${plural(refs.length, 'user')} will have to choose a new password.`,
    }),
  );
}
