import { DEFAULT_COUNT } from '../../services/scim-users';

/**
 * `startIndex` (1-based) and `count` (RFC 7644 §3.4.2.4): below 1 is read as 1, a negative count as
 * 0; anything that is not an integer is a 400. The service caps count at its maximum.
 */
export function paging(query: Record<string, unknown>): { ok: true; startIndex: number; count: number } | { ok: false; detail: string } {
  const num = (name: string, fallback: number): number | string => {
    const v = query[name];
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || !/^-?\d{1,9}$/.test(v.trim())) return `${name} must be an integer.`;
    return Number(v);
  };
  const startIndex = num('startIndex', 1);
  const count = num('count', DEFAULT_COUNT);
  if (typeof startIndex === 'string') return { ok: false, detail: startIndex };
  if (typeof count === 'string') return { ok: false, detail: count };
  return { ok: true, startIndex: Math.max(1, startIndex), count: Math.max(0, count) };
}
