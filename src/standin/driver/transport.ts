/** The driver's HTTP side: Slack's request signature and the POST to the app's events URL. */
import { createHmac } from 'node:crypto';
import { performance } from 'node:perf_hooks';

import type { JsonObject } from '../blocks';

export const FORM = 'application/x-www-form-urlencoded';
export const JSON_TYPE = 'application/json';

export interface DriverResponse {
  /** HTTP status; 0 when no request was sent (Slack would not send one, see `text`). */
  status: number;
  /** Parsed JSON answer, the raw text, or undefined for an empty answer. */
  body: unknown;
  text: string;
  /** Time from sending the request to having the whole answer. */
  ackMs: number;
  headers: Record<string, string>;
  /** Exactly what was sent, for {@link SlackDriver.redeliver} and {@link SlackDriver.replay}. */
  request: { body: string; contentType: string; headers?: Record<string, string> };
}

export interface RetryHeaders {
  retryNum?: number | undefined;
  retryReason?: string | undefined;
}

/** The answer for an interaction Slack would not send a request for (`text` says why). */
export function noRequest(text: string): DriverResponse {
  return { status: 0, body: undefined, text, ackMs: 0, headers: {}, request: { body: '', contentType: '' } };
}

export class SignedTransport {
  constructor(
    readonly eventsUrl: string,
    private readonly signingSecret: string,
  ) {}

  /** Slack's request signature: `v0=` + HMAC-SHA256 of `v0:{timestamp}:{raw body}`. */
  sign(
    body: string,
    timestamp = Math.floor(Date.now() / 1000),
  ): {
    'x-slack-signature': string;
    'x-slack-request-timestamp': string;
  } {
    const digest = createHmac('sha256', this.signingSecret).update(`v0:${timestamp}:${body}`).digest('hex');
    return { 'x-slack-signature': `v0=${digest}`, 'x-slack-request-timestamp': String(timestamp) };
  }

  /** POST a raw body with exactly these headers (no signing added). */
  async send(body: string, headers: Record<string, string>): Promise<DriverResponse> {
    const contentType = Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
    const started = performance.now();
    const res = await fetch(this.eventsUrl, { method: 'POST', headers, body });
    const text = await res.text();
    const ackMs = performance.now() - started;
    let parsed: unknown = text.length > 0 ? text : undefined;
    if (text.length > 0 && (res.headers.get('content-type')?.includes('json') || /^[[{]/.test(text))) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return {
      status: res.status,
      body: parsed,
      text,
      ackMs,
      headers: Object.fromEntries(res.headers.entries()),
      request: { body, contentType, headers: { ...headers } },
    };
  }

  /** POST a body signed now, with the retry headers Slack adds to a redelivery. */
  signedPost(body: string, contentType: string, retry?: RetryHeaders): Promise<DriverResponse> {
    // Bolt matches the form content type exactly, so no `; charset=…` suffix.
    const headers: Record<string, string> = { 'content-type': contentType, ...this.sign(body) };
    if (retry?.retryNum !== undefined) {
      headers['x-slack-retry-num'] = String(retry.retryNum);
      headers['x-slack-retry-reason'] = retry.retryReason ?? 'http_timeout';
    }
    return this.send(body, headers);
  }

  /** An interactivity payload, sent as Slack does: one form field `payload` holding JSON. */
  postPayload(payload: JsonObject, retryNum?: number): Promise<DriverResponse> {
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    return this.signedPost(body, FORM, { retryNum });
  }
}
