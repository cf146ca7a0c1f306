import type { CreationAttributes } from 'sequelize';
import type { Runtime } from '../src/app/runtime';
import { Membership, Organization, User, userSearchText } from '../src/store/models';
import { prng } from './stats';

/**
 * The temporary directory the bench measures: BENCH_USERS users across several organizations,
 * written with bulkCreate in chunks. Every user gets the same bcrypt hash (hashed once by the
 * caller): hashing 100,000 passwords would take longer than the whole bench.
 */

export const FIRST_NAMES = (
  'Ana Ben Carla Dmitri Elif Farid Greta Hiro Ines Jonas Kavya Lars Maria Nadia Omar Priya Quentin Rosa ' +
  'Sven Tomasz Uma Viktor Wanda Xavier Yusuf Zofia Martin Marek Anja Benedikt Carlos Daria Emil Fatima Gustav Hanna'
).split(' ');
export const LAST_NAMES = (
  'Kowalski Schmidt Novak Garcia Rossi Yilmaz Nakamura Okafor Larsen Dubois Silva Petrov Horvat Jensen Moreau ' +
  'Fischer Costa Ivanova Lindqvist Brennan Weber Marino Svoboda Andersen Kaya Tanaka Mensah Haddad Bauer Romero'
).split(' ');

export const ORGANIZATIONS = 8;

export interface BenchDirectory {
  users: number;
  memberships: number;
  orgIds: number[];
  admin: { id: number; username: string; email: string };
  /** Users who can log in with the bench password (enabled, active). */
  loginNames: string[];
  /** Enabled, active, ordinary users in id order: the bulk reset picks disjoint slices of them. */
  resettable: number[];
  /** Usernames in the directory, for search queries. */
  sampleUsernames: string[];
}

export interface SeedOptions {
  users: number;
  passwordHash: string;
  chunk?: number;
}

function usernameOf(i: number, first: string, last: string): string {
  return `${first}.${last}.${i}`.toLowerCase();
}

export async function buildDirectory(rt: Runtime, opts: SeedOptions): Promise<BenchDirectory> {
  const random = prng(20_260_101);
  const chunk = opts.chunk ?? 2000;
  const orgs = await Organization.bulkCreate(
    Array.from({ length: ORGANIZATIONS }, (_, i) => ({ slug: `org-${i + 1}`, name: `Organization ${i + 1}` })),
  );
  const orgIds = orgs.map((o) => o.id);
  const adminEmail = 'bench.admin@example.com';
  const [admin] = await User.bulkCreate([
    {
      username: 'bench.admin',
      email: adminEmail,
      emailNormalized: adminEmail,
      firstName: 'Bench',
      lastName: 'Admin',
      searchText: userSearchText({ username: 'bench.admin', email: adminEmail, firstName: 'Bench', lastName: 'Admin' }),
      passwordHash: opts.passwordHash,
    },
  ]);
  await Membership.bulkCreate(orgIds.map((organizationId) => ({ userId: admin.id, organizationId, roles: 'administrator' })));

  const loginNames: string[] = [];
  const resettable: number[] = [];
  const sampleUsernames: string[] = [];
  let memberships = orgIds.length;
  const roles = ['', '', '', '', '', '', 'viewer', 'helpdesk', 'security', 'administrator'];
  for (let start = 1; start <= opts.users; start += chunk) {
    const rows: Array<CreationAttributes<User>> = [];
    const end = Math.min(opts.users, start + chunk - 1);
    for (let i = start; i <= end; i++) {
      const firstName = FIRST_NAMES[Math.floor(random() * FIRST_NAMES.length)];
      const lastName = LAST_NAMES[Math.floor(random() * LAST_NAMES.length)];
      const username = usernameOf(i, firstName, lastName);
      const email = `${username}@example.com`;
      // A realistic mix of states: a few disabled, a few locked, some never logged in.
      const enabled = i % 37 !== 0;
      const locked = i % 101 === 0;
      rows.push({
        username,
        email,
        emailNormalized: email,
        firstName,
        lastName,
        phone: i % 3 === 0 ? `+49 30 ${String(i).padStart(7, '0')}` : null,
        title: i % 5 === 0 ? 'Engineer' : null,
        searchText: userSearchText({ username, email, firstName, lastName }),
        enabled,
        authStatus: locked ? 'locked' : 'active',
        failedLoginCount: locked ? 10 : 0,
        lockedAt: locked ? new Date() : null,
        passwordHash: opts.passwordHash,
        passwordChangedAt: i % 2 === 0 ? new Date() : null,
        lastLoginAt: i % 4 === 0 ? new Date() : null,
      });
    }
    await rt.db.tx(async (t) => {
      const created = await User.bulkCreate(rows, { transaction: t });
      const links: Array<CreationAttributes<Membership>> = [];
      for (const u of created) {
        const home = orgIds[u.id % orgIds.length];
        links.push({ userId: u.id, organizationId: home, roles: roles[u.id % roles.length] });
        // One in ten people belongs to a second organization: the export writes them twice.
        if (u.id % 10 === 0) links.push({ userId: u.id, organizationId: orgIds[(u.id + 3) % orgIds.length], roles: '' });
        const canLogIn = u.enabled && u.authStatus === 'active';
        if (canLogIn && loginNames.length < 2000 && u.id % 7 === 1) loginNames.push(u.username);
        else if (canLogIn) resettable.push(u.id);
        if (sampleUsernames.length < 5000 && u.id % 13 === 0) sampleUsernames.push(u.username);
      }
      await Membership.bulkCreate(links, { transaction: t });
      memberships += links.length;
    });
  }
  return {
    users: opts.users + 1,
    memberships,
    orgIds,
    admin: { id: admin.id, username: admin.username, email: admin.email },
    loginNames,
    resettable,
    sampleUsernames,
  };
}
