// The API key organization picker and "Hide the key".
import { generateApiKey, revokeApiKey } from '../../../services/api-keys';
import { actorOrRefuse, replaceOriginal, replyFailure, safely, type SlackDeps } from '../../kit';
import { apiKeyGenerateMessage, apiKeyHiddenMessage, apiKeyRevokeMessage, parseHideValue, parseOrgChoice } from '../../views/api-key';
import { textMessage } from '../../views/messages';
import { firstAction, type BlockActionArgs } from '../../handler-args';

/** An organization picked for `api-key USER` / `api-key revoke USER`: the picker is replaced by the outcome. */
export function apiKeyOrgSelected(deps: SlackDeps) {
  return async ({ ack, body, client, respond }: BlockActionArgs): Promise<void> => {
    await ack();
    await safely(deps, respond, 'api_key_org', async () => {
      const choice = parseOrgChoice(firstAction(body).selectedValue);
      if (!choice) return;
      const actor = await actorOrRefuse(deps, client, body.user.id, body.user.username, respond);
      if (!actor) return;
      // The services check everything again: the picker only names what the person chose.
      const input = { ref: String(choice.userId), organization: String(choice.organizationId) };
      if (choice.purpose === 'revoke') {
        const result = await revokeApiKey(deps.rt, actor, input);
        if (!result.ok) return replyFailure(respond, result);
        return replaceOriginal(respond, apiKeyRevokeMessage(result, body.user.id, deps.rt.now()));
      }
      const result = await generateApiKey(deps.rt, actor, input);
      if (!result.ok) return replyFailure(respond, result);
      await replaceOriginal(respond, apiKeyGenerateMessage(result));
    });
  };
}

/** "Hide the key": the message is rewritten to its final state, without the key. */
export function apiKeyHide(deps: SlackDeps) {
  return async ({ ack, body, respond }: BlockActionArgs): Promise<void> => {
    await ack();
    await safely(deps, respond, 'api_key_hide', async () => {
      const shown = parseHideValue(firstAction(body).value);
      // Whatever the button carried, the key goes.
      if (!shown) return replaceOriginal(respond, textMessage(':key: API key hidden.'));
      await replaceOriginal(respond, apiKeyHiddenMessage({ ...shown, slackUserId: body.user.id, at: deps.rt.now() }));
    });
  };
}
