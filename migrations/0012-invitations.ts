import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * Invitations (issue 20): who was invited to which organization with which roles, by whom, and the
 * single-use link (a `reset_tokens` row of purpose `invite`) that accepts it. `new_account`: the
 * invitation created the user (who cannot log in until they set a password through the link); else
 * the email already belonged to an account, and the membership is added only when its owner accepts.
 */
export const name = '0012-invitations';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('invitations', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
    user_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'users', key: 'id' }, onDelete: 'CASCADE' },
    organization_id: {
      type: DataTypes.INTEGER,
      allowNull: false,
      references: { model: 'organizations', key: 'id' },
      onDelete: 'CASCADE',
    },
    roles: { type: DataTypes.STRING(200), allowNull: false, defaultValue: '' },
    new_account: { type: DataTypes.BOOLEAN, allowNull: false },
    token_id: { type: DataTypes.INTEGER, allowNull: true },
    invited_by_user_id: { type: DataTypes.INTEGER, allowNull: true },
    invited_by_label: { type: DataTypes.STRING(200), allowNull: false },
    created_at: { type: DataTypes.DATE, allowNull: false },
    expires_at: { type: DataTypes.DATE, allowNull: false },
    accepted_at: { type: DataTypes.DATE, allowNull: true },
    revoked_at: { type: DataTypes.DATE, allowNull: true },
  });
  await qi.addIndex('invitations', ['user_id', 'organization_id'], { name: 'invitations_user_org' });
  await qi.addIndex('invitations', ['organization_id'], { name: 'invitations_org' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('invitations');
}
