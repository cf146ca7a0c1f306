/**
 * Request text that reaches a database query must not hold NUL: SQLite ends the statement there
 * (a syntax error, so a 500) and PostgreSQL refuses it in text. Such input is a 400 instead.
 */
export const NO_NUL = { error: 'must not contain a NUL character' };

export function hasNoNul(text: string): boolean {
  return !text.includes('\u0000');
}
