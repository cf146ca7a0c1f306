// Correlation ids: the reference a person gets instead of a stack trace, and finds in the logs.
import { randomBytes } from 'node:crypto';

/** A short id that ties a log line to what a person was told ("reference 3f9a1c2b7e"). */
export function correlationId(): string {
  return randomBytes(5).toString('hex');
}
