// The selection of the one bulk flow (DESIGN §11): the union of users picked, names pasted and one
// saved view, narrowed (never widened) by an organization filter, and the rules of the action for each.
import { Op, type WhereOptions } from 'sequelize';
import { isPrivileged } from '../domain/approvals';
import { BULK_PERMISSION, bulkStateCheck, type BulkAction, type SkipReason } from '../domain/bulk-actions';
import { fail, ok, type Failure, type Outcome } from '../domain/outcome';
import { PERMISSION_LABELS } from '../domain/permissions';
import type { SavedView } from '../domain/status';
import { idsByEmailOrUsername, userIdsWhere, userStates } from '../store/bulk-queries';
import { Organization, type User } from '../store/models';
import { usersInOrganizations, viewWhere } from '../store/user-queries';
import { decide, mayView, orgsWith, rolesOfUsers, type Access } from './authz';
import { normalizeEmail, normalizeUsername } from './user-refs';

export const MAX_PASTED_LINES = 10_000;

/** Who: the union of users picked, names pasted and one saved view; `orgSlug` narrows that union and never adds anyone. */
export interface BulkSelectionInput {
  userIds?: number[];
  /** Usernames or emails, one per line, or separated by commas, semicolons or spaces. */
  pasted?: string;
  view?: SavedView | null;
  /** A filter: only members of this organization are kept. */
  orgSlug?: string | null;
}

export function entriesOf(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,;]+/)
        .map((l) => l.trim())
        .filter((l) => l.length > 0),
    ),
  ];
}

/** The user id each entry (username, email, or — for typed refs — an id) names; entries naming nobody are left out. */
async function resolveEntries(entries: string[], idsToo: boolean): Promise<Map<string, number>> {
  const found = await idsByEmailOrUsername(
    entries.filter((e) => e.includes('@')).map(normalizeEmail),
    entries.filter((e) => !e.includes('@')).map(normalizeUsername),
  );
  const numeric = idsToo ? entries.filter((e) => /^\d{1,15}$/.test(e)).map(Number) : [];
  const existing = numeric.length > 0 ? await userStates(numeric) : new Map();
  const idOf = new Map<string, number>();
  for (const e of entries) {
    // As findUserByRef: a number is an id first, a username otherwise.
    const id = idsToo && existing.has(Number(e)) ? Number(e) : found.get(e.includes('@') ? normalizeEmail(e) : normalizeUsername(e));
    if (id !== undefined) idOf.set(e, id);
  }
  return idOf;
}

export function validReason(raw: string): Outcome<{ reason: string }> {
  const reason = raw.trim();
  if (reason.length < 3)
    return fail('invalid_input', 'Give a reason (it goes into the audit log).', { reason: 'Give a reason of at least 3 characters.' });
  if (reason.length > 500)
    return fail('invalid_input', 'Keep the reason under 500 characters.', { reason: 'Keep the reason under 500 characters.' });
  return ok({ reason });
}

const pickedIds = (sel: BulkSelectionInput) => [...new Set((sel.userIds ?? []).filter((n) => Number.isSafeInteger(n) && n > 0))];

/**
 * The form checks of a selection, needing no database: at most MAX_PASTED_LINES pasted entries,
 * someone chosen (an organization alone chooses nobody: it only narrows), and, when a reason is
 * given to check, a reason. Every problem is in `fields` (`selection`, `pasted`, `reason`), so a
 * form can show them all at once; `message` is the first.
 */
export function checkBulkSelection(sel: BulkSelectionInput & { reason?: string }): Failure | null {
  const fields: Record<string, string> = {};
  const messages: string[] = [];
  if (sel.reason !== undefined) {
    const reason = validReason(sel.reason);
    if (!reason.ok) {
      Object.assign(fields, reason.fields);
      messages.push(reason.message);
    }
  }
  const entries = entriesOf(sel.pasted ?? '');
  if (entries.length > MAX_PASTED_LINES) {
    fields.pasted = `Paste at most ${MAX_PASTED_LINES} entries.`;
    messages.push(fields.pasted);
  }
  if (entries.length === 0 && pickedIds(sel).length === 0 && !sel.view) {
    fields.selection = 'Pick users, paste usernames or emails, or choose a view (the organization only narrows the choice).';
    messages.push('Choose users: pick them, paste a list, or choose a saved view. An organization only narrows that choice.');
  }
  return messages.length > 0 ? fail('invalid_input', messages[0], fields) : null;
}

export interface Selected {
  /** Visible, selected users in the order found, each once, with the reason they are skipped (or none). */
  users: Array<{ id: number; username: string; skip: SkipReason | null }>;
  notFound: string[];
  /** The user each resolved entry names, for answers by the name typed. */
  idOf: Map<string, number>;
  /** Whether a user who will change holds administrator or security somewhere (APPROVAL_REQUIRED=admin_target). */
  privileged: boolean;
}

/**
 * DESIGN §11: the union of picked, pasted and one view, then the organization filter, then the
 * rules of the action for each user (the same `bulkStateCheck` and `decide` the batch runs again).
 */
export async function select(
  access: Access,
  action: BulkAction,
  sel: BulkSelectionInput,
  opts: { idsToo?: boolean; clock: { now: Date; dormantDays: number } },
): Promise<Outcome<Selected>> {
  const permission = BULK_PERMISSION[action];
  const bad = checkBulkSelection(sel);
  if (bad) return bad;
  const entries = entriesOf(sel.pasted ?? '');
  const picked = pickedIds(sel);
  const view = sel.view ?? null;
  const mine = orgsWith(access, permission);
  let filterOrg: number | null = null;
  if (sel.orgSlug) {
    const org = await Organization.findOne({ where: { slug: sel.orgSlug }, attributes: ['id'] });
    if (!org || (mine !== null && !mine.includes(org.id))) {
      return fail('forbidden', `You cannot ${PERMISSION_LABELS[permission]} in ${sel.orgSlug}.`, {
        organization: 'Choose one of your organizations.',
      });
    }
    filterOrg = org.id;
  }

  const idOf = await resolveEntries(entries, opts.idsToo ?? false);
  const named = [...picked, ...idOf.values()];
  // A view contributes the users of the organizations where the actor holds the permission (or of the filter's).
  const fromView = view
    ? await userIdsWhere({
        [Op.and]: [
          usersInOrganizations(filterOrg !== null ? [filterOrg] : mine),
          viewWhere(view, { orgIds: filterOrg !== null ? [filterOrg] : mine, ...opts.clock }),
        ],
      } as WhereOptions<User>)
    : [];
  const all = [...new Set([...named, ...fromView])];
  const states = await userStates(all);
  const rolesMap = await rolesOfUsers(all);
  const visible = (id: number) => states.has(id) && mayView(access, [...(rolesMap.get(id)?.keys() ?? [])]);
  // Somebody outside the actor's organizations reads exactly like a name that matches nobody, in the order given.
  const missing = [...entries.filter((e) => !visible(idOf.get(e) ?? -1)), ...picked.filter((id) => !visible(id)).map(String)];

  const users: Selected['users'] = [];
  let privileged = false;
  for (const id of all) {
    if (!visible(id)) continue;
    const u = states.get(id)!;
    const roles = rolesMap.get(id) ?? new Map();
    let skip: SkipReason | null = null;
    const state = bulkStateCheck(action, u, id === access.userId);
    const decision = decide(access, roles, permission);
    if (filterOrg !== null && !roles.has(filterOrg)) skip = 'outside_org';
    else if (!state.go && state.reason === 'self') skip = 'self';
    else if (!decision.allowed) skip = decision.reason === 'higher_role' ? 'higher_role' : 'no_permission';
    else if (!state.go) skip = state.reason;
    users.push({ id, username: u.username, skip });
    if (skip === null && isPrivileged(roles)) privileged = true;
  }
  return ok({ users, notFound: [...new Set(missing)], idOf, privileged });
}
