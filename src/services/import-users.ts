import { Op, type Transaction } from 'sequelize';
import { restoreCell } from '../domain/csv-safety';
import { fail, ok, type Outcome } from '../domain/outcome';
import { passwordProblem } from '../domain/password-policy';
import { PERMISSIONS, formatRoles, parseRoles, rolesAbove, type Permission, type Role } from '../domain/permissions';
import { afterPasswordSet } from '../domain/status';
import { CsvSyntaxError, parseCsv } from '../lib/csv-parse';
import { Membership, Organization, User, accountState } from '../store/models';
import { accountRefusal, decide, isFailure, loadAccess, mayView, orgsOfUsers, rolesOfUsers, type Access } from './authz';
import { writeAudit } from './audit';
import type { Actor, Ctx } from './context';
import { ORG_SLUG_PATTERN, otherAdministrators } from './memberships';
import { hashPassword } from './password-hashing';
import { revokeResetTokens } from './passwords';
import { EMAIL_PATTERN, USERNAME_PATTERN, normalizeEmail, normalizeUsername } from './user-refs';

/** The import columns of DESIGN §6; an export carries the same names (and may add more, which import ignores). */
export const IMPORT_COLUMNS = ['username', 'email', 'first_name', 'last_name', 'organization', 'roles', 'password', 'enabled'] as const;
type Column = (typeof IMPORT_COLUMNS)[number];

/** Columns an export may add; import accepts and ignores them. */
export const IGNORED_EXPORT_COLUMNS = [
  'id',
  'phone',
  'title',
  'auth_status',
  'failed_login_count',
  'locked_at',
  'locked_until',
  'last_login_at',
  'password_changed_at',
  'created_at',
  'updated_at',
];

const BCRYPT_HASH = /^\$2[aby]\$(0[4-9]|1\d|2\d|3[01])\$[./A-Za-z0-9]{53}$/;

export interface ImportRowError {
  line: number;
  message: string;
}

export interface ImportSummary {
  rows: number;
  created: number;
  updated: number;
  errors: ImportRowError[];
}

interface ParsedRow {
  line: number;
  username: string;
  email: string;
  firstName: string;
  lastName: string;
  org: string;
  roles: Role[];
  password: string;
  enabled: boolean | null;
}

function parseRow(line: number, get: (c: Column) => string, minLength: number): ParsedRow | ImportRowError {
  const err = (message: string) => ({ line, message });
  const username = normalizeUsername(get('username'));
  if (!USERNAME_PATTERN.test(username))
    return err(
      `username “${get('username')}” must be 1–254 letters, digits, dots, dashes, underscores, plus signs or @, starting with a letter or digit`,
    );
  const email = get('email').trim();
  if (email.length > 254 || !EMAIL_PATTERN.test(email)) return err(`email “${email}” is not a valid address`);
  const firstName = get('first_name').trim();
  const lastName = get('last_name').trim();
  if (firstName.length > 100 || lastName.length > 100) return err('first_name and last_name are limited to 100 characters');
  if (/[\u0000-\u001f\u007f]/.test(firstName + lastName)) return err('names must not contain control characters');
  const org = get('organization').trim().toLowerCase();
  if (!ORG_SLUG_PATTERN.test(org))
    return err(`organization “${get('organization')}” must be a slug (lower-case letters, digits and dashes)`);
  const { roles, unknown } = parseRoles(get('roles'));
  if (unknown.length > 0)
    return err(
      `unknown role${unknown.length > 1 ? 's' : ''} ${unknown.map((r) => `“${r}”`).join(', ')} (use administrator, security, helpdesk, viewer)`,
    );
  const password = get('password');
  if (password.length > 0 && !BCRYPT_HASH.test(password)) {
    const problem = passwordProblem(password, { username, email, firstName, lastName, minLength });
    if (problem) return err(`password rejected: ${problem}`);
  }
  const enabledText = get('enabled').trim().toLowerCase();
  let enabled: boolean | null;
  if (enabledText === 'true') enabled = true;
  else if (enabledText === 'false') enabled = false;
  else if (enabledText === '') enabled = null;
  else return err(`enabled must be true or false, not “${get('enabled')}”`);
  return { line, username, email, firstName, lastName, org, roles, password, enabled };
}

/**
 * Import users from CSV text. The header must hold every import column (any order); a bad row is
 * reported with its 1-based line and nothing of it is written; good rows are written, each in its
 * own transaction. An empty password keeps an existing user's password; a new user without one
 * starts in `password_reset` and cannot log in until an admin resets it. A bcrypt hash in the
 * password column (an export with the hash field on) is stored as it is.
 */
export async function importUsers(
  ctx: Ctx,
  actor: Actor,
  csvText: string,
  onProgress?: (done: number, total: number) => void,
): Promise<Outcome<ImportSummary>> {
  // A directory user who cannot act at all is told once, before any row; each row checks again.
  const pre = await loadAccess(ctx, actor);
  if (isFailure(pre)) return pre;
  let records;
  try {
    records = parseCsv(csvText);
  } catch (e) {
    if (e instanceof CsvSyntaxError) return fail('invalid_input', `line ${e.line}: ${e.message}; nothing was imported.`);
    throw e;
  }
  if (records.length === 0)
    return fail('invalid_input', `The file is empty. The first line must be the header: ${IMPORT_COLUMNS.join(',')}`);
  const header = records[0].fields.map((h) => h.trim().toLowerCase());
  const missing = IMPORT_COLUMNS.filter((c) => !header.includes(c));
  const unknown = header.filter((h) => !(IMPORT_COLUMNS as readonly string[]).includes(h) && !IGNORED_EXPORT_COLUMNS.includes(h));
  if (missing.length > 0 || unknown.length > 0) {
    const parts = [
      missing.length > 0 ? `missing ${missing.join(', ')}` : '',
      unknown.length > 0 ? `unknown ${unknown.map((u) => `“${u}”`).join(', ')}` : '',
    ].filter(Boolean);
    return fail('invalid_input', `Wrong header (${parts.join('; ')}). Expected: ${IMPORT_COLUMNS.join(',')}. Nothing was imported.`);
  }
  const dup = header.find((h, i) => header.indexOf(h) !== i);
  if (dup) return fail('invalid_input', `The header names “${dup}” twice. Nothing was imported.`);
  const index = new Map(header.map((h, i) => [h, i]));
  const summary: ImportSummary = { rows: records.length - 1, created: 0, updated: 0, errors: [] };
  const seenUsernames = new Map<string, number>();
  const seenEmails = new Map<string, { line: number; username: string }>();
  const seenPeople = new Map<string, { line: number; email: string }>();
  const rows = records.slice(1);
  for (let n = 0; n < rows.length; n++) {
    const rec = rows[n];
    onProgress?.(n, rows.length);
    if (rec.fields.length !== header.length) {
      summary.errors.push({ line: rec.line, message: `has ${rec.fields.length} fields, the header has ${header.length}` });
      continue;
    }
    const get = (c: Column) => restoreCell(rec.fields[index.get(c)!] ?? '');
    const parsed = parseRow(rec.line, get, ctx.config.PASSWORD_MIN_LENGTH);
    if ('message' in parsed) {
      summary.errors.push(parsed);
      continue;
    }
    // One person may appear on several lines, one per organization (that is how export writes
    // memberships); two different people may not share a username or an email.
    const emailKey = normalizeEmail(parsed.email);
    const seenEmail = seenEmails.get(emailKey);
    if (seenEmail && seenEmail.username !== parsed.username) {
      summary.errors.push({
        line: rec.line,
        message: `email ${parsed.email} is already used by ${seenEmail.username} on line ${seenEmail.line}`,
      });
      continue;
    }
    const seenPerson = seenPeople.get(parsed.username);
    if (seenPerson && seenPerson.email !== emailKey) {
      summary.errors.push({
        line: rec.line,
        message: `duplicate username ${parsed.username} with a different email (first on line ${seenPerson.line})`,
      });
      continue;
    }
    const firstLine = seenUsernames.get(`${parsed.username}\u0000${parsed.org}`);
    if (firstLine !== undefined) {
      summary.errors.push({
        line: rec.line,
        message: `duplicate username ${parsed.username} for ${parsed.org} (first on line ${firstLine})`,
      });
      continue;
    }
    const result = await importRow(ctx, actor, parsed);
    if (result === 'created') summary.created++;
    else if (result === 'updated') summary.updated++;
    else {
      summary.errors.push({ line: rec.line, message: result.message });
      continue;
    }
    seenUsernames.set(`${parsed.username}\u0000${parsed.org}`, rec.line);
    seenEmails.set(emailKey, { line: rec.line, username: parsed.username });
    if (!seenPerson) seenPeople.set(parsed.username, { line: rec.line, email: emailKey });
  }
  onProgress?.(rows.length, rows.length);
  return ok(summary);
}

/**
 * What a directory user (not the operator) may do with one row (DESIGN §2, issue 14): only in an
 * organization where they are administrator; an existing user only if they can see them and may act
 * on their account for each thing the row changes — in every organization of that user, never
 * upward; and never grant a role above their own. Returns the refusal, or null.
 */
async function rowRefusal(
  access: Access,
  row: ParsedRow,
  org: Organization | null,
  user: User | null,
  current: Membership | null,
  hash: string | null,
  t: Transaction,
): Promise<string | null> {
  if (access.system) return null;
  const mine = org ? (access.roles.get(org.id) ?? []) : [];
  // The same words whether the organization exists or not: the file names it, the answer reveals nothing.
  if (!org || !mine.includes('administrator')) return `you are not an administrator of “${row.org}”, so you cannot import users into it`;
  if (rolesAbove(row.roles, mine)) return `you cannot grant a role above your own in ${row.org}`;
  if (!user) return null;
  const roles = (await rolesOfUsers([user.id], t)).get(user.id) ?? new Map();
  // A username is unique, so a taken one cannot be hidden; who holds it, and where, is.
  if (!mayView(access, [...roles.keys()])) return `username ${row.username} is already taken`;
  // The self rules of Slack hold here too.
  if (user.id === access.userId && row.enabled === false && user.enabled) return 'you cannot disable your own account';
  const needs: Permission[] = [];
  const identityChanged =
    normalizeEmail(row.email) !== user.emailNormalized || row.firstName !== user.firstName || row.lastName !== user.lastName;
  if (identityChanged || (hash !== null && hash !== user.passwordHash)) needs.push('change_password');
  if (row.enabled !== null && row.enabled !== user.enabled) needs.push('enable_disable');
  for (const p of needs) {
    const decision = decide(access, roles, p);
    if (!decision.allowed) return accountRefusal(decision, user.username).message;
  }
  const rolesChanged = !current || formatRoles(parseRoles(current.roles).roles) !== formatRoles(row.roles);
  // Memberships and roles are the administrator's: every permission, in every organization of the user.
  if (rolesChanged && !PERMISSIONS.every((p) => decide(access, roles, p).allowed)) {
    return `you must be an administrator in every organization of ${user.username} to change their memberships or roles`;
  }
  return null;
}

async function importRow(ctx: Ctx, actor: Actor, row: ParsedRow): Promise<'created' | 'updated' | { message: string }> {
  // Hash outside the transaction: bcrypt is slow and the write lock should not wait on it.
  let hash: string | null = row.password.length === 0 ? null : row.password;
  if (hash !== null && !BCRYPT_HASH.test(hash)) {
    const hashed = await hashPassword(ctx, hash);
    // Nothing of the row is written; the sentence says to run the import again (it is idempotent).
    if (!hashed.ok) return { message: `${hashed.message} Nothing of this row was written; import the file again.` };
    hash = hashed.hash;
  }
  return ctx.db.tx(async (t) => {
    // Roles are read again in the row's transaction: a role taken away mid-import stops the next row.
    const access = await loadAccess(ctx, actor, t);
    if (isFailure(access)) return { message: access.message };
    let org = await Organization.findOne({ where: { slug: row.org }, transaction: t });
    let user = await User.findOne({ where: { username: row.username }, transaction: t, lock: t.LOCK.UPDATE });
    const current = user && org ? await Membership.findOne({ where: { userId: user.id, organizationId: org.id }, transaction: t }) : null;
    // Every check comes before the first write of the row, so a refused row leaves nothing behind.
    const refused = await rowRefusal(access, row, org, user, current, hash, t);
    if (refused) return { message: refused };
    const emailOwner = await User.findOne({
      where: { emailNormalized: normalizeEmail(row.email), username: { [Op.ne]: row.username } },
      transaction: t,
    });
    if (emailOwner) {
      const named = access.system || mayView(access, (await orgsOfUsers([emailOwner.id], t)).get(emailOwner.id) ?? []);
      return {
        message: named ? `email ${row.email} already belongs to user ${emailOwner.username}` : `email ${row.email} is already in use`,
      };
    }
    if (!org) {
      org = await Organization.create({ slug: row.org, name: row.org }, { transaction: t });
      await writeAudit(ctx, t, actor, { action: 'create_organization', organizationId: org.id, details: { slug: row.org } });
    }
    // As for revoke: nobody may lock an organization out of its own directory. Checked before any write of this row.
    if (user && current && parseRoles(current.roles).roles.includes('administrator') && !row.roles.includes('administrator')) {
      if ((await otherAdministrators(org.id, user.id, t)) === 0) {
        return { message: `${row.username} is the last administrator of ${row.org}; make someone else administrator first` };
      }
    }
    const now = ctx.now();
    const created = !user;
    if (!user) {
      user = await User.create(
        {
          username: row.username,
          email: row.email,
          emailNormalized: normalizeEmail(row.email),
          firstName: row.firstName,
          lastName: row.lastName,
          enabled: row.enabled ?? true,
          authStatus: hash ? 'active' : 'password_reset',
          passwordHash: hash,
          passwordChangedAt: hash ? now : null,
        },
        { transaction: t },
      );
    } else {
      Object.assign(user, { email: row.email, firstName: row.firstName, lastName: row.lastName });
      if (row.enabled !== null) user.enabled = row.enabled;
      if (hash && hash !== user.passwordHash) {
        // As an admin's change from Slack: earlier reset links stop working, and a pending reset is over.
        Object.assign(user, {
          passwordHash: hash,
          passwordChangedAt: now,
          authStatus: afterPasswordSet(accountState(user), 'admin').authStatus,
        });
        await revokeResetTokens([user.id], now, t);
      }
      await user.save({ transaction: t });
    }
    if (current) {
      current.roles = formatRoles(row.roles);
      await current.save({ transaction: t });
    } else {
      await Membership.create({ userId: user.id, organizationId: org.id, roles: formatRoles(row.roles) }, { transaction: t });
    }
    await writeAudit(ctx, t, actor, {
      action: created ? 'import_create' : 'import_update',
      target: user,
      organizationId: org.id,
      details: { roles: row.roles, passwordSet: hash !== null },
    });
    return created ? 'created' : 'updated';
  });
}
