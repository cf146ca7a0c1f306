import { createHash } from 'node:crypto';
import { createRuntime, type Runtime } from '../../src/app/runtime';
import { loadConfig } from '../../src/lib/config';
import { User } from '../../src/store/models';
import { openRaw } from '../../bench/raw-db';
import { buildDirectory } from '../../bench/seed';
import { indexesOf, sameIndexes } from '../../bench/seed-indexes';
import { DIALECTS, freshDatabase, type TestDatabase } from '../support/db';

/**
 * The bench's fast seeding (raw multi-row inserts, secondary indexes dropped and recreated) writes
 * the same directory the earlier bulkCreate seeding wrote, on both databases, and leaves every
 * index of a freshly migrated database in place.
 */
jest.setTimeout(120_000);

/** sha256 of 3,000 users and their memberships as bulkCreate wrote them (timestamps only as set/unset). */
const FINGERPRINT_3000 = 'ff038e2972fabfc82346a8a68dc676b00b5c020e2462d0a7121a33580a94d145';

async function migrated(dialect: (typeof DIALECTS)[number]): Promise<{ db: TestDatabase; rt: Runtime }> {
  const db = await freshDatabase(dialect);
  const rt = await createRuntime(loadConfig({ DATABASE_URL: db.url, LOG_LEVEL: 'error', BCRYPT_COST: '4' }));
  return { db, rt };
}

describe.each(DIALECTS)('bench seeding on %s', (dialect) => {
  test('3,000 users: the same content as before, every index rebuilt, the id sequence moved on', async () => {
    const fresh = await migrated(dialect);
    // Opened last, so the models (process-wide) write to this one.
    const seeded = await migrated(dialect);
    try {
      const dir = await buildDirectory(seeded.rt, { users: 3000, passwordHash: 'HASH' });
      expect({ users: dir.users, memberships: dir.memberships, orgs: dir.orgIds.length }).toEqual({
        users: 3001,
        memberships: 3308,
        orgs: 8,
      });
      expect([dir.loginNames.length, dir.resettable.length, dir.sampleUsernames.length]).toEqual([413, 2477, 230]);

      const raw = await openRaw(seeded.db.url);
      const rawFresh = await openRaw(fresh.db.url);
      try {
        const users = await raw.all<Record<string, unknown>>(
          `SELECT id, username, email, email_normalized, first_name, last_name, phone, title, search_text, enabled, auth_status,
             failed_login_count, locked_at IS NULL AS a, password_changed_at IS NULL AS b, last_login_at IS NULL AS c,
             consecutive_locks, password_hash, locked_until, sign_in_notice_at FROM users ORDER BY id`,
        );
        const memberships = await raw.all(`SELECT id, user_id, organization_id, roles, external_id FROM memberships ORDER BY id`);
        const norm = users.map((r) => ({ ...r, enabled: Boolean(r.enabled), a: Boolean(r.a), b: Boolean(r.b), c: Boolean(r.c) }));
        expect(
          createHash('sha256')
            .update(JSON.stringify([norm, memberships]))
            .digest('hex'),
        ).toBe(FINGERPRINT_3000);

        const tables = ['users', 'memberships'];
        const expected = await indexesOf(rawFresh, tables);
        expect(expected.filter((i) => !i.constraint).length).toBeGreaterThanOrEqual(dialect === 'sqlite' ? 8 : 7);
        expect(() => sameIndexes(expected, [])).toThrow(/missing/);
        sameIndexes(expected, await indexesOf(raw, tables));
      } finally {
        await raw.close();
        await rawFresh.close();
      }
      // The product creates the next user without an id collision (PostgreSQL's sequence was moved past the seeded ids).
      const next = await User.create({
        username: 'after.seed',
        email: 'after.seed@example.com',
        emailNormalized: 'after.seed@example.com',
      });
      expect(next.id).toBe(3002);
    } finally {
      for (const x of [seeded, fresh]) {
        await x.rt.close();
        await x.db.drop();
      }
    }
  });
});
