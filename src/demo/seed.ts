import type { Role } from '../domain/permissions';
import type { AuthStatus } from '../domain/status';
import type { Ctx } from '../services/context';
import { LockoutEvent, Membership, Organization, RecordAssignment, User } from '../store/models';

/**
 * The demo's directory: two organizations, a few dozen people in every status, and the four Slack
 * identities the terminal can act as. Written straight into the store (like test fixtures), because
 * going through the services would audit-log and email a seed nobody asked about.
 */

/** Every seeded user's password, printed in the banner so the login API can be tried. */
export const DEMO_PASSWORD = 'Tulip-Harbor-2187';

export interface DemoIdentity {
  /** What `as NAME` accepts besides the username. */
  alias: 'admin' | 'security' | 'helpdesk' | 'viewer';
  slackId: string;
  username: string;
  realName: string;
  email: string;
  roles: string;
}

interface Person {
  username: string;
  first: string;
  last: string;
  org: 'acme' | 'globex';
  roles?: Partial<Record<'acme' | 'globex', Role[]>>;
  /** Also a member of the other organization (no roles). */
  alsoIn?: 'acme' | 'globex';
  enabled?: boolean;
  authStatus?: AuthStatus;
  title?: string;
  slack?: { id: string; alias: DemoIdentity['alias'] };
}

const ORGS = [
  { slug: 'acme', name: 'Acme Corp' },
  { slug: 'globex', name: 'Globex Inc' },
] as const;

const PEOPLE: Person[] = [
  {
    username: 'ana',
    first: 'Ana',
    last: 'Silva',
    org: 'acme',
    title: 'IT administrator',
    roles: { acme: ['administrator'], globex: ['administrator'] },
    slack: { id: 'U0ANA0001', alias: 'admin' },
  },
  {
    username: 'sam',
    first: 'Sam',
    last: 'Okafor',
    org: 'acme',
    title: 'Security engineer',
    roles: { acme: ['security'], globex: ['security'] },
    slack: { id: 'U0SAM0001', alias: 'security' },
  },
  {
    username: 'hal',
    first: 'Hal',
    last: 'Moreno',
    org: 'acme',
    title: 'Helpdesk',
    roles: { acme: ['helpdesk'] },
    slack: { id: 'U0HAL0001', alias: 'helpdesk' },
  },
  {
    username: 'vic',
    first: 'Vic',
    last: 'Lindqvist',
    org: 'acme',
    title: 'Team lead',
    roles: { acme: ['viewer'] },
    slack: { id: 'U0VIC0001', alias: 'viewer' },
  },
  { username: 'gwen', first: 'Gwen', last: 'Adeyemi', org: 'globex', title: 'Globex IT', roles: { globex: ['administrator'] } },
  { username: 'bob', first: 'Bob', last: 'Marsh', org: 'acme', title: 'Sales' },
  { username: 'carol', first: 'Carol', last: 'Nguyen', org: 'acme', title: 'Finance', alsoIn: 'globex' },
  { username: 'dan', first: 'Dan', last: 'Kowalski', org: 'acme', title: 'Account manager' },
  { username: 'erin', first: 'Erin', last: 'Walsh', org: 'acme' },
  { username: 'farid', first: 'Farid', last: 'Haddad', org: 'acme' },
  { username: 'grace', first: 'Grace', last: 'Obi', org: 'acme' },
  { username: 'henry', first: 'Henry', last: 'Park', org: 'acme' },
  { username: 'irene', first: 'Irene', last: 'Rossi', org: 'acme' },
  { username: 'jonas', first: 'Jonas', last: 'Berg', org: 'acme' },
  { username: 'kira', first: 'Kira', last: 'Tanaka', org: 'acme', authStatus: 'locked' },
  { username: 'liam', first: 'Liam', last: 'Doyle', org: 'acme' },
  { username: 'lou', first: 'Lou', last: 'Fontaine', org: 'acme', title: 'Support', authStatus: 'locked' },
  { username: 'maya', first: 'Maya', last: 'Patel', org: 'acme' },
  { username: 'nico', first: 'Nico', last: 'Brandt', org: 'acme' },
  { username: 'olga', first: 'Olga', last: 'Ivanova', org: 'acme', enabled: false },
  { username: 'pedro', first: 'Pedro', last: 'Alves', org: 'acme', authStatus: 'locked' },
  { username: 'quinn', first: 'Quinn', last: 'Harper', org: 'acme' },
  { username: 'rosa', first: 'Rosa', last: 'Mendes', org: 'acme' },
  { username: 'sven', first: 'Sven', last: 'Olsen', org: 'acme' },
  { username: 'tara', first: 'Tara', last: 'Singh', org: 'acme', authStatus: 'password_reset' },
  { username: 'uma', first: 'Uma', last: 'Reddy', org: 'acme' },
  { username: 'wes', first: 'Wes', last: 'Carter', org: 'acme', enabled: false },
  { username: 'yusuf', first: 'Yusuf', last: 'Demir', org: 'acme', authStatus: 'password_reset' },
  { username: 'zoe', first: 'Zoe', last: 'Laurent', org: 'acme' },
  { username: 'ada', first: 'Ada', last: 'Byrne', org: 'acme' },
  { username: 'ben', first: 'Ben', last: 'Okoro', org: 'acme', enabled: false, authStatus: 'locked' },
  { username: 'cleo', first: 'Cleo', last: 'Martin', org: 'acme' },
  { username: 'dev', first: 'Dev', last: 'Kapoor', org: 'acme' },
  { username: 'eli', first: 'Eli', last: 'Cohen', org: 'acme' },
  { username: 'hugo', first: 'Hugo', last: 'Blanc', org: 'globex' },
  { username: 'ines', first: 'Ines', last: 'Costa', org: 'globex' },
  { username: 'jack', first: 'Jack', last: 'Reilly', org: 'globex' },
  { username: 'kemal', first: 'Kemal', last: 'Aydin', org: 'globex' },
  { username: 'lena', first: 'Lena', last: 'Vogel', org: 'globex' },
  { username: 'milo', first: 'Milo', last: 'Novak', org: 'globex', enabled: false },
  { username: 'nora', first: 'Nora', last: 'Hughes', org: 'globex', authStatus: 'password_reset' },
  { username: 'omar', first: 'Omar', last: 'Said', org: 'globex', authStatus: 'locked' },
  { username: 'priya', first: 'Priya', last: 'Nair', org: 'globex' },
  { username: 'rafa', first: 'Rafa', last: 'Ortiz', org: 'globex' },
  { username: 'sofia', first: 'Sofia', last: 'Greco', org: 'globex' },
];

/** Dan owns records, so deleting him is refused until `/users reassign dan bob`. */
const RECORD_OWNER = 'dan';
const RECORDS = [
  { entity: 'crm_account', entityId: '1001' },
  { entity: 'crm_account', entityId: '1002' },
  { entity: 'ticket', entityId: '5531' },
];

export interface SeedResult {
  identities: DemoIdentity[];
  users: number;
  organizations: number;
  locked: string[];
  disabled: string[];
  passwordReset: string[];
  recordOwner: string;
}

function emailOf(p: Person): string {
  return `${p.username}@${p.org}.example`;
}

export async function seedDemoData(ctx: Ctx): Promise<SeedResult> {
  const now = ctx.now().getTime();
  const hoursAgo = (h: number): Date => new Date(now - h * 3_600_000);
  // One hash for everyone: hashing fifty passwords would make every start seconds slower.
  const passwordHash = await ctx.hasher.hash(DEMO_PASSWORD);
  const orgIds = new Map<string, number>();
  for (const o of ORGS) orgIds.set(o.slug, (await Organization.create({ slug: o.slug, name: o.name })).id);

  const result: SeedResult = {
    identities: [],
    users: 0,
    organizations: ORGS.length,
    locked: [],
    disabled: [],
    passwordReset: [],
    recordOwner: RECORD_OWNER,
  };
  let lockIndex = 0;
  for (const [i, p] of PEOPLE.entries()) {
    const authStatus = p.authStatus ?? 'active';
    const locked = authStatus === 'locked';
    const user = await User.create({
      username: p.username,
      email: emailOf(p),
      emailNormalized: emailOf(p),
      firstName: p.first,
      lastName: p.last,
      title: p.title ?? null,
      phone: `+1 555 01${String(i).padStart(2, '0')}`,
      enabled: p.enabled ?? true,
      authStatus,
      failedLoginCount: locked ? ctx.config.LOCKOUT_THRESHOLD : 0,
      lockedAt: locked ? hoursAgo(1 + lockIndex * 3) : null,
      lastLoginAt: authStatus === 'active' ? hoursAgo(4 + i * 7) : hoursAgo(200 + i),
      passwordHash,
      passwordChangedAt: hoursAgo(24 * (30 + i)),
    });
    result.users += 1;
    const memberships = new Map<string, Role[]>([[p.org, p.roles?.[p.org] ?? []]]);
    for (const [slug, roles] of Object.entries(p.roles ?? {})) memberships.set(slug, roles);
    if (p.alsoIn && !memberships.has(p.alsoIn)) memberships.set(p.alsoIn, []);
    for (const [slug, roles] of memberships) {
      await Membership.create({ userId: user.id, organizationId: orgIds.get(slug) ?? 0, roles: [...roles].sort().join(';') });
    }
    if (locked) {
      // What the login API records when it locks someone: the lockout digest and App Home read these.
      await LockoutEvent.create({
        userId: user.id,
        lockedAt: user.lockedAt ?? hoursAgo(1),
        failedCount: ctx.config.LOCKOUT_THRESHOLD,
        sourceIp: `203.0.113.${10 + lockIndex}`,
      });
      lockIndex += 1;
      result.locked.push(p.username);
    }
    if (p.enabled === false) result.disabled.push(p.username);
    if (authStatus === 'password_reset') result.passwordReset.push(p.username);
    if (p.username === RECORD_OWNER) {
      for (const r of RECORDS) {
        await RecordAssignment.create({ organizationId: orgIds.get(p.org) ?? 0, entity: r.entity, entityId: r.entityId, userId: user.id });
      }
    }
    if (p.slack) {
      // "administrator of acme and globex" rather than one clause per organization.
      const byRoles = new Map<string, string[]>();
      for (const [slug, rs] of Object.entries(p.roles ?? {})) byRoles.set(rs.join(', '), [...(byRoles.get(rs.join(', ')) ?? []), slug]);
      const roles = [...byRoles].map(([rs, slugs]) => `${rs} of ${slugs.join(' and ')}`).join('; ');
      result.identities.push({
        alias: p.slack.alias,
        slackId: p.slack.id,
        username: p.username,
        realName: `${p.first} ${p.last}`,
        email: emailOf(p),
        roles,
      });
    }
  }
  return result;
}
