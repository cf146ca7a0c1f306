/**
 * Managing an organization's webhook endpoints (permission `webhooks`: administrators): add (the
 * signing secret is returned once, stored sealed), list, remove, enable again, test, deliveries.
 * An endpoint in an organization where the actor lacks the permission is answered exactly like one
 * that does not exist, and an organization the actor cannot see is not named.
 */
import { randomBytes } from 'node:crypto';
import { fail, ok, type Failure, type Outcome } from '../domain/outcome';
import { TEST_EVENT_TYPE, parseEventList, type WebhookPayload } from '../domain/webhook-events';
import { checkWebhookUrl } from '../lib/webhook-target';
import { Organization } from '../store/models';
import { WebhookDelivery, WebhookEndpoint } from '../store/webhook-models';
import { administratorsOf, deliveryCounts, endpointsIn, recentDeliveries } from '../store/webhook-queries';
import { writeAudit } from './audit';
import { isFailure, loadAccess, mayOn, orgsWith, type Access } from './authz';
import type { Actor, Ctx } from './context';
import { attemptDelivery, displayUrl, secretBox } from './webhook-delivery';
import { eventActor, newMessageId } from './webhook-events';

/** Endpoints one organization may have: each is a copy of every event, and a target to vet. */
export const MAX_ENDPOINTS_PER_ORGANIZATION = 10;

export interface EndpointView {
  id: number;
  organization: string;
  url: string;
  events: string;
  enabled: boolean;
  disabledReason: string | null;
  createdBy: string;
  createdAt: Date;
  deliveries: Record<string, number>;
}

export interface DeliveryView {
  id: number;
  messageId: string;
  eventType: string;
  status: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: Date;
  nextAttemptAt: Date;
  deliveredAt: Date | null;
}

/** A Standard Webhooks secret: `whsec_` and the base64 of 32 random bytes. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

function noEndpoint(id: unknown): Failure {
  return fail('not_found', `No webhook endpoint ${String(id).slice(0, 20)} that you manage.`);
}

async function manageableOrg(access: Access, slug: string): Promise<Organization | Failure> {
  const s = slug.trim().toLowerCase();
  const org = s.length > 0 && s.length <= 64 ? await Organization.findOne({ where: { slug: s } }) : null;
  // An organization the actor has no role in is answered like one that does not exist.
  if (!org || !(access.system || access.roles.has(org.id))) return fail('not_found', `No organization “${slug.slice(0, 64)}”.`);
  if (!mayOn(access, 'webhooks', [org.id]))
    return fail('forbidden', `You do not have permission to manage webhook endpoints in ${org.slug}.`);
  return org;
}

async function manageableEndpoint(
  ctx: Ctx,
  actor: Actor,
  id: number | string,
): Promise<{ access: Access; endpoint: WebhookEndpoint } | Failure> {
  const access = await loadAccess(ctx, actor);
  if (isFailure(access)) return access;
  const n = typeof id === 'number' ? id : /^\d{1,9}$/.test(String(id).trim()) ? Number(String(id).trim()) : NaN;
  if (!Number.isInteger(n)) return fail('invalid_input', 'An endpoint id is a number, as `webhooks list` shows it.');
  const endpoint = await WebhookEndpoint.findByPk(n);
  if (!endpoint || !mayOn(access, 'webhooks', [endpoint.organizationId])) return noEndpoint(id);
  return { access, endpoint };
}

export async function addWebhookEndpoint(
  ctx: Ctx,
  actor: Actor,
  input: { org: string; url: string; events?: string | null },
): Promise<Outcome<{ id: number; secret: string; url: string; events: string; organization: string }>> {
  const access = await loadAccess(ctx, actor);
  if (isFailure(access)) return access;
  const org = await manageableOrg(access, input.org);
  if (isFailure(org)) return org;
  const box = secretBox(ctx);
  if (!box)
    return fail(
      'unavailable',
      'Webhooks are not configured here: the operator must set WEBHOOK_SECRET_KEY (it encrypts signing secrets at rest).',
    );
  const url = checkWebhookUrl(input.url, ctx.config.WEBHOOK_ALLOW_PRIVATE);
  if (!url.ok) return fail('invalid_input', url.message, { url: url.message });
  const events = parseEventList(input.events);
  if (!events.ok) return fail('invalid_input', events.message, { events: events.message });
  const secret = newSigningSecret();
  return ctx.db.tx(async (t) => {
    const count = await WebhookEndpoint.count({ where: { organizationId: org.id }, transaction: t });
    if (count >= MAX_ENDPOINTS_PER_ORGANIZATION) {
      return fail('conflict', `${org.slug} already has ${count} webhook endpoints (the most one organization may have); remove one first.`);
    }
    const row = await WebhookEndpoint.create(
      { organizationId: org.id, url: url.url, events: events.events, secretBox: box.seal(secret), createdBy: actor.label.slice(0, 200) },
      { transaction: t },
    );
    await writeAudit(ctx, t, actor, {
      action: 'webhook_endpoint_added',
      organizationId: org.id,
      details: { endpointId: row.id, url: displayUrl(row.url), events: row.events },
    });
    return ok({ id: row.id, secret, url: row.url, events: row.events, organization: org.slug });
  });
}

export async function listWebhookEndpoints(
  ctx: Ctx,
  actor: Actor,
  input: { org?: string | null } = {},
): Promise<Outcome<{ endpoints: EndpointView[] }>> {
  const access = await loadAccess(ctx, actor);
  if (isFailure(access)) return access;
  let orgIds = orgsWith(access, 'webhooks');
  if (input.org) {
    const org = await manageableOrg(access, input.org);
    if (isFailure(org)) return org;
    orgIds = [org.id];
  } else if (orgIds !== null && orgIds.length === 0) {
    return fail('forbidden', 'You do not have permission to manage webhook endpoints in any organization.');
  }
  const rows = await endpointsIn(orgIds);
  const slugs = new Map(
    (await Organization.findAll({ where: { id: [...new Set(rows.map((r) => r.organizationId))] } })).map((o) => [o.id, o.slug]),
  );
  const endpoints: EndpointView[] = [];
  for (const r of rows) {
    endpoints.push({
      id: r.id,
      organization: slugs.get(r.organizationId) ?? String(r.organizationId),
      url: displayUrl(r.url),
      events: r.events,
      enabled: Boolean(r.enabled),
      disabledReason: r.disabledReason,
      createdBy: r.createdBy,
      createdAt: r.createdAt,
      deliveries: await deliveryCounts(r.id),
    });
  }
  return ok({ endpoints });
}

/** Remove an endpoint; its undelivered events go with it. */
export async function removeWebhookEndpoint(
  ctx: Ctx,
  actor: Actor,
  input: { id: number | string },
): Promise<Outcome<{ id: number; url: string }>> {
  const found = await manageableEndpoint(ctx, actor, input.id);
  if (isFailure(found)) return found;
  const { endpoint } = found;
  return ctx.db.tx(async (t) => {
    await WebhookDelivery.destroy({ where: { endpointId: endpoint.id }, transaction: t });
    await endpoint.destroy({ transaction: t });
    await writeAudit(ctx, t, actor, {
      action: 'webhook_endpoint_removed',
      organizationId: endpoint.organizationId,
      details: { endpointId: endpoint.id, url: displayUrl(endpoint.url) },
    });
    return ok({ id: endpoint.id, url: displayUrl(endpoint.url) });
  });
}

/** Enable an endpoint again after it was disabled for failing; its waiting events are delivered, in order. */
export async function enableWebhookEndpoint(
  ctx: Ctx,
  actor: Actor,
  input: { id: number | string },
): Promise<Outcome<{ id: number; message: string }>> {
  const found = await manageableEndpoint(ctx, actor, input.id);
  if (isFailure(found)) return found;
  const { endpoint } = found;
  if (endpoint.enabled) return ok({ id: endpoint.id, message: `Endpoint ${endpoint.id} is already enabled.` });
  await ctx.db.tx(async (t) => {
    Object.assign(endpoint, { enabled: true, disabledReason: null, failureRun: 0 });
    await endpoint.save({ transaction: t });
    await writeAudit(ctx, t, actor, {
      action: 'webhook_endpoint_enabled',
      organizationId: endpoint.organizationId,
      details: { endpointId: endpoint.id },
    });
  });
  ctx.notify?.('webhooks');
  return ok({ id: endpoint.id, message: `Endpoint ${endpoint.id} is enabled again; events that waited are delivered now, in order.` });
}

/**
 * Send a `webhook.test` event now, signed like every other, and say what the receiver answered.
 * Recorded as a delivery (not retried): the answer is the point.
 */
export async function testWebhookEndpoint(
  ctx: Ctx,
  actor: Actor,
  input: { id: number | string },
): Promise<Outcome<{ id: number; delivered: boolean; status: number | null; error: string | null; messageId: string }>> {
  const found = await manageableEndpoint(ctx, actor, input.id);
  if (isFailure(found)) return found;
  const { endpoint } = found;
  const slug = (await Organization.findByPk(endpoint.organizationId))?.slug ?? String(endpoint.organizationId);
  const now = ctx.now();
  const payload: WebhookPayload = {
    type: TEST_EVENT_TYPE,
    timestamp: now.toISOString(),
    data: { actor: eventActor(actor), organization: { id: endpoint.organizationId, slug }, message: 'A test event from userops.' },
  };
  const messageId = newMessageId();
  const body = JSON.stringify(payload);
  const result = await attemptDelivery(ctx, endpoint, { messageId, payload: body });
  await WebhookDelivery.create({
    endpointId: endpoint.id,
    messageId,
    eventType: TEST_EVENT_TYPE,
    orderingKey: `test:${messageId}`,
    payload: body,
    status: result.ok ? 'delivered' : 'failed',
    attempts: 1,
    nextAttemptAt: now,
    createdAt: now,
    deliveredAt: result.ok ? ctx.now() : null,
    lastStatus: result.status,
    lastError: result.ok ? null : result.error,
  });
  return ok({ id: endpoint.id, delivered: result.ok, status: result.status, error: result.ok ? null : result.error, messageId });
}

export async function webhookDeliveries(
  ctx: Ctx,
  actor: Actor,
  input: { id: number | string; failedOnly?: boolean; limit?: number },
): Promise<Outcome<{ id: number; url: string; enabled: boolean; deliveries: DeliveryView[] }>> {
  const found = await manageableEndpoint(ctx, actor, input.id);
  if (isFailure(found)) return found;
  const { endpoint } = found;
  const rows = await recentDeliveries(endpoint.id, {
    failedOnly: input.failedOnly ?? false,
    limit: Math.min(Math.max(input.limit ?? 20, 1), 200),
  });
  return ok({
    id: endpoint.id,
    url: displayUrl(endpoint.url),
    enabled: Boolean(endpoint.enabled),
    deliveries: rows.map((d) => ({
      id: d.id,
      messageId: d.messageId,
      eventType: d.eventType,
      status: d.status,
      attempts: d.attempts,
      lastStatus: d.lastStatus,
      lastError: d.lastError,
      createdAt: d.createdAt,
      nextAttemptAt: d.nextAttemptAt,
      deliveredAt: d.deliveredAt,
    })),
  });
}

/** Who hears that an organization's endpoint was disabled: its administrators (enabled accounts), by email. */
export async function webhookNoticeRecipients(organizationId: number): Promise<{ organization: string; emails: string[] }> {
  const org = await Organization.findByPk(organizationId);
  return { organization: org?.slug ?? String(organizationId), emails: (await administratorsOf(organizationId)).map((u) => u.email) };
}
