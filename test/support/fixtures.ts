import bcrypt from 'bcryptjs';
import { createRuntime, type Runtime } from '../../src/app/runtime';
import { testConfig } from '../../src/lib/config';
import { memoryLogger } from '../../src/lib/logger';
import type { Role } from '../../src/domain/permissions';
import type { AuthStatus } from '../../src/domain/status';
import type { Actor } from '../../src/services/context';
import { Membership, Organization, User } from '../../src/store/models';
import { freshDatabase, type TestDatabase, type TestDialect } from './db';

export const GOOD_PASSWORD = 'Correct-Horse-42-Battery';

export interface TestEnv {
  rt: Runtime;
  db: TestDatabase;
  logs: string[];
  close(): Promise<void>;
}

/** A runtime on a fresh database (migrated), with a clock tests can move. */
export async function testEnv(dialect: TestDialect, overrides: Record<string, string> = {}): Promise<TestEnv & { clock: { now: Date } }> {
  const db = await freshDatabase(dialect);
  const { logger, lines } = memoryLogger('debug');
  const clock = { now: new Date('2026-11-02T10:00:00Z') };
  const rt = await createRuntime(
    testConfig({
      DATABASE_URL: db.url,
      OUTBOX_DIR: `${db.dir}/outbox`,
      EXPORT_DIR: `${db.dir}/exports`,
      LOCKOUT_THRESHOLD: '5',
      ...overrides,
    }),
    { logger, now: () => new Date(clock.now) },
  );
  return {
    rt,
    db,
    logs: lines,
    clock,
    close: async () => {
      await rt.close();
      await db.drop();
    },
  };
}

export async function org(slug: string): Promise<Organization> {
  const [o] = await Organization.findOrCreate({ where: { slug }, defaults: { slug, name: slug.toUpperCase() } });
  return o;
}

const hashCache = new Map<string, string>();

export interface UserSpec {
  username: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  orgs?: Record<string, Role[]>;
  enabled?: boolean;
  authStatus?: AuthStatus;
  password?: string | null;
  failedLoginCount?: number;
  lockedAt?: Date | null;
  lockedUntil?: Date | null;
  lastLoginAt?: Date | null;
}

/** Create a user directly in the store (fixtures bypass services on purpose). */
export async function makeUser(spec: UserSpec): Promise<User> {
  const password = spec.password === undefined ? GOOD_PASSWORD : spec.password;
  let hash: string | null = null;
  if (password !== null) {
    hash = hashCache.get(password) ?? bcrypt.hashSync(password, 4);
    hashCache.set(password, hash);
  }
  const user = await User.create({
    username: spec.username,
    email: spec.email ?? `${spec.username}@example.com`,
    emailNormalized: (spec.email ?? `${spec.username}@example.com`).toLowerCase(),
    firstName: spec.firstName ?? spec.username[0].toUpperCase() + spec.username.slice(1),
    lastName: spec.lastName ?? 'Tester',
    enabled: spec.enabled ?? true,
    authStatus: spec.authStatus ?? 'active',
    passwordHash: hash,
    failedLoginCount: spec.failedLoginCount ?? 0,
    lockedAt: spec.lockedAt ?? (spec.authStatus === 'locked' ? new Date('2026-11-01T08:00:00Z') : null),
    lockedUntil: spec.lockedUntil ?? null,
    lastLoginAt: spec.lastLoginAt ?? null,
  });
  for (const [slug, roles] of Object.entries(spec.orgs ?? { acme: [] })) {
    const o = await org(slug);
    await Membership.create({ userId: user.id, organizationId: o.id, roles: roles.join(';') });
  }
  return user;
}

export function actorFor(user: User, via: 'slack' | 'api' = 'slack'): Actor {
  return { kind: 'user', userId: user.id, label: `${user.username} (test)`, via };
}

/** A snapshot of every mutable column of a user, to prove a refusal changed nothing. */
export async function snapshot(userId: number): Promise<Record<string, unknown> | null> {
  const u = await User.findByPk(userId);
  return u ? (u.get({ plain: true }) as Record<string, unknown>) : null;
}
