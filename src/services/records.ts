import { UniqueConstraintError } from 'sequelize';
import { fail, ok, type Failure, type Outcome } from '../domain/outcome';
import { PERMISSION_LABELS } from '../domain/permissions';
import { RecordAssignment, User } from '../store/models';
import { isFailure, loadAccess, mayOn, type Access } from './authz';
import { writeAudit } from './audit';
import type { Actor, Ctx } from './context';
import { loadVisible } from './target';

/**
 * Record registration: integrations say which records (entity type + id) a user owns, so the
 * delete guard can refuse to delete an owner. A record lives in one organization; registering and
 * unregistering need `reassign_records` there (administrators, DESIGN §2) — the same permission
 * that moves records between users, since both decide who owns what. The owner must be a member
 * of that organization.
 */

export const ENTITY_PATTERN = /^[a-z][a-z0-9_.-]{0,99}$/;
export const ENTITY_ID_PATTERN = /^[^\u0000-\u001f\u007f]{1,200}$/;

export interface RecordKey {
  entity: string;
  entityId: string;
  /** Required for actors not bound to one organization; an API key's actor uses its own. */
  organizationId?: number;
}

export interface RegisteredRecord {
  entity: string;
  id: string;
  owner: { id: number; username: string };
  createdAt: Date;
  updatedAt: Date;
}

/** Entity names are case-insensitive (stored lower-case); ids are kept exactly as given. */
export function normalizeEntity(entity: string): string {
  return entity.trim().toLowerCase();
}

function checkKey(input: RecordKey): { entity: string; entityId: string } | Failure {
  const entity = normalizeEntity(input.entity);
  if (!ENTITY_PATTERN.test(entity)) {
    return fail(
      'invalid_input',
      'The entity must start with a letter and use only letters, digits, “_”, “.” and “-” (at most 100 characters).',
      { entity: 'invalid' },
    );
  }
  if (!ENTITY_ID_PATTERN.test(input.entityId)) {
    return fail('invalid_input', 'The record id must be 1 to 200 characters without control characters.', { id: 'invalid' });
  }
  return { entity, entityId: input.entityId };
}

/** The organization a record call acts in, and whether the actor may manage records there. */
function recordOrganization(access: Access, actor: Actor, requested: number | undefined): number | Failure {
  const bound = actor.kind === 'user' ? actor.organizationId : undefined;
  if (bound !== undefined && requested !== undefined && requested !== bound) {
    return fail('forbidden', 'An API key acts only in the organization it was made for.');
  }
  const orgId = bound ?? requested;
  if (orgId === undefined) return fail('invalid_input', 'Name the organization the record belongs to.');
  if (!mayOn(access, 'reassign_records', [orgId])) {
    return fail('forbidden', `You do not have permission to ${PERMISSION_LABELS.reassign_records} in this organization.`);
  }
  return orgId;
}

function shape(row: RecordAssignment, owner: Pick<User, 'id' | 'username'>): RegisteredRecord {
  return {
    entity: row.entity,
    id: row.entityId,
    owner: { id: owner.id, username: owner.username },
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/**
 * Say that `owner` owns the record (idempotent): created, moved from its previous owner, or
 * unchanged. An unchanged registration writes nothing, so integrations can re-sync freely.
 */
export async function registerRecord(
  ctx: Ctx,
  actor: Actor,
  input: RecordKey & { owner: string },
): Promise<Outcome<{ record: RegisteredRecord; created: boolean; changed: boolean }>> {
  const key = checkKey(input);
  if (isFailure(key)) return key;
  const attempt = () =>
    ctx.db.tx(async (t): Promise<Outcome<{ record: RegisteredRecord; created: boolean; changed: boolean }>> => {
      const access = await loadAccess(ctx, actor, t);
      if (isFailure(access)) return access;
      const orgId = recordOrganization(access, actor, input.organizationId);
      if (isFailure(orgId)) return orgId;
      const owner = await loadVisible(access, input.owner, t);
      if (isFailure(owner)) return owner;
      if (!owner.orgIds.includes(orgId)) {
        return fail('precondition_failed', `${owner.user.username} is not a member of this organization, so they cannot own its records.`);
      }
      const where = { organizationId: orgId, entity: key.entity, entityId: key.entityId };
      const existing = await RecordAssignment.findOne({ where, transaction: t, lock: t.LOCK.UPDATE });
      if (existing && existing.userId === owner.user.id) return ok({ record: shape(existing, owner.user), created: false, changed: false });
      const previousOwnerId = existing?.userId ?? null;
      let row: RecordAssignment;
      if (existing) {
        existing.userId = owner.user.id;
        row = await existing.save({ transaction: t });
      } else {
        row = await RecordAssignment.create({ ...where, userId: owner.user.id }, { transaction: t });
      }
      await writeAudit(ctx, t, actor, {
        action: 'record_register',
        target: owner.user,
        organizationId: orgId,
        details: { entity: key.entity, entityId: key.entityId, ...(previousOwnerId !== null ? { previousOwnerId } : {}) },
      });
      return ok({ record: shape(row, owner.user), created: !existing, changed: true });
    });
  try {
    return await attempt();
  } catch (err) {
    // Two first registrations of one record raced (PostgreSQL); the second run finds the row and updates it.
    if (err instanceof UniqueConstraintError) return attempt();
    throw err;
  }
}

/** Forget a registration; its owner may then be deleted if they own nothing else. */
export async function unregisterRecord(ctx: Ctx, actor: Actor, input: RecordKey): Promise<Outcome<{ record: RegisteredRecord }>> {
  const key = checkKey(input);
  if (isFailure(key)) return key;
  return ctx.db.tx(async (t): Promise<Outcome<{ record: RegisteredRecord }>> => {
    const access = await loadAccess(ctx, actor, t);
    if (isFailure(access)) return access;
    const orgId = recordOrganization(access, actor, input.organizationId);
    if (isFailure(orgId)) return orgId;
    const row = await RecordAssignment.findOne({
      where: { organizationId: orgId, entity: key.entity, entityId: key.entityId },
      transaction: t,
      lock: t.LOCK.UPDATE,
    });
    if (!row) return fail('not_found', `No ${key.entity} record “${key.entityId.slice(0, 60)}” is registered in this organization.`);
    const owner = await User.findByPk(row.userId, { transaction: t });
    const record = shape(row, owner ?? { id: row.userId, username: '?' });
    await row.destroy({ transaction: t });
    await writeAudit(ctx, t, actor, {
      action: 'record_unregister',
      target: owner,
      organizationId: orgId,
      details: { entity: key.entity, entityId: key.entityId },
    });
    return ok({ record });
  });
}
