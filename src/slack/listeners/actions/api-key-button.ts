// The user card's "API key" button.
import { generateApiKey } from '../../../services/api-keys';
import { actorOrRefuse, replyEphemeral, replyFailure, safely, type SlackDeps } from '../../kit';
import { apiKeyGenerateMessage } from '../../views/api-key';
import type { BlockActionArgs } from '../../handler-args';

/**
 * The card's "API key" button (the card dispatcher already acked). The key, or the organization
 * picker, arrives as a new ephemeral message: the card stays as it was, and the message holding the
 * key can later be hidden on its own.
 */
export async function apiKeyButton(args: BlockActionArgs, deps: SlackDeps, userId: number): Promise<void> {
  const { body, client, respond } = args;
  await safely(deps, respond, 'api_key_button', async () => {
    const actor = await actorOrRefuse(deps, client, body.user.id, body.user.username, respond);
    if (!actor) return;
    const result = await generateApiKey(deps.rt, actor, { ref: String(userId) });
    if (!result.ok) return replyFailure(respond, result);
    await replyEphemeral(respond, apiKeyGenerateMessage(result));
  });
}
