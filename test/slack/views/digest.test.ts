import type { LockoutDigest, LockoutEntry } from '../../../src/services/lockout-digest';
import { ACTION, BLOCK } from '../../../src/slack/constants';
import { DIGEST_ROWS_WITH_BUTTONS, digestMessages, paginate, rewriteDigestRow } from '../../../src/slack/views/digest';

const since = new Date('2026-11-01T09:00:00Z');

function entry(i: number, over: Partial<LockoutEntry> = {}): LockoutEntry {
  return {
    userId: i,
    username: `user${String(i).padStart(3, '0')}`,
    name: `User ${i}`,
    email: `user${i}@example.com`,
    organizations: ['acme'],
    lockedAt: new Date(since.getTime() + i * 60_000),
    failedAttempts: 10,
    sourceIp: null,
    enabled: true,
    authStatus: 'locked',
    lockedUntil: null,
    ...over,
  };
}

function digest(newCount: number, stillCount = 0, over: Partial<LockoutDigest> = {}): LockoutDigest {
  return {
    since,
    until: new Date('2026-11-02T09:00:00Z'),
    newLockouts: Array.from({ length: newCount }, (_, i) => entry(i + 1)),
    lockoutCount: newCount,
    eventIds: Array.from({ length: newCount }, (_, i) => i + 1),
    stillLocked: Array.from({ length: stillCount }, (_, i) => entry(1000 + i)),
    spike: null,
    spikeThreshold: 20,
    ...over,
  };
}

const opts = { silentWhenEmpty: false, commandName: '/users' };
type B = { type: string; block_id?: string; text?: { text: string }; elements?: Array<{ action_id?: string; text?: unknown }> };
const all = (m: { blocks: unknown[] }) => JSON.stringify(m.blocks);

describe('lockout digest messages', () => {
  test('none: one line, or nothing when configured silent', () => {
    const m = digestMessages(digest(0), opts);
    expect(m).toHaveLength(1);
    expect(m[0].blocks).toHaveLength(1);
    expect(all(m[0])).toContain('no new lockouts since');
    expect(digestMessages(digest(0, 2), opts)[0].blocks[0]).toMatchObject({
      text: { text: expect.stringContaining('2 accounts are still locked') },
    });
    expect(digestMessages(digest(0, 2), { ...opts, silentWhenEmpty: true })).toEqual([]);
  });

  test('some: one message, a row per user with Activate and Reset password', () => {
    const d = digest(3, 1);
    d.newLockouts[2] = entry(3, { authStatus: 'active', sourceIp: '203.0.113.9' });
    const m = digestMessages(d, opts);
    expect(m).toHaveLength(1);
    const blocks = m[0].blocks as B[];
    const rows = blocks.filter((b) => b.block_id?.startsWith(BLOCK.digestRow));
    expect(rows.map((r) => r.block_id)).toEqual(['digest_row:1', 'digest_row:2', 'digest_row:3', 'digest_row:1000']);
    expect(rows[0].text!.text).toContain('*User 1* (`user001`) · acme');
    expect(rows[0].text!.text).toContain('after 10 failed attempts');
    expect(rows[2].text!.text).toContain('from 203.0.113.9');
    expect(rows[2].text!.text).toContain('_unlocked since_');
    const actions = blocks.filter((b) => b.block_id?.startsWith(BLOCK.digestActions));
    expect(actions.map((a) => a.elements!.map((e) => e.action_id))).toEqual([
      [ACTION.digestActivate, ACTION.digestReset],
      [ACTION.digestActivate, ACTION.digestReset],
      [ACTION.digestReset], // already unlocked: nothing to activate
      [ACTION.digestActivate, ACTION.digestReset],
    ]);
    expect(all(m[0])).toContain('Still locked from before');
    expect(all(m[0])).not.toContain('Page 1');
  });

  test('many: pages of at most 50 blocks, every user exactly once, rows never split from their buttons', () => {
    for (const [n, still] of [
      [30, 0],
      [45, 12],
      [DIGEST_ROWS_WITH_BUTTONS + 137, 40],
    ] as const) {
      const pages = digestMessages(digest(n, still), opts);
      expect(pages.length).toBeGreaterThan(1);
      for (const p of pages) expect(p.blocks.length).toBeLessThanOrEqual(50);
      for (const [i, p] of pages.entries()) expect(all(p)).toContain(`Page ${i + 1} of ${pages.length}`);
      const text = pages.map(all).join('\n');
      for (let i = 1; i <= n; i++) {
        const name = `user${String(i).padStart(3, '0')}`;
        expect(text.split(`\`${name}\``)).toHaveLength(2);
      }
      for (let i = 0; i < still; i++) expect(text).toContain(`\`user${1000 + i}\``);
      for (const p of pages) {
        const blocks = p.blocks as B[];
        blocks.forEach((b, j) => {
          if (b.block_id?.startsWith(BLOCK.digestActions)) {
            expect(blocks[j - 1].block_id).toBe(b.block_id.replace(BLOCK.digestActions, BLOCK.digestRow));
          }
        });
      }
      const buttons = pages.flatMap((p) => (p.blocks as B[]).filter((b) => b.block_id?.startsWith(BLOCK.digestActions)));
      expect(buttons).toHaveLength(Math.min(n + still, DIGEST_ROWS_WITH_BUTTONS));
    }
    const big = digestMessages(digest(DIGEST_ROWS_WITH_BUTTONS + 5), opts);
    expect(big.map(all).join('')).toContain('and 5 more users');
  });

  test('temporary locks are marked with their end (or that it passed); permanent ones are not', () => {
    const until = new Date('2026-11-02T10:42:00Z'); // after the digest's time (09:00)
    const past = new Date('2026-11-02T08:30:00Z');
    const d = digest(3, 1);
    d.newLockouts[0] = entry(1, { lockedUntil: until });
    d.newLockouts[1] = entry(2, { lockedUntil: past });
    d.stillLocked[0] = entry(1000, { lockedUntil: null });
    const rows = (digestMessages(d, opts)[0].blocks as B[]).filter((b) => b.block_id?.startsWith(BLOCK.digestRow));
    const text = Object.fromEntries(rows.map((r) => [r.block_id, r.text!.text]));
    const unix = (x: Date) => Math.floor(x.getTime() / 1000);
    expect(text['digest_row:1']).toContain(`⏳ _locked until <!date^${unix(until)}^{date_short_pretty} {time}|2026-11-02 10:42 UTC>_`);
    expect(text['digest_row:2']).toContain(`⏳ _lock expired <!date^${unix(past)}^`);
    expect(text['digest_row:2']).toContain('lifts at the next login');
    for (const id of ['digest_row:3', 'digest_row:1000']) expect(text[id]).not.toContain('⏳');
    // Past the rows with buttons, the compact line carries the end too.
    const many = digest(DIGEST_ROWS_WITH_BUTTONS + 2);
    many.newLockouts[DIGEST_ROWS_WITH_BUTTONS + 1] = entry(DIGEST_ROWS_WITH_BUTTONS + 2, { lockedUntil: until });
    const compact = digestMessages(many, opts).map(all).join('');
    expect(compact).toContain(`(10) ⏳ until <!date^${unix(until)}^{date_short} {time}`);
    expect(compact).toContain('⏳ end of a temporary lock');
  });

  test('spike: called out with a button carrying the hour', () => {
    const from = new Date('2026-11-01T10:00:00Z');
    const d = digest(25, 0, { spike: { count: 25, from, to: new Date(from.getTime() + 3_600_000), userIds: [1, 2, 3] } });
    const [first] = digestMessages(d, opts);
    expect(all(first)).toContain('Possible credential-stuffing attack');
    expect(first.text).toContain('possible credential-stuffing attack');
    const spike = (first.blocks as Array<{ accessory?: { action_id: string; value: string } }>).find((b) => b.accessory)!;
    expect(spike.accessory!.action_id).toBe(ACTION.digestSpikeBulk);
    expect(JSON.parse(spike.accessory!.value)).toEqual({ from: from.toISOString(), to: '2026-11-01T11:00:00.000Z' });
  });

  test('paginate keeps units whole and the head on page one', () => {
    const block = (id: string) => ({ type: 'divider' as const, block_id: id });
    const pages = paginate([block('h')], [[block('a1'), block('a2')], [block('b1'), block('b2')], [block('c1')]], 4);
    expect(pages.map((p) => p.map((b) => b.block_id))).toEqual([
      ['h', 'a1', 'a2'],
      ['b1', 'b2', 'c1'],
    ]);
  });

  test('rewriting one row after an action leaves the others alone', () => {
    const [m] = digestMessages(digest(3), opts);
    const out = rewriteDigestRow(m.blocks, 2, '*user002*: Activated by <@U1> at 10:42', { enabled: true, authStatus: 'active' }) as B[];
    const row = out.find((b) => b.block_id === 'digest_row:2')!;
    expect(row.text!.text).toMatch(/^✅ /);
    expect(row.text!.text).toContain('↳ *user002*: Activated by <@U1> at 10:42');
    const act = out.find((b) => b.block_id === 'digest_act:2')!;
    expect(act.elements!.map((e) => e.action_id)).toEqual([ACTION.digestReset]);
    expect(out.filter((b) => b.block_id !== 'digest_row:2' && b.block_id !== 'digest_act:2')).toEqual(
      (m.blocks as B[]).filter((b) => b.block_id !== 'digest_row:2' && b.block_id !== 'digest_act:2'),
    );
    // A second action replaces the notice; a disabled user has no buttons left.
    const again = rewriteDigestRow(out, 2, 'Disabled', { enabled: false, authStatus: 'active' }) as B[];
    expect(again.find((b) => b.block_id === 'digest_row:2')!.text!.text.match(/↳/g)).toHaveLength(1);
    expect(again.find((b) => b.block_id === 'digest_act:2')).toBeUndefined();
  });
});
