/**
 * One signed attempt, and what an attempt's end means for the endpoint. Shared by the sender
 * (src/jobs/webhook-sender.ts) and `webhooks test`.
 */
import type { Transaction } from 'sequelize';
import { Webhook } from 'standardwebhooks';
import { DISABLE_AFTER_FAILED_DELIVERIES } from '../domain/webhook-events';
import { redact } from '../lib/logger';
import { SecretBox } from '../lib/secret-box';
import { postWebhook, type PostResult } from '../lib/webhook-post';
import { endFailureRun, lengthenFailureRun, settleDelivered, settleDelivery } from '../store/webhook-queries';
import type { WebhookDelivery, WebhookEndpoint } from '../store/webhook-models';
import { writeAudit } from './audit';
import type { Ctx } from './context';

const boxes = new Map<string, SecretBox>();

/** The box for signing secrets, or null when WEBHOOK_SECRET_KEY is unset (no endpoint can be added, none delivered to). */
export function secretBox(ctx: Ctx): SecretBox | null {
  const key = ctx.config.WEBHOOK_SECRET_KEY;
  if (!key) return null;
  let box = boxes.get(key);
  if (!box) {
    box = new SecretBox(key);
    boxes.set(key, box);
  }
  return box;
}

/** The three Standard Webhooks headers for a message sent now, signed by the `standardwebhooks` package. */
function signWith(signer: Webhook, messageId: string, at: Date, body: string): Record<string, string> {
  // The spec's timestamp is whole seconds; sign exactly what the header says.
  const ts = new Date(Math.floor(at.getTime() / 1000) * 1000);
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(ts.getTime() / 1000)),
    'webhook-signature': signer.sign(messageId, ts, body),
  };
}

/**
 * Signers by sealed secret, so a backlog of thousands of events to one endpoint opens its secret
 * once, not once per event. Bounded; an endpoint's new secret is a new sealed text.
 */
const signers = new WeakMap<SecretBox, Map<string, Webhook>>();
const SIGNERS_MAX = 256;

function signerOf(box: SecretBox, sealed: string): Webhook | null {
  let known = signers.get(box);
  if (!known) signers.set(box, (known = new Map()));
  const cached = known.get(sealed);
  if (cached) return cached;
  const secret = box.open(sealed);
  if (!secret) return null;
  const signer = new Webhook(secret);
  if (known.size >= SIGNERS_MAX) known.delete(known.keys().next().value as string);
  known.set(sealed, signer);
  return signer;
}

/** Sign and POST one delivery to its endpoint. Errors name no secret and no query string. */
export async function attemptDelivery(
  ctx: Ctx,
  endpoint: Pick<WebhookEndpoint, 'url' | 'secretBox'>,
  delivery: Pick<WebhookDelivery, 'messageId' | 'payload'>,
): Promise<PostResult> {
  const box = secretBox(ctx);
  const signer = box ? signerOf(box, endpoint.secretBox) : null;
  if (!signer) {
    return {
      ok: false,
      status: null,
      error: box ? 'the signing secret cannot be read with the configured WEBHOOK_SECRET_KEY' : 'WEBHOOK_SECRET_KEY is not set',
    };
  }
  const headers = signWith(signer, delivery.messageId, ctx.now(), delivery.payload);
  const result = await postWebhook(endpoint.url, headers, delivery.payload, {
    timeoutMs: ctx.config.WEBHOOK_TIMEOUT_SECONDS * 1000,
    allowPrivate: ctx.config.WEBHOOK_ALLOW_PRIVATE,
  });
  return result.ok ? result : { ...result, error: redact(result.error).slice(0, 400) };
}

/** A URL as logs and lists show it: no query string (it may hold a receiver's token). */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return '(unreadable URL)';
  }
}

export interface DisabledEndpoint {
  endpointId: number;
  organizationId: number;
  url: string;
  failures: number;
}

type SettleValues = Parameters<typeof settleDelivery>[2];

interface PendingSettle {
  id: number;
  lease: Date;
  /** Delivered (with the answer's status), or put back for a retry with these values. */
  outcome: { delivered: number; endpointId: number } | { retry: SettleValues };
  resolve: (owned: boolean) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit for outcomes (as the mail sender's): the parallel attempts of a batch end close
 * together, and each outcome joins the transaction being prepared instead of opening its own. None
 * waits to fill a group, so an outcome is recorded as soon as it would have been alone. Within a
 * group the delivered rows of one lease and answer status are written by one lease-fenced UPDATE,
 * and each endpoint's run of failures is ended once: a bulk job's thousands of events cost a few
 * statements per group, not two per event, while the job competes for the same write lock.
 */
export class DeliverySettler {
  private pending: PendingSettle[] = [];
  private flushing = false;
  private held = false;

  constructor(private readonly ctx: Ctx) {}

  delivered(delivery: WebhookDelivery, lease: Date, status: number): Promise<boolean> {
    return this.settle({ id: delivery.id, lease, outcome: { delivered: status, endpointId: delivery.endpointId } });
  }

  retry(delivery: WebhookDelivery, lease: Date, outcome: { status: number | null; error: string }, nextAttemptAt: Date): Promise<boolean> {
    const values: SettleValues = {
      status: 'pending',
      leaseUntil: null,
      nextAttemptAt,
      lastStatus: outcome.status,
      lastError: outcome.error.slice(0, 500),
    };
    return this.settle({ id: delivery.id, lease, outcome: { retry: values } });
  }

  /** Outcomes given until `release()` wait and go together (the sender's batch). */
  hold(): void {
    this.held = true;
  }

  release(): void {
    this.held = false;
    if (!this.flushing && this.pending.length > 0) void this.flush();
  }

  private settle(p: Omit<PendingSettle, 'resolve' | 'reject'>): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.pending.push({ ...p, resolve, reject });
      if (!this.flushing && !this.held) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.pending.length > 0) {
      const group = this.pending;
      this.pending = [];
      try {
        const owned = await this.ctx.db.tx((t) => this.write(group, t));
        group.forEach((p) => p.resolve(owned.has(p)));
      } catch (e) {
        for (const p of group) p.reject(e);
      }
    }
    this.flushing = false;
  }

  private async write(group: PendingSettle[], t: Transaction): Promise<Set<PendingSettle>> {
    const owned = new Set<PendingSettle>();
    const deliveredAt = this.ctx.now();
    const byLeaseAndStatus = new Map<string, PendingSettle[]>();
    for (const p of group) {
      if ('retry' in p.outcome) {
        if ((await settleDelivery(p.id, p.lease, p.outcome.retry, t)) > 0) owned.add(p);
        continue;
      }
      const key = `${p.lease.getTime()}:${p.outcome.delivered}`;
      byLeaseAndStatus.set(key, [...(byLeaseAndStatus.get(key) ?? []), p]);
    }
    const succeededAt = new Set<number>();
    for (const same of byLeaseAndStatus.values()) {
      const first = same[0];
      if ('retry' in first.outcome) continue;
      const written = new Set(
        await settleDelivered(
          this.ctx.db,
          same.map((p) => p.id),
          first.lease,
          { lastStatus: first.outcome.delivered, deliveredAt },
          t,
        ),
      );
      for (const p of same) {
        if (!written.has(p.id) || 'retry' in p.outcome) continue;
        owned.add(p);
        succeededAt.add(p.outcome.endpointId);
      }
    }
    for (const endpointId of succeededAt) await endFailureRun(endpointId, t);
    return owned;
  }
}

/**
 * Finally failed: recorded, the endpoint's run of failures lengthened, and at the
 * DISABLE_AFTER_FAILED_DELIVERIES-th in a row the endpoint is disabled and audited, in one
 * transaction. Returns the endpoint when this failure disabled it (its administrators are told).
 */
export async function recordFinalFailure(
  ctx: Ctx,
  delivery: WebhookDelivery,
  lease: Date,
  outcome: { status: number | null; error: string },
): Promise<{ owned: boolean; disabled: DisabledEndpoint | null }> {
  return ctx.db.tx(async (t) => {
    const owned = await settleDelivery(
      delivery.id,
      lease,
      { status: 'failed', leaseUntil: null, lastStatus: outcome.status, lastError: outcome.error.slice(0, 500) },
      t,
    );
    if (!owned) return { owned: false, disabled: null };
    const endpoint = await lengthenFailureRun(delivery.endpointId, t);
    if (!endpoint || !endpoint.enabled || endpoint.failureRun < DISABLE_AFTER_FAILED_DELIVERIES) return { owned: true, disabled: null };
    endpoint.enabled = false;
    endpoint.disabledReason = `disabled after ${endpoint.failureRun} deliveries in a row failed; last: ${outcome.error}`.slice(0, 500);
    await endpoint.save({ transaction: t });
    await writeAudit(
      ctx,
      t,
      { kind: 'system', label: 'webhook sender' },
      {
        action: 'webhook_endpoint_disabled',
        organizationId: endpoint.organizationId,
        outcome: 'failed',
        reason: `${endpoint.failureRun} deliveries in a row failed`,
        details: { endpointId: endpoint.id, url: displayUrl(endpoint.url), lastError: outcome.error.slice(0, 200) },
      },
    );
    return {
      owned: true,
      disabled: {
        endpointId: endpoint.id,
        organizationId: endpoint.organizationId,
        url: displayUrl(endpoint.url),
        failures: endpoint.failureRun,
      },
    };
  });
}
