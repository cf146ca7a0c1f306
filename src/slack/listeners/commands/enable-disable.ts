// `/users enable USER…` and `/users disable USER…`.
import { setUsersEnabled } from '../../../services/account-status';
import { replyEphemeral, replyFailure } from '../../kit';
import { userRefs } from '../../presenters';
import { errorMessage, resultsMessage } from '../../views/messages';
import type { SubCommandHandler } from '../../handler-args';

/** `enable USER…` / `disable USER…`: one or many users, a per-user result line each, and Undo. */
export function enableDisableCommand(enabled: boolean): SubCommandHandler {
  return async ({ deps, actor, command, respond, client }) => {
    const { refs, problems } = await userRefs(deps, client, command.args);
    if (refs.length === 0) return replyEphemeral(respond, errorMessage(problems[0] ?? 'Name at least one user.'));
    const result = await setUsersEnabled(deps.rt, actor, { refs, enabled });
    if (!result.ok) return replyFailure(respond, result);
    const changed = result.results.filter((r) => r.status === 'done' && r.userId !== undefined).map((r) => r.userId!);
    const title = `${enabled ? 'Enable' : 'Disable'}: ${changed.length} of ${result.results.length + problems.length} changed`;
    const undo =
      changed.length > 0
        ? {
            label: enabled ? 'Undo (disable again)' : 'Undo (enable again)',
            value: `${enabled ? 'disable' : 'enable'}:${changed.join(',')}`,
          }
        : undefined;
    const lines = [...result.results, ...problems.map((p) => ({ ref: '', status: 'not_found' as const, message: p }))];
    await replyEphemeral(respond, resultsMessage(title, lines, undo && undo.value.length <= 2000 ? undo : undefined));
  };
}
