import type { Runtime } from '../src/app/runtime';
import { Membership, Organization, User, userSearchText } from '../src/store/models';
import { openRaw, type Params, type RawDb } from './raw-db';
import { placeholders, sqliteDate } from './raw-bulk';
import { dropSecondaryIndexes, dropTriggers, indexesOf, recreateIndexes, recreateTriggers, sameIndexes } from './seed-indexes';
import { prng } from './stats';

/**
 * The temporary directory the bench measures: N users across several organizations. Every user
 * gets the same bcrypt hash (hashed once by the caller): hashing 100,000 passwords would take
 * longer than the whole bench.
 *
 * Written fast (1,000,000 users in well under 2 minutes on either database): the organizations and
 * the administrator through the models, then every user and membership as multi-row INSERTs through
 * the raw driver on a connection of its own, in a few large transactions, with the secondary
 * indexes of users and memberships dropped first and recreated after from the database's own
 * catalog, then checked against the list from before (seed-indexes.ts). SQLite's seeding connection
 * turns off fsync for itself only (PRAGMA synchronous is per connection; the server's connections
 * keep their own settings); PostgreSQL's session turns off synchronous_commit and is given more
 * memory for the index builds, and ANALYZEs the two tables at the end so plans do not depend on
 * when autovacuum happens to run. The content is what bulkCreate wrote before (same PRNG, same
 * states, same memberships and sample lists, user i with id admin + i).
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
}

const TABLES = ['users', 'memberships'];
const ROLES = ['', '', '', '', '', '', 'viewer', 'helpdesk', 'security', 'administrator'];
/** Users per statement: SQLite binds every value (18 a row, under its 32,766 limit); pg gets 19 arrays. */
const ROWS_PER_STATEMENT = { sqlite: 500, postgres: 10_000 } as const;
/** Users per transaction. */
const ROWS_PER_TRANSACTION = 100_000;

function usernameOf(i: number, first: string, last: string): string {
  return `${first}.${last}.${i}`.toLowerCase();
}

const USER_COLUMNS =
  'id, username, email, email_normalized, first_name, last_name, phone, title, search_text, enabled, auth_status, ' +
  'failed_login_count, locked_at, password_changed_at, last_login_at, consecutive_locks, password_hash, created_at, updated_at';
const MEMBERSHIP_COLUMNS = 'user_id, organization_id, roles, created_at, updated_at';
/** locked_at, password_changed_at, last_login_at: set (1) or not (null) in a chunk, written as the chunk's time. */
const isDate = (c: number) => c >= 12 && c <= 14;

/** One chunk of users and their memberships, column by column. */
interface Chunk {
  users: Array<Array<string | number | boolean | null>>;
  links: Array<[number, number, string]>;
}

async function writeChunk(db: RawDb, chunk: Chunk, passwordHash: string, now: Date): Promise<void> {
  if (db.dialect === 'sqlite') {
    const at = sqliteDate(now);
    const sqliteValue = (v: string | number | boolean | null) => (typeof v === 'boolean' ? (v ? 1 : 0) : v);
    await db.run(
      `INSERT INTO users (${USER_COLUMNS}) VALUES ${placeholders(chunk.users.length, 19)}`,
      chunk.users.flatMap((u): Params => [...u.map((v, c) => (isDate(c) && v !== null ? at : sqliteValue(v))), passwordHash, at, at]),
    );
    await db.run(
      `INSERT INTO memberships (${MEMBERSHIP_COLUMNS}) VALUES ${placeholders(chunk.links.length, 5)}`,
      chunk.links.flatMap((l): Params => [...l, at, at]),
    );
    return;
  }
  // PostgreSQL: one statement of arrays per chunk (unnest), the hash and the times bound once.
  const at = now.toISOString();
  const col = (c: number) => chunk.users.map((u) => (isDate(c) && u[c] !== null ? at : u[c]));
  const types = [
    'int',
    'text',
    'text',
    'text',
    'text',
    'text',
    'text',
    'text',
    'text',
    'bool',
    'text',
    'int',
    'timestamptz',
    'timestamptz',
    'timestamptz',
    'int',
  ];
  await db.run(
    `INSERT INTO users (${USER_COLUMNS}) SELECT u.*, ?::text, ?::timestamptz, ?::timestamptz FROM unnest(${types.map((t) => `?::${t}[]`).join(', ')}) AS u`,
    [passwordHash, at, at, ...types.map((_, c) => col(c))] as unknown as Params,
  );
  await db.run(
    `INSERT INTO memberships (${MEMBERSHIP_COLUMNS}) SELECT l.*, ?::timestamptz, ?::timestamptz FROM unnest(?::int[], ?::int[], ?::text[]) AS l`,
    [at, at, ...[0, 1, 2].map((c) => chunk.links.map((l) => l[c]))] as unknown as Params,
  );
}

export async function buildDirectory(rt: Runtime, opts: SeedOptions): Promise<BenchDirectory> {
  const random = prng(20_260_101);
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
  const db = await openRaw(rt.config.DATABASE_URL, { busyTimeoutMs: 15_000 });
  try {
    if (db.dialect === 'sqlite') {
      await db.run('PRAGMA synchronous = OFF');
      await db.run('PRAGMA cache_size = -262144');
      await db.run('PRAGMA temp_store = MEMORY');
    } else {
      await db.run('SET synchronous_commit = off');
      await db.run(`SET maintenance_work_mem = '512MB'`);
    }
    const before = await indexesOf(db, TABLES);
    await db.begin();
    const dropped = await dropSecondaryIndexes(db, before);
    const triggers = await dropTriggers(db, TABLES);
    const perStatement = ROWS_PER_STATEMENT[db.dialect];
    for (let start = 1; start <= opts.users; start += perStatement) {
      const end = Math.min(opts.users, start + perStatement - 1);
      const chunk: Chunk = { users: [], links: [] };
      for (let i = start; i <= end; i++) {
        const firstName = FIRST_NAMES[Math.floor(random() * FIRST_NAMES.length)];
        const lastName = LAST_NAMES[Math.floor(random() * LAST_NAMES.length)];
        const username = usernameOf(i, firstName, lastName);
        const email = `${username}@example.com`;
        const id = admin.id + i;
        // A realistic mix of states: a few disabled, a few locked, some never logged in.
        const enabled = i % 37 !== 0;
        const locked = i % 101 === 0;
        // The three dates (locked, password changed, last login) are "now": 1 here (isDate), the chunk's time when written.
        chunk.users.push([
          id,
          username,
          email,
          email,
          firstName,
          lastName,
          i % 3 === 0 ? `+49 30 ${String(i).padStart(7, '0')}` : null,
          i % 5 === 0 ? 'Engineer' : null,
          userSearchText({ username, email, firstName, lastName }),
          enabled,
          locked ? 'locked' : 'active',
          locked ? 10 : 0,
          locked ? 1 : null,
          i % 2 === 0 ? 1 : null,
          i % 4 === 0 ? 1 : null,
          0,
        ]);
        chunk.links.push([id, orgIds[id % orgIds.length], ROLES[id % ROLES.length]]);
        // One in ten people belongs to a second organization: the export writes them twice.
        if (id % 10 === 0) chunk.links.push([id, orgIds[(id + 3) % orgIds.length], '']);
        const canLogIn = enabled && !locked;
        if (canLogIn && loginNames.length < 2000 && id % 7 === 1) loginNames.push(username);
        else if (canLogIn) resettable.push(id);
        if (sampleUsernames.length < 5000 && id % 13 === 0) sampleUsernames.push(username);
      }
      await writeChunk(db, chunk, opts.passwordHash, new Date());
      memberships += chunk.links.length;
      if (end % ROWS_PER_TRANSACTION < perStatement && end < opts.users) {
        await db.run('COMMIT');
        await db.begin();
      }
    }
    await recreateIndexes(db, dropped);
    await recreateTriggers(db, triggers);
    await db.run('COMMIT');
    sameIndexes(before, await indexesOf(db, TABLES));
    if (db.dialect === 'postgres') {
      // The explicit ids above did not move the sequence: the next user the product creates must not collide.
      await db.run(`SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users))`);
      await db.run('ANALYZE users, memberships');
    }
  } finally {
    await db.close();
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
