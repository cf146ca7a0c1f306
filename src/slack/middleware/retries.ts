// Middleware: replayed and retried deliveries are acked like the original and do nothing twice.
import { AsyncLocalStorage } from 'node:async_hooks';
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

/** Set for commands and button clicks: settles to true when the request turned out to be a copy. */
const copyVerdict = new AsyncLocalStorage<Promise<boolean>>();

/**
 * Whether the request being handled is a replay or a retry that must not run. Handlers that ack
 * first ask it (through `safely`) after their ack and before their work.
 */
export function isRepeatedRequest(): Promise<boolean> {
  return copyVerdict.getStore() ?? Promise.resolve(false);
}

/**
 * A request runs once. Two ways the same request comes again:
 * - a replay: the very same signed bytes sent again inside Bolt's 5-minute window (same timestamp
 *   and body, so the same signature). Its signature is claimed in the shared database, so a copy
 *   is recognised here or on any other instance;
 * - a Slack retry (`X-Slack-Retry-Num`), freshly signed: it runs only if no earlier delivery
 *   recorded the same trigger or event id, so a retry never repeats a side effect, and a retry of a
 *   request that never reached us still works.
 * Commands and button clicks ack first, with an empty answer, then do their work in `safely`,
 * which waits for the claim: the ack is never held up by the database (on SQLite the claim would
 * queue behind a directory search in flight), and a copy is acked exactly like the original and
 * does nothing. Everything else waits for the claim before it goes on: a view submission does its
 * work before it answers, and an event was acked by Bolt already. A dropped request is answered
 * with an empty 200. Socket Mode requests carry no signature (and cannot be replayed from
 * outside): the retry check only.
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

  /** true: a copy that must not run (logged here). */
  async function isCopy(args: AnyMiddlewareArgs & { context: Context }, beforeAck: boolean): Promise<boolean> {
    const { body, context } = args;
    const key = deliveryKey(body);
    const kind = key?.split(':')[0];
    const retried = context.retryNum !== undefined && context.retryNum > 0;
    const signed = (context as Context & { signedRequest?: SignedRequest }).signedRequest;
    if (signed) {
      // The system clock, as Bolt's check of the other side uses (not ctx.now(), which tests move).
      if (signed.timestamp > Date.now() / 1000 + MAX_CLOCK_AHEAD_SEC) {
        ctx.logger.warn('dropped a Slack request timestamped more than 5 minutes ahead', { key: kind });
        return true;
      }
      const fresh = await claimDelivery(ctx, requestKey(signed.signature), { beforeAck });
      prune();
      if (!fresh) {
        ctx.logger.warn('dropped a replayed Slack request (the same signed request ran already)', { key: kind });
        return true;
      }
    }
    if (!key) return false;
    if (!retried) {
      // After this turn, so the insert is not built before the ack is sent.
      setImmediate(() => {
        claimDelivery(ctx, key).catch((e: unknown) => ctx.logger.warn('could not record a Slack delivery', { error: String(e) }));
      });
      return false;
    }
    if (await claimDelivery(ctx, key, { beforeAck })) return false;
    ctx.logger.info('dropped a retried Slack delivery', { key: kind, retryNum: context.retryNum, reason: context.retryReason });
    return true;
  }

  return async (args) => {
    const b = args.body as { type?: string; command?: string };
    if (b.command !== undefined || b.type === 'block_actions') {
      const verdict = new Promise<boolean>((resolve) => setImmediate(() => resolve(isCopy(args, false)))).catch((e: unknown) => {
        // Fail open: the work that follows needs the same database and will report its own failure.
        ctx.logger.warn('could not check a Slack request for a replay or retry', { error: String(e) });
        return false;
      });
      return copyVerdict.run(verdict, args.next);
    }
    if (await isCopy(args, true)) return drop(args);
    return args.next();
  };
}

function requestKey(signature: string): string {
  return `${REQUEST_KEY_PREFIX}${createHash('sha256').update(signature).digest('base64url')}`;
}

async function drop(args: AnyMiddlewareArgs): Promise<void> {
  // Events were acknowledged by Bolt before any middleware ran; everything else is acknowledged here.
  const ack = (args as { ack?: () => Promise<void> }).ack;
  if (ack) await ack();
}
