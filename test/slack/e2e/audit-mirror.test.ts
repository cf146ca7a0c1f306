import { AuditMirror, SKIPPED_STALE } from '../../../src/jobs/audit-mirror';
import { SYSTEM_ACTOR } from '../../../src/services/context';
import { changeRole } from '../../../src/services/memberships';
import { SlackAuditPoster } from '../../../src/slack/audit-poster';
import { AuditEvent } from '../../../src/store/models';
import { DIALECTS } from '../../support/db';
import { makeUser } from '../../support/fixtures';
import { slackTestEnv, type SlackTestEnv } from '../../support/slack-env';

const AUDIT = 'C0AUDIT01';
const ANA = 'U0ANA0001';

describe.each(DIALECTS)('AUDIT_CHANNEL mirror on %s', (dialect) => {
  let env: SlackTestEnv;

  beforeAll(async () => {
    env = await slackTestEnv(dialect, {
      env: { AUDIT_CHANNEL: AUDIT },
      background: { auditMirror: { pollMs: 100, baseDelayMs: 100, maxDelayMs: 300 } },
    });
    env.standIn.addChannel({ id: AUDIT, name: 'audit', botIsMember: true });
    await env.person(ANA, { username: 'ana', orgs: { acme: ['administrator'] } });
    for (let i = 0; i < 30; i++) await makeUser({ username: `u${String(i).padStart(2, '0')}`, orgs: { acme: [] } });
  });
  afterAll(async () => env.close());

  /** Every mirrored line, in posting order. */
  function mirrored(): string[] {
    return env.standIn
      .findMessages({ channel: AUDIT })
      .flatMap((m) => (m.blocks as Array<{ text: { text: string } }>).flatMap((b) => b.text.text.split('\n')));
  }

  /**
   * Wait until `n` more lines are in the channel and no event is left unclaimed. (A claimed row
   * whose post is still in flight, or failing, already has mirrored_at: the lines are the proof.)
   */
  async function waitForLines(before: number, n: number): Promise<string[]> {
    const deadline = Date.now() + 15_000;
    while (mirrored().length < before + n || (await AuditEvent.count({ where: { mirroredAt: null } })) > 0) {
      if (Date.now() > deadline) throw new Error(`expected ${n} more mirrored lines, have ${mirrored().length - before}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // Anything posted twice would arrive right behind.
    await new Promise((r) => setTimeout(r, 300));
    return mirrored().slice(before);
  }

  test('every mutation is mirrored as one line, once', async () => {
    const r = await env.run(ANA, 'disable u00 u01');
    expect(r.status).toBe(200);
    await changeRole(env.rt, SYSTEM_ACTOR, { email: 'u02@example.com', role: 'viewer', org: 'acme', grant: true });
    const lines = await waitForLines(0, 3);
    const events = await AuditEvent.findAll({ order: [['id', 'ASC']] });
    expect(events.map((e) => e.action)).toEqual(['disable', 'disable', 'role_granted']);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/\*disable\* by ana \(slack @ana U0ANA0001\) → u00 &lt;u00@example.com&gt;$/);
    expect(lines[1]).toContain('→ u01');
    expect(lines[2]).toMatch(/\*role_granted\* by system \(cli\) → u02/);
  });

  test('a post Slack refuses is retried later, never lost or doubled, and nothing crashes', async () => {
    const before = mirrored().length;
    env.standIn.fail('chat.postMessage', { error: 'not_in_channel', times: 2 });
    await env.run(ANA, 'disable u03');
    const lines = await waitForLines(before, 1);
    const failed = env.standIn.callsTo('chat.postMessage').filter((c) => c.args.channel === AUDIT && c.error === 'not_in_channel');
    expect(failed).toHaveLength(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('→ u03');
    expect(env.logs.some((l) => l.includes('could not mirror audit events; will retry'))).toBe(true);
  });

  test('several mirrors draining at once post each event exactly once', async () => {
    const before = mirrored().length;
    const poster = new SlackAuditPoster(env.server.slack!.client, AUDIT);
    const mirrors = [1, 2, 3, 4].map(() => new AuditMirror(env.rt, poster, { batchSize: 3, pollMs: 60_000 }));
    // 60 events already waiting (as another instance or the CLI leaves them), and five mirrors
    // (the server's and four more) racing for them from the same first rows.
    await AuditEvent.bulkCreate(
      Array.from({ length: 60 }, (_, i) => ({
        at: env.clock.now,
        actorUserId: null,
        actorLabel: 'system (cli)',
        action: 'race',
        targetUserId: null,
        targetLabel: `r${i} <r${i}@example.com>`,
        organizationId: null,
        outcome: 'ok',
        reason: null,
        details: null,
      })),
    );
    await Promise.all(mirrors.map((m) => m.drain()));
    const lines = await waitForLines(before, 60);
    await Promise.all(mirrors.map((m) => m.stop()));
    for (let i = 0; i < 60; i++) expect(lines.filter((l) => l.includes(`→ r${i} `))).toHaveLength(1);
    expect(lines).toHaveLength(60);
  });

  test('events older than a day when first seen are not replayed', async () => {
    const before = mirrored().length;
    await AuditEvent.create({
      at: new Date(env.clock.now.getTime() - 2 * 86_400_000),
      actorUserId: null,
      actorLabel: 'system (cli)',
      action: 'ancient',
      targetUserId: null,
      targetLabel: null,
      organizationId: null,
      outcome: 'ok',
      reason: null,
      details: null,
    });
    env.rt.notify?.('audit');
    await new Promise((r) => setTimeout(r, 400));
    expect(mirrored().slice(before)).toEqual([]);
    // Marked skipped (the epoch), so it never counts as waiting again.
    expect((await AuditEvent.findOne({ where: { action: 'ancient' } }))!.mirroredAt).toEqual(SKIPPED_STALE);
    expect(await AuditEvent.count({ where: { mirroredAt: null } })).toBe(0);
  });
});
