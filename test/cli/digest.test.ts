import { existsSync } from 'node:fs';
import { SlackStandIn } from '../../src/standin';
import { JobSlot, LockoutEvent } from '../../src/store/models';
import { cli, cliEnv, inspect } from '../support/cli';
import { DIALECTS, freshDatabase, type TestDatabase } from '../support/db';
import { makeUser } from '../support/fixtures';

const CHANNEL = 'C0SECURITY';

test('digest: usage and configuration are checked before the database is touched', async () => {
  const dir = '/nonexistent-dir-userops-digest';
  const base = { DATABASE_URL: `sqlite:${dir}/x.sqlite`, LOG_LEVEL: 'error' };
  expect(await cli(['digest'], base)).toEqual({ code: 2, out: [], err: [expect.stringContaining('usage: userops digest --now')] });
  expect((await cli(['digest', '--slot', 'tuesday'], base)).err).toEqual([expect.stringContaining('“tuesday” is not a time')]);
  expect(await cli(['digest', '--now'], base)).toEqual({ code: 1, out: [], err: [expect.stringContaining('DIGEST_CHANNEL is not set')] });
  expect(await cli(['digest', '--now'], { ...base, DIGEST_CHANNEL: CHANNEL })).toEqual({
    code: 1,
    out: [],
    err: [expect.stringContaining('SLACK_BOT_TOKEN is not set')],
  });
  expect(existsSync(dir)).toBe(false);
});

describe.each(DIALECTS)('userops digest on %s', (dialect) => {
  let db: TestDatabase;
  let env: Record<string, string>;
  const standIn = new SlackStandIn({ channels: [{ id: CHANNEL, name: 'security', botIsMember: true }] });

  beforeAll(async () => {
    await standIn.start();
    db = await freshDatabase(dialect);
    env = cliEnv(db, { DIGEST_CHANNEL: CHANNEL, SLACK_BOT_TOKEN: standIn.botToken, SLACK_API_URL: standIn.apiUrl });
  });
  afterAll(async () => {
    await db.drop();
    await standIn.stop();
  });

  test('--now posts at once; nothing new posts the one-liner, or nothing when configured silent', async () => {
    const r = await cli(['digest', '--now'], env);
    expect(r).toEqual({ code: 0, out: ['Posted the lockout digest to C0SECURITY: 0 new lockouts, 0 still locked (1 message).'], err: [] });
    expect(standIn.findMessages({ channel: CHANNEL }).at(-1)!.text).toBe('Lockout digest: no new lockouts.');
    const silent = await cli(['digest', '--now'], { ...env, DIGEST_SILENT_WHEN_EMPTY: 'true' });
    expect(silent).toEqual({ code: 0, out: ['No new lockouts; nothing posted (DIGEST_SILENT_WHEN_EMPTY is true).'], err: [] });
    expect(standIn.findMessages({ channel: CHANNEL })).toHaveLength(1);
  });

  test('--now reports lockouts since the previous digest; --slot posts a slot only once', async () => {
    await inspect(db, async () => {
      const u = await makeUser({ username: 'ann', orgs: { acme: [] }, authStatus: 'locked', lockedAt: new Date(), failedLoginCount: 10 });
      await LockoutEvent.create({ userId: u.id, lockedAt: new Date(), failedCount: 10, sourceIp: '198.51.100.4' });
    });
    const r = await cli(['digest', '--now'], env);
    expect(r.out).toEqual(['Posted the lockout digest to C0SECURITY: 1 new lockout, 0 still locked (1 message).']);
    expect(JSON.stringify(standIn.findMessages({ channel: CHANNEL }).at(-1)!.blocks)).toContain('from 198.51.100.4');

    const first = await cli(['digest', '--slot', '2026-11-02T09:00:00Z'], env);
    expect(first.out).toEqual(['Posted the lockout digest to C0SECURITY: 0 new lockouts, 1 still locked (1 message).']);
    const again = await cli(['digest', '--slot', '2026-11-02T09:00:00.000Z'], env);
    expect(again).toEqual({
      code: 0,
      out: ['The digest of slot 2026-11-02T09:00:00.000Z was already posted (or is being posted) by another instance; nothing posted.'],
      err: [],
    });
    const slots = await inspect(db, async () => (await JobSlot.findAll({ order: [['id', 'ASC']] })).map((s) => s.slot));
    expect(slots).toHaveLength(4);
    expect(slots.slice(0, 3).every((s) => s.startsWith('manual:'))).toBe(true);
    expect(slots[3]).toBe('2026-11-02T09:00:00.000Z');
  });

  test('a digest Slack refuses exits 1 with the reason', async () => {
    standIn.fail('chat.postMessage', { error: 'not_in_channel' });
    const r = await cli(['digest', '--now'], env);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([expect.stringContaining('The digest could not be posted')]);
    expect(r.err[0]).toContain('not_in_channel');
  });
});
