/** The approval_requests table (issue 19, migration 0011): one row per two-person approval request. */
import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import type { ApprovalStatus } from '../domain/approvals';

export class ApprovalRequest extends Model<InferAttributes<ApprovalRequest>, InferCreationAttributes<ApprovalRequest>> {
  declare id: CreationOptional<number>;
  /** `bulk` (a job) or `single` (one user). */
  declare kind: string;
  /** The BulkAction or single action. */
  declare action: string;
  declare status: CreationOptional<ApprovalStatus>;
  /** JSON: the exact action (and a bulk action's selection and draft job). */
  declare payload: string;
  /** SHA-256 of the sorted user ids the request acts on. */
  declare fingerprint: string;
  declare userCount: number;
  /** The APPROVAL_REQUIRED kind that made it need approval. */
  declare neededBecause: string;
  declare reason: string | null;
  declare requesterUserId: number;
  declare requesterLabel: string;
  declare requesterSlackId: string | null;
  declare approverUserId: CreationOptional<number | null>;
  declare approverLabel: CreationOptional<string | null>;
  declare approverSlackId: CreationOptional<string | null>;
  declare denyReason: CreationOptional<string | null>;
  /** What happened when it was decided (the action's result line, or why it was void). */
  declare outcome: CreationOptional<string | null>;
  declare jobId: CreationOptional<number | null>;
  /** JSON list of {channel, ts} where the request was posted. */
  declare messages: CreationOptional<string | null>;
  declare expiresAt: Date;
  declare decidedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export function initApprovalModel(sequelize: Sequelize): void {
  const date = DataTypes.DATE;
  ApprovalRequest.init(
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      kind: { type: DataTypes.STRING, allowNull: false },
      action: { type: DataTypes.STRING, allowNull: false },
      status: { type: DataTypes.STRING, allowNull: false, defaultValue: 'pending' },
      payload: { type: DataTypes.TEXT, allowNull: false },
      fingerprint: { type: DataTypes.STRING, allowNull: false },
      userCount: { type: DataTypes.INTEGER, allowNull: false },
      neededBecause: { type: DataTypes.STRING, allowNull: false },
      reason: { type: DataTypes.TEXT, allowNull: true },
      requesterUserId: { type: DataTypes.INTEGER, allowNull: false },
      requesterLabel: { type: DataTypes.STRING, allowNull: false },
      requesterSlackId: { type: DataTypes.STRING, allowNull: true },
      approverUserId: { type: DataTypes.INTEGER, allowNull: true },
      approverLabel: { type: DataTypes.STRING, allowNull: true },
      approverSlackId: { type: DataTypes.STRING, allowNull: true },
      denyReason: { type: DataTypes.TEXT, allowNull: true },
      outcome: { type: DataTypes.TEXT, allowNull: true },
      jobId: { type: DataTypes.INTEGER, allowNull: true },
      messages: { type: DataTypes.TEXT, allowNull: true },
      expiresAt: { type: date, allowNull: false },
      decidedAt: { type: date, allowNull: true },
      createdAt: date,
      updatedAt: date,
    },
    { sequelize, tableName: 'approval_requests', underscored: true },
  );
}
