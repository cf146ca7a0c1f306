/**
 * src/store: the only place that talks SQL (besides migrations/). What it holds:
 *   db.ts        opening, migrating and pinging the database; transactions and heavy reads
 *   models.ts    the Sequelize models over the tables of migrations/ (this file)
 *   notice-models.ts  the owner-notice outbox and password-expiry claims (migration 0008)
 *   *-queries.ts named queries, one file per subject: users and the organization scope
 *                (`usersInOrganizations`), organizations and memberships, lockouts, audit log,
 *                export pages, job and outbox claims, Slack deliveries
 *
 * Who may import what: services, jobs and mail import models and the named queries; adapters
 * (src/slack, src/http, src/cli, src/demo) import types from here and the database's lifecycle
 * (open, migrate, ping), and read and change the directory through services (the demo's seed and
 * feed, which stage and watch a throwaway database, are the exception). src/store imports
 * only sequelize, src/domain and src/lib, never a layer above it. A where clause beyond a lookup by
 * id or a plain column match (scopes, views, search, keysets, windows, leases) is written here,
 * behind a name, not in a caller.
 */
import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import type { AccountState, AuthStatus } from '../domain/status';
import { initNoticeModels } from './notice-models';
import { initApprovalModel } from './approval-model';

/** Sequelize models over the tables of migrations/. Migrations own the schema; `sync()` is never called. */

export class Organization extends Model<InferAttributes<Organization>, InferCreationAttributes<Organization>> {
  declare id: CreationOptional<number>;
  declare slug: string;
  declare name: string;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class User extends Model<InferAttributes<User>, InferCreationAttributes<User>> {
  declare id: CreationOptional<number>;
  declare username: string;
  declare email: string;
  declare emailNormalized: string;
  declare firstName: CreationOptional<string>;
  declare lastName: CreationOptional<string>;
  declare phone: CreationOptional<string | null>;
  declare title: CreationOptional<string | null>;
  declare searchText: CreationOptional<string>;
  declare enabled: CreationOptional<boolean>;
  declare authStatus: CreationOptional<AuthStatus>;
  declare failedLoginCount: CreationOptional<number>;
  declare lockedAt: CreationOptional<Date | null>;
  /** When a temporary lock ends by itself; null: a permanent lock, or none. */
  declare lockedUntil: CreationOptional<Date | null>;
  /** Locks in a row since the last successful login or Activate (the temporary-lock ladder). */
  declare consecutiveLocks: CreationOptional<number>;
  declare lastLoginAt: CreationOptional<Date | null>;
  declare passwordHash: CreationOptional<string | null>;
  declare passwordChangedAt: CreationOptional<Date | null>;
  /** The last "you cannot sign in right now" notice (at most one an hour). */
  declare signInNoticeAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

/**
 * The account state the domain rules take, as plain values: spreading a Sequelize instance
 * drops its attributes, so rules must never be handed the model itself.
 */
export function accountState(u: User): AccountState {
  return {
    enabled: u.enabled,
    authStatus: u.authStatus,
    failedLoginCount: u.failedLoginCount,
    lockedAt: u.lockedAt,
    lockedUntil: u.lockedUntil,
    consecutiveLocks: u.consecutiveLocks,
  };
}

export class Membership extends Model<InferAttributes<Membership>, InferCreationAttributes<Membership>> {
  declare id: CreationOptional<number>;
  declare userId: number;
  declare organizationId: number;
  /** Sorted, `;`-separated role names (the import format). */
  declare roles: string;
  /** The identity provider's SCIM externalId for this person in this organization (scoped to the IdP client). */
  declare externalId: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

/** An organization's SCIM bearer token (stored as SHA-256; shown once at creation). */
export class ScimToken extends Model<InferAttributes<ScimToken>, InferCreationAttributes<ScimToken>> {
  declare id: CreationOptional<number>;
  declare organizationId: number;
  declare name: string;
  declare tokenHash: string;
  declare displayPrefix: string;
  declare lastUsedAt: CreationOptional<Date | null>;
  declare revokedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
}

export class ApiKey extends Model<InferAttributes<ApiKey>, InferCreationAttributes<ApiKey>> {
  declare id: CreationOptional<number>;
  declare userId: number;
  declare organizationId: number;
  declare keyHash: string;
  declare displayPrefix: string;
  declare lastUsedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
}

export type ResetPurpose = 'admin' | 'self_service' | 'invite';

export class ResetToken extends Model<InferAttributes<ResetToken>, InferCreationAttributes<ResetToken>> {
  declare id: CreationOptional<number>;
  declare userId: number;
  declare tokenHash: string;
  /** `admin` (an administrator's reset), `self_service` (the person, through /password/forgot) or `invite` (an invitation's link). */
  declare purpose: CreationOptional<ResetPurpose>;
  declare expiresAt: Date;
  declare usedAt: CreationOptional<Date | null>;
  declare revokedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
}

export class Invitation extends Model<InferAttributes<Invitation>, InferCreationAttributes<Invitation>> {
  declare id: CreationOptional<number>;
  declare userId: number;
  declare organizationId: number;
  /** Roles given on acceptance (new accounts: already given), `;`-separated. */
  declare roles: string;
  /** The invitation created the account (else the email already belonged to one). */
  declare newAccount: boolean;
  /** The current link (a reset_tokens row of purpose `invite`). */
  declare tokenId: number | null;
  declare invitedByUserId: number | null;
  declare invitedByLabel: string;
  declare createdAt: Date;
  declare expiresAt: Date;
  declare acceptedAt: CreationOptional<Date | null>;
  declare revokedAt: CreationOptional<Date | null>;
}

export class RecordAssignment extends Model<InferAttributes<RecordAssignment>, InferCreationAttributes<RecordAssignment>> {
  declare id: CreationOptional<number>;
  declare organizationId: number;
  declare entity: string;
  declare entityId: string;
  declare userId: number;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class AuditEvent extends Model<InferAttributes<AuditEvent>, InferCreationAttributes<AuditEvent>> {
  declare id: CreationOptional<number>;
  declare at: Date;
  declare actorUserId: number | null;
  declare actorLabel: string;
  declare action: string;
  declare targetUserId: number | null;
  declare targetLabel: string | null;
  declare organizationId: number | null;
  declare outcome: string;
  declare reason: string | null;
  declare details: string | null;
  declare mirroredAt: CreationOptional<Date | null>;
}

export type JobStatus = 'draft' | 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export class Job extends Model<InferAttributes<Job>, InferCreationAttributes<Job>> {
  declare id: CreationOptional<number>;
  declare kind: string;
  declare status: JobStatus;
  declare actorUserId: number | null;
  declare actorLabel: string;
  declare payload: string;
  declare progress: CreationOptional<string | null>;
  declare result: CreationOptional<string | null>;
  declare error: CreationOptional<string | null>;
  declare leaseOwner: CreationOptional<string | null>;
  declare leaseUntil: CreationOptional<Date | null>;
  declare attempts: CreationOptional<number>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
  declare finishedAt: CreationOptional<Date | null>;
}

export class JobItem extends Model<InferAttributes<JobItem>, InferCreationAttributes<JobItem>> {
  declare id: CreationOptional<number>;
  declare jobId: number;
  declare userId: number;
  declare status: CreationOptional<'pending' | 'done' | 'skipped' | 'failed'>;
  declare detail: CreationOptional<string | null>;
}

export type MailStatus = 'pending' | 'sending' | 'sent' | 'failed';

export class MailMessage extends Model<InferAttributes<MailMessage>, InferCreationAttributes<MailMessage>> {
  declare id: CreationOptional<number>;
  declare messageId: string;
  declare kind: string;
  declare toAddress: string;
  declare subject: string;
  declare textBody: string;
  declare htmlBody: string | null;
  declare attachments: CreationOptional<string | null>;
  declare status: CreationOptional<MailStatus>;
  declare attempts: CreationOptional<number>;
  declare nextAttemptAt: Date;
  declare leaseUntil: CreationOptional<Date | null>;
  declare lastError: CreationOptional<string | null>;
  declare jobId: CreationOptional<number | null>;
  declare userId: CreationOptional<number | null>;
  /** The Slack user to tell if this mail finally fails (set when a Slack action queued it). */
  declare notifySlackUser: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;
  declare sentAt: CreationOptional<Date | null>;
}

export class LockoutEvent extends Model<InferAttributes<LockoutEvent>, InferCreationAttributes<LockoutEvent>> {
  declare id: CreationOptional<number>;
  declare userId: number;
  declare lockedAt: Date;
  declare failedCount: number;
  declare sourceIp: string | null;
  /** The digest slot that reported this lockout; null until one has. */
  declare digestSlot: CreationOptional<string | null>;
}

export class ExportField extends Model<InferAttributes<ExportField>, InferCreationAttributes<ExportField>> {
  declare field: string;
  declare enabled: boolean;
  declare updatedAt: CreationOptional<Date>;
}

export class JobSlot extends Model<InferAttributes<JobSlot>, InferCreationAttributes<JobSlot>> {
  declare id: CreationOptional<number>;
  declare name: string;
  declare slot: string;
  declare claimedBy: string;
  declare claimedAt: Date;
  declare finishedAt: CreationOptional<Date | null>;
}

export class SlackDelivery extends Model<InferAttributes<SlackDelivery>, InferCreationAttributes<SlackDelivery>> {
  declare key: string;
  declare createdAt: Date;
}

const base = { underscored: true } as const;

/** What `find` matches against: username, email and names, lower-cased. */
export function userSearchText(u: { username: string; email: string; firstName?: string | null; lastName?: string | null }): string {
  return [u.username, u.email, u.firstName ?? '', u.lastName ?? ''].join(' ').toLowerCase().slice(0, 700);
}

export function initModels(sequelize: Sequelize): void {
  const int = { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true };
  const date = DataTypes.DATE;
  Organization.init(
    {
      id: int,
      slug: { type: DataTypes.STRING, allowNull: false },
      name: { type: DataTypes.STRING, allowNull: false },
      createdAt: date,
      updatedAt: date,
    },
    { sequelize, tableName: 'organizations', ...base },
  );
  User.init(
    {
      id: int,
      username: { type: DataTypes.STRING, allowNull: false },
      email: { type: DataTypes.STRING, allowNull: false },
      emailNormalized: { type: DataTypes.STRING, allowNull: false },
      firstName: { type: DataTypes.STRING, allowNull: false, defaultValue: '' },
      lastName: { type: DataTypes.STRING, allowNull: false, defaultValue: '' },
      phone: { type: DataTypes.STRING, allowNull: true },
      title: { type: DataTypes.STRING, allowNull: true },
      searchText: { type: DataTypes.STRING, allowNull: false, defaultValue: '' },
      enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      authStatus: { type: DataTypes.STRING, allowNull: false, defaultValue: 'active' },
      failedLoginCount: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      lockedAt: { type: date, allowNull: true },
      lockedUntil: { type: date, allowNull: true },
      consecutiveLocks: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      lastLoginAt: { type: date, allowNull: true },
      passwordHash: { type: DataTypes.STRING, allowNull: true },
      passwordChangedAt: { type: date, allowNull: true },
      signInNoticeAt: { type: date, allowNull: true },
      createdAt: date,
      updatedAt: date,
    },
    {
      sequelize,
      tableName: 'users',
      ...base,
      hooks: {
        // Derived columns kept in step with what they derive from, whoever saves the row.
        beforeSave: (u: User) => {
          u.emailNormalized = u.email.trim().toLowerCase();
          u.searchText = userSearchText(u);
        },
      },
    },
  );
  Membership.init(
    {
      id: int,
      userId: { type: DataTypes.INTEGER, allowNull: false },
      organizationId: { type: DataTypes.INTEGER, allowNull: false },
      roles: { type: DataTypes.STRING, allowNull: false, defaultValue: '' },
      externalId: { type: DataTypes.STRING(255), allowNull: true },
      createdAt: date,
      updatedAt: date,
    },
    { sequelize, tableName: 'memberships', ...base },
  );
  ScimToken.init(
    {
      id: int,
      organizationId: { type: DataTypes.INTEGER, allowNull: false },
      name: { type: DataTypes.STRING(100), allowNull: false },
      tokenHash: { type: DataTypes.STRING, allowNull: false },
      displayPrefix: { type: DataTypes.STRING, allowNull: false },
      lastUsedAt: { type: date, allowNull: true },
      revokedAt: { type: date, allowNull: true },
      createdAt: date,
    },
    { sequelize, tableName: 'scim_tokens', ...base, updatedAt: false },
  );
  ApiKey.init(
    {
      id: int,
      userId: { type: DataTypes.INTEGER, allowNull: false },
      organizationId: { type: DataTypes.INTEGER, allowNull: false },
      keyHash: { type: DataTypes.STRING, allowNull: false },
      displayPrefix: { type: DataTypes.STRING, allowNull: false },
      lastUsedAt: { type: date, allowNull: true },
      createdAt: date,
    },
    { sequelize, tableName: 'api_keys', ...base, updatedAt: false },
  );
  ResetToken.init(
    {
      id: int,
      userId: { type: DataTypes.INTEGER, allowNull: false },
      tokenHash: { type: DataTypes.STRING, allowNull: false },
      purpose: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'admin' },
      expiresAt: { type: date, allowNull: false },
      usedAt: { type: date, allowNull: true },
      revokedAt: { type: date, allowNull: true },
      createdAt: date,
    },
    { sequelize, tableName: 'reset_tokens', ...base, updatedAt: false },
  );
  RecordAssignment.init(
    {
      id: int,
      organizationId: { type: DataTypes.INTEGER, allowNull: false },
      entity: { type: DataTypes.STRING, allowNull: false },
      entityId: { type: DataTypes.STRING, allowNull: false },
      userId: { type: DataTypes.INTEGER, allowNull: false },
      createdAt: date,
      updatedAt: date,
    },
    { sequelize, tableName: 'record_assignments', ...base },
  );
  AuditEvent.init(
    {
      id: int,
      at: { type: date, allowNull: false },
      actorUserId: { type: DataTypes.INTEGER, allowNull: true },
      actorLabel: { type: DataTypes.STRING, allowNull: false },
      action: { type: DataTypes.STRING, allowNull: false },
      targetUserId: { type: DataTypes.INTEGER, allowNull: true },
      targetLabel: { type: DataTypes.STRING, allowNull: true },
      organizationId: { type: DataTypes.INTEGER, allowNull: true },
      outcome: { type: DataTypes.STRING, allowNull: false },
      reason: { type: DataTypes.STRING, allowNull: true },
      details: { type: DataTypes.TEXT, allowNull: true },
      mirroredAt: { type: date, allowNull: true },
    },
    { sequelize, tableName: 'audit_events', ...base, timestamps: false },
  );
  Job.init(
    {
      id: int,
      kind: { type: DataTypes.STRING, allowNull: false },
      status: { type: DataTypes.STRING, allowNull: false },
      actorUserId: { type: DataTypes.INTEGER, allowNull: true },
      actorLabel: { type: DataTypes.STRING, allowNull: false },
      payload: { type: DataTypes.TEXT, allowNull: false },
      progress: { type: DataTypes.TEXT, allowNull: true },
      result: { type: DataTypes.TEXT, allowNull: true },
      error: { type: DataTypes.STRING, allowNull: true },
      leaseOwner: { type: DataTypes.STRING, allowNull: true },
      leaseUntil: { type: date, allowNull: true },
      attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      createdAt: date,
      updatedAt: date,
      finishedAt: { type: date, allowNull: true },
    },
    { sequelize, tableName: 'jobs', ...base },
  );
  JobItem.init(
    {
      id: int,
      jobId: { type: DataTypes.INTEGER, allowNull: false },
      userId: { type: DataTypes.INTEGER, allowNull: false },
      status: { type: DataTypes.STRING, allowNull: false, defaultValue: 'pending' },
      detail: { type: DataTypes.STRING, allowNull: true },
    },
    { sequelize, tableName: 'job_items', ...base, timestamps: false },
  );
  MailMessage.init(
    {
      id: int,
      messageId: { type: DataTypes.STRING, allowNull: false },
      kind: { type: DataTypes.STRING, allowNull: false },
      toAddress: { type: DataTypes.STRING, allowNull: false },
      subject: { type: DataTypes.STRING, allowNull: false },
      textBody: { type: DataTypes.TEXT, allowNull: false },
      htmlBody: { type: DataTypes.TEXT, allowNull: true },
      attachments: { type: DataTypes.TEXT, allowNull: true },
      status: { type: DataTypes.STRING, allowNull: false, defaultValue: 'pending' },
      attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      nextAttemptAt: { type: date, allowNull: false },
      leaseUntil: { type: date, allowNull: true },
      lastError: { type: DataTypes.STRING, allowNull: true },
      jobId: { type: DataTypes.INTEGER, allowNull: true },
      userId: { type: DataTypes.INTEGER, allowNull: true },
      notifySlackUser: { type: DataTypes.STRING, allowNull: true },
      createdAt: date,
      sentAt: { type: date, allowNull: true },
    },
    { sequelize, tableName: 'mail_outbox', ...base, updatedAt: false },
  );
  LockoutEvent.init(
    {
      id: int,
      userId: { type: DataTypes.INTEGER, allowNull: false },
      lockedAt: { type: date, allowNull: false },
      failedCount: { type: DataTypes.INTEGER, allowNull: false },
      sourceIp: { type: DataTypes.STRING, allowNull: true },
      digestSlot: { type: DataTypes.STRING(40), allowNull: true },
    },
    { sequelize, tableName: 'lockout_events', ...base, timestamps: false },
  );
  ExportField.init(
    {
      field: { type: DataTypes.STRING, primaryKey: true },
      enabled: { type: DataTypes.BOOLEAN, allowNull: false },
      updatedAt: date,
    },
    { sequelize, tableName: 'export_fields', ...base, createdAt: false },
  );
  JobSlot.init(
    {
      id: int,
      name: { type: DataTypes.STRING, allowNull: false },
      slot: { type: DataTypes.STRING, allowNull: false },
      claimedBy: { type: DataTypes.STRING, allowNull: false },
      claimedAt: { type: date, allowNull: false },
      finishedAt: { type: date, allowNull: true },
    },
    { sequelize, tableName: 'job_slots', ...base, timestamps: false },
  );
  Invitation.init(
    {
      id: int,
      userId: { type: DataTypes.INTEGER, allowNull: false },
      organizationId: { type: DataTypes.INTEGER, allowNull: false },
      roles: { type: DataTypes.STRING, allowNull: false, defaultValue: '' },
      newAccount: { type: DataTypes.BOOLEAN, allowNull: false },
      tokenId: { type: DataTypes.INTEGER, allowNull: true },
      invitedByUserId: { type: DataTypes.INTEGER, allowNull: true },
      invitedByLabel: { type: DataTypes.STRING, allowNull: false },
      createdAt: { type: date, allowNull: false },
      expiresAt: { type: date, allowNull: false },
      acceptedAt: { type: date, allowNull: true },
      revokedAt: { type: date, allowNull: true },
    },
    { sequelize, tableName: 'invitations', ...base, timestamps: false },
  );
  SlackDelivery.init(
    {
      key: { type: DataTypes.STRING, primaryKey: true },
      createdAt: { type: date, allowNull: false },
    },
    { sequelize, tableName: 'slack_deliveries', ...base, timestamps: false },
  );
  initNoticeModels(sequelize);
  initApprovalModel(sequelize);
}

export { ApprovalRequest } from './approval-model';
