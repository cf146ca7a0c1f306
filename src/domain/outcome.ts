// src/domain: pure rules (no I/O): statuses, the permission matrix and decideAccountAction, bulk
// state, password policy, tokens, outcomes. Imports nothing of ours; everything may import it.
/**
 * Outcomes are values, not exceptions: every error a person can cause is `{ ok: false, code,
 * message }` with a sentence they understand. Adapters map the code to their surface (an HTTP
 * status, an ephemeral Slack message, a modal field error, a CLI exit code).
 */

export type ErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'forbidden'
  | 'not_authenticated'
  | 'conflict'
  | 'self_action'
  | 'last_administrator'
  | 'has_records'
  | 'precondition_failed'
  | 'password_policy'
  | 'token_invalid'
  | 'token_expired'
  | 'rate_limited'
  | 'unavailable'
  | 'approval_required';

export interface Failure {
  ok: false;
  code: ErrorCode;
  message: string;
  /** Field-level problems, keyed by input name (for modals and forms). */
  fields?: Record<string, string>;
}

export type Success<T extends object = object> = { ok: true } & T;
export type Outcome<T extends object = object> = Success<T> | Failure;

export function fail(code: ErrorCode, message: string, fields?: Record<string, string>): Failure {
  return fields ? { ok: false, code, message, fields } : { ok: false, code, message };
}

export function ok<T extends object>(value: T): Success<T> {
  return { ok: true, ...value };
}
