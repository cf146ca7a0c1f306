import type { Response } from 'express';
import type { ErrorCode } from '../domain/outcome';

/** JSON errors with a stable code and a sentence. */
export function sendError(res: Response, status: number, code: string, message: string, extra: Record<string, unknown> = {}): void {
  res.status(status).json({ error: { code, message, ...extra } });
}

/** The default HTTP status for a service error code. */
export const STATUS_FOR: Record<ErrorCode, number> = {
  invalid_input: 400,
  not_found: 404,
  forbidden: 403,
  not_authenticated: 401,
  conflict: 409,
  self_action: 409,
  last_administrator: 409,
  has_records: 409,
  precondition_failed: 409,
  password_policy: 422,
  token_invalid: 404,
  token_expired: 410,
  rate_limited: 429,
  unavailable: 503,
  approval_required: 403,
};

/** A zod issue list as one readable sentence, naming the field. */
export function describeIssues(issues: Array<{ path: PropertyKey[]; message: string }>): string {
  const i = issues[0];
  const field = i.path.length > 0 ? i.path.map(String).join('.') : 'body';
  return `${field}: ${i.message}`;
}
