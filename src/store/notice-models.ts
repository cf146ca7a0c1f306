/** Models of migration 0008: the owner-notice outbox and the password-expiry claims (kept apart from models.ts, which is near its size limit). */
import type { ExpiryStep } from '../domain/password-expiry';
import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

export type NoticeStatus = 'pending' | 'sending' | 'sent' | 'skipped' | 'failed';
/** How a delivered notice went: a Slack DM, or handed to the mail outbox. */
export type NoticeChannel = 'slack' | 'email';

export class Notice extends Model<InferAttributes<Notice>, InferCreationAttributes<Notice>> {
  declare id: CreationOptional<number>;
  declare kind: string;
  declare userId: number | null;
  /** The owner's directory email: looked up in Slack, and the fallback mail's address. */
  declare toAddress: string;
  /** JSON of the facts the text is made of (never a password or a token). */
  declare params: string;
  /** false: a Slack DM only (nothing when the owner is not a workspace member). */
  declare emailFallback: CreationOptional<boolean>;
  declare notifySlackUser: CreationOptional<string | null>;
  declare status: CreationOptional<NoticeStatus>;
  declare channel: CreationOptional<NoticeChannel | null>;
  declare attempts: CreationOptional<number>;
  declare nextAttemptAt: Date;
  declare leaseUntil: CreationOptional<Date | null>;
  declare lastError: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;
  declare deliveredAt: CreationOptional<Date | null>;
}

export class PasswordExpiryClaim extends Model<InferAttributes<PasswordExpiryClaim>, InferCreationAttributes<PasswordExpiryClaim>> {
  declare id: CreationOptional<number>;
  declare userId: number;
  declare step: ExpiryStep;
  /** The password this step is about: its `password_changed_at`, as an ISO string. */
  declare cycle: string;
  declare claimedBy: string;
  declare claimedAt: Date;
}

export function initNoticeModels(sequelize: Sequelize): void {
  const int = { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true };
  const date = DataTypes.DATE;
  Notice.init(
    {
      id: int,
      kind: { type: DataTypes.STRING, allowNull: false },
      userId: { type: DataTypes.INTEGER, allowNull: true },
      toAddress: { type: DataTypes.STRING, allowNull: false },
      params: { type: DataTypes.TEXT, allowNull: false },
      emailFallback: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      notifySlackUser: { type: DataTypes.STRING, allowNull: true },
      status: { type: DataTypes.STRING, allowNull: false, defaultValue: 'pending' },
      channel: { type: DataTypes.STRING, allowNull: true },
      attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      nextAttemptAt: { type: date, allowNull: false },
      leaseUntil: { type: date, allowNull: true },
      lastError: { type: DataTypes.STRING, allowNull: true },
      createdAt: date,
      deliveredAt: { type: date, allowNull: true },
    },
    { sequelize, tableName: 'notices', underscored: true, updatedAt: false },
  );
  PasswordExpiryClaim.init(
    {
      id: int,
      userId: { type: DataTypes.INTEGER, allowNull: false },
      step: { type: DataTypes.STRING, allowNull: false },
      cycle: { type: DataTypes.STRING, allowNull: false },
      claimedBy: { type: DataTypes.STRING, allowNull: false },
      claimedAt: { type: date, allowNull: false },
    },
    { sequelize, tableName: 'password_expiry_claims', underscored: true, timestamps: false },
  );
}
