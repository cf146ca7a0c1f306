import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * SCIM 2.0 provisioning (issue 17).
 * - `scim_tokens`: one organization's bearer tokens for an identity provider, stored as SHA-256
 *   with a display prefix (like API keys); revoked tokens stay (revoked_at) so the audit can name them.
 * - `memberships.external_id`: the identity provider's `externalId`. It lives on the membership, not
 *   the user, because an externalId is scoped to the IdP client that sent it: acme's Okta and beta's
 *   Entra may both provision the same person under different ids.
 * - `users.username` widens to 254 characters: IdPs send the email address as `userName`.
 */
export const name = '0010-scim';

const now = { type: DataTypes.DATE, allowNull: false };

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('scim_tokens', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
    organization_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'organizations', key: 'id' }, onDelete: 'CASCADE' },
    name: { type: DataTypes.STRING(100), allowNull: false },
    token_hash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    display_prefix: { type: DataTypes.STRING(20), allowNull: false },
    last_used_at: { type: DataTypes.DATE, allowNull: true },
    revoked_at: { type: DataTypes.DATE, allowNull: true },
    created_at: now,
  });
  await qi.addIndex('scim_tokens', ['organization_id'], { name: 'scim_tokens_org' });
  await qi.addColumn('memberships', 'external_id', { type: DataTypes.STRING(255), allowNull: true });
  await qi.addIndex('memberships', ['organization_id', 'external_id'], { name: 'memberships_org_external_id' });
  if (qi.sequelize.getDialect() === 'postgres') {
    await qi.sequelize.query('ALTER TABLE users ALTER COLUMN username TYPE VARCHAR(254)');
  }
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeIndex('memberships', 'memberships_org_external_id');
  await qi.sequelize.query('ALTER TABLE memberships DROP COLUMN external_id');
  await qi.dropTable('scim_tokens');
  // usernames stay 254 wide on PostgreSQL: narrowing could fail on a SCIM-made username.
}
