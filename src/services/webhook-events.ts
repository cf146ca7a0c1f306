/**
 * Outbound events, derived where the audit rows are written (src/services/audit.ts) and inserted
 * in the same transaction as the change (a transactional outbox, as mail is). Which organizations
 * hear of an event: every organization the target user is a member of that has an endpoint
 * subscribed to it (api_key.* only the key's organization) — never one the user is not in. A user
 * in two organizations is reported to both, each payload naming only the receiving organization.
 */
import { randomBytes } from 'node:crypto';
import type { Transaction } from 'sequelize';
import {
  ORGANIZATION_SCOPED,
  eventTypeOfAudit,
  isRequestEvent,
  subscribes,
  type EventActor,
  type WebhookEventType,
  type WebhookPayload,
} from '../domain/webhook-events';
import type { Job } from '../store/models';
import { enabledEndpoints, eventFacts, insertDeliveries, jobOutcomesByOrganization, type NewDelivery } from '../store/webhook-queries';
import type { Actor, Ctx } from './context';

/** A Standard Webhooks message id: the `webhook-id` header, the same on every attempt. */
export function newMessageId(): string {
  return `msg_${randomBytes(16).toString('base64url')}`;
}

export function eventActor(actor: Actor): EventActor {
  return actor.kind === 'user' ? { kind: 'user', id: actor.userId, name: actor.label } : { kind: 'system', id: null, name: actor.label };
}

/** What an audit entry tells an event (the shape of `EventSource`, restated to keep audit.ts → here one-way). */
export interface EventSource {
  action: string;
  target?: { id: number } | null;
  organizationId?: number | null;
  outcome?: string;
  reason?: string | null;
  details?: Record<string, unknown>;
}

type Endpoint = { id: number; organizationId: number; events: string };

/** Endpoints subscribed to `type`, by organization. */
function subscribedByOrg(endpoints: Endpoint[], type: string): Map<number, Endpoint[]> {
  const out = new Map<number, Endpoint[]>();
  for (const e of endpoints) if (subscribes(e.events, type)) out.set(e.organizationId, [...(out.get(e.organizationId) ?? []), e]);
  return out;
}

/**
 * The deliveries for audit entries just written in `t`. Costs one small query when no endpoint is
 * enabled anywhere, nothing when no entry maps to an event; a batch's payloads are built from three
 * statements and go in one insert.
 */
export async function emitForAudit(ctx: Ctx, t: Transaction, actor: Actor, entries: EventSource[]): Promise<void> {
  const typed = entries
    .map((entry) => ({ entry, type: eventTypeOfAudit(entry.action) }))
    .filter((e): e is { entry: EventSource; type: WebhookEventType } => e.type !== null && (e.entry.outcome ?? 'ok') === 'ok');
  const requests = typed.filter((x) => isRequestEvent(x.type) && x.entry.organizationId);
  if (requests.length > 0) await emitRequestEvents(ctx, t, actor, requests);
  const accounts = typed.filter((x) => !isRequestEvent(x.type) && !!x.entry.target);
  if (accounts.length > 0) await emitAccountEvents(ctx, t, actor, accounts);
}

/** approval.* events: to the audit line's organization, with the request's facts and no user. */
async function emitRequestEvents(
  ctx: Ctx,
  t: Transaction,
  actor: Actor,
  typed: Array<{ entry: EventSource; type: WebhookEventType }>,
): Promise<void> {
  const endpoints = (await enabledEndpoints(t)).filter((e) => typed.some((x) => subscribes(e.events, x.type)));
  if (endpoints.length === 0) return;
  const facts = await eventFacts([], [...new Set(endpoints.map((e) => e.organizationId))], t);
  const now = ctx.now();
  const rows: NewDelivery[] = [];
  for (const { entry, type } of typed) {
    const orgId = entry.organizationId!;
    const targets = subscribedByOrg(endpoints, type).get(orgId);
    if (!targets) continue;
    const d = entry.details ?? {};
    const slug = facts.slugs.get(orgId) ?? String(orgId);
    const payload: WebhookPayload = {
      type,
      timestamp: now.toISOString(),
      data: {
        actor: eventActor(actor),
        organization: { id: orgId, slug },
        ...(entry.reason ? { reason: entry.reason } : {}),
        ...(typeof d.jobId === 'number' ? { jobId: d.jobId } : {}),
        approval: {
          id: d.approvalId ?? null,
          kind: d.kind ?? null,
          action: d.action ?? null,
          users: d.users ?? null,
          ...(typeof d.requester === 'string' ? { requester: d.requester } : {}),
        },
      },
    };
    const messageId = newMessageId();
    rows.push(...deliveriesOf(targets, type, payload, messageId, `approval:${String(d.approvalId ?? messageId)}`, now));
  }
  await queueDeliveries(ctx, t, rows);
}

/** One message to each of `targets`: the same body and webhook-id for every endpoint. */
function deliveriesOf(
  targets: Endpoint[],
  type: WebhookEventType,
  payload: WebhookPayload,
  messageId: string,
  orderingKey: string,
  now: Date,
): NewDelivery[] {
  const body = JSON.stringify(payload);
  return targets.map((e) => ({
    endpointId: e.id,
    messageId,
    eventType: type,
    orderingKey,
    payload: body,
    nextAttemptAt: now,
    createdAt: now,
  }));
}

/** The rows in the transaction of the change; the sender woken once it commits. */
async function queueDeliveries(ctx: Ctx, t: Transaction, rows: NewDelivery[]): Promise<void> {
  if (rows.length === 0) return;
  await insertDeliveries(rows, t);
  t.afterCommit(() => ctx.notify?.('webhooks'));
}

/** user.* and api_key.* events: to every subscribed organization the user is a member of. */
async function emitAccountEvents(
  ctx: Ctx,
  t: Transaction,
  actor: Actor,
  typed: Array<{ entry: EventSource; type: WebhookEventType }>,
): Promise<void> {
  const endpoints = (await enabledEndpoints(t)).filter((e) => typed.some((x) => subscribes(e.events, x.type)));
  if (endpoints.length === 0) return;
  const orgIds = [...new Set(endpoints.map((e) => e.organizationId))];
  const facts = await eventFacts([...new Set(typed.map((x) => x.entry.target!.id))], orgIds, t);
  const now = ctx.now();
  const who = eventActor(actor);
  const rows: NewDelivery[] = [];
  const byType = new Map<string, Map<number, Endpoint[]>>();
  for (const { entry, type } of typed) {
    if (!byType.has(type)) byType.set(type, subscribedByOrg(endpoints, type));
    const subscribed = byType.get(type)!;
    const user = facts.users.get(entry.target!.id);
    if (!user) continue;
    const member = facts.memberOf.get(user.id) ?? [];
    const orgs = ORGANIZATION_SCOPED.has(type) ? member.filter((o) => o === entry.organizationId) : member;
    for (const orgId of orgs) {
      const targets = subscribed.get(orgId);
      if (!targets) continue;
      const slug = facts.slugs.get(orgId) ?? String(orgId);
      const jobId = typeof entry.details?.jobId === 'number' ? entry.details.jobId : undefined;
      const payload: WebhookPayload = {
        type,
        timestamp: now.toISOString(),
        data: {
          user: {
            id: user.id,
            username: user.username,
            email: user.email,
            enabled: user.enabled,
            authStatus: user.authStatus,
            organizations: [slug],
          },
          actor: who,
          organization: { id: orgId, slug },
          ...(entry.reason ? { reason: entry.reason } : {}),
          ...(jobId !== undefined ? { jobId } : {}),
          ...extraData(type, entry),
        },
      };
      rows.push(...deliveriesOf(targets, type, payload, newMessageId(), `user:${user.id}`, now));
    }
  }
  await queueDeliveries(ctx, t, rows);
}

/** What an event adds beyond the user: the key's id and visible prefix (never the key). */
function extraData(type: WebhookEventType, entry: EventSource): Record<string, unknown> {
  const d = entry.details ?? {};
  if (type === 'api_key.created' || type === 'api_key.revoked')
    return { apiKey: { id: d.keyId ?? null, displayPrefix: d.displayPrefix ?? null } };
  return {};
}

/**
 * `bulk_job.completed` for each organization with a subscribed endpoint that had users in the job,
 * with the counts of its own users only. A job restarted after this is written announces nothing
 * new (dedupe key per endpoint and job).
 */
export async function emitBulkJobCompleted(
  ctx: Ctx,
  job: Pick<Job, 'id' | 'kind' | 'actorUserId' | 'actorLabel'>,
  info: { action: string; reason?: string | null },
): Promise<void> {
  const subscribed = subscribedByOrg(await enabledEndpoints(), 'bulk_job.completed');
  if (subscribed.size === 0) return;
  const outcomes = await jobOutcomesByOrganization(ctx.db, job.id, [...subscribed.keys()]);
  if (outcomes.length === 0) return;
  const counts = new Map<number, Record<string, number>>();
  for (const o of outcomes) counts.set(o.organizationId, { ...(counts.get(o.organizationId) ?? {}), [o.status]: o.n });
  const facts = await eventFacts([], [...counts.keys()]);
  const now = ctx.now();
  const actor: EventActor = job.actorUserId
    ? { kind: 'user', id: job.actorUserId, name: job.actorLabel }
    : { kind: 'system', id: null, name: job.actorLabel };
  const rows: NewDelivery[] = [];
  for (const [orgId, c] of counts) {
    const slug = facts.slugs.get(orgId) ?? String(orgId);
    const done = c.done ?? 0;
    const skipped = c.skipped ?? 0;
    const refused = c.failed ?? 0;
    const payload: WebhookPayload = {
      type: 'bulk_job.completed',
      timestamp: now.toISOString(),
      data: {
        actor,
        organization: { id: orgId, slug },
        ...(info.reason ? { reason: info.reason } : {}),
        jobId: job.id,
        job: { id: job.id, action: info.action, total: done + skipped + refused + (c.pending ?? 0), changed: done, skipped, refused },
      },
    };
    const made = deliveriesOf(subscribed.get(orgId) ?? [], 'bulk_job.completed', payload, newMessageId(), `job:${job.id}`, now);
    // Once per endpoint and job, whatever restarts the job's end.
    rows.push(...made.map((r) => ({ ...r, dedupeKey: `bulk_job:${job.id}` })));
  }
  await ctx.db.tx((t) => queueDeliveries(ctx, t, rows));
}
