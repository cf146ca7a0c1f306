import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { stat } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform as CsvTransform } from '@json2csv/node';
import { neutralizeCell } from '../domain/csv-safety';
import { PRIVATE_FILE_MODE, settlePrivateFile } from '../lib/private-files';
import { formatRoles, parseRoles } from '../domain/permissions';
import { exportColumns, type ExportFieldName } from '../services/export-fields';
import { countExportRows, exportPage, type ExportPageRow, type ExportUser } from '../store/export-queries';

/**
 * The export file: one CSV row per membership (a user in two organizations appears twice, each
 * row with that organization and the roles held there), read from the database in keyset pages
 * and streamed through @json2csv/node into a file, so memory holds one page whatever the table size.
 */

export const EXPORT_PAGE_SIZE = 1000;

/** Rows written between two turns of the event loop. */
const SLICE = 100;

/** Characters of CSV gathered before one write to the file. */
const WRITE_CHUNK = 64 * 1024;

export interface ExportCsvInput {
  /** Organizations to export; null: all of them. */
  orgIds: number[] | null;
  /** Optional fields switched on (see services/export-fields). */
  fields: readonly ExportFieldName[];
  /** Only these users (a saved view's, `/users export VIEW`); absent: everyone in `orgIds`. */
  userIds?: ReadonlySet<number>;
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

type Cell = (u: ExportUser, org: string, roles: string) => string;

/** Sequelize's SQLite text for a date: '2026-11-02 10:00:00.000 +00:00'. */
const SQLITE_UTC = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \+00:00$/;

/** ISO 8601 in UTC. SQLite's text is rewritten rather than parsed: half a million dates per 100,000 users. */
function iso(d: Date | string | null | undefined): string {
  if (!d) return '';
  if (typeof d === 'string' && SQLITE_UTC.test(d)) return `${d.slice(0, 10)}T${d.slice(11, 23)}Z`;
  return new Date(d).toISOString();
}

/** How each column is filled; `password` carries the bcrypt hash only when that field is on. */
function cellGetters(fields: readonly ExportFieldName[]): Record<string, Cell> {
  const withHash = fields.includes('password_hash');
  // A directory has a handful of distinct role sets: each is parsed and formatted once.
  const formatted = new Map<string, string>();
  const rolesCell = (roles: string) => {
    let out = formatted.get(roles);
    if (out === undefined) formatted.set(roles, (out = formatRoles(parseRoles(roles).roles)));
    return out;
  };
  return {
    username: (u) => u.username,
    email: (u) => u.email,
    first_name: (u) => u.firstName,
    last_name: (u) => u.lastName,
    organization: (_u, org) => org,
    roles: (_u, _org, roles) => rolesCell(roles),
    password: (u) => (withHash ? (u.passwordHash ?? '') : ''),
    enabled: (u) => (u.enabled ? 'true' : 'false'),
    id: (u) => String(u.id),
    phone: (u) => u.phone ?? '',
    title: (u) => u.title ?? '',
    auth_status: (u) => u.authStatus,
    failed_login_count: (u) => String(u.failedLoginCount),
    locked_at: (u) => iso(u.lockedAt),
    // As the REST API's lockedUntil: only while the account is locked.
    locked_until: (u) => (u.authStatus === 'locked' ? iso(u.lockedUntil) : ''),
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

export interface ExportRow {
  user: ExportUser;
  org: string;
  roles: string;
}

/** Pages of export rows; the next page is read while the caller writes this one. */
async function* membershipPages(input: ExportCsvInput, pageSize: number): AsyncGenerator<ExportRow[]> {
  const columns = {
    phone: input.fields.includes('phone'),
    title: input.fields.includes('title'),
    passwordHash: input.fields.includes('password_hash'),
  };
  let next: Promise<ExportPageRow[]> | null = exportPage(input.orgIds, columns, null, pageSize);
  while (next) {
    const page: ExportPageRow[] = await next;
    next = page.length === pageSize ? exportPage(input.orgIds, columns, page[page.length - 1], pageSize) : null;
    // Awaited only in the next round: a failure must not count as unhandled meanwhile.
    next?.catch(() => undefined);
    // A view filters the pages as they come, so the export keeps its one keyset statement per page.
    const kept = input.userIds ? page.filter((r) => input.userIds!.has(Number(r.id))) : page;
    if (kept.length > 0) yield kept.map((r) => ({ user: r, org: r.org, roles: r.roles }));
  }
}

/**
 * Gathers json2csv's output (a string per row) into chunks of about `size` characters: the file
 * stream turns every chunk into a buffer of its own, which for 100,000 short rows cost more than
 * the CSV formatting.
 */
function coalesce(size: number): Transform {
  let pending = '';
  return new Transform({
    writableObjectMode: true,
    transform(chunk: string, _encoding, done) {
      pending += chunk;
      if (pending.length < size) return done();
      const out = pending;
      pending = '';
      done(null, out);
    },
    flush(done) {
      if (pending) this.push(pending);
      done();
    },
  });
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
  const total = await countExportRows(input.orgIds, input.userIds ? [...input.userIds] : undefined);
  let rows = 0;
  let users = 0;
  let lastUser: number | null = null;
  // Cells go through @json2csv/node as arrays (one per row); it writes the header and the CRLF
  // between rows (no trailing line break), quoting with csvField (RFC 4180: only when needed).
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
  const written = pipeline(csv, coalesce(WRITE_CHUNK), createWriteStream(path, { mode: PRIVATE_FILE_MODE }));
  // Awaited below; until then a failure must not count as unhandled.
  written.catch(() => undefined);
  try {
    for await (const page of membershipPages(input, opts.pageSize ?? EXPORT_PAGE_SIZE)) {
      for (let n = 0; n < page.length; n++) {
        // A turn of the event loop now and then lets the next page's statement, started before
        // this one is written, get from prepare to step meanwhile (each is a callback here).
        if (n > 0 && n % SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
        const { user, org, roles } = page[n];
        if (user.id !== lastUser) users++;
        lastUser = user.id;
        rows++;
        // Rows are written straight in rather than pulled from an async generator: one promise per
        // row was a tenth of the export's time. A broken pipeline (disk full) ends the wait too.
        if (!csv.write(cells.map((cell) => neutralizeCell(cell(user, org, roles))))) await Promise.race([once(csv, 'drain'), written]);
      }
      await opts.onPage?.({ rows, total: Math.max(total, rows) });
    }
    csv.end();
  } catch (err) {
    csv.destroy(err as Error);
  }
  await written;
  await settlePrivateFile(path);
  return { rows, users, bytes: (await stat(path)).size, columns };
}
