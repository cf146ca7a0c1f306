/** The call log every endpoint writes to, and the failures tests inject into it (SlackStandIn.fail). */
import { HttpAnswer, JSON_HEADERS } from './http';
import type { FailureSpec, RecordedCall } from './types';

type Failure = FailureSpec & { method: string; remaining: number };

export class CallLog {
  readonly calls: RecordedCall[] = [];
  private failures: Failure[] = [];

  fail(method: string, spec: FailureSpec): void {
    this.failures.push({ ...spec, method, remaining: spec.times ?? 1 });
  }

  clearFailures(): void {
    this.failures = [];
  }

  /**
   * If a failure is due for `method`, mark `call` failed and return the HTTP answer to send.
   * Web API methods (`api`) fail with HTTP 200 `{ok:false}` unless a status was asked for; the
   * upload URL and response_url (`raw`) signal failure by status only, so they answer HTTP 400.
   */
  injectedFailure(method: string, call: RecordedCall, kind: 'api' | 'raw'): HttpAnswer | undefined {
    const failure = this.failures.find((f) => f.method === method && f.remaining > 0);
    if (!failure) return undefined;
    failure.remaining -= 1;
    if (failure.status === 429) {
      const retryAfter = String(failure.retryAfterSec ?? 1);
      call.status = 429;
      call.error = failure.error ?? 'ratelimited';
      return new HttpAnswer(429, JSON.stringify({ ok: false, error: call.error }), { ...JSON_HEADERS, 'retry-after': retryAfter });
    }
    if (failure.status === 500) {
      call.status = 500;
      call.error = failure.error ?? 'internal_error';
      return new HttpAnswer(500, JSON.stringify({ ok: false, error: call.error }), JSON_HEADERS);
    }
    call.error = failure.error ?? 'fatal_error';
    call.status = kind === 'api' ? 200 : 400;
    return new HttpAnswer(call.status, JSON.stringify({ ok: false, error: call.error }), JSON_HEADERS);
  }
}
