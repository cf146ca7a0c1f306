// Block Kit of `/users webhooks`: the endpoint list, the secret shown once, deliveries, the disabled notice.
import type { DeliveryView, EndpointView } from '../../services/webhooks';
import { esc, truncate } from './common';
import { textMessage, type SlackMessage } from './messages';

export function webhookUsage(commandName: string): string {
  return [
    `\`${commandName} webhooks\` — your organizations' endpoints`,
    `\`${commandName} webhooks add ORG URL [EVENTS]\` — a new endpoint (EVENTS: comma-separated, e.g. user.disabled,user.locked; default all)`,
    `\`${commandName} webhooks remove ID\` · \`enable ID\` · \`test ID\` · \`deliveries ID\``,
  ].join('\n');
}

export function endpointListMessage(endpoints: EndpointView[], commandName: string): SlackMessage {
  if (endpoints.length === 0) return textMessage(`No webhook endpoints yet.\n${webhookUsage(commandName)}`);
  const lines = endpoints.map((e) => {
    const counts =
      Object.entries(e.deliveries)
        .map(([s, n]) => `${n} ${s}`)
        .join(', ') || 'no deliveries';
    const state = e.enabled ? '' : ` — :no_entry: *disabled*${e.disabledReason ? `: ${esc(truncate(e.disabledReason, 200))}` : ''}`;
    return `*${e.id}* · ${esc(e.organization)} · \`${esc(e.url)}\` · events: ${e.events === '*' ? 'all' : esc(e.events)} · ${counts}${state}`;
  });
  return textMessage(`*Webhook endpoints*\n${lines.join('\n')}`);
}

/**
 * The one time a signing secret is shown: ephemeral, to the actor only; in the blocks, never in
 * `text` (Slack uses it for notifications and previews).
 */
export function endpointAddedMessage(added: {
  id: number;
  organization: string;
  url: string;
  events: string;
  secret: string;
}): SlackMessage {
  const m = textMessage(
    `✅ Endpoint *${added.id}* added for *${esc(added.organization)}*: \`${esc(added.url)}\` (events: ${added.events === '*' ? 'all' : esc(added.events)}).\nSigning secret — shown this once, only to you; put it in the receiver's secret store:\n\`${added.secret}\``,
  );
  return { ...m, text: `Endpoint ${added.id} added for ${added.organization}; its signing secret is in this message, shown once.` };
}

export function deliveriesMessage(r: { id: number; url: string; enabled: boolean; deliveries: DeliveryView[] }): SlackMessage {
  const head = `*Endpoint ${r.id}* \`${esc(r.url)}\`${r.enabled ? '' : ' (disabled)'}: latest ${r.deliveries.length} deliveries`;
  const lines = r.deliveries.map(
    (d) =>
      `${d.status === 'delivered' ? '✅' : d.status === 'failed' ? '❌' : '⏳'} ${esc(d.eventType)} · ${d.createdAt.toISOString().slice(0, 19)}Z · ${d.status}, ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}${d.lastError ? ` · ${esc(truncate(d.lastError, 120))}` : ''}`,
  );
  return textMessage([head, ...lines].join('\n'));
}

export function endpointDisabledNotice(
  e: { endpointId: number; url: string; failures: number; organization: string },
  commandName: string,
): SlackMessage {
  return textMessage(
    `:warning: Webhook endpoint *${e.endpointId}* of *${esc(e.organization)}* (\`${esc(e.url)}\`) was disabled: ${e.failures} deliveries in a row failed after every retry. Events keep waiting for it. Fix the receiver, then \`${commandName} webhooks enable ${e.endpointId}\` (see \`${commandName} webhooks deliveries ${e.endpointId}\`).`,
  );
}
