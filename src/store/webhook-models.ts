/** The models over migrations/0009-webhooks: an organization's receivers and the delivery outbox. */
import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

export class WebhookEndpoint extends Model<InferAttributes<WebhookEndpoint>, InferCreationAttributes<WebhookEndpoint>> {
  declare id: CreationOptional<number>;
  declare organizationId: number;
  declare url: string;
  /** Comma-separated event types, or `*` for all. */
  declare events: string;
  /** The signing secret, sealed with WEBHOOK_SECRET_KEY (src/lib/secret-box.ts); never the secret itself. */
  declare secretBox: string;
  declare enabled: CreationOptional<boolean>;
  declare disabledReason: CreationOptional<string | null>;
  /** Deliveries that finally failed in a row; a success sets it back to 0. */
  declare failureRun: CreationOptional<number>;
  declare createdBy: string;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export type WebhookDeliveryStatus = 'pending' | 'sending' | 'delivered' | 'failed';

export class WebhookDelivery extends Model<InferAttributes<WebhookDelivery>, InferCreationAttributes<WebhookDelivery>> {
  declare id: CreationOptional<number>;
  declare endpointId: number;
  /** The Standard Webhooks `webhook-id`: the same on every attempt, so receivers can dedupe. */
  declare messageId: string;
  declare eventType: string;
  declare orderingKey: string;
  declare dedupeKey: CreationOptional<string | null>;
  declare payload: string;
  declare status: CreationOptional<WebhookDeliveryStatus>;
  declare attempts: CreationOptional<number>;
  declare nextAttemptAt: Date;
  declare leaseUntil: CreationOptional<Date | null>;
  declare lastError: CreationOptional<string | null>;
  declare lastStatus: CreationOptional<number | null>;
  declare createdAt: Date;
  declare deliveredAt: CreationOptional<Date | null>;
}

export function initWebhookModels(sequelize: Sequelize): void {
  const int = { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true };
  const date = DataTypes.DATE;
  WebhookEndpoint.init(
    {
      id: int,
      organizationId: { type: DataTypes.INTEGER, allowNull: false },
      url: { type: DataTypes.STRING, allowNull: false },
      events: { type: DataTypes.STRING, allowNull: false, defaultValue: '*' },
      secretBox: { type: DataTypes.STRING, allowNull: false },
      enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      disabledReason: { type: DataTypes.STRING, allowNull: true },
      failureRun: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      createdBy: { type: DataTypes.STRING, allowNull: false },
      createdAt: date,
      updatedAt: date,
    },
    { sequelize, tableName: 'webhook_endpoints', underscored: true },
  );
  WebhookDelivery.init(
    {
      id: int,
      endpointId: { type: DataTypes.INTEGER, allowNull: false },
      messageId: { type: DataTypes.STRING, allowNull: false },
      eventType: { type: DataTypes.STRING, allowNull: false },
      orderingKey: { type: DataTypes.STRING, allowNull: false },
      dedupeKey: { type: DataTypes.STRING, allowNull: true },
      payload: { type: DataTypes.TEXT, allowNull: false },
      status: { type: DataTypes.STRING, allowNull: false, defaultValue: 'pending' },
      attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      nextAttemptAt: { type: date, allowNull: false },
      leaseUntil: { type: date, allowNull: true },
      lastError: { type: DataTypes.STRING, allowNull: true },
      lastStatus: { type: DataTypes.INTEGER, allowNull: true },
      createdAt: { type: date, allowNull: false },
      deliveredAt: { type: date, allowNull: true },
    },
    { sequelize, tableName: 'webhook_deliveries', underscored: true, timestamps: false },
  );
}
