import { Op, type Transaction } from 'sequelize';
import { apiKeyDisplayPrefix, checkApiKeyFormat, generateApiKey as mintApiKey } from '../domain/api-key';
import { fail, ok, type Failure, type Outcome, type Success } from '../domain/outcome';
import { canLogIn } from '../domain/status';
import { constantTimeEqual, sha256Hex } from '../domain/tokens';
import { ApiKey, Membership, Organization, User } from '../store/models';
import { organizationsIn } from '../store/organization-queries';
import { isFailure, loadAccess, mayOn, refusal, type Access } from './authz';
import { BY_ADMIN, enqueueNotices } from '../mail/notices';
import type { ApprovalKind } from '../domain/approvals';
import { approvalNeeded, type ApprovedBy } from './approval-gate';
import { writeAudit } from './audit';
import type { Actor, Ctx } from './context';
import { loadTarget, type Target } from './target';

/**
 * API keys: one per user per organization (DESIGN §2). The key is returned once by
 * `generateApiKey` and exists afterwards only as its SHA-256; audit rows carry the key's row id
 * and display prefix. A key acts as its user, inside its organization only, and only while that
 * user can log in and is still a member there.
 */

export interface OrganizationChoice {
  id: number;
  slug: string;
  name: string;
  /** Whether the user already has a key there (generating replaces it). */
  hasKey: boolean;
}

/** ORG was omitted and the user is in several organizations where the actor manages keys: ask. */
export interface ChooseOrganization {
  step: 'choose_organization';
  userId: number;
  username: string;
  organizations: OrganizationChoice[];
}

export interface IssuedApiKey {
  /** The secret. Shown once to the actor; never stored, logged, audited or mailed. */
  key: string;
  keyId: number;
  displayPrefix: string;
  userId: number;
  username: string;
  organization: { id: number; slug: string };
  /** An earlier key for the same user and organization stopped working. */
  replaced: boolean;
  /** False while the user is disabled, locked or waiting for a reset: the key is refused until that changes. */
  usableNow: boolean;
}

/**
 * APPROVAL_REQUIRED names this key (`api_key`, or `admin_target` for a privileged user): nothing was
 * made; the requester may ask for approval of a key for this user in this organization.
 */
export interface KeyNeedsApproval {
  step: 'approval_needed';
  userId: number;
  username: string;
  organization: { id: number; slug: string };
  because: ApprovalKind;
}

export type GenerateResult = { step: 'issued'; issued: IssuedApiKey } | ChooseOrganization | KeyNeedsApproval;

export type RevokeResult =
  | { step: 'revoked'; username: string; organization: { id: number; slug: string }; displayPrefix: string }
  | { step: 'no_key'; username: string; message: string }
  | ChooseOrganization;

export interface KeyInput {
  /** The user: username, email or id. */
  ref: string;
  /** Organization slug or id; omitted: the user's only organization where the actor manages keys. */
  organization?: string;
  /** Generating under an approval request (issue 19). */
  approved?: ApprovedBy | null;
}

async function findOrganization(ref: string, t?: Transaction): Promise<Organization | null> {
  const r = ref.trim().toLowerCase();
  if (/^\d{1,15}$/.test(r)) {
    const byId = await Organization.findByPk(Number(r), { transaction: t });
    if (byId) return byId;
  }
  return r.length > 0 && r.length <= 64 ? Organization.findOne({ where: { slug: r }, transaction: t }) : null;
}

/**
 * The organization a key is made or revoked in. Named: it must be one where the actor has a role
 * (otherwise it is "not found", so nothing leaks about other organizations), the user must be a
 * member, and the actor must manage keys there. Omitted: the candidates are the user's
 * organizations where the actor manages keys (for revoke, those holding a key); one is used, several
 * are offered as a choice.
 */
export async function keyOrganization(
  access: Access,
  target: Target,
  input: Pick<KeyInput, 'organization'>,
  purpose: 'generate' | 'revoke',
  t?: Transaction,
): Promise<Organization | OrganizationChoice[] | Failure> {
  const { user } = target;
  if (input.organization !== undefined) {
    const org = await findOrganization(input.organization, t);
    const visible = org !== null && (access.system || (access.roles.get(org.id) ?? []).length > 0);
    if (!org || !visible) return fail('not_found', `No organization “${input.organization.slice(0, 64)}” among yours.`);
    if (!target.orgIds.includes(org.id)) {
      return fail(
        'precondition_failed',
        `${user.username} is not a member of ${org.slug}; an API key works only in an organization its user belongs to.`,
      );
    }
    if (!mayOn(access, 'api_keys', [org.id])) return refusal('api_keys', `${user.username} in ${org.slug}`);
    return org;
  }
  const managed = target.orgIds.filter((o) => mayOn(access, 'api_keys', [o]));
  const keys = await ApiKey.findAll({ where: { userId: user.id, organizationId: { [Op.in]: managed } }, transaction: t });
  const withKey = new Set(keys.map((k) => k.organizationId));
  const candidates = purpose === 'revoke' ? managed.filter((o) => withKey.has(o)) : managed;
  const orgs = await organizationsIn(candidates, t);
  if (orgs.length === 1) return orgs[0];
  return orgs.map((o) => ({ id: o.id, slug: o.slug, name: o.name, hasKey: withKey.has(o.id) }));
}

function choose(target: Target, organizations: OrganizationChoice[]): ChooseOrganization {
  return { step: 'choose_organization', userId: target.user.id, username: target.user.username, organizations };
}

/**
 * One transaction around a key change: the actor's access, the user (row locked, so two admins
 * acting at once are serialized and the later one wins), and the organization or the choice.
 */
async function inKeyTransaction<T extends object>(
  ctx: Ctx,
  actor: Actor,
  input: KeyInput,
  purpose: 'generate' | 'revoke',
  then: (t: Transaction, target: Target, org: Organization | OrganizationChoice[]) => Promise<Outcome<T>>,
): Promise<Outcome<T>> {
  return ctx.db.tx((t) => inKeyStep(ctx, t, actor, input, purpose, then));
}

async function inKeyStep<T extends object>(
  ctx: Ctx,
  t: Transaction,
  actor: Actor,
  input: KeyInput,
  purpose: 'generate' | 'revoke',
  then: (t: Transaction, target: Target, org: Organization | OrganizationChoice[]) => Promise<Outcome<T>>,
): Promise<Outcome<T>> {
  const access = await loadAccess(ctx, actor, t);
  if (isFailure(access)) return access;
  const target = await loadTarget(access, input.ref, 'api_keys', t);
  if (isFailure(target)) return target;
  const org = await keyOrganization(access, target, input, purpose, t);
  if (isFailure(org)) return org;
  return then(t, target, org);
}

/**
 * Create the key of a user in an organization (permission `api_keys` there), replacing the earlier
 * one for that pair in the same transaction, so there is never a moment with two.
 */
export async function generateApiKey(ctx: Ctx, actor: Actor, input: KeyInput): Promise<Outcome<GenerateResult>> {
  return ctx.db.tx((t) => generateApiKeyIn(ctx, t, actor, input));
}

/**
 * generateApiKey inside the caller's transaction (an approved key is made in the transaction that
 * marks its approval used, so a refused key leaves the approval usable).
 */
export async function generateApiKeyIn(ctx: Ctx, t: Transaction, actor: Actor, input: KeyInput): Promise<Outcome<GenerateResult>> {
  return inKeyStep(ctx, t, actor, input, 'generate', async (t, target, org): Promise<Outcome<GenerateResult>> => {
    if (Array.isArray(org)) return org.length > 0 ? ok(choose(target, org)) : refusal('api_keys', target.user.username);
    const { user } = target;
    // APPROVAL_REQUIRED (issue 19): nothing is made; the adapter offers "Request approval" for this user and organization.
    const because =
      input.approved || actor.kind === 'system' ? null : approvalNeeded(ctx, { kind: 'single', action: 'api_key' }, [target.roles]);
    if (because)
      return ok({
        step: 'approval_needed' as const,
        userId: user.id,
        username: user.username,
        organization: { id: org.id, slug: org.slug },
        because,
      });
    const previous = await ApiKey.findOne({ where: { userId: user.id, organizationId: org.id }, transaction: t });
    if (previous) await previous.destroy({ transaction: t });
    const key = mintApiKey();
    const row = await ApiKey.create(
      { userId: user.id, organizationId: org.id, keyHash: sha256Hex(key), displayPrefix: apiKeyDisplayPrefix(key), lastUsedAt: null },
      { transaction: t },
    );
    await writeAudit(ctx, t, actor, {
      action: 'api_key_generate',
      target: user,
      organizationId: org.id,
      details: {
        keyId: row.id,
        displayPrefix: row.displayPrefix,
        organization: org.slug,
        ...(input.approved ? { approvalId: input.approved.approvalId } : {}),
        ...(previous ? { replacedKeyId: previous.id, replacedDisplayPrefix: previous.displayPrefix } : {}),
      },
    });
    // The owner learns that a key acting as them exists (never the key).
    await enqueueNotices(ctx, t, [
      {
        kind: 'api_key_created',
        user,
        facts: { at: ctx.now().toISOString(), by: BY_ADMIN, organization: org.slug, replaced: previous !== null },
        notifySlackUser: actor.kind === 'user' ? (actor.slackUserId ?? null) : null,
      },
    ]);
    return ok({
      step: 'issued' as const,
      issued: {
        key,
        keyId: row.id,
        displayPrefix: row.displayPrefix,
        userId: user.id,
        username: user.username,
        organization: { id: org.id, slug: org.slug },
        replaced: previous !== null,
        usableNow: canLogIn(user),
      },
    });
  });
}

/** Remove the key of a user in an organization (permission `api_keys` there). It stops working at once. */
export async function revokeApiKey(ctx: Ctx, actor: Actor, input: KeyInput): Promise<Outcome<RevokeResult>> {
  return inKeyTransaction(ctx, actor, input, 'revoke', async (t, target, org): Promise<Outcome<RevokeResult>> => {
    const { user } = target;
    if (Array.isArray(org)) {
      if (org.length > 0) return ok(choose(target, org));
      return ok({
        step: 'no_key' as const,
        username: user.username,
        message: `${user.username} has no API key in the organizations where you manage keys.`,
      });
    }
    const row = await ApiKey.findOne({ where: { userId: user.id, organizationId: org.id }, transaction: t });
    if (!row) return ok({ step: 'no_key' as const, username: user.username, message: `${user.username} has no API key in ${org.slug}.` });
    await row.destroy({ transaction: t });
    await writeAudit(ctx, t, actor, {
      action: 'api_key_revoke',
      target: user,
      organizationId: org.id,
      details: { keyId: row.id, displayPrefix: row.displayPrefix, organization: org.slug },
    });
    return ok({
      step: 'revoked' as const,
      username: user.username,
      organization: { id: org.id, slug: org.slug },
      displayPrefix: row.displayPrefix,
    });
  });
}

export type ApiKeyRefusal = 'malformed' | 'bad_checksum' | 'unknown' | 'user_cannot_log_in' | 'not_member';

export interface ApiKeyIdentity {
  actor: Extract<Actor, { kind: 'user' }> & { organizationId: number };
  keyId: number;
}

export type ApiKeyAuthentication = Success<ApiKeyIdentity> | (Failure & { reason: ApiKeyRefusal });

function refused(reason: ApiKeyRefusal, message: string): Failure & { reason: ApiKeyRefusal } {
  return { ...fail('not_authenticated', message), reason };
}

/** lastUsedAt is a hint for admins, not an access log: written at most once a minute per key. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Who a presented key acts as. The format and checksum are checked first, so a typo or garbage
 * never reaches the database. Then the key is found by its SHA-256, and its user must still be able
 * to log in and still be a member of the key's organization (a membership created after the key —
 * removed and added back — does not revive it). Checked on every request: a disable takes effect
 * at once.
 */
export async function authenticateApiKey(ctx: Ctx, key: string): Promise<ApiKeyAuthentication> {
  const format = checkApiKeyFormat(key);
  if (format === 'malformed')
    return refused('malformed', 'The API key is not in the userops format (uok_ followed by 49 letters and digits).');
  if (format === 'bad_checksum') return refused('bad_checksum', 'The API key has a typo: its checksum does not match. Copy it again.');
  const hash = sha256Hex(key);
  const row = await ApiKey.findOne({ where: { keyHash: hash } });
  // The index lookup itself is not constant-time, but it compares digests of 256-bit random keys, which
  // teaches a timing attacker nothing; the explicit comparison guards against a loosely matching collation.
  if (!row || !constantTimeEqual(row.keyHash, hash)) {
    return refused('unknown', 'The API key is not valid: it was revoked, replaced by a newer key, or never existed.');
  }
  const [user, membership] = await Promise.all([
    User.findByPk(row.userId),
    Membership.findOne({ where: { userId: row.userId, organizationId: row.organizationId } }),
  ]);
  if (!user) return refused('unknown', 'The API key is not valid: it was revoked, replaced by a newer key, or never existed.');
  if (!canLogIn(user)) {
    return refused(
      'user_cannot_log_in',
      'The user of this API key is disabled, locked or waiting for a password reset, so the key is refused.',
    );
  }
  if (!membership || membership.createdAt.getTime() > row.createdAt.getTime()) {
    return refused('not_member', 'The user of this API key is no longer a member of the organization the key was made for.');
  }
  await recordUse(ctx, row);
  return ok({
    actor: {
      kind: 'user',
      userId: user.id,
      via: 'api',
      organizationId: row.organizationId,
      label: `${user.username} (api key #${row.id})`,
    },
    keyId: row.id,
  });
}

async function recordUse(ctx: Ctx, row: ApiKey): Promise<void> {
  const now = ctx.now();
  const stale = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  if (row.lastUsedAt && row.lastUsedAt > stale) return;
  try {
    // Conditional, so several instances seeing the same stale value write once between them.
    await ctx.db.tx((t) =>
      ApiKey.update(
        { lastUsedAt: now },
        { where: { id: row.id, [Op.or]: [{ lastUsedAt: null }, { lastUsedAt: { [Op.lt]: stale } }] }, transaction: t },
      ),
    );
  } catch (err) {
    // A request is not refused because a usage hint could not be written.
    ctx.logger.warn('could not record API key use', { keyId: row.id, error: err instanceof Error ? err.message : String(err) });
  }
}
