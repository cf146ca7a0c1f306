import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AnyMiddlewareArgs, Context, Middleware } from '@slack/bolt';
import { claimDelivery, pruneDeliveries, REQUEST_KEY_PREFIX } from '../../services/deliveries';
import type { Ctx } from '../../services/context';

/** A stable id for one user gesture: Slack sends the same trigger_id / event_id again on a retry. */
export function deliveryKey(body: AnyMiddlewareArgs['body']): string | null {
  const b = body as { type?: string; trigger_id?: string; event_id?: string; command?: string };
  if (typeof b.event_id === 'string') return `event:${b.event_id}`;
  if (typeof b.trigger_id === 'string') return `${b.type ?? (b.command ? 'command' : 'request')}:${b.trigger_id}`;
  return null;
}

/** What the HTTP receiver hands on about the signed request (Bolt's `customPropertiesExtractor`). */
export interface SignedRequest {
  /** `v0=…`, already verified by Bolt: HMAC of the timestamp and the raw body. */
  signature: string;
  timestamp: number;
}

export function signedRequestProperties(req: IncomingMessage): { signedRequest?: SignedRequest } {
  const signature = req.headers['x-slack-signature'];
  const timestamp = Number(req.headers['x-slack-request-timestamp']);
  if (typeof signature !== 'string' || !Number.isFinite(timestamp)) return {};
  return { signedRequest: { signature, timestamp } };
}

/** Bolt refuses timestamps more than 5 minutes old; this refuses those more than 5 minutes ahead. */
const MAX_CLOCK_AHEAD_SEC = 300;
const PRUNE_EVERY_MS = 5 * 60_000;

/**
 * A request runs once. Two ways the same request comes again:
 * - a replay: the very same signed bytes sent again inside Bolt's 5-minute window (same timestamp
 *   and body, so the same signature). Its signature is claimed in the shared database before the
 *   request goes on, so a copy is dropped here or on any other instance;
 * - a Slack retry (`X-Slack-Retry-Num`), freshly signed: it is processed only if no earlier
 *   delivery recorded the same trigger or event id, so a retry never repeats a side effect, and a
 *   retry of a request that never reached us still works.
 * The signature is claimed before the ack: a claim after it would let a copy's listener start
 * before it knew it was a copy (view submissions do their work before they ack). The trigger or
 * event id of a first delivery is recorded after the ack, a retry's before it goes on. Socket Mode
 * requests carry no signature (and cannot be replayed from outside): retries only. A dropped
 * request is acknowledged with an empty answer.
 */
export function dropRepeatedRequests(ctx: Ctx): Middleware<AnyMiddlewareArgs> {
  let lastPrune = ctx.now().getTime();
  const prune = () => {
    const now = ctx.now().getTime();
    if (now - lastPrune < PRUNE_EVERY_MS) return;
    lastPrune = now;
    setImmediate(() => {
      pruneDeliveries(ctx).catch((e: unknown) => ctx.logger.warn('could not prune Slack deliveries', { error: String(e) }));
    });
  };
  return async (args) => {
    const { body, context, next } = args;
    const key = deliveryKey(body);
    const retried = context.retryNum !== undefined && context.retryNum > 0;
    const signed = (context as Context & { signedRequest?: SignedRequest }).signedRequest;
    if (signed) {
      // The system clock, as Bolt's check of the other side uses (not ctx.now(), which tests move).
      if (signed.timestamp > Date.now() / 1000 + MAX_CLOCK_AHEAD_SEC) {
        ctx.logger.warn('dropped a Slack request timestamped more than 5 minutes ahead', { key: key?.split(':')[0] });
        return drop(args);
      }
      const fresh = await claimDelivery(ctx, requestKey(signed.signature));
      prune();
      if (!fresh) {
        ctx.logger.warn('dropped a replayed Slack request (the same signed request ran already)', { key: key?.split(':')[0] });
        return drop(args);
      }
    }
    if (!key) return next();
    if (!retried) {
      // After this turn, so the insert is not built before the ack is sent.
      setImmediate(() => {
        claimDelivery(ctx, key).catch((e: unknown) => ctx.logger.warn('could not record a Slack delivery', { error: String(e) }));
      });
      return next();
    }
    if (await claimDelivery(ctx, key)) return next();
    return dropRetry(ctx, args, key);
  };
}

function requestKey(signature: string): string {
  return `${REQUEST_KEY_PREFIX}${createHash('sha256').update(signature).digest('base64url')}`;
}

async function dropRetry(ctx: Ctx, args: AnyMiddlewareArgs & { context: Context }, key: string): Promise<void> {
  ctx.logger.info('dropped a retried Slack delivery', {
    key: key.split(':')[0],
    retryNum: args.context.retryNum,
    reason: args.context.retryReason,
  });
  await drop(args);
}

async function drop(args: AnyMiddlewareArgs): Promise<void> {
  // Events were acknowledged by Bolt before any middleware ran; everything else is acknowledged here.
  const ack = (args as { ack?: () => Promise<void> }).ack;
  if (ack) await ack();
}
