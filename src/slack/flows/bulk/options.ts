// Type-ahead of the bulk form's user picker (an external select: block_suggestion).
import { isFailure } from '../../../services/authz';
import { searchUsers } from '../../../services/directory';
import type { BlockSuggestionArgs } from '../../handler-args';
import type { SlackDeps } from '../../kit';
import { userOptionLabel } from '../../views/modals';

/** Type-ahead for the user picker: the app serves the options (an external select). */
export function bulkUserOptions(deps: SlackDeps) {
  return async ({ ack, body, client }: BlockSuggestionArgs): Promise<void> => {
    const actor = await deps.identity.actorFor(client, body.user.id, body.user.name).catch(() => null);
    if (!actor || isFailure(actor)) {
      await ack({ options: [] });
      return;
    }
    const result = await searchUsers(deps.rt, actor, { text: String(body.value ?? '').slice(0, 100), limit: 20 });
    await ack({
      options: result.ok
        ? result.users.map((u) => ({ text: { type: 'plain_text' as const, text: userOptionLabel(u) }, value: String(u.id) }))
        : [],
    });
  };
}
