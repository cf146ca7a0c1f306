/**
 * SCIM 2.0 (RFC 7643/7644), the pure parts: the token format, the User resource as userops maps it,
 * reading a resource an identity provider sent back into directory fields, and the
 * attributes/excludedAttributes projection. No I/O; src/services/scim-*.ts applies the rules.
 */
import { randomToken } from './tokens';

export const SCIM_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const SCIM_GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const SCIM_LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const SCIM_PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export type ScimType = 'invalidFilter' | 'invalidSyntax' | 'uniqueness' | 'mutability' | 'invalidValue' | 'noTarget' | 'tooMany';

/** `uoscim_` + 43 base64url characters (32 random bytes); the prefix lets secret scanners find a leaked token. */
export const SCIM_TOKEN_PREFIX = 'uoscim_';
export const SCIM_TOKEN_PATTERN = /^uoscim_[A-Za-z0-9_-]{43}$/;

export function generateScimToken(): string {
  return `${SCIM_TOKEN_PREFIX}${randomToken(32)}`;
}

export function scimTokenDisplayPrefix(token: string): string {
  return token.slice(0, SCIM_TOKEN_PREFIX.length + 6);
}

/**
 * userName rules for SCIM-made users: identity providers send the email address by default, so `@`
 * and `+` are allowed on top of the import's letters, digits, dots, dashes and underscores. Stored
 * lower-case, so matching is case-insensitive (RFC 7643 §4.1.1: userName is not caseExact).
 */
export const SCIM_USERNAME_PATTERN = /^[a-z0-9][a-z0-9._@+-]{0,253}$/;

/** The directory fields a SCIM User resource carries. */
export interface ScimUserFields {
  username: string;
  email: string;
  firstName: string;
  lastName: string;
  phone: string | null;
  title: string | null;
  enabled: boolean;
  externalId: string | null;
}

/** A directory user, as plain data, for building the resource. */
export interface ScimUserData extends ScimUserFields {
  id: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface ScimUserResource {
  schemas: string[];
  id: string;
  externalId?: string;
  userName: string;
  name: { givenName: string; familyName: string; formatted: string };
  displayName: string;
  emails: Array<{ value: string; type: string; primary: boolean }>;
  phoneNumbers?: Array<{ value: string; type: string; primary?: boolean }>;
  title?: string;
  active: boolean;
  meta: { resourceType: 'User'; created: Date; lastModified: Date; location: string };
  [extra: string]: unknown;
}

export function toScimUser(u: ScimUserData, baseUrl: string): ScimUserResource {
  const formatted = `${u.firstName} ${u.lastName}`.trim();
  return {
    schemas: [SCIM_USER_SCHEMA],
    id: String(u.id),
    ...(u.externalId ? { externalId: u.externalId } : {}),
    userName: u.username,
    name: { givenName: u.firstName, familyName: u.lastName, formatted },
    displayName: formatted.length > 0 ? formatted : u.username,
    emails: [{ value: u.email, type: 'work', primary: true }],
    ...(u.phone ? { phoneNumbers: [{ value: u.phone, type: 'work', primary: true }] } : {}),
    ...(u.title ? { title: u.title } : {}),
    active: u.enabled,
    meta: { resourceType: 'User', created: u.createdAt, lastModified: u.updatedAt, location: `${baseUrl}/Users/${u.id}` },
  };
}

export type ReadResult = { ok: true; fields: ScimUserFields; password: string | null } | { ok: false; scimType: ScimType; detail: string };

const bad = (scimType: ScimType, detail: string): ReadResult => ({ ok: false, scimType, detail });

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An attribute by name, case-insensitively (RFC 7643 §2.1), also under the core schema's URN prefix. */
function attr(obj: Dict, name: string): unknown {
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(obj)) {
    const key = k.toLowerCase();
    if (key === want || key === `${SCIM_USER_SCHEMA.toLowerCase()}:${want}`) return v;
  }
  return undefined;
}

/** `active`: a boolean, or the strings "True"/"False" that Microsoft Entra sends. */
export function readBoolean(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === 'true';
  return null;
}

function text(v: unknown, field: string, max: number): string | null | { error: string } {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') return { error: `${field} must be a string.` };
  const s = v.trim();
  if (s.length > max) return { error: `${field} is limited to ${max} characters.` };
  if (/[\u0000-\u001f\u007f]/.test(s)) return { error: `${field} must not contain control characters.` };
  return s.length > 0 ? s : null;
}

/** The primary entry of a multi-valued attribute (else type work, else the first). */
function primaryOf(v: unknown, field: string): Dict | null | { error: string } {
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v)) return { error: `${field} must be a list.` };
  const entries = v.filter(isDict);
  if (entries.length !== v.length) return { error: `${field} must be a list of objects.` };
  return (
    entries.find((e) => readBoolean(attr(e, 'primary')) === true) ??
    entries.find((e) => String(attr(e, 'type') ?? '').toLowerCase() === 'work') ??
    entries[0] ??
    null
  );
}

const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;

/**
 * A User resource (a POST or PUT body, or the result of applying a PATCH) as directory fields. Only
 * mapped attributes count; others (the enterprise extension, photos, …) are ignored, as RFC 7644
 * §3.3 allows, so an IdP's default mappings never fail a request.
 */
export function readScimUser(body: unknown, opts: { defaultEnabled: boolean }): ReadResult {
  if (!isDict(body)) return bad('invalidSyntax', 'The body must be a JSON object (a SCIM User resource).');
  const userNameRaw = attr(body, 'userName');
  if (typeof userNameRaw !== 'string' || userNameRaw.trim().length === 0)
    return bad('invalidValue', 'userName is required and must be a non-empty string.');
  const username = userNameRaw.trim().toLowerCase();
  if (!SCIM_USERNAME_PATTERN.test(username))
    return bad(
      'invalidValue',
      'userName must be 1–254 letters, digits, dots, dashes, underscores, plus signs or @, starting with a letter or digit.',
    );
  const name = attr(body, 'name');
  if (name !== undefined && name !== null && !isDict(name)) return bad('invalidSyntax', 'name must be an object.');
  const given = text(isDict(name) ? attr(name, 'givenName') : undefined, 'name.givenName', 100);
  const family = text(isDict(name) ? attr(name, 'familyName') : undefined, 'name.familyName', 100);
  const email0 = primaryOf(attr(body, 'emails'), 'emails');
  const phone0 = primaryOf(attr(body, 'phoneNumbers'), 'phoneNumbers');
  const title = text(attr(body, 'title'), 'title', 200);
  const externalId = text(attr(body, 'externalId'), 'externalId', 255);
  for (const v of [given, family, email0, phone0, title, externalId]) {
    if (isDict(v) && typeof v.error === 'string') return bad('invalidValue', v.error);
  }
  const emailValue = isDict(email0) ? text(attr(email0, 'value'), 'emails.value', 254) : null;
  if (isDict(emailValue)) return bad('invalidValue', String(emailValue.error));
  const email = (emailValue as string | null) ?? (EMAIL.test(username) ? username : null);
  if (!email) return bad('invalidValue', 'An email address is required: send emails with a value (or an email address as userName).');
  if (!EMAIL.test(email) || email.length > 254) return bad('invalidValue', `emails.value “${email.slice(0, 60)}” is not a valid address.`);
  const phone = isDict(phone0) ? text(attr(phone0, 'value'), 'phoneNumbers.value', 50) : null;
  if (isDict(phone)) return bad('invalidValue', String(phone.error));
  const activeRaw = attr(body, 'active');
  const active = activeRaw === undefined || activeRaw === null ? opts.defaultEnabled : readBoolean(activeRaw);
  if (active === null) return bad('invalidValue', 'active must be true or false.');
  const passwordRaw = attr(body, 'password');
  if (passwordRaw !== undefined && passwordRaw !== null && typeof passwordRaw !== 'string')
    return bad('invalidValue', 'password must be a string.');
  return {
    ok: true,
    fields: {
      username,
      email,
      firstName: (given as string | null) ?? '',
      lastName: (family as string | null) ?? '',
      phone: phone as string | null,
      title: title as string | null,
      enabled: active,
      externalId: externalId as string | null,
    },
    password: typeof passwordRaw === 'string' && passwordRaw.length > 0 ? passwordRaw : null,
  };
}

/** Attributes a client may not change: `id` and `meta` (RFC 7643 §3.1), `groups` on a User (readOnly). */
export function changedReadOnly(before: Dict, after: Dict): string | null {
  for (const key of ['id', 'meta', 'groups']) {
    if (JSON.stringify(attr(before, key) ?? null) !== JSON.stringify(attr(after, key) ?? null)) return key;
  }
  return null;
}

/** Attributes always returned whatever the request asks (RFC 7643 §7: returned "always"). */
const ALWAYS = new Set(['id', 'schemas']);

function parseList(v: string | undefined): string[] {
  return (v ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0)
    .map((s) => (s.startsWith(`${SCIM_USER_SCHEMA.toLowerCase()}:`) ? s.slice(SCIM_USER_SCHEMA.length + 1) : s))
    .map((s) => (s.startsWith(`${SCIM_GROUP_SCHEMA.toLowerCase()}:`) ? s.slice(SCIM_GROUP_SCHEMA.length + 1) : s));
}

/**
 * `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5): top-level names and one level of
 * sub-attributes (`name.givenName`), case-insensitive. `id` and `schemas` are always returned.
 */
export function projectResource<T extends object>(resource: T, q: { attributes?: string; excludedAttributes?: string }): Partial<T> {
  const include = parseList(q.attributes);
  const exclude = parseList(q.excludedAttributes);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) {
    const k = key.toLowerCase();
    if (ALWAYS.has(k)) {
      out[key] = value;
      continue;
    }
    if (include.length > 0) {
      if (include.includes(k)) out[key] = value;
      else {
        const subs = include.filter((a) => a.startsWith(`${k}.`)).map((a) => a.slice(k.length + 1));
        if (subs.length > 0 && isDict(value))
          out[key] = Object.fromEntries(Object.entries(value).filter(([s]) => subs.includes(s.toLowerCase())));
      }
      continue;
    }
    if (exclude.includes(k)) continue;
    const subs = exclude.filter((a) => a.startsWith(`${k}.`)).map((a) => a.slice(k.length + 1));
    out[key] =
      subs.length > 0 && isDict(value) ? Object.fromEntries(Object.entries(value).filter(([s]) => !subs.includes(s.toLowerCase()))) : value;
  }
  return out as Partial<T>;
}
