import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform as CsvTransform } from '@json2csv/node';
import { Op, type WhereOptions } from 'sequelize';
import { neutralizeCell } from '../domain/csv-safety';
import { formatRoles, parseRoles } from '../domain/permissions';
import { exportColumns, type ExportFieldName } from '../services/export-fields';
import { Membership, Organization, User } from '../store/models';

/**
 * The export file: one CSV row per membership (a user in two organizations appears twice, each
 * row with that organization and the roles held there), read from the database in keyset pages
 * and streamed through json2csv into a file, so memory holds one page whatever the table size.
 */

export const EXPORT_PAGE_SIZE = 1000;

export interface ExportCsvInput {
  /** Organizations to export; null: all of them. */
  orgIds: number[] | null;
  /** Optional fields switched on (see services/export-fields). */
  fields: readonly ExportFieldName[];
}

export interface ExportCsvProgress {
  rows: number;
  total: number;
}

export interface ExportCsvResult {
  rows: number;
  users: number;
  bytes: number;
  columns: string[];
}

type Cell = (u: User, org: string, roles: string) => string;

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : '');

/** How each column is filled; `password` carries the bcrypt hash only when that field is on. */
function cellGetters(fields: readonly ExportFieldName[]): Record<string, Cell> {
  const withHash = fields.includes('password_hash');
  return {
    username: (u) => u.username,
    email: (u) => u.email,
    first_name: (u) => u.firstName,
    last_name: (u) => u.lastName,
    organization: (_u, org) => org,
    roles: (_u, _org, roles) => formatRoles(parseRoles(roles).roles),
    password: (u) => (withHash ? (u.passwordHash ?? '') : ''),
    enabled: (u) => (u.enabled ? 'true' : 'false'),
    id: (u) => String(u.id),
    phone: (u) => u.phone ?? '',
    title: (u) => u.title ?? '',
    auth_status: (u) => u.authStatus,
    failed_login_count: (u) => String(u.failedLoginCount),
    locked_at: (u) => iso(u.lockedAt),
    last_login_at: (u) => iso(u.lastLoginAt),
    password_changed_at: (u) => iso(u.passwordChangedAt),
    created_at: (u) => iso(u.createdAt),
    updated_at: (u) => iso(u.updatedAt),
  };
}

/** RFC 4180: a field holding a quote, comma or line break is quoted, quotes doubled. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function scopeWhere(orgIds: number[] | null): WhereOptions<Membership> {
  return orgIds === null ? {} : { organizationId: { [Op.in]: orgIds } };
}

/**
 * Memberships in (user_id, organization_id) order, `pageSize` at a time, each page with its users
 * and organization slugs. Keyset rather than OFFSET: every page is an index range scan on
 * memberships_user_org_unique, however deep into the table it is.
 */
export interface ExportRow {
  user: User;
  org: string;
  roles: string;
}

async function* membershipPages(orgIds: number[] | null, pageSize: number): AsyncGenerator<ExportRow[]> {
  const slugs = new Map<number, string>();
  let after: { userId: number; organizationId: number } | null = null;
  for (;;) {
    const keyset: WhereOptions<Membership> = after
      ? {
          [Op.or]: [{ userId: { [Op.gt]: after.userId } }, { userId: after.userId, organizationId: { [Op.gt]: after.organizationId } }],
        }
      : {};
    const page: Membership[] = await Membership.findAll({
      where: { [Op.and]: [scopeWhere(orgIds), keyset] },
      attributes: ['userId', 'organizationId', 'roles'],
      order: [
        ['userId', 'ASC'],
        ['organizationId', 'ASC'],
      ],
      limit: pageSize,
    });
    if (page.length === 0) return;
    const last = page[page.length - 1];
    after = { userId: last.userId, organizationId: last.organizationId };
    const users = await User.findAll({ where: { id: { [Op.in]: [...new Set(page.map((m) => m.userId))] } } });
    const missing = [...new Set(page.map((m) => m.organizationId))].filter((id) => !slugs.has(id));
    if (missing.length > 0) {
      for (const o of await Organization.findAll({ where: { id: { [Op.in]: missing } }, attributes: ['id', 'slug'] }))
        slugs.set(o.id, o.slug);
    }
    const byId = new Map(users.map((u) => [u.id, u]));
    // A user deleted between the two reads has no row.
    yield page.flatMap((m) => {
      const user = byId.get(m.userId);
      return user ? [{ user, org: slugs.get(m.organizationId) ?? '', roles: m.roles }] : [];
    });
    if (page.length < pageSize) return;
  }
}

export async function countExportRows(orgIds: number[] | null): Promise<number> {
  return Membership.count({ where: scopeWhere(orgIds) });
}

/**
 * Write the export of `input` to `path` (UTF-8, CRLF, header row = the column names). Every cell
 * is neutralised against formula injection; import's restoreCell undoes that. `onPage` runs after
 * each page, awaited, so a job can renew its lease and report progress.
 */
export async function writeExportCsv(
  input: ExportCsvInput,
  path: string,
  opts: { pageSize?: number; onPage?: (p: ExportCsvProgress) => Promise<void> | void } = {},
): Promise<ExportCsvResult> {
  const columns = exportColumns(input.fields);
  const getters = cellGetters(input.fields);
  const cells = columns.map((c) => getters[c]);
  const total = await countExportRows(input.orgIds);
  let rows = 0;
  let users = 0;
  let lastUser: number | null = null;
  async function* records(): AsyncGenerator<string[]> {
    for await (const page of membershipPages(input.orgIds, opts.pageSize ?? EXPORT_PAGE_SIZE)) {
      for (const { user, org, roles } of page) {
        if (user.id !== lastUser) users++;
        lastUser = user.id;
        rows++;
        yield cells.map((cell) => neutralizeCell(cell(user, org, roles)));
      }
      await opts.onPage?.({ rows, total: Math.max(total, rows) });
    }
  }
  const csv = new CsvTransform<string[], string[]>(
    {
      fields: columns.map((label, i) => ({ label, value: (r: string[]) => r[i] })),
      eol: '\r\n',
      formatters: { string: csvField, header: csvField },
    },
    {},
    { objectMode: true },
  );
  // 0600: the file holds personal data (and maybe password hashes) until it is mailed.
  await pipeline(Readable.from(records()), csv, createWriteStream(path, { mode: 0o600 }));
  return { rows, users, bytes: (await stat(path)).size, columns };
}
