import type { Transaction } from 'sequelize';
import { fail, ok, type Outcome } from '../domain/outcome';
import type { Config } from '../lib/config';
import { ExportField } from '../store/models';
import { isFailure, loadAccess, type Access } from './authz';
import { writeAudit } from './audit';
import type { Actor, Ctx } from './context';
import { IGNORED_EXPORT_COLUMNS, IMPORT_COLUMNS } from './import-users';

/**
 * Which user fields an export carries (Oro's "entity settings" for export). The import columns are
 * always exported, so every export re-imports with `userops import`; the fields below can be
 * switched on and off. A missing row in `export_fields` means the field's default.
 */

export const EXPORT_FIELD_GROUPS = ['profile', 'timestamps', 'secret'] as const;
export type ExportFieldGroup = (typeof EXPORT_FIELD_GROUPS)[number];

export interface ExportFieldInfo {
  label: string;
  group: ExportFieldGroup;
  default: boolean;
}

/** In column order. Every one but `password_hash` is a column of its own that import ignores. */
export const EXPORT_FIELDS = {
  id: { label: 'User id', group: 'profile', default: false },
  phone: { label: 'Phone', group: 'profile', default: false },
  title: { label: 'Job title', group: 'profile', default: false },
  auth_status: { label: 'Auth status', group: 'profile', default: true },
  failed_login_count: { label: 'Failed logins', group: 'profile', default: true },
  locked_at: { label: 'Locked at', group: 'timestamps', default: true },
  // A temporary lock's end (LOCKOUT_MODE=temporary); empty for a permanent lock and when not locked.
  locked_until: { label: 'Locked until', group: 'timestamps', default: true },
  last_login_at: { label: 'Last login', group: 'timestamps', default: true },
  password_changed_at: { label: 'Password changed at', group: 'timestamps', default: true },
  created_at: { label: 'Created at', group: 'timestamps', default: true },
  updated_at: { label: 'Updated at', group: 'timestamps', default: true },
  // Off by default because Slack files travel far, and offered at all only when the deployment sets
  // EXPORT_ALLOW_PASSWORD_HASHES=true (see offeredFields). Exported only ever as the bcrypt hash, in
  // the `password` column, which import stores as it is.
  password_hash: { label: 'Password hash (bcrypt)', group: 'secret', default: false },
} as const satisfies Record<string, ExportFieldInfo>;

export type ExportFieldName = keyof typeof EXPORT_FIELDS;
export const EXPORT_FIELD_NAMES = Object.keys(EXPORT_FIELDS) as ExportFieldName[];

/** Asked for by name, refused with a reason: secrets that must never leave the directory. */
const NEVER_EXPORTABLE: Array<[RegExp, string]> = [
  [/^api[_-]?keys?$/, 'API keys are never exportable.'],
  [/^(reset[_-]?)?tokens?$/, 'Password reset tokens are never exportable.'],
  [/^password$/, 'Passwords are never stored, only their hash; enable password_hash to export the bcrypt hash.'],
];

export type ExportFieldSettings = Record<ExportFieldName, boolean>;

export function isExportField(name: string): name is ExportFieldName {
  return Object.prototype.hasOwnProperty.call(EXPORT_FIELDS, name);
}

/** The CSV header for a set of enabled fields: the import columns, then the enabled extras in catalogue order. */
export function exportColumns(enabled: readonly ExportFieldName[]): string[] {
  const on = new Set(enabled);
  const extras = EXPORT_FIELD_NAMES.filter((f) => f !== 'password_hash' && on.has(f));
  return [...IMPORT_COLUMNS, ...extras];
}

/** Guard for the catalogue: an extra column import would reject breaks the round trip. */
export function columnsImportCannotRead(): string[] {
  return EXPORT_FIELD_NAMES.filter((f) => f !== 'password_hash' && !IGNORED_EXPORT_COLUMNS.includes(f));
}

export async function loadExportFieldSettings(t?: Transaction): Promise<ExportFieldSettings> {
  const settings = Object.fromEntries(EXPORT_FIELD_NAMES.map((f) => [f, EXPORT_FIELDS[f].default])) as ExportFieldSettings;
  for (const row of await ExportField.findAll({ transaction: t })) {
    if (isExportField(row.field)) settings[row.field] = row.enabled;
  }
  return settings;
}

/** The deployment's switch for the hash column; nothing in Slack or the CLI can turn it on. */
export type HashSwitch = Pick<Config, 'EXPORT_ALLOW_PASSWORD_HASHES'>;

/** The fields this deployment offers: every one, except `password_hash` unless EXPORT_ALLOW_PASSWORD_HASHES is true. */
export function offeredFields(config: HashSwitch): ExportFieldName[] {
  return EXPORT_FIELD_NAMES.filter((f) => f !== 'password_hash' || config.EXPORT_ALLOW_PASSWORD_HASHES);
}

/**
 * What an export may write of `fields` here and now: a field the deployment does not offer is
 * dropped, so a stored setting (or a job queued) from when the hash was allowed exports an empty
 * password column once it is not.
 */
export function exportableFields(config: HashSwitch, fields: readonly ExportFieldName[]): ExportFieldName[] {
  const offered = new Set(offeredFields(config));
  return fields.filter((f) => offered.has(f));
}

/** The fields an export requested now carries: switched on in the settings and offered by the deployment. */
export function enabledFields(settings: ExportFieldSettings, config: HashSwitch): ExportFieldName[] {
  return exportableFields(
    config,
    EXPORT_FIELD_NAMES.filter((f) => settings[f]),
  );
}

/** Settings are global (they shape every organization's export), so changing them takes the administrator role. */
function mayManage(access: Access): boolean {
  return access.system || [...access.roles.values()].some((roles) => roles.includes('administrator'));
}

const REFUSED = 'Only an administrator can change which fields an export carries.';

const HASHES_OFF =
  'Password hashes cannot be exported on this deployment: the operator has not set EXPORT_ALLOW_PASSWORD_HASHES=true. Nothing was changed.';

export interface ExportFieldView {
  field: ExportFieldName;
  label: string;
  group: ExportFieldGroup;
  enabled: boolean;
  default: boolean;
}

export interface ExportFieldList {
  /** Always exported, so that an export re-imports. */
  always: string[];
  /** The fields this deployment offers (without `password_hash` unless EXPORT_ALLOW_PASSWORD_HASHES). */
  fields: ExportFieldView[];
  passwordHashAllowed: boolean;
}

function describeSettings(settings: ExportFieldSettings, config: HashSwitch): ExportFieldList {
  return {
    always: [...IMPORT_COLUMNS],
    fields: offeredFields(config).map((f) => ({ field: f, ...EXPORT_FIELDS[f], enabled: settings[f] })),
    passwordHashAllowed: config.EXPORT_ALLOW_PASSWORD_HASHES,
  };
}

export async function listExportFields(ctx: Ctx, actor: Actor): Promise<Outcome<ExportFieldList>> {
  const access = await loadAccess(ctx, actor);
  if (isFailure(access)) return access;
  if (!mayManage(access)) return fail('forbidden', REFUSED);
  return ok(describeSettings(await loadExportFieldSettings(), ctx.config));
}

/** Why a name cannot be switched, or null when it can. */
export function exportFieldProblem(name: string): string | null {
  const n = name.trim().toLowerCase();
  if (isExportField(n)) return null;
  const never = NEVER_EXPORTABLE.find(([re]) => re.test(n));
  if (never) return never[1];
  if ((IMPORT_COLUMNS as readonly string[]).includes(n)) return `${n} is an import column and is always exported, so an export re-imports.`;
  return `Unknown export field “${name}”. Fields: ${EXPORT_FIELD_NAMES.join(', ')}.`;
}

/**
 * Switch fields on or off; only differences are written, with one audit row naming them. Unknown
 * names, the never-exportable secrets and — unless the deployment allows it — switching the hash
 * on are refused before anything changes. Switching the hash off is always allowed.
 */
export async function setExportFields(
  ctx: Ctx,
  actor: Actor,
  changes: Record<string, boolean>,
): Promise<Outcome<ExportFieldList & { enabled: ExportFieldName[]; disabled: ExportFieldName[] }>> {
  const wanted = new Map<ExportFieldName, boolean>();
  for (const [name, on] of Object.entries(changes)) {
    const problem = exportFieldProblem(name);
    if (problem) return fail('invalid_input', problem);
    wanted.set(name.trim().toLowerCase() as ExportFieldName, on);
  }
  if (wanted.get('password_hash') === true && !ctx.config.EXPORT_ALLOW_PASSWORD_HASHES) return fail('forbidden', HASHES_OFF);
  return ctx.db.tx(async (t) => {
    const access = await loadAccess(ctx, actor, t);
    if (isFailure(access)) return access;
    if (!mayManage(access)) return fail('forbidden', REFUSED);
    const current = await loadExportFieldSettings(t);
    const enabled: ExportFieldName[] = [];
    const disabled: ExportFieldName[] = [];
    for (const [field, on] of wanted) {
      if (current[field] === on) continue;
      await ExportField.upsert({ field, enabled: on, updatedAt: ctx.now() }, { transaction: t });
      current[field] = on;
      (on ? enabled : disabled).push(field);
    }
    if (enabled.length + disabled.length > 0) {
      await writeAudit(ctx, t, actor, { action: 'export_fields_changed', details: { enabled, disabled } });
    }
    return ok({ ...describeSettings(current, ctx.config), enabled, disabled });
  });
}
