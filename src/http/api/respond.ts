import type { Response } from 'express';
import type { Failure } from '../../domain/outcome';
import { describeIssues, sendError, STATUS_FOR } from '../errors';

/** A service refusal as `{error:{code,message}}` with the status its code maps to. */
export function sendFailure(res: Response, failure: Failure): void {
  sendError(res, STATUS_FOR[failure.code], failure.code, failure.message, failure.fields ? { fields: failure.fields } : {});
}

/**
 * A zod refusal: 400 `invalid_input`, the first problem as a sentence naming the field, and every
 * problem by field. `where` names the part of the request a problem without a field path is about.
 */
export function sendInvalid(
  res: Response,
  issues: Array<{ path: PropertyKey[]; message: string }>,
  where: 'query' | 'body' | 'path',
): void {
  const fields: Record<string, string> = {};
  for (const i of issues) {
    const field = i.path.length > 0 ? i.path.map(String).join('.') : where;
    fields[field] ??= i.message;
  }
  const first = issues[0];
  const message = first.path.length > 0 ? describeIssues(issues) : `${where}: ${first.message}`;
  sendError(res, 400, 'invalid_input', message, { fields });
}
