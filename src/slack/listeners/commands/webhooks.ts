// `/users webhooks [list | add ORG URL [EVENTS] | remove ID | enable ID | test ID | deliveries ID]`, for administrators of an organization.
import {
  addWebhookEndpoint,
  enableWebhookEndpoint,
  listWebhookEndpoints,
  removeWebhookEndpoint,
  testWebhookEndpoint,
  webhookDeliveries,
} from '../../../services/webhooks';
import { argText } from '../../command-parser';
import { replyEphemeral, replyFailure } from '../../kit';
import { esc } from '../../views/common';
import { errorMessage, textMessage } from '../../views/messages';
import { deliveriesMessage, endpointAddedMessage, endpointListMessage, webhookUsage } from '../../views/webhooks';
import type { SubCommandHandler } from '../../handler-args';

/** Every answer is ephemeral: the secret of `add` only ever reaches the person who added the endpoint. */
export const webhooksCommand: SubCommandHandler = async ({ deps, actor, command, respond }) => {
  const words = command.args.map(argText);
  const verb = (words[0] ?? 'list').toLowerCase();
  const usage = () => replyEphemeral(respond, errorMessage(`Usage:\n${webhookUsage(deps.commandName)}`));
  if (verb === 'list') {
    if (words.length > 1) return usage();
    const r = await listWebhookEndpoints(deps.rt, actor);
    if (!r.ok) return replyFailure(respond, r);
    return replyEphemeral(respond, endpointListMessage(r.endpoints, deps.commandName));
  }
  if (verb === 'add') {
    if (words.length < 3 || words.length > 4) return usage();
    const r = await addWebhookEndpoint(deps.rt, actor, { org: words[1], url: words[2], events: words[3] });
    if (!r.ok) return replyFailure(respond, r);
    return replyEphemeral(respond, endpointAddedMessage(r));
  }
  if (!['remove', 'enable', 'test', 'deliveries'].includes(verb) || words.length !== 2) return usage();
  const input = { id: words[1] };
  if (verb === 'remove') {
    const r = await removeWebhookEndpoint(deps.rt, actor, input);
    if (!r.ok) return replyFailure(respond, r);
    return replyEphemeral(respond, textMessage(`✅ Endpoint *${r.id}* (\`${esc(r.url)}\`) removed, with its undelivered events.`));
  }
  if (verb === 'enable') {
    const r = await enableWebhookEndpoint(deps.rt, actor, input);
    if (!r.ok) return replyFailure(respond, r);
    return replyEphemeral(respond, textMessage(`✅ ${esc(r.message)}`));
  }
  if (verb === 'test') {
    const r = await testWebhookEndpoint(deps.rt, actor, input);
    if (!r.ok) return replyFailure(respond, r);
    return replyEphemeral(
      respond,
      r.delivered
        ? textMessage(`✅ Test event \`${r.messageId}\` delivered to endpoint *${r.id}* (answered ${r.status}).`)
        : errorMessage(`Test event \`${r.messageId}\` to endpoint ${r.id} failed: ${esc(r.error ?? 'unknown error')}.`),
    );
  }
  const r = await webhookDeliveries(deps.rt, actor, input);
  if (!r.ok) return replyFailure(respond, r);
  return replyEphemeral(respond, deliveriesMessage(r));
};
