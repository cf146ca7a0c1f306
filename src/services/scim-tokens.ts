import { fail, ok, type Failure, type Outcome, type Success } from '../domain/outcome';
import { SCIM_TOKEN_PATTERN, generateScimToken, scimTokenDisplayPrefix } from '../domain/scim';
import { constantTimeEqual, sha256Hex } from '../domain/tokens';
import { Organization } from '../store/models';
import { insertScimToken, scimTokenByHash, scimTokenById, scimTokensOf, touchScimToken } from '../store/scim-queries';
import { isFailure, loadAccess, type Access } from './authz';
import { writeAudit } from './audit';
import type { Actor, Ctx } from './context';
import { ORG_SLUG_PATTERN } from './memberships';

/**
 * SCIM tokens (issue 17): one organization's credential for its identity provider. Like API keys,
 * the token is returned once by `createScimToken` and kept only as its SHA-256; it carries a
 * recognisable prefix (`uoscim_`). Operators manage them from the CLI (system actor), an
 * administrator of the organization from Slack. A token acts as an administrator of its
 * organization only, and is refused at once when revoked.
 */

export interface ScimTokenInfo {
  id: number;
  name: string;
  displayPrefix: string;
  organization: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const NAME_PATTERN = /^[\p{L}\p{N} ._()-]{1,100}$/u;

function administers(access: Access, orgId: number): boolean {
  return access.system || (access.roles.get(orgId) ?? []).includes('administrator');
}

/** The organization by slug, if the actor administers it; the same answer whether it exists or not. */
async function administeredOrg(access: Access, slug: string): Promise<Organization | Failure> {
  const s = slug.trim().toLowerCase();
  const org = ORG_SLUG_PATTERN.test(s) ? await Organization.findOne({ where: { slug: s } }) : null;
  if (!org || !administers(access, org.id)) return fail('not_found', `No organization “${slug.slice(0, 64)}” that you administer.`);
  return org;
}

export async function createScimToken(
  ctx: Ctx,
  actor: Actor,
  input: { org: string; name?: string },
): Promise<Outcome<{ token: string; info: ScimTokenInfo }>> {
  const name = (input.name ?? '').trim() || 'identity provider';
  if (!NAME_PATTERN.test(name))
    return fail('invalid_input', 'The token name must be 1–100 letters, digits, spaces, dots, dashes, underscores or parentheses.');
  const access = await loadAccess(ctx, actor);
  if (isFailure(access)) return access;
  if (actor.kind === 'scim') return fail('forbidden', 'A SCIM token cannot make SCIM tokens.');
  const org = await administeredOrg(access, input.org);
  if (isFailure(org)) return org;
  const token = generateScimToken();
  const row = await ctx.db.tx(async (t) => {
    const created = await insertScimToken(
      { organizationId: org.id, name, tokenHash: sha256Hex(token), displayPrefix: scimTokenDisplayPrefix(token), createdAt: ctx.now() },
      t,
    );
    await writeAudit(ctx, t, actor, {
      action: 'scim_token_create',
      organizationId: org.id,
      details: { tokenId: created.id, name, displayPrefix: created.displayPrefix, organization: org.slug },
    });
    return created;
  });
  return ok({
    token,
    info: {
      id: row.id,
      name,
      displayPrefix: row.displayPrefix,
      organization: org.slug,
      createdAt: row.createdAt,
      lastUsedAt: null,
      revokedAt: null,
    },
  });
}

/** Tokens of one organization (or, for the system actor without `org`, of all). */
export async function listScimTokens(ctx: Ctx, actor: Actor, input: { org?: string }): Promise<Outcome<{ tokens: ScimTokenInfo[] }>> {
  const access = await loadAccess(ctx, actor);
  if (isFailure(access)) return access;
  let orgIds: number[] | null;
  if (input.org !== undefined) {
    const org = await administeredOrg(access, input.org);
    if (isFailure(org)) return org;
    orgIds = [org.id];
  } else {
    orgIds = access.system ? null : [...access.roles.entries()].filter(([, r]) => r.includes('administrator')).map(([o]) => o);
  }
  const rows = await scimTokensOf(orgIds);
  const slugs = new Map(
    (await Organization.findAll({ where: { id: [...new Set(rows.map((r) => r.organizationId))] } })).map((o) => [o.id, o.slug]),
  );
  return ok({
    tokens: rows.map((r) => ({
      id: r.id,
      name: r.name,
      displayPrefix: r.displayPrefix,
      organization: slugs.get(r.organizationId) ?? String(r.organizationId),
      createdAt: r.createdAt,
      lastUsedAt: r.lastUsedAt,
      revokedAt: r.revokedAt,
    })),
  });
}

export async function revokeScimToken(ctx: Ctx, actor: Actor, input: { id: string }): Promise<Outcome<{ message: string }>> {
  const id = /^\d{1,9}$/.test(input.id.trim()) ? Number(input.id.trim()) : null;
  if (id === null) return fail('invalid_input', `“${input.id.slice(0, 20)}” is not a token id; see the list for ids.`);
  return ctx.db.tx(async (t) => {
    const access = await loadAccess(ctx, actor, t);
    if (isFailure(access)) return access;
    const row = await scimTokenById(id, t, true);
    // A token of an organization the actor does not administer reads exactly like a missing one.
    if (!row || !administers(access, row.organizationId)) return fail('not_found', `No SCIM token #${id} among yours.`);
    if (row.revokedAt) return ok({ message: `SCIM token #${id} (${row.name}) was already revoked.` });
    row.revokedAt = ctx.now();
    await row.save({ transaction: t });
    await writeAudit(ctx, t, actor, {
      action: 'scim_token_revoke',
      organizationId: row.organizationId,
      details: { tokenId: row.id, name: row.name, displayPrefix: row.displayPrefix },
    });
    return ok({ message: `SCIM token #${id} (${row.name}) revoked; it stops working at once.` });
  });
}

export type ScimAuthentication = Success<{ actor: Extract<Actor, { kind: 'scim' }> }> | Failure;

const LAST_USED_RESOLUTION_MS = 60_000;

/** Who a presented bearer token acts as; format first, so garbage never reaches the database. */
export async function authenticateScimToken(ctx: Ctx, token: string): Promise<ScimAuthentication> {
  if (!SCIM_TOKEN_PATTERN.test(token)) return fail('not_authenticated', 'The bearer token is not a userops SCIM token (uoscim_…).');
  const hash = sha256Hex(token);
  const row = await scimTokenByHash(hash);
  if (!row || !constantTimeEqual(row.tokenHash, hash) || row.revokedAt !== null) {
    return fail('not_authenticated', 'The SCIM token is not valid: it was revoked or never existed.');
  }
  if (!row.lastUsedAt || row.lastUsedAt.getTime() < ctx.now().getTime() - LAST_USED_RESOLUTION_MS) {
    try {
      await ctx.db.tx((t) => touchScimToken(row.id, ctx.now(), LAST_USED_RESOLUTION_MS, t));
    } catch (err) {
      ctx.logger.warn('could not record SCIM token use', { tokenId: row.id, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return ok({
    actor: { kind: 'scim', tokenId: row.id, organizationId: row.organizationId, label: `scim: ${row.name} (token #${row.id})` },
  });
}
