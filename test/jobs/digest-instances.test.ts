import { join } from 'node:path';
import { createRuntime, type Runtime } from '../../src/app/runtime';
import { DIGEST_JOB } from '../../src/jobs/lockout-digest';
import { testConfig } from '../../src/lib/config';
import { memoryLogger } from '../../src/lib/logger';
import { setUsersEnabled } from '../../src/services/account-status';
import { SYSTEM_ACTOR } from '../../src/services/context';
import { DIGEST_EVENT_TYPE } from '../../src/slack/digest-publisher';
import { SlackStandIn } from '../../src/standin';
import { JobSlot, LockoutEvent } from '../../src/store/models';
import { DIALECTS, freshDatabase, type TestDatabase } from '../support/db';
import { makeUser } from '../support/fixtures';
import { startInstance, type Instance } from '../support/instances';

/**
 * The scale-out promise of DESIGN §8, with real processes: each instance below is its own Node
 * process with its own models and connections, started from the sources the way `npm start` and
 * `userops` run, against one database file or one PostgreSQL database.
 */

const DIGEST = 'C0SECURITY';
const AUDIT = 'C0AUDIT01';

describe.each(DIALECTS)('several instances on one %s database', (dialect) => {
  let db: TestDatabase;
  let rt: Runtime;
  const standIn = new SlackStandIn();
  const running: Instance[] = [];

  beforeAll(async () => {
    await standIn.start();
    standIn.addChannel({ id: DIGEST, name: 'security', botIsMember: true });
    standIn.addChannel({ id: AUDIT, name: 'audit', botIsMember: true });
    db = await freshDatabase(dialect);
    rt = await createRuntime(testConfig({ DATABASE_URL: db.url }), { logger: memoryLogger('error').logger });
    for (const username of ['ann', 'ben']) {
      const lockedAt = new Date(Date.now() - 3_600_000);
      const u = await makeUser({ username, orgs: { acme: [] }, authStatus: 'locked', lockedAt, failedLoginCount: 10 });
      await LockoutEvent.create({ userId: u.id, lockedAt, failedCount: 10, sourceIp: null });
    }
    for (let i = 0; i < 10; i++) await makeUser({ username: `m${i}`, orgs: { acme: [] } });
  });
  afterAll(async () => {
    await Promise.all(running.map((i) => i.stop('SIGKILL')));
    await rt.close();
    await db.drop();
    await standIn.stop();
  });

  function env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      DATABASE_URL: db.url,
      SLACK_BOT_TOKEN: standIn.botToken,
      SLACK_SIGNING_SECRET: 'instances-test-signing-secret',
      SLACK_API_URL: standIn.apiUrl,
      DIGEST_CHANNEL: DIGEST,
      BCRYPT_COST: '4',
      LOG_LEVEL: 'info',
      OUTBOX_DIR: join(db.dir, 'outbox'),
      EXPORT_DIR: join(db.dir, 'exports'),
      PORT: '0',
      ...extra,
    };
  }

  function start(entry: string, args: string[], e: Record<string, string>): Instance {
    const i = startInstance(entry, args, e);
    running.push(i);
    return i;
  }

  /** Digest posts per slot, from the metadata every digest message carries. */
  function digestPosts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const c of standIn.callsTo('chat.postMessage')) {
      const meta = c.args.metadata as { event_type?: string; event_payload?: { slot?: string } } | undefined;
      if (c.error || c.args.channel !== DIGEST || meta?.event_type !== DIGEST_EVENT_TYPE) continue;
      const slot = meta.event_payload!.slot!;
      out.set(slot, (out.get(slot) ?? 0) + 1);
    }
    return out;
  }

  test('`userops digest --slot` run by two processes at the same time posts that slot once', async () => {
    const slot = '2026-11-02T09:00:00Z';
    const a = start('cli/main', ['digest', '--slot', slot], env());
    const b = start('cli/main', ['digest', '--slot', slot], env());
    expect(await Promise.all([a.exited, b.exited])).toEqual([0, 0]);
    const said = [a, b].map((i) => i.lines.filter((l) => !l.startsWith('{')).join('\n'));
    expect(said.filter((s) => s.includes('Posted the lockout digest to C0SECURITY: 2 new lockouts'))).toHaveLength(1);
    expect(said.filter((s) => s.includes('was already posted (or is being posted) by another instance'))).toHaveLength(1);
    expect(digestPosts().get('2026-11-02T09:00:00.000Z')).toBe(1);
    expect(await JobSlot.count({ where: { name: DIGEST_JOB, slot: '2026-11-02T09:00:00.000Z' } })).toBe(1);
  }, 120_000);

  test('two servers on one schedule: every slot is posted by exactly one of them, every audit event mirrored once', async () => {
    const e = env({ DIGEST_CRON: '*/2 * * * * *', AUDIT_CHANNEL: AUDIT });
    const servers = [start('server/main', [], e), start('server/main', [], e)];
    await Promise.all(servers.map((s) => s.waitForLog((r) => r.msg === 'userops listening', 60_000)));
    const upAt = Date.now();

    // Ten mutations from outside both servers (as the CLI makes them); they find them by polling.
    await setUsersEnabled(rt, SYSTEM_ACTOR, { refs: Array.from({ length: 10 }, (_, i) => `m${i}`), enabled: false });

    const audited = () =>
      standIn
        .findMessages({ channel: AUDIT })
        .flatMap((m) => (m.blocks as Array<{ text: { text: string } }>).flatMap((b) => b.text.text.split('\n')));
    // Both servers are up for at least three slots together, and the audit lines are in.
    await standIn.waitFor(() => Date.now() - upAt > 7_000 && audited().length >= 10, 30_000, 'three slots and the audit lines');
    const codes = await Promise.all(servers.map((s) => s.stop('SIGTERM')));
    expect(codes).toEqual([0, 0]);

    // Digest: no slot twice, and the claims table agrees with the channel.
    const posts = [...digestPosts().entries()].filter(([slot]) => slot !== '2026-11-02T09:00:00.000Z');
    expect(posts.length).toBeGreaterThanOrEqual(3);
    for (const [, n] of posts) expect(n).toBe(1);
    const claims = await JobSlot.findAll({ where: { name: DIGEST_JOB } });
    const finished = claims.filter((c) => c.finishedAt !== null && c.slot !== '2026-11-02T09:00:00.000Z');
    expect(finished.map((c) => c.slot).sort()).toEqual(posts.map(([slot]) => slot).sort());

    // Real contention: for some slot, both servers fired; one posted, the other found it claimed.
    const logged = (s: Instance, msg: string) =>
      new Set(
        s
          .records()
          .filter((r) => r.msg === msg)
          .map((r) => String(r.slot)),
      );
    const [posted0, posted1] = servers.map((s) => logged(s, 'lockout digest posted'));
    const [skipped0, skipped1] = servers.map((s) => logged(s, 'lockout digest slot already claimed; skipped'));
    const contested = [...posted0].filter((slot) => skipped1.has(slot)).length + [...posted1].filter((slot) => skipped0.has(slot)).length;
    expect(contested).toBeGreaterThanOrEqual(2);
    for (const slot of posted0) expect(posted1.has(slot)).toBe(false);

    // Audit mirror: each of the ten disables exactly once.
    const lines = audited();
    for (let i = 0; i < 10; i++) expect(lines.filter((l) => l.includes(`*disable* by system (cli) → m${i} `))).toHaveLength(1);
    expect(lines).toHaveLength(10);
  }, 150_000);
});
