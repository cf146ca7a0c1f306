/** `userops webhooks`: an organization's signed outbound event endpoints, for the operator (acting as the system actor). */
import { SYSTEM_ACTOR, type Ctx } from '../services/context';
import {
  addWebhookEndpoint,
  enableWebhookEndpoint,
  listWebhookEndpoints,
  removeWebhookEndpoint,
  testWebhookEndpoint,
  webhookDeliveries,
} from '../services/webhooks';
import type { CliIO } from './io';

export const WEBHOOKS_USAGE = `usage: userops webhooks add --org SLUG --url URL [--events LIST]
       userops webhooks list [--org SLUG]
       userops webhooks remove ID | enable ID | test ID
       userops webhooks deliveries ID [--failed]`;

/** `--name value` options and the remaining words; null when an option lacks its value or is unknown. */
function options(args: string[], known: string[], flags: string[] = []): { opts: Record<string, string>; rest: string[] } | null {
  const opts: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (flags.includes(a)) opts[a.slice(2)] = 'true';
    else if (known.includes(a)) {
      const v = args[i + 1];
      if (v === undefined || v.startsWith('--')) return null;
      opts[a.slice(2)] = v;
      i++;
    } else if (a.startsWith('--')) return null;
    else rest.push(a);
  }
  return { opts, rest };
}

const at = (d: Date) => new Date(d).toISOString().replace('.000Z', 'Z');

export async function webhooksCli(rt: Ctx, args: string[], io: CliIO): Promise<number> {
  const [verb, ...more] = args;
  const parsed = options(more, ['--org', '--url', '--events'], ['--failed']);
  if (!verb || !parsed) {
    io.err(WEBHOOKS_USAGE);
    return 2;
  }
  const { opts, rest } = parsed;
  const fail = (r: { message: string; code: string }) => {
    io.err(r.message);
    return r.code === 'invalid_input' ? 2 : 1;
  };
  switch (verb) {
    case 'add': {
      if (!opts.org || !opts.url || rest.length > 0) break;
      const r = await addWebhookEndpoint(rt, SYSTEM_ACTOR, { org: opts.org, url: opts.url, events: opts.events });
      if (!r.ok) return fail(r);
      io.out(`Endpoint ${r.id} added for ${r.organization}: ${r.url} (events: ${r.events === '*' ? 'all' : r.events}).`);
      io.out(`Signing secret (shown once; keep it in the receiver's secret store): ${r.secret}`);
      return 0;
    }
    case 'list': {
      if (rest.length > 0) break;
      const r = await listWebhookEndpoints(rt, SYSTEM_ACTOR, { org: opts.org });
      if (!r.ok) return fail(r);
      if (r.endpoints.length === 0) io.out('No webhook endpoints.');
      for (const e of r.endpoints) {
        const counts =
          Object.entries(e.deliveries)
            .map(([s, n]) => `${n} ${s}`)
            .join(', ') || 'no deliveries';
        io.out(
          `${e.id}  ${e.organization}  ${e.enabled ? 'enabled ' : 'DISABLED'}  ${e.url}  events: ${e.events === '*' ? 'all' : e.events}  (${counts})`,
        );
        if (!e.enabled && e.disabledReason) io.out(`    ${e.disabledReason}`);
      }
      return 0;
    }
    case 'remove':
    case 'enable':
    case 'test': {
      if (rest.length !== 1 || Object.keys(opts).length > 0) break;
      const id = rest[0];
      if (verb === 'remove') {
        const r = await removeWebhookEndpoint(rt, SYSTEM_ACTOR, { id });
        if (!r.ok) return fail(r);
        io.out(`Endpoint ${r.id} (${r.url}) removed, with its undelivered events.`);
        return 0;
      }
      if (verb === 'enable') {
        const r = await enableWebhookEndpoint(rt, SYSTEM_ACTOR, { id });
        if (!r.ok) return fail(r);
        io.out(r.message);
        return 0;
      }
      const r = await testWebhookEndpoint(rt, SYSTEM_ACTOR, { id });
      if (!r.ok) return fail(r);
      if (r.delivered) io.out(`Test event ${r.messageId} delivered to endpoint ${r.id} (answered ${r.status}).`);
      else io.err(`Test event ${r.messageId} to endpoint ${r.id} failed: ${r.error}.`);
      return r.delivered ? 0 : 1;
    }
    case 'deliveries': {
      if (rest.length !== 1 || opts.org || opts.url || opts.events) break;
      const r = await webhookDeliveries(rt, SYSTEM_ACTOR, { id: rest[0], failedOnly: opts.failed === 'true' });
      if (!r.ok) return fail(r);
      io.out(
        `Endpoint ${r.id} ${r.url}${r.enabled ? '' : ' (DISABLED)'}: latest ${r.deliveries.length}${opts.failed ? ' failed' : ''} deliveries`,
      );
      for (const d of r.deliveries) {
        const when =
          d.status === 'delivered' && d.deliveredAt
            ? `delivered ${at(d.deliveredAt)}`
            : d.status === 'pending'
              ? `next attempt ${at(d.nextAttemptAt)}`
              : d.status;
        io.out(
          `${d.id}  ${at(d.createdAt)}  ${d.eventType}  ${d.messageId}  ${when}  attempts ${d.attempts}${d.lastStatus ? `  HTTP ${d.lastStatus}` : ''}${d.lastError ? `  ${d.lastError}` : ''}`,
        );
      }
      return 0;
    }
  }
  io.err(WEBHOOKS_USAGE);
  return 2;
}
