import { DataTypes, type QueryInterface } from 'sequelize';

/** The directory's tables. Column names are snake_case; every timestamp is UTC. */
export const name = '0001-initial';

const id = { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false };
const now = { type: DataTypes.DATE, allowNull: false };
const fk = (table: string, onDelete: 'CASCADE' | 'SET NULL' = 'CASCADE', allowNull = false) => ({
  type: DataTypes.INTEGER,
  allowNull,
  references: { model: table, key: 'id' },
  onDelete,
});

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('organizations', {
    id,
    slug: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    name: { type: DataTypes.STRING(200), allowNull: false },
    created_at: now,
    updated_at: now,
  });

  await qi.createTable('users', {
    id,
    username: { type: DataTypes.STRING(64), allowNull: false },
    email: { type: DataTypes.STRING(254), allowNull: false },
    email_normalized: { type: DataTypes.STRING(254), allowNull: false },
    first_name: { type: DataTypes.STRING(100), allowNull: false, defaultValue: '' },
    last_name: { type: DataTypes.STRING(100), allowNull: false, defaultValue: '' },
    phone: { type: DataTypes.STRING(50), allowNull: true },
    title: { type: DataTypes.STRING(200), allowNull: true },
    search_text: { type: DataTypes.STRING(700), allowNull: false, defaultValue: '' },
    enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    auth_status: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'active' },
    failed_login_count: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    locked_at: { type: DataTypes.DATE, allowNull: true },
    last_login_at: { type: DataTypes.DATE, allowNull: true },
    password_hash: { type: DataTypes.STRING(100), allowNull: true },
    password_changed_at: { type: DataTypes.DATE, allowNull: true },
    created_at: now,
    updated_at: now,
  });
  await qi.addIndex('users', ['username'], { unique: true, name: 'users_username_unique' });
  await qi.addIndex('users', ['email_normalized'], { unique: true, name: 'users_email_normalized_unique' });
  await qi.addIndex('users', ['auth_status'], { name: 'users_auth_status' });
  await qi.addIndex('users', ['enabled'], { name: 'users_enabled' });

  await qi.createTable('memberships', {
    id,
    user_id: fk('users'),
    organization_id: fk('organizations'),
    roles: { type: DataTypes.STRING(100), allowNull: false, defaultValue: '' },
    created_at: now,
    updated_at: now,
  });
  await qi.addIndex('memberships', ['user_id', 'organization_id'], { unique: true, name: 'memberships_user_org_unique' });
  await qi.addIndex('memberships', ['organization_id', 'user_id'], { name: 'memberships_org_user' });

  await qi.createTable('api_keys', {
    id,
    user_id: fk('users'),
    organization_id: fk('organizations'),
    key_hash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    display_prefix: { type: DataTypes.STRING(20), allowNull: false },
    last_used_at: { type: DataTypes.DATE, allowNull: true },
    created_at: now,
  });
  await qi.addIndex('api_keys', ['user_id', 'organization_id'], { unique: true, name: 'api_keys_user_org_unique' });

  await qi.createTable('reset_tokens', {
    id,
    user_id: fk('users'),
    token_hash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    expires_at: now,
    used_at: { type: DataTypes.DATE, allowNull: true },
    revoked_at: { type: DataTypes.DATE, allowNull: true },
    created_at: now,
  });
  await qi.addIndex('reset_tokens', ['user_id'], { name: 'reset_tokens_user' });

  await qi.createTable('record_assignments', {
    id,
    organization_id: fk('organizations'),
    entity: { type: DataTypes.STRING(100), allowNull: false },
    entity_id: { type: DataTypes.STRING(200), allowNull: false },
    user_id: fk('users'),
    created_at: now,
    updated_at: now,
  });
  await qi.addIndex('record_assignments', ['organization_id', 'entity', 'entity_id'], {
    unique: true,
    name: 'record_assignments_entity_unique',
  });
  await qi.addIndex('record_assignments', ['user_id'], { name: 'record_assignments_user' });

  await qi.createTable('audit_events', {
    id,
    at: now,
    actor_user_id: { type: DataTypes.INTEGER, allowNull: true },
    actor_label: { type: DataTypes.STRING(300), allowNull: false },
    action: { type: DataTypes.STRING(50), allowNull: false },
    target_user_id: { type: DataTypes.INTEGER, allowNull: true },
    target_label: { type: DataTypes.STRING(300), allowNull: true },
    organization_id: { type: DataTypes.INTEGER, allowNull: true },
    outcome: { type: DataTypes.STRING(30), allowNull: false },
    reason: { type: DataTypes.STRING(500), allowNull: true },
    details: { type: DataTypes.TEXT, allowNull: true },
    mirrored_at: { type: DataTypes.DATE, allowNull: true },
  });
  await qi.addIndex('audit_events', ['target_user_id', 'id'], { name: 'audit_events_target' });
  await qi.addIndex('audit_events', ['organization_id', 'id'], { name: 'audit_events_org' });
  await qi.addIndex('audit_events', ['mirrored_at'], { name: 'audit_events_mirrored' });

  await qi.createTable('jobs', {
    id,
    kind: { type: DataTypes.STRING(30), allowNull: false },
    status: { type: DataTypes.STRING(20), allowNull: false },
    actor_user_id: { type: DataTypes.INTEGER, allowNull: true },
    actor_label: { type: DataTypes.STRING(300), allowNull: false },
    payload: { type: DataTypes.TEXT, allowNull: false },
    progress: { type: DataTypes.TEXT, allowNull: true },
    result: { type: DataTypes.TEXT, allowNull: true },
    error: { type: DataTypes.STRING(1000), allowNull: true },
    lease_owner: { type: DataTypes.STRING(100), allowNull: true },
    lease_until: { type: DataTypes.DATE, allowNull: true },
    attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    created_at: now,
    updated_at: now,
    finished_at: { type: DataTypes.DATE, allowNull: true },
  });
  await qi.addIndex('jobs', ['status', 'lease_until'], { name: 'jobs_status_lease' });

  await qi.createTable('job_items', {
    id,
    job_id: fk('jobs'),
    user_id: { type: DataTypes.INTEGER, allowNull: false },
    status: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'pending' },
    detail: { type: DataTypes.STRING(300), allowNull: true },
  });
  await qi.addIndex('job_items', ['job_id', 'status', 'id'], { name: 'job_items_job_status' });
  await qi.addIndex('job_items', ['job_id', 'user_id'], { unique: true, name: 'job_items_job_user_unique' });

  await qi.createTable('mail_outbox', {
    id,
    message_id: { type: DataTypes.STRING(200), allowNull: false, unique: true },
    kind: { type: DataTypes.STRING(40), allowNull: false },
    to_address: { type: DataTypes.STRING(254), allowNull: false },
    subject: { type: DataTypes.STRING(300), allowNull: false },
    text_body: { type: DataTypes.TEXT, allowNull: false },
    html_body: { type: DataTypes.TEXT, allowNull: true },
    attachments: { type: DataTypes.TEXT, allowNull: true },
    status: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'pending' },
    attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    next_attempt_at: now,
    lease_until: { type: DataTypes.DATE, allowNull: true },
    last_error: { type: DataTypes.STRING(500), allowNull: true },
    job_id: { type: DataTypes.INTEGER, allowNull: true },
    user_id: { type: DataTypes.INTEGER, allowNull: true },
    created_at: now,
    sent_at: { type: DataTypes.DATE, allowNull: true },
  });
  await qi.addIndex('mail_outbox', ['status', 'next_attempt_at'], { name: 'mail_outbox_due' });
  await qi.addIndex('mail_outbox', ['job_id'], { name: 'mail_outbox_job' });

  await qi.createTable('lockout_events', {
    id,
    user_id: { type: DataTypes.INTEGER, allowNull: false },
    locked_at: now,
    failed_count: { type: DataTypes.INTEGER, allowNull: false },
    source_ip: { type: DataTypes.STRING(64), allowNull: true },
  });
  await qi.addIndex('lockout_events', ['locked_at'], { name: 'lockout_events_locked_at' });
  await qi.addIndex('lockout_events', ['user_id'], { name: 'lockout_events_user' });

  await qi.createTable('export_fields', {
    field: { type: DataTypes.STRING(50), primaryKey: true, allowNull: false },
    enabled: { type: DataTypes.BOOLEAN, allowNull: false },
    updated_at: now,
  });

  await qi.createTable('job_slots', {
    id,
    name: { type: DataTypes.STRING(50), allowNull: false },
    slot: { type: DataTypes.STRING(40), allowNull: false },
    claimed_by: { type: DataTypes.STRING(100), allowNull: false },
    claimed_at: now,
    finished_at: { type: DataTypes.DATE, allowNull: true },
  });
  await qi.addIndex('job_slots', ['name', 'slot'], { unique: true, name: 'job_slots_name_slot_unique' });

  await qi.createTable('slack_deliveries', {
    key: { type: DataTypes.STRING(200), primaryKey: true, allowNull: false },
    created_at: now,
  });
  await qi.addIndex('slack_deliveries', ['created_at'], { name: 'slack_deliveries_created' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  for (const table of [
    'slack_deliveries',
    'job_slots',
    'export_fields',
    'lockout_events',
    'mail_outbox',
    'job_items',
    'jobs',
    'audit_events',
    'record_assignments',
    'reset_tokens',
    'api_keys',
    'memberships',
    'users',
    'organizations',
  ]) {
    await qi.dropTable(table);
  }
}
