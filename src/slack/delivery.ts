// Replies that reach the person: retries for the Web API and response_url, a DM when those fail.
import type { App, RespondArguments, RespondFn } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../lib/logger';
import { correlationId } from './correlation';

/**
 * How hard userops tries to get an answer to Slack, in one place. The Web API calls (chat.*,
 * views.*, files.*, including the upload step, which web-api 8 posts through the same retrying
 * request path) get it as the WebClient's `retryConfig`; the response_url posts, which Bolt makes
 * once with no retry, get it from `reliableRespond` below.
 */
export interface DeliveryPolicy {
  /** Attempts per call, the first included. */
  attempts: number;
  /** First backoff after a 5xx or a network error; it doubles per attempt… */
  baseDelayMs: number;
  /** …up to this. */
  maxDelayMs: number;
  /** A 429 whose Retry-After asks for longer than this is not waited for: the answer falls back at once. */
  maxRetryAfterMs: number;
  /**
   * Posts one response_url may take. Slack allows 5 in 30 minutes and does not say whether a post
   * it answered 429 or 5xx counts, so every attempt is counted: once 5 are spent, later answers
   * of that interaction go straight to the fallback instead of risking `used_url`.
   */
  responseUrlPosts: number;
}

export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  attempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 4000,
  maxRetryAfterMs: 30_000,
  responseUrlPosts: 5,
};

/** The policy plus what tests replace: the clock's sleep and the jitter's dice. */
export interface Delivery {
  policy: DeliveryPolicy;
  sleep(ms: number): Promise<void>;
  random(): number;
}

export function delivery(policy: Partial<DeliveryPolicy> = {}, parts: Partial<Omit<Delivery, 'policy'>> = {}): Delivery {
  return {
    policy: { ...DEFAULT_DELIVERY_POLICY, ...policy },
    sleep: parts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    random: parts.random ?? Math.random,
  };
}

/**
 * The wait before attempt `attempt + 1` (attempt counts from 1), or null to stop waiting: a 429
 * waits what its Retry-After says (Slack's number wins over ours) unless that is beyond
 * `maxRetryAfterMs`; anything else backs off exponentially, capped, with "equal jitter" (half the
 * step fixed, half random) so instances that failed together do not retry together.
 */
export function backoffDelay(attempt: number, policy: DeliveryPolicy, random: () => number, retryAfterSec?: number): number | null {
  if (retryAfterSec !== undefined) {
    const ms = Math.max(0, retryAfterSec) * 1000;
    return ms > policy.maxRetryAfterMs ? null : ms;
  }
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

/**
 * The same policy as the WebClient's p-retry options. `randomize` multiplies each step by 1–2
 * before the cap (p-retry's jitter). `rejectRateLimitedCalls` stays false (the default), so a 429
 * waits its Retry-After and counts as one of these retries.
 */
export function webClientRetryConfig(policy: DeliveryPolicy): {
  retries: number;
  factor: number;
  minTimeout: number;
  maxTimeout: number;
  randomize: boolean;
} {
  return {
    retries: Math.max(0, policy.attempts - 1),
    factor: 2,
    minTimeout: policy.baseDelayMs,
    maxTimeout: policy.maxDelayMs,
    randomize: true,
  };
}

/** What one attempt came to: done, worth another try (with Slack's Retry-After), or not. */
export type AttemptResult = { kind: 'ok' } | { kind: 'retry'; reason: string; retryAfterSec?: number } | { kind: 'fatal'; reason: string };

export type DeliveryOutcome = { ok: true; attempts: number } | { ok: false; attempts: number; reason: string };

/** An HTTP status as an attempt result: 2xx done, 429 and 5xx retried, any other status final. */
export function classifyStatus(status: number, retryAfter: string | null): AttemptResult {
  if (status >= 200 && status < 300) return { kind: 'ok' };
  if (status === 429) {
    const sec = Number.parseInt(retryAfter ?? '', 10);
    return { kind: 'retry', reason: 'HTTP 429', retryAfterSec: Number.isNaN(sec) ? undefined : sec };
  }
  if (status >= 500) return { kind: 'retry', reason: `HTTP ${status}` };
  return { kind: 'fatal', reason: `HTTP ${status}` };
}

/** Run `attempt` up to `maxAttempts` times under the policy. Never throws: the outcome says. */
export async function withRetries(d: Delivery, maxAttempts: number, attempt: () => Promise<AttemptResult>): Promise<DeliveryOutcome> {
  let reason = 'no attempt was allowed';
  for (let n = 1; n <= maxAttempts; n++) {
    let result: AttemptResult;
    try {
      result = await attempt();
    } catch (e) {
      // fetch rejects on network errors (refused, reset, DNS): worth another try.
      result = {
        kind: 'retry',
        reason: `network error (${(e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name ?? 'error'})`,
      };
    }
    if (result.kind === 'ok') return { ok: true, attempts: n };
    reason = result.reason;
    if (result.kind === 'fatal' || n === maxAttempts) return { ok: false, attempts: n, reason };
    const wait = backoffDelay(n, d.policy, d.random, result.retryAfterSec);
    if (wait === null) return { ok: false, attempts: n, reason: `${reason}, Retry-After beyond ${d.policy.maxRetryAfterMs / 1000} s` };
    await d.sleep(wait);
  }
  return { ok: false, attempts: 0, reason };
}

/** A response_url post that hangs this long counts as a network error (and is retried). */
const RESPONSE_URL_TIMEOUT_MS = 10_000;

/** A reply that reached the person by no path; already logged with its id. */
export class UndeliveredReply extends Error {
  constructor(readonly correlationId: string) {
    super(`a Slack reply could not be delivered (reference ${correlationId})`);
    this.name = 'UndeliveredReply';
  }
}

interface ReplyTarget {
  responseUrl: string;
  /** Who the answer is for: the fallback DMs them. */
  slackUserId: string | undefined;
  client: WebClient;
  /** Where in the app, for the log (a listener kind and id, never the URL). */
  where: string;
}

/**
 * Bolt's `respond` with the delivery policy: the same JSON body Bolt posts, retried on 429
 * (Retry-After) and 5xx/network errors within the response_url's post budget. When that fails the
 * failure is logged with a correlation id (the response_url itself is a bearer secret and is never
 * logged) and the answer goes to the person's DM with the app instead. When that fails too (or
 * there is no one to DM, or it was a `delete_original` with nothing to fall back to) it throws
 * `UndeliveredReply`, which `safely` knows is already logged.
 */
export function reliableRespond(d: Delivery, logger: Logger, target: ReplyTarget): RespondFn {
  let spent = 0;
  return async (message: string | RespondArguments): Promise<Response> => {
    const body: RespondArguments = typeof message === 'string' ? { text: message } : message;
    const allowed = Math.min(d.policy.attempts, d.policy.responseUrlPosts - spent);
    let answered = null as Response | null;
    const outcome = await withRetries(d, allowed, async () => {
      spent += 1;
      const res = (answered = await fetch(target.responseUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(RESPONSE_URL_TIMEOUT_MS),
      }));
      await res.arrayBuffer().catch(() => undefined);
      return classifyStatus(res.status, res.headers.get('retry-after'));
    });
    if (outcome.ok) return answered ?? new Response(null, { status: 200 });
    const id = correlationId();
    const reason = allowed <= 0 ? `the response_url's ${d.policy.responseUrlPosts} posts are spent` : outcome.reason;
    logger.error('Slack reply not delivered through its response_url', {
      correlationId: id,
      where: target.where,
      attempts: outcome.attempts,
      reason,
    });
    if (body.delete_original || !target.slackUserId) throw new UndeliveredReply(id);
    try {
      const dm = await target.client.conversations.open({ users: target.slackUserId });
      if (!dm.channel?.id) throw new Error('Slack did not open a direct message');
      const { blocks } = body as { blocks?: KnownBlock[] };
      await target.client.chat.postMessage({ channel: dm.channel.id, text: body.text ?? '', blocks });
      logger.info('Slack reply delivered by direct message instead', { correlationId: id, where: target.where });
      // Bolt's respond resolves to the response_url's answer; here the answer went elsewhere.
      return new Response(JSON.stringify({ ok: true, delivered: 'direct_message' }), { status: 200 });
    } catch (e) {
      logger.error('Slack reply not delivered by direct message either', {
        correlationId: id,
        where: target.where,
        error: String((e as Error).message ?? e),
      });
      throw new UndeliveredReply(id);
    }
  };
}

interface ListenerArgsShape {
  respond?: RespondFn;
  client: WebClient;
  body: {
    response_url?: string;
    response_urls?: Array<{ response_url: string }>;
    user_id?: string;
    user?: { id?: string };
    type?: string;
    command?: string;
  };
}

/** Listener registrations whose arguments can carry a `respond`. */
const REPLYING = new Set(['command', 'action', 'view', 'shortcut']);

/**
 * The App as listeners are registered on it, with every listener's `respond` replaced by
 * `reliableRespond`. Bolt hands global middleware a copy of the listener arguments, so a
 * middleware cannot swap `respond`; wrapping at registration covers every listener registered
 * through this App (all of them: see registerListeners), including ones added later.
 */
export function withReliableReplies(app: App, d: Delivery, logger: Logger): App {
  const wrap =
    (listener: (args: ListenerArgsShape) => Promise<void>) =>
    (args: ListenerArgsShape): Promise<void> => {
      const responseUrl = args.body.response_url ?? args.body.response_urls?.[0]?.response_url;
      if (!args.respond || !responseUrl) return listener(args);
      const where = args.body.command ?? args.body.type ?? 'interaction';
      const slackUserId = args.body.user_id ?? args.body.user?.id;
      return listener({ ...args, respond: reliableRespond(d, logger, { responseUrl, slackUserId, client: args.client, where }) });
    };
  return new Proxy(app, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      const fn = value as (...a: unknown[]) => unknown;
      if (typeof prop !== 'string' || !REPLYING.has(prop)) return fn.bind(target);
      return (...a: unknown[]) => {
        const last = a[a.length - 1] as (args: ListenerArgsShape) => Promise<void>;
        return fn.apply(target, [...a.slice(0, -1), wrap(last)]);
      };
    },
  });
}
