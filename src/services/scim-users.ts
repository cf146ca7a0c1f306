import type { Transaction } from 'sequelize';
import { fail, ok, type Failure, type Outcome } from '../domain/outcome';
import { passwordProblem } from '../domain/password-policy';
import { changedReadOnly, readScimUser, toScimUser, type ScimUserFields, type ScimUserResource } from '../domain/scim';
import { parseUserFilter } from '../domain/scim-filter';
import { Membership, User } from '../store/models';
import { membershipsIn, scimUserPage, userByUsernameOrEmail } from '../store/scim-queries';
import { setUsersEnabled } from './account-status';
import { accountRefusal, decide, isFailure, loadAccess, type Access } from './authz';
import { writeAudit } from './audit';
import type { Actor, Ctx } from './context';
import { deleteUser } from './delete-user';
import { otherAdministrators } from './memberships';
import { hashPassword } from './password-hashing';
import { resetBatch, resetPasswords } from './passwords';
import { applyPatch, readPatchBody, scimFail, type ScimFailure } from './scim-common';
import { loadVisible } from './target';
import { normalizeEmail } from './user-refs';

/**
 * SCIM Users (issue 17) as use cases over the directory's own rules: a token is an administrator
 * of its organization and nothing more, so every account change goes through the same checks
 * (`loadTarget`/`decide`: every organization of the user, never upward), services and audit as
 * Slack. Mapping lives in src/domain/scim.ts, filter compilation in src/store/scim-queries.ts.
 */

export type ScimActor = Extract<Actor, { kind: 'scim' }>;
export type ScimOutcome<T extends object> = Outcome<T> | ScimFailure;

export const MAX_COUNT = 1000;
export const DEFAULT_COUNT = 100;

export function scimBaseUrl(ctx: Ctx): string {
  return `${ctx.config.PUBLIC_URL}/scim/v2`;
}

function notFound(id: string): ScimFailure {
  return { ...fail('not_found', `Resource ${id.slice(0, 40)} not found.`) };
}

function resourceOf(ctx: Ctx, u: User, m: Membership | undefined | null): ScimUserResource {
  return toScimUser(
    {
      id: u.id,
      username: u.username,
      email: u.email,
      firstName: u.firstName,
      lastName: u.lastName,
      phone: u.phone,
      title: u.title,
      enabled: u.enabled,
      externalId: m?.externalId ?? null,
      createdAt: u.createdAt,
      updatedAt: u.updatedAt,
    },
    scimBaseUrl(ctx),
  );
}

function fieldsOf(u: User, m: Membership): ScimUserFields {
  return {
    username: u.username,
    email: u.email,
    firstName: u.firstName,
    lastName: u.lastName,
    phone: u.phone,
    title: u.title,
    enabled: u.enabled,
    externalId: m.externalId,
  };
}

interface Member {
  access: Access;
  user: User;
  membership: Membership;
  orgIds: number[];
  roles: Access['roles'];
}

/** A member of the token's organization by SCIM id; anyone else is "not found", word for word. */
async function loadMember(ctx: Ctx, actor: ScimActor, id: string, t?: Transaction): Promise<Member | Failure> {
  const access = await loadAccess(ctx, actor, t);
  if (isFailure(access)) return access;
  if (!/^\d{1,15}$/.test(id)) return notFound(id);
  const target = await loadVisible(access, id, t);
  if (isFailure(target)) return notFound(id);
  const membership = (await membershipsIn(actor.organizationId, [target.user.id], t)).get(target.user.id);
  if (!membership) return notFound(id);
  return { access, user: target.user, membership, orgIds: target.orgIds, roles: target.roles };
}

export async function getScimUser(ctx: Ctx, actor: ScimActor, id: string): Promise<ScimOutcome<{ resource: ScimUserResource }>> {
  const m = await loadMember(ctx, actor, id);
  if (isFailure(m)) return m;
  return ok({ resource: resourceOf(ctx, m.user, m.membership) });
}

export async function listScimUsers(
  ctx: Ctx,
  actor: ScimActor,
  q: { filter?: string; startIndex: number; count: number },
): Promise<ScimOutcome<{ total: number; startIndex: number; resources: ScimUserResource[] }>> {
  const access = await loadAccess(ctx, actor);
  if (isFailure(access)) return access;
  let filter = null;
  if (q.filter !== undefined && q.filter.trim().length > 0) {
    const parsed = parseUserFilter(q.filter);
    if (!parsed.ok) return scimFail('invalid_input', 'invalidFilter', parsed.detail);
    filter = parsed.filter;
  }
  const startIndex = Math.max(1, q.startIndex);
  const count = Math.min(MAX_COUNT, Math.max(0, q.count));
  const page = await scimUserPage(ctx.db, actor.organizationId, filter, { offset: startIndex - 1, limit: count });
  const externals = await membershipsIn(
    actor.organizationId,
    page.rows.map((u) => u.id),
  );
  return ok({ total: page.total, startIndex, resources: page.rows.map((u) => resourceOf(ctx, u, externals.get(u.id))) });
}

/** username / email taken by somebody else: 409 uniqueness, never saying who or where. */
async function uniqueness(fields: ScimUserFields, exceptId: number | null, t: Transaction): Promise<ScimFailure | null> {
  const taken = (await userByUsernameOrEmail(fields.username, normalizeEmail(fields.email), t)).filter((u) => u.id !== exceptId);
  if (taken.some((u) => u.username === fields.username))
    return scimFail('conflict', 'uniqueness', `userName “${fields.username.slice(0, 80)}” is already taken.`);
  if (taken.length > 0)
    return scimFail('conflict', 'uniqueness', `The email address ${fields.email.slice(0, 80)} already belongs to another user.`);
  return null;
}

const WELCOME_REASON = 'Your account was created by your organization’s identity provider; choose a password to sign in.';

export async function createScimUser(ctx: Ctx, actor: ScimActor, body: unknown): Promise<ScimOutcome<{ resource: ScimUserResource }>> {
  const read = readScimUser(body, { defaultEnabled: true });
  if (!read.ok) return scimFail('invalid_input', read.scimType, read.detail);
  const { fields, password } = read;
  let hash: string | null = null;
  if (password !== null) {
    const problem = passwordProblem(password, { ...fields, minLength: ctx.config.PASSWORD_MIN_LENGTH });
    if (problem) return scimFail('invalid_input', 'invalidValue', `password rejected: ${problem}`);
    const hashed = await hashPassword(ctx, password);
    if (!hashed.ok) return hashed;
    hash = hashed.hash;
  }
  return ctx.db.tx(async (t): Promise<ScimOutcome<{ resource: ScimUserResource }>> => {
    const access = await loadAccess(ctx, actor, t);
    if (isFailure(access)) return access;
    const taken = await uniqueness(fields, null, t);
    if (taken) return taken;
    const now = ctx.now();
    const user = await User.create(
      {
        username: fields.username,
        email: fields.email,
        emailNormalized: normalizeEmail(fields.email),
        firstName: fields.firstName,
        lastName: fields.lastName,
        phone: fields.phone,
        title: fields.title,
        enabled: fields.enabled,
        authStatus: hash ? 'active' : 'password_reset',
        passwordHash: hash,
        passwordChangedAt: hash ? now : null,
      },
      { transaction: t },
    );
    const membership = await Membership.create(
      { userId: user.id, organizationId: actor.organizationId, roles: '', externalId: fields.externalId },
      { transaction: t },
    );
    await writeAudit(ctx, t, actor, {
      action: 'scim_create',
      target: user,
      organizationId: actor.organizationId,
      details: { via: 'scim', externalId: fields.externalId, passwordSet: hash !== null },
    });
    // Without a password the person gets a set-password link (the admin reset machinery, in this
    // transaction); a user created inactive gets it when first activated.
    if (!hash && fields.enabled) await resetBatch(ctx, t, actor, access, [user], { skipSelf: false, reason: WELCOME_REASON });
    await user.reload({ transaction: t });
    return ok({ resource: resourceOf(ctx, user, membership) });
  });
}

const IDENTITY: Array<keyof ScimUserFields> = ['username', 'email', 'firstName', 'lastName', 'phone', 'title'];

/**
 * Bring a member to `next`: identity and externalId in one transaction (the import's rule: changing
 * someone's identity needs `change_password` on their account), then `active` through the same
 * enable/disable service as Slack. Every check runs before the first write.
 */
async function applyFields(
  ctx: Ctx,
  actor: ScimActor,
  id: string,
  next: ScimUserFields,
  password: string | null,
): Promise<ScimOutcome<{ resource: ScimUserResource }>> {
  if (password !== null)
    return scimFail(
      'invalid_input',
      'mutability',
      'Passwords cannot be changed over SCIM (changePassword is not supported); send a reset from Slack.',
    );
  const step = await ctx.db.tx(async (t): Promise<ScimOutcome<{ enabledChange: boolean; hadPassword: boolean }>> => {
    const m = await loadMember(ctx, actor, id, t);
    if (isFailure(m)) return m;
    const before = fieldsOf(m.user, m.membership);
    const identity = IDENTITY.filter((k) => before[k] !== next[k]);
    if (identity.length > 0) {
      const decision = decide(m.access, m.roles, 'change_password');
      if (!decision.allowed) return accountRefusal(decision, m.user.username);
      const taken = await uniqueness(next, m.user.id, t);
      if (taken) return taken;
    }
    const enabledChange = before.enabled !== next.enabled;
    if (enabledChange) {
      const decision = decide(m.access, m.roles, 'enable_disable');
      if (!decision.allowed) return accountRefusal(decision, m.user.username);
    }
    if (identity.length > 0) {
      Object.assign(m.user, {
        username: next.username,
        email: next.email,
        emailNormalized: normalizeEmail(next.email),
        firstName: next.firstName,
        lastName: next.lastName,
        phone: next.phone,
        title: next.title,
      });
      await m.user.save({ transaction: t });
    }
    if (before.externalId !== next.externalId) {
      m.membership.externalId = next.externalId;
      await m.membership.save({ transaction: t });
    }
    if (identity.length > 0 || before.externalId !== next.externalId) {
      await writeAudit(ctx, t, actor, {
        action: 'scim_update',
        target: m.user,
        organizationId: actor.organizationId,
        details: { via: 'scim', changed: [...identity, ...(before.externalId !== next.externalId ? ['externalId'] : [])] },
      });
    }
    return ok({ enabledChange, hadPassword: m.user.passwordHash !== null });
  });
  if (!step.ok) return step;
  if (step.enabledChange) {
    const r = await setUsersEnabled(ctx, actor, { refs: [id], enabled: next.enabled });
    if (!r.ok) return r;
    const line = r.results[0];
    if (line.status === 'not_found') return notFound(id);
    if (line.status === 'refused') return fail('forbidden', line.message);
    if (next.enabled && !step.hadPassword) await resetPasswords(ctx, actor, { refs: [id], reason: WELCOME_REASON });
  }
  return getScimUser(ctx, actor, id);
}

export async function replaceScimUser(
  ctx: Ctx,
  actor: ScimActor,
  id: string,
  body: unknown,
): Promise<ScimOutcome<{ resource: ScimUserResource }>> {
  const current = await getScimUser(ctx, actor, id);
  if (!current.ok) return current;
  const read = readScimUser(body, { defaultEnabled: current.resource.active });
  if (!read.ok) return scimFail('invalid_input', read.scimType, read.detail);
  const sentId = (body as Record<string, unknown>).id;
  if (sentId !== undefined && String(sentId) !== current.resource.id)
    return scimFail('invalid_input', 'mutability', 'id cannot be changed.');
  return applyFields(ctx, actor, id, read.fields, read.password);
}

/** PATCH: the operations are applied to the SCIM representation by `scim-patch`, then the result is diffed into the services. */
export async function patchScimUser(
  ctx: Ctx,
  actor: ScimActor,
  id: string,
  body: unknown,
): Promise<ScimOutcome<{ resource: ScimUserResource }>> {
  const ops = readPatchBody(body);
  if (!Array.isArray(ops)) return ops;
  const current = await getScimUser(ctx, actor, id);
  if (!current.ok) return current;
  const patched = applyPatch(current.resource as unknown as Record<string, unknown>, ops);
  if (!patched.ok) return patched;
  const after = patched.after;
  const readOnly = changedReadOnly(current.resource as unknown as Record<string, unknown>, after);
  if (readOnly) return scimFail('invalid_input', 'mutability', `${readOnly} is read-only and cannot be changed.`);
  const read = readScimUser(after, { defaultEnabled: current.resource.active });
  if (!read.ok) return scimFail('invalid_input', read.scimType, read.detail);
  return applyFields(ctx, actor, id, read.fields, read.password);
}

/**
 * DELETE: a user who belongs to another organization too loses only this organization's membership
 * (never the account); otherwise the directory's delete rule applies (records assigned, last
 * administrator → 409 saying why).
 */
export async function deleteScimUser(ctx: Ctx, actor: ScimActor, id: string): Promise<ScimOutcome<{ deleted: 'user' | 'membership' }>> {
  const removed = await ctx.db.tx(async (t): Promise<ScimOutcome<{ removed: boolean }>> => {
    const m = await loadMember(ctx, actor, id, t);
    if (isFailure(m)) return m;
    if (m.orgIds.length <= 1) return ok({ removed: false });
    const roles = (m.roles.get(actor.organizationId) ?? []) as string[];
    if (roles.includes('administrator') && (await otherAdministrators(actor.organizationId, m.user.id, t)) === 0) {
      return fail(
        'last_administrator',
        `${m.user.username} is the last administrator of this organization; grant the role to someone else first.`,
      );
    }
    await m.membership.destroy({ transaction: t });
    await writeAudit(ctx, t, actor, {
      action: 'membership_removed',
      target: m.user,
      organizationId: actor.organizationId,
      details: { via: 'scim', roles },
    });
    return ok({ removed: true });
  });
  if (!removed.ok) return removed;
  if (removed.removed) return ok({ deleted: 'membership' as const });
  const r = await deleteUser(ctx, actor, { ref: id });
  if (!r.ok) return r.code === 'not_found' ? notFound(id) : r;
  return ok({ deleted: 'user' as const });
}
