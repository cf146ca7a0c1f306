import type { HomeDashboard } from '../../../src/services/dashboard';
import type { RecentLockout } from '../../../src/services/lockout-digest';
import type { UserDetail, UserSummary } from '../../../src/services/user-shapes';
import { homeView } from '../../../src/slack/views/home';
import { ACTION } from '../../../src/slack/constants';
import { decodeListState, encodeListState } from '../../../src/slack/views/list-state';
import { resultsMessage } from '../../../src/slack/views/messages';
import { warningModal } from '../../../src/slack/views/modals';
import { userCardBlocks } from '../../../src/slack/views/user-card';
import { parseRowMenuValue, rowMenuOptions, userListBlocks, userListText } from '../../../src/slack/views/user-list';

function summary(over: Partial<UserSummary> = {}): UserSummary {
  return {
    id: 7,
    username: 'bob',
    email: 'bob@example.com',
    firstName: 'Bob',
    lastName: 'Builder',
    enabled: true,
    authStatus: 'active',
    failedLoginCount: 0,
    lockedAt: null,
    lockedUntil: null,
    lastLoginAt: null,
    actions: ['disable', 'reset_password', 'change_password', 'api_key', 'delete'],
    ...over,
  };
}

function detail(over: Partial<UserDetail> = {}): UserDetail {
  return {
    ...summary(),
    phone: null,
    title: null,
    createdAt: new Date('2026-01-01T00:00:00Z'),
    updatedAt: new Date('2026-01-01T00:00:00Z'),
    passwordChangedAt: null,
    hasPassword: true,
    organizations: [{ id: 1, slug: 'acme', name: 'ACME', roles: ['viewer'], manageable: false }],
    canManageRoles: false,
    recordsAssigned: 0,
    apiKeys: [],
    ...over,
  };
}

type AnyBlock = {
  type: string;
  block_id?: string;
  elements?: Array<Record<string, unknown>>;
  accessory?: Record<string, unknown>;
  text?: { text: string };
};

describe('user list view', () => {
  test('one row per user with an overflow of permitted actions, at most 5 options', () => {
    const users = Array.from({ length: 10 }, (_, i) => summary({ id: i + 1, username: `u${i}` }));
    const blocks = userListBlocks({ state: { text: 'u', view: 'all', offset: 0 }, users, total: 25, limit: 10 }) as AnyBlock[];
    const rows = blocks.filter((b) => b.block_id?.startsWith('row:'));
    expect(rows).toHaveLength(10);
    for (const r of rows) {
      const opts = (r.accessory as { options: Array<{ value: string }> }).options;
      expect(opts.length).toBeLessThanOrEqual(5);
      expect(opts[0].value).toMatch(/^show:\d+$/);
      expect(r.block_id!.length).toBeLessThanOrEqual(255);
    }
    expect(blocks.length).toBeLessThanOrEqual(50);
    const nav = blocks.find((b) => b.block_id === 'list_nav')!;
    expect(nav.elements!.map((e) => e.action_id)).toEqual([ACTION.pageNext]);
    expect(blocks[0].text!.text).toContain('25 users');
  });

  test('middle page has both Previous and Next; last page only Previous', () => {
    const users = [summary()];
    const mid = userListBlocks({ state: { text: '', view: 'locked', offset: 10 }, users, total: 30, limit: 10 }) as AnyBlock[];
    expect(mid.find((b) => b.block_id === 'list_nav')!.elements!.map((e) => e.action_id)).toEqual([ACTION.pagePrev, ACTION.pageNext]);
    const last = userListBlocks({ state: { text: '', view: 'locked', offset: 20 }, users, total: 21, limit: 10 }) as AnyBlock[];
    expect(last.find((b) => b.block_id === 'list_nav')!.elements!.map((e) => e.action_id)).toEqual([ACTION.pagePrev]);
  });

  test('past the count cap: "10,000+ users", and a full page has Next even at the cap', () => {
    const users = Array.from({ length: 10 }, (_, i) => summary({ id: i + 1, username: `u${i}` }));
    const data = (offset: number, capped: boolean) => ({
      state: { text: 'u', view: 'all' as const, offset },
      users,
      total: 10_000,
      capped,
      limit: 10,
    });
    const nav = (blocks: AnyBlock[]) => blocks.find((b) => b.block_id === 'list_nav')!.elements!.map((e) => e.action_id);
    const first = userListBlocks(data(0, true)) as AnyBlock[];
    expect(first[0].text!.text).toContain('*10,000+ users* matching');
    expect(userListText(data(0, true))).toBe('10,000+ users found');
    expect(nav(userListBlocks(data(9_990, true)) as AnyBlock[])).toEqual([ACTION.pagePrev, ACTION.pageNext]);
    // An exact count of 10,000 ends there.
    const exact = userListBlocks(data(9_990, false)) as AnyBlock[];
    expect(exact[0].text!.text).toContain('*10000 users*');
    expect(nav(exact)).toEqual([ACTION.pagePrev]);
  });

  test('a viewer gets only "Show card"; a shared list has no controls', () => {
    expect(rowMenuOptions(summary({ actions: [] })).map((o) => o.value)).toEqual(['show:7']);
    const shared = userListBlocks({
      state: { text: '', view: 'all', offset: 0 },
      users: [summary()],
      total: 1,
      limit: 10,
      shared: true,
    }) as AnyBlock[];
    expect(shared.some((b) => b.accessory)).toBe(false);
  });

  test('names cannot inject mentions or links', () => {
    const blocks = userListBlocks({
      state: { text: '', view: 'all', offset: 0 },
      users: [summary({ firstName: '<!channel>', lastName: '<http://evil|x>' })],
      total: 1,
      limit: 10,
    }) as AnyBlock[];
    const text = blocks.find((b) => b.block_id?.startsWith('row:'))!.text!.text;
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt;');
  });

  test('row menu values parse back; junk is rejected', () => {
    expect(parseRowMenuValue('disable:12')).toEqual({ action: 'disable', userId: 12 });
    expect(parseRowMenuValue('drop_table:1')).toBeNull();
    expect(parseRowMenuValue('disable:abc')).toBeNull();
  });

  test('list state survives encoding, long text is shortened to fit a block id', () => {
    const s = { text: 'ünïcode "quotes" & more', view: 'cannot-login' as const, offset: 40 };
    expect(decodeListState(encodeListState(s))).toEqual(s);
    const long = encodeListState({ text: 'x'.repeat(500), view: 'all', offset: 0 });
    expect(long.length).toBeLessThanOrEqual(200);
    expect(decodeListState('nonsense')).toBeNull();
    expect(decodeListState('evil.1.AAA')).toBeNull();
  });
});

describe('user card view', () => {
  test('buttons for permitted actions only; destructive ones carry a confirm', () => {
    const blocks = userCardBlocks({ user: detail() }) as AnyBlock[];
    const actions = blocks.find((b) => b.type === 'actions')!;
    const ids = actions.elements!.map((e) => e.action_id);
    expect(ids).toEqual(['disable', 'reset_password', 'change_password', 'api_key', 'delete'].map((a) => `${ACTION.userActionPrefix}${a}`));
    const byId = Object.fromEntries(actions.elements!.map((e) => [e.action_id, e]));
    for (const a of ['disable', 'reset_password', 'delete']) expect(byId[`${ACTION.userActionPrefix}${a}`].confirm).toBeDefined();
    expect(byId[`${ACTION.userActionPrefix}change_password`].confirm).toBeUndefined();
  });

  test('no actions → no actions block; notice shown as context', () => {
    const blocks = userCardBlocks({ user: detail({ actions: [] }), notice: 'Disabled by <@U1> at 10:42' }) as AnyBlock[];
    expect(blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(JSON.stringify(blocks)).toContain('Disabled by <@U1> at 10:42');
  });

  test('card shows organizations with roles, records, status', () => {
    const text = JSON.stringify(
      userCardBlocks({
        user: detail({
          enabled: false,
          authStatus: 'locked',
          failedLoginCount: 5,
          recordsAssigned: 3,
          organizations: [{ id: 1, slug: 'acme', name: 'A', roles: ['administrator', 'security'], manageable: false }],
        }),
      }),
    );
    expect(text).toContain('acme (administrator, security)');
    expect(text).toContain('*Records assigned*\\n3');
    expect(text).toContain('disabled, locked');
  });

  const now = new Date('2026-11-02T10:00:00Z');
  const unix = (d: Date) => Math.floor(d.getTime() / 1000);
  const statusField = (u: UserDetail, at = now) => {
    const section = (userCardBlocks({ user: u, now: at }) as AnyBlock[])[1] as unknown as { fields: Array<{ text: string }> };
    return section.fields.find((f) => f.text.startsWith('*Status*'))!.text;
  };

  test('a temporary lock shows its end time; once past, that it expired and lifts at the next login; a permanent one, until activated', () => {
    const until = new Date('2026-11-02T10:42:00Z');
    const locked = detail({ authStatus: 'locked', failedLoginCount: 3, lockedAt: now, lockedUntil: until });
    expect(statusField(locked)).toBe(
      `*Status*\n🔒 enabled, locked until <!date^${unix(until)}^{date_short_pretty} {time}|2026-11-02 10:42 UTC>`,
    );
    expect(statusField(locked, until)).toContain(`locked (expired <!date^${unix(until)}^`);
    expect(statusField(locked, until)).toContain('lifts at the next login');
    expect(statusField(detail({ authStatus: 'locked', lockedAt: now }))).toBe('*Status*\n🔒 enabled, locked until activated');
    expect(statusField(detail())).toBe('*Status*\n🟢 enabled, active');
  });

  test('last login: the date, or never', () => {
    const at = new Date('2026-10-30T08:15:00Z');
    const text = JSON.stringify(userCardBlocks({ user: detail({ lastLoginAt: at }), now }));
    expect(text).toContain(`*Last login*\\n<!date^${unix(at)}^{date_short_pretty} {time}|2026-10-30 08:15 UTC>`);
    expect(JSON.stringify(userCardBlocks({ user: detail(), now }))).toContain('*Last login*\\nnever');
  });
});

describe('results message', () => {
  test('long summaries are split across sections under 3,000 characters', () => {
    const results = Array.from({ length: 100 }, (_, i) => ({
      ref: `u${i}`,
      status: 'done' as const,
      message: `user-with-a-long-name-${i} disabled. `.repeat(3),
    }));
    const m = resultsMessage('Disable', results);
    const sections = m.blocks.filter((b) => b.type === 'section') as Array<{ text: { text: string } }>;
    expect(sections.length).toBeGreaterThan(2);
    for (const s of sections) expect(s.text.text.length).toBeLessThanOrEqual(3000);
    expect(m.text).toContain('100 done');
  });
});

describe('warning modal', () => {
  test('shows the message behind a warning sign, escaped, and within one section of 3,000 characters', () => {
    const view = warningModal('Bulk password reset', 'No user <@U1> & co');
    expect(view).toMatchObject({ type: 'modal', title: { type: 'plain_text', text: 'Bulk password reset' } });
    const text = (view.blocks[0] as { text: { text: string } }).text.text;
    expect(text).toBe(':warning: No user &lt;@U1&gt; &amp; co');
    const long = (warningModal('x', 'a'.repeat(5000)).blocks[0] as { text: { text: string } }).text.text;
    expect(long.length).toBeLessThanOrEqual(3000);
  });
});

describe('App Home lockout rows', () => {
  const lockout = (over: Partial<RecentLockout>): RecentLockout => ({
    userId: 9,
    username: 'bob',
    name: 'Bob Builder',
    email: 'bob@example.com',
    organizations: ['acme'],
    lockedAt: new Date('2026-11-02T10:00:00Z'),
    failedAttempts: 5,
    sourceIp: null,
    enabled: true,
    authStatus: 'locked',
    lockedUntil: null,
    canActivate: true,
    ...over,
  });
  const rowText = (l: RecentLockout, now: string) => {
    const view = homeView({
      dashboard: {
        counts: {} as HomeDashboard['counts'],
        countsAsOf: new Date(now),
        countsReused: false,
        lockouts: [l],
        audit: null,
        can: { bulkReset: false, export: false },
      },
      commandName: '/users',
      updatedAt: new Date(now),
    });
    return JSON.stringify(view.blocks.filter((b) => JSON.stringify(b).includes('Bob Builder')));
  };

  test('a temporary lock shows when it ends (as the card and digest do), then that it expired; a permanent one shows no end', () => {
    const until = new Date('2026-11-02T10:15:00Z');
    expect(rowText(lockout({ lockedUntil: until }), '2026-11-02T10:05:00Z')).toContain(
      `⏳ _locked until <!date^${until.getTime() / 1000}^`,
    );
    expect(rowText(lockout({ lockedUntil: until }), '2026-11-02T10:20:00Z')).toContain('lock expired');
    expect(rowText(lockout({}), '2026-11-02T10:05:00Z')).not.toContain('⏳');
  });
});

describe('App Home counts', () => {
  const counts = { all: 1_000_000, active: 990_000, disabled: 10_000, locked: 9_900, 'password-reset': 0, 'cannot-login': 19_900 };
  const countsLine = (reused: boolean) => {
    const view = homeView({
      dashboard: {
        counts,
        countsAsOf: new Date('2026-11-02T10:04:30Z'),
        countsReused: reused,
        lockouts: [],
        audit: null,
        can: { bulkReset: false, export: false },
      },
      commandName: '/users',
      updatedAt: new Date('2026-11-02T10:05:00Z'),
    });
    const at = view.blocks.findIndex((b) => JSON.stringify(b).includes('990000'));
    return JSON.stringify(view.blocks[at + 1]);
  };

  test('counts kept from an earlier opening say when they were taken; counts taken now say nothing more', () => {
    expect(countsLine(true)).toContain(
      `Counts as of <!date^${Date.parse('2026-11-02T10:04:30Z') / 1000}^{time_secs}|2026-11-02 10:04 UTC>.`,
    );
    expect(countsLine(false)).not.toContain('Counts as of');
    expect(countsLine(false)).toContain('/users list locked');
  });
});
