// `/users find TEXT` and `/users list [VIEW]`.
import { argText, viewOfArgs } from '../../command-parser';
import { replyEphemeral, replyFailure } from '../../kit';
import { isMessage, presentList } from '../../presenters';
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
  const view = viewOfArgs(command.args, 'list');
  if (typeof view !== 'string') return replyEphemeral(respond, errorMessage(view.error));
  const shared = command.flags.has('share');
  const out = await presentList(deps, actor, { text: '', view, offset: 0 }, { shared });
  if (!isMessage(out)) return replyFailure(respond, out);
  await respond({ response_type: shared ? 'in_channel' : 'ephemeral', text: out.text, blocks: out.blocks });
};
