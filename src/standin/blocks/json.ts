/**
 * Reading what an app put on the wire. Everything in blocks/ takes `unknown` and trusts no
 * shape until it has looked at it; these are the looks.
 */

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The visible string of a text object (`{type:'plain_text'|'mrkdwn', text}`), or '' when absent. */
export function textOf(textObject: unknown): string {
  if (typeof textObject === 'string') return textObject;
  return isObject(textObject) ? (str(textObject.text) ?? '') : '';
}
