/**
 * The access review (issue 20 §4): for one organization, who holds the administrator and security
 * roles, who has API keys, who is dormant and who was invited and has not accepted — the questions
 * an auditor asks. `/users review [ORG]` runs it on demand; ACCESS_REVIEW_CRON posts it on a
 * schedule (jobs/access-review.ts).
 *
 * Who may run it: whoever holds `audit_log` in that organization (administrator and security):
 * the review is a read of the same standing as the audit log. An organization the actor holds no
 * role in reads exactly like one that does not exist.
 */
import { neutralizeCell } from '../domain/csv-safety';
import { fail, ok, type Outcome } from '../domain/outcome';
import { parseRoles, type Role } from '../domain/permissions';
import type { SavedView } from '../domain/status';
import type { Organization, User } from '../store/models';
import {
  apiKeysOfOrganization,
  membershipsMentioningRole,
  organizationBySlug,
  usersByIdInNameOrder,
  usersInView,
} from '../store/access-review-queries';
import { organizationsIn } from '../store/organization-queries';
import { isFailure, loadAccess, mayOn, orgsWith } from './authz';
import { writeAudit } from './audit';
import type { Actor, Ctx } from './context';
import { viewClock } from './directory';
import { describeRef } from './user-refs';

export const REVIEW_SECTIONS = ['administrators', 'security', 'api_keys', 'dormant', 'invited'] as const;
export type ReviewSectionKey = (typeof REVIEW_SECTIONS)[number];

export function isReviewSection(v: string): v is ReviewSectionKey {
  return (REVIEW_SECTIONS as readonly string[]).includes(v);
}

/** The saved view that selects a section's users in the bulk flow; the others are preselected by name. */
export const SECTION_VIEW: Partial<Record<ReviewSectionKey, SavedView>> = {
  administrators: 'admins',
  dormant: 'dormant',
  invited: 'invited',
};

export interface ReviewRow {
  id: number;
  username: string;
  name: string;
  email: string;
  lastLoginAt: Date | null;
  /** What puts the person in the section beyond their name (a key's prefix, the days since login…). */
  detail: string;
}

export interface ReviewSection {
  key: ReviewSectionKey;
  /** Every person of the section, in username order (the CSV has them all; the message the first few). */
  rows: ReviewRow[];
}

export interface AccessReview {
  organization: { id: number; slug: string; name: string };
  at: Date;
  dormantDays: number;
  sections: ReviewSection[];
}

function row(u: User, detail: string): ReviewRow {
  return {
    id: u.id,
    username: u.username,
    name: `${u.firstName} ${u.lastName}`.trim(),
    email: u.email,
    lastLoginAt: u.lastLoginAt ?? null,
    detail,
  };
}

async function roleHolders(orgId: number, role: Role): Promise<ReviewRow[]> {
  // The store's LIKE only narrows; the parsed roles decide.
  const ms = (await membershipsMentioningRole(orgId, role)).filter((m) => parseRoles(m.roles).roles.includes(role));
  return (await usersByIdInNameOrder(ms.map((m) => m.userId))).map((u) => row(u, role));
}

async function keyHolders(orgId: number): Promise<ReviewRow[]> {
  const keys = await apiKeysOfOrganization(orgId);
  const byUser = new Map<number, string[]>();
  for (const k of keys) byUser.set(k.userId, [...(byUser.get(k.userId) ?? []), k.displayPrefix]);
  return (await usersByIdInNameOrder([...byUser.keys()])).map((u) => row(u, `API keys: ${(byUser.get(u.id) ?? []).join(' ')}`));
}

/** The review of one organization, with no permission check: for the scheduled run (system) and after one. */
export async function buildAccessReview(ctx: Ctx, org: Pick<Organization, 'id' | 'slug' | 'name'>): Promise<AccessReview> {
  const clock = viewClock(ctx);
  const scope = { orgIds: [org.id], ...clock };
  const since = (u: User) =>
    u.lastLoginAt ? `last login ${u.lastLoginAt.toISOString()}` : `never logged in (created ${u.createdAt.toISOString()})`;
  const [administrators, security, apiKeys, dormant, invited] = await Promise.all([
    roleHolders(org.id, 'administrator'),
    roleHolders(org.id, 'security'),
    keyHolders(org.id),
    // The very query of `/users list dormant` and `/users list invited`.
    usersInView(scope, 'dormant').then((us) => us.map((u) => row(u, since(u)))),
    usersInView(scope, 'invited').then((us) => us.map((u) => row(u, 'invitation pending'))),
  ]);
  return {
    organization: { id: org.id, slug: org.slug, name: org.name },
    at: clock.now,
    dormantDays: clock.dormantDays,
    sections: [
      { key: 'administrators', rows: administrators },
      { key: 'security', rows: security },
      { key: 'api_keys', rows: apiKeys },
      { key: 'dormant', rows: dormant },
      { key: 'invited', rows: invited },
    ],
  };
}

/**
 * The review of the organization `org` (a slug), or of the actor's only reviewable organization
 * when none is named. Refusals: an organization the actor cannot see reads as a nonexistent one; one
 * they see without `audit_log` is refused by name.
 */
export async function accessReview(ctx: Ctx, actor: Actor, input: { org?: string }): Promise<Outcome<{ review: AccessReview }>> {
  const access = await loadAccess(ctx, actor);
  if (isFailure(access)) return access;
  const text = (input.org ?? '').trim();
  if (text.length === 0) {
    const mine = orgsWith(access, 'audit_log');
    const orgs = await organizationsIn(mine);
    if (orgs.length === 0) {
      return fail('forbidden', 'An access review takes the administrator or security role in an organization, and you hold neither.');
    }
    if (orgs.length > 1) {
      return fail('invalid_input', `Name the organization to review: ${orgs.map((o) => o.slug).join(', ')}.`);
    }
    return ok({ review: await buildAccessReview(ctx, orgs[0]) });
  }
  if (text.length > 63) return fail('invalid_input', 'Name the organization (its slug, e.g. acme).');
  const org = await organizationBySlug(text.toLowerCase());
  if (!org || !mayOn(access, 'view', [org.id])) return fail('not_found', `No organization “${describeRef(text)}”.`);
  if (!mayOn(access, 'audit_log', [org.id])) {
    return fail('forbidden', `An access review of ${org.slug} takes the administrator or security role there.`);
  }
  return ok({ review: await buildAccessReview(ctx, org) });
}

/** Every organization, for the scheduled review (which posts each to its own channel). */
export async function allOrganizations(): Promise<Organization[]> {
  return organizationsIn(null);
}

export function sectionCounts(review: AccessReview): Record<ReviewSectionKey, number> {
  return Object.fromEntries(review.sections.map((s) => [s.key, s.rows.length])) as Record<ReviewSectionKey, number>;
}

/** Audits that a review was posted (to whom or where, and the counts), after it was. */
export async function recordReviewPosted(
  ctx: Ctx,
  actor: Actor,
  review: AccessReview,
  details: { to: string; slot?: string },
): Promise<void> {
  await ctx.db.tx((t) =>
    writeAudit(ctx, t, actor, {
      action: 'access_review_posted',
      organizationId: review.organization.id,
      details: { organization: review.organization.slug, ...details, counts: sectionCounts(review) },
    }),
  );
}

const CSV_HEADER = ['organization', 'section', 'username', 'name', 'email', 'last_login_at', 'detail'];

function csvCell(v: string): string {
  const safe = neutralizeCell(v);
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The whole review as CSV: one line per person per section (someone in two sections has two lines). */
export function accessReviewCsv(review: AccessReview): string {
  const lines = [CSV_HEADER.join(',')];
  for (const s of review.sections) {
    for (const r of s.rows) {
      lines.push(
        [review.organization.slug, s.key, r.username, r.name, r.email, r.lastLoginAt ? r.lastLoginAt.toISOString() : '', r.detail]
          .map(csvCell)
          .join(','),
      );
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}
