/**
 * SCIM filters on Users (RFC 7644 §3.4.2.2): parsed by `scim2-parse-filter` into its AST, then
 * checked and narrowed here to the attributes userops can answer from indexed columns. The store
 * compiles the result to SQL (src/store/scim-queries.ts), so `userName eq "…"` is one index probe
 * even in a 100,000-member organization. Anything else is refused as `invalidFilter`, naming it.
 */
import { parse, type Filter } from 'scim2-parse-filter';
import { SCIM_USER_SCHEMA } from './scim';

export type FilterAttr =
  'userName' | 'email' | 'externalId' | 'active' | 'id' | 'givenName' | 'familyName' | 'title' | 'created' | 'lastModified';
export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le' | 'pr';

export type UserFilter =
  | { kind: 'and' | 'or'; items: UserFilter[] }
  | { kind: 'not'; item: UserFilter }
  | { kind: 'const'; value: boolean }
  | { kind: 'cmp'; attr: FilterAttr; op: CompareOp; value: string | boolean | Date | null };

type Kind = 'text' | 'exact' | 'bool' | 'id' | 'date';

/** Attribute paths (lower-case, without the core schema URN) → the column they mean and its kind. */
const PATHS: Record<string, { attr: FilterAttr; kind: Kind }> = {
  username: { attr: 'userName', kind: 'text' },
  emails: { attr: 'email', kind: 'text' },
  'emails.value': { attr: 'email', kind: 'text' },
  externalid: { attr: 'externalId', kind: 'exact' },
  active: { attr: 'active', kind: 'bool' },
  id: { attr: 'id', kind: 'id' },
  'name.givenname': { attr: 'givenName', kind: 'text' },
  'name.familyname': { attr: 'familyName', kind: 'text' },
  title: { attr: 'title', kind: 'text' },
  'meta.created': { attr: 'created', kind: 'date' },
  'meta.lastmodified': { attr: 'lastModified', kind: 'date' },
};

const OPS: Record<Kind, CompareOp[]> = {
  text: ['eq', 'ne', 'co', 'sw', 'ew', 'pr'],
  exact: ['eq', 'ne', 'pr'],
  bool: ['eq', 'ne', 'pr'],
  id: ['eq', 'ne', 'pr'],
  date: ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'pr'],
};

export const FILTERABLE =
  'userName, emails.value, externalId, active, id, name.givenName, name.familyName, title, meta.created, meta.lastModified';

export type FilterResult = { ok: true; filter: UserFilter } | { ok: false; detail: string };

class Refused extends Error {}

function path(raw: string): string {
  const p = raw.toLowerCase();
  const urn = `${SCIM_USER_SCHEMA.toLowerCase()}:`;
  return p.startsWith(urn) ? p.slice(urn.length) : p;
}

function compare(rawPath: string, op: string, value: unknown): UserFilter {
  const p = path(rawPath);
  // emails.type: userops keeps one address, of type work.
  if (p === 'emails.type' && op === 'eq' && typeof value === 'string') return { kind: 'const', value: value.toLowerCase() === 'work' };
  if (p === 'emails.primary' && op === 'eq' && typeof value === 'boolean') return { kind: 'const', value };
  const spec = PATHS[p];
  if (!spec) throw new Refused(`Filtering on “${rawPath}” is not supported; filterable attributes: ${FILTERABLE}.`);
  if (!OPS[spec.kind].includes(op as CompareOp)) throw new Refused(`The operator “${op}” is not supported on ${rawPath}.`);
  const cmp = op as CompareOp;
  if (cmp === 'pr') return { kind: 'cmp', attr: spec.attr, op: cmp, value: null };
  switch (spec.kind) {
    case 'bool':
      if (typeof value !== 'boolean') throw new Refused(`${rawPath} is compared with true or false.`);
      return { kind: 'cmp', attr: spec.attr, op: cmp, value };
    case 'date': {
      const d = typeof value === 'string' ? new Date(value) : null;
      if (!d || Number.isNaN(d.getTime())) throw new Refused(`${rawPath} is compared with a date-time such as "2026-01-31T12:00:00Z".`);
      return { kind: 'cmp', attr: spec.attr, op: cmp, value: d };
    }
    default:
      if (typeof value !== 'string') throw new Refused(`${rawPath} is compared with a string.`);
      if (value.length > 255) throw new Refused(`The value compared with ${rawPath} is longer than 255 characters.`);
      return { kind: 'cmp', attr: spec.attr, op: cmp, value };
  }
}

function narrow(f: Filter, prefix = ''): UserFilter {
  switch (f.op) {
    case 'and':
    case 'or':
      return { kind: f.op, items: (f as { filters: Filter[] }).filters.map((x) => narrow(x, prefix)) };
    case 'not':
      return { kind: 'not', item: narrow((f as { filter: Filter }).filter, prefix) };
    case '[]': {
      const vp = f as { attrPath: string; valFilter: Filter };
      if (prefix || path(vp.attrPath) !== 'emails')
        throw new Refused(`Value filters are supported on emails only, not on “${vp.attrPath}”.`);
      return narrow(vp.valFilter, 'emails.');
    }
    default: {
      const c = f as { op: string; attrPath: string; compValue?: unknown };
      return compare(`${prefix}${c.attrPath}`, c.op, c.compValue);
    }
  }
}

/** Parse and check a `filter` query parameter. */
export function parseUserFilter(text: string): FilterResult {
  if (text.length > 2000) return { ok: false, detail: 'The filter is longer than 2,000 characters.' };
  let ast: Filter;
  try {
    ast = parse(text);
  } catch (e) {
    return {
      ok: false,
      detail: `The filter is not valid SCIM filter syntax: ${e instanceof Error ? e.message.slice(0, 200) : 'parse error'}.`,
    };
  }
  try {
    return { ok: true, filter: narrow(ast) };
  } catch (e) {
    if (e instanceof Refused) return { ok: false, detail: e.message };
    throw e;
  }
}

/** Parse a filter for an in-memory test (Groups: four resources, so the library's own tester is enough). */
export function parseAnyFilter(text: string): { ok: true; filter: Filter } | { ok: false; detail: string } {
  if (text.length > 2000) return { ok: false, detail: 'The filter is longer than 2,000 characters.' };
  try {
    return { ok: true, filter: parse(text) };
  } catch (e) {
    return {
      ok: false,
      detail: `The filter is not valid SCIM filter syntax: ${e instanceof Error ? e.message.slice(0, 200) : 'parse error'}.`,
    };
  }
}
