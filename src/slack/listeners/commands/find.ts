// `/users find TEXT` and `/users list [VIEW]`.
import { isSavedView, SAVED_VIEWS } from '../../../domain/status';
import { argText } from '../../command-parser';
import { replyEphemeral, replyFailure } from '../../kit';
import { isMessage, presentList } from '../../presenters';
import { esc, truncate } from '../../views/common';
import { errorMessage } from '../../views/messages';
import type { SubCommandHandler } from '../../handler-args';

/** `find TEXT`: text search over username, email and names. */
export const findCommand: SubCommandHandler = async ({ deps, actor, command, respond }) => {
  const text = command.args.map(argText).join(' ').trim();
  const shared = command.flags.has('share');
  const out = await presentList(deps, actor, { text, view: 'all', offset: 0 }, { shared });
  if (!isMessage(out)) return replyFailure(respond, out);
  await respond({ response_type: shared ? 'in_channel' : 'ephemeral', text: out.text, blocks: out.blocks });
};

/** `list [VIEW]`: a saved view, default all. */
export const listCommand: SubCommandHandler = async ({ deps, actor, command, respond }) => {
  let view = command.args.length > 0 ? argText(command.args[0]).toLowerCase() : 'all';
  // `list dormant 30` is the view dormant-30.
  if (command.args.length === 2) {
    const days = argText(command.args[1]);
    if (view !== 'dormant' || !/^\d{1,5}$/.test(days) || !isSavedView(`dormant-${Number(days)}`)) {
      return replyEphemeral(respond, errorMessage('Only `dormant` takes a number: `list dormant DAYS`, DAYS from 1 to 3650.'));
    }
    view = `dormant-${Number(days)}`;
  }
  if (!isSavedView(view)) {
    return replyEphemeral(respond, errorMessage(`There is no saved view “${esc(truncate(view, 60))}”. Views: ${SAVED_VIEWS.join(', ')}.`));
  }
  const shared = command.flags.has('share');
  const out = await presentList(deps, actor, { text: '', view, offset: 0 }, { shared });
  if (!isMessage(out)) return replyFailure(respond, out);
  await respond({ response_type: shared ? 'in_channel' : 'ephemeral', text: out.text, blocks: out.blocks });
};
