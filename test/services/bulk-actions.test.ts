import type { BulkAction } from '../../src/domain/bulk-actions';
import {
  actOnTypedRefs,
  bulkProgress,
  confirmBulkAction,
  previewBulkAction,
  runBulkActionBatch,
  type BulkActionInput,
  type BulkActionPreview,
} from '../../src/services/bulk-actions';
import type { Actor } from '../../src/services/context';
import { AuditEvent, Job, JobItem, Membership, User } from '../../src/store/models';
import { DIALECTS } from '../support/db';
import { actorFor, makeUser, org, snapshot, testEnv } from '../support/fixtures';

/**
 * The one bulk flow (issue 15, DESIGN §11) as a service: who is selected (picked ∪ pasted ∪ one
 * view, then the organization filter), what the preview says, and that the job changes exactly
 * the previewed users, each re-checked when the batch runs.
 */
describe.each(DIALECTS)('bulk actions on %s', (dialect) => {
  let env: Awaited<ReturnType<typeof testEnv>>;
  beforeAll(async () => {
    env = await testEnv(dialect);
  });
  afterAll(async () => env.close());

  let n = 0;
  /** A fresh pair of organizations per test, so views see only this test's users. */
  async function world() {
    const p = `w${++n}`;
    const [acme, globex] = [`${p}acme`, `${p}globex`];
    const sec = await makeUser({ username: `${p}sec`, orgs: { [acme]: ['security'], [globex]: ['security'] } });
    const boss = await makeUser({ username: `${p}boss`, orgs: { [acme]: ['administrator'] } });
    const a = [];
    for (let i = 0; i < 5; i++) a.push(await makeUser({ username: `${p}a${i}`, orgs: { [acme]: [] } }));
    const g = [];
    for (let i = 0; i < 3; i++) g.push(await makeUser({ username: `${p}g${i}`, orgs: { [globex]: [] } }));
    // Someone in an organization where sec holds no role: invisible to them.
    const stranger = await makeUser({ username: `${p}stranger`, orgs: { [`${p}initech`]: [] } });
    return { p, acme, globex, sec, boss, a, g, stranger, actor: actorFor(sec) };
  }

  async function preview(actor: Actor, input: Partial<BulkActionInput>): Promise<BulkActionPreview> {
    const r = await previewBulkAction(env.rt, actor, { action: 'disable', reason: 'issue 15 drill', ...input });
    if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
    return r;
  }

  const previewed = async (jobId: number) =>
    (await JobItem.findAll({ where: { jobId }, attributes: ['userId'], order: [['userId', 'ASC']] })).map((i) => i.userId);
  const ids = (users: User[]) => users.map((u) => u.id).sort((x, y) => x - y);
  const skipped = (p: BulkActionPreview) => Object.fromEntries(p.skipped.map((s) => [s.reason, s.names]));

  async function runAll(jobId: number): Promise<void> {
    while ((await runBulkActionBatch(env.rt, jobId, 7)).processed > 0);
  }

  async function confirmAndRun(actor: Actor, jobId: number): Promise<void> {
    const c = await confirmBulkAction(env.rt, actor, { jobId });
    if (!c.ok) throw new Error(c.message);
    await Job.update({ status: 'running' }, { where: { id: jobId } });
    await runAll(jobId);
  }

  describe('selection: picked ∪ pasted ∪ one view, narrowed by the organization', () => {
    test('picking 3 users and filtering by an organization previews those 3 at most, never the whole organization', async () => {
      const w = await world();
      const p = await preview(w.actor, { userIds: ids(w.a.slice(0, 3)), orgSlug: w.acme });
      expect(p.count).toBe(3);
      expect(await previewed(p.jobId)).toEqual(ids(w.a.slice(0, 3)));
      expect(p.sample).toEqual(w.a.slice(0, 3).map((u) => u.username));
    });

    test('a picked or pasted user outside the filter is skipped as such, not added and not silently dropped', async () => {
      const w = await world();
      const p = await preview(w.actor, { userIds: [w.a[0].id, w.g[0].id], pasted: w.g[1].username, orgSlug: w.acme });
      expect(p.count).toBe(1);
      expect(await previewed(p.jobId)).toEqual([w.a[0].id]);
      expect(skipped(p)).toEqual({ outside_org: [w.g[0].username, w.g[1].username].sort() });
    });

    test('without a filter the union of picked, pasted (lines, commas, spaces) and a view, each user once', async () => {
      const w = await world();
      await User.update({ authStatus: 'locked' }, { where: { id: [w.g[2].id] } });
      const p = await preview(w.actor, {
        userIds: [w.a[0].id, w.a[1].id],
        pasted: `${w.a[1].username}\n${w.a[2].username}, ${w.g[0].email.toUpperCase()}  ${w.a[0].username};`,
        view: 'locked',
      });
      expect(await previewed(p.jobId)).toEqual(ids([w.a[0], w.a[1], w.a[2], w.g[0], w.g[2]]));
      expect(p.count).toBe(5);
      expect(p.notFound).toEqual([]);
    });

    test('"everyone in acme" is the view all filtered by acme: the members of acme, nobody of globex', async () => {
      const w = await world();
      const p = await preview(w.actor, { view: 'all', orgSlug: w.acme });
      expect(await previewed(p.jobId)).toEqual(ids(w.a));
      expect(skipped(p)).toEqual({ self: [w.sec.username], higher_role: [w.boss.username] });
      const all = await preview(w.actor, { view: 'all' });
      expect(await previewed(all.jobId)).toEqual(ids([...w.a, ...w.g]));
    });

    test('a view with a filter adds only the view’s members in that organization; picked users are still filtered', async () => {
      const w = await world();
      await User.update({ enabled: false }, { where: { id: [w.a[3].id, w.g[1].id] } });
      const p = await preview(w.actor, { action: 'enable', view: 'disabled', userIds: [w.g[0].id], orgSlug: w.acme });
      expect(await previewed(p.jobId)).toEqual([w.a[3].id]);
      expect(skipped(p)).toEqual({ outside_org: [w.g[0].username] });
    });

    test('nothing chosen is a field error, also with only an organization; no job is created', async () => {
      const w = await world();
      const before = await Job.count();
      for (const input of [{}, { orgSlug: w.acme }, { pasted: ' \n , ', userIds: [] }]) {
        const r = await previewBulkAction(env.rt, w.actor, { action: 'disable', reason: 'nothing', ...input });
        expect(r).toMatchObject({ ok: false, code: 'invalid_input', fields: { selection: expect.any(String) } });
      }
      expect(await Job.count()).toBe(before);
    });

    test('a reason is required; an organization that is not the actor’s is refused under its field', async () => {
      const w = await world();
      expect(await previewBulkAction(env.rt, w.actor, { action: 'enable', reason: ' ', view: 'all' })).toMatchObject({
        ok: false,
        fields: { reason: expect.any(String) },
      });
      expect(
        await previewBulkAction(env.rt, w.actor, { action: 'enable', reason: 'why not', view: 'all', orgSlug: `${w.p}initech` }),
      ).toMatchObject({ ok: false, code: 'forbidden', fields: { organization: expect.any(String) } });
    });

    test('unknown names and users outside the actor’s organizations read the same: not found, by the name given', async () => {
      const w = await world();
      const ghost = `${w.p}ghost`;
      const p = await preview(w.actor, {
        pasted: `${ghost}\n${w.stranger.username}\n${w.a[0].username}`,
        userIds: [w.stranger.id, 99_999_999],
      });
      expect(p.notFound).toEqual([ghost, w.stranger.username, String(w.stranger.id), '99999999']);
      expect(p.notFoundCount).toBe(4);
      expect(p.count).toBe(1);
    });

    test('a long list of unknown names: the preview names the first 50 and counts them all', async () => {
      const w = await world();
      const ghosts = Array.from({ length: 70 }, (_, i) => `${w.p}ghost${i}`);
      const p = await preview(w.actor, { pasted: [...ghosts, w.a[0].username].join('\n') });
      expect(p.notFound).toEqual(ghosts.slice(0, 50));
      expect(p.notFoundCount).toBe(70);
      expect(p.count).toBe(1);
    });
  });

  describe('skip reasons and the preview count', () => {
    test('self, already in that state, no permission and higher role are listed; the count is exactly what changes', async () => {
      const w = await world();
      // In acme and in an organization where sec is only a viewer: no enable_disable in every organization.
      const mixed = await makeUser({ username: `${w.p}mixed`, orgs: { [w.acme]: [], [`${w.p}viewonly`]: [] } });
      await Membership.create({ userId: w.sec.id, organizationId: (await org(`${w.p}viewonly`)).id, roles: 'viewer' });
      await User.update({ enabled: false }, { where: { id: w.a[4].id } });
      const p = await preview(w.actor, {
        pasted: [w.sec, w.boss, mixed, ...w.a].map((u) => u.username).join('\n'),
        reason: 'contractor offboarding',
      });
      expect(skipped(p)).toEqual({
        self: [w.sec.username],
        already: [w.a[4].username],
        no_permission: [mixed.username],
        higher_role: [w.boss.username],
      });
      expect(p.count).toBe(4);
      const before = await AuditEvent.count({ where: { action: 'disable' } });
      await confirmAndRun(w.actor, p.jobId);
      const changed = await User.findAll({ where: { id: [w.sec.id, w.boss.id, mixed.id, ...ids(w.a)], enabled: false } });
      expect(ids(changed)).toEqual(ids(w.a));
      const audits = await AuditEvent.findAll({ where: { action: 'disable' }, order: [['id', 'ASC']] });
      expect(audits.length - before).toBe(p.count);
      for (const a of audits.slice(before)) {
        expect(a.reason).toBe('contractor offboarding');
        expect(JSON.parse(a.details!)).toEqual({ jobId: p.jobId });
      }
    });

    test('each action changes its state and writes one audit line per user with the reason', async () => {
      const w = await world();
      const cases: Array<{ action: BulkAction; setup: Partial<User>; check: (u: User) => unknown; expected: unknown }> = [
        { action: 'disable', setup: { enabled: true }, check: (u) => u.enabled, expected: false },
        { action: 'enable', setup: { enabled: false }, check: (u) => u.enabled, expected: true },
        {
          action: 'activate',
          setup: { authStatus: 'locked', failedLoginCount: 9, lockedAt: new Date() },
          check: (u) => [u.authStatus, u.failedLoginCount, u.lockedAt],
          expected: ['active', 0, null],
        },
        {
          action: 'reset_password',
          setup: { enabled: true, authStatus: 'active' },
          check: (u) => u.authStatus,
          expected: 'password_reset',
        },
      ];
      for (const c of cases) {
        await User.update(c.setup, { where: { id: ids(w.g) } });
        const p = await preview(w.actor, { action: c.action, userIds: ids(w.g), orgSlug: w.globex, reason: `bulk ${c.action}` });
        expect(p).toMatchObject({ count: 3, action: c.action, skipped: [] });
        await confirmAndRun(w.actor, p.jobId);
        for (const u of await User.findAll({ where: { id: ids(w.g) } })) expect(c.check(u)).toEqual(c.expected);
        const audits = await AuditEvent.findAll({ where: { action: c.action, reason: `bulk ${c.action}` } });
        expect(audits.map((a) => a.targetUserId).sort((x, y) => x! - y!)).toEqual(ids(w.g));
      }
    });

    test('activate skips the unlocked (already) and those waiting for a reset (not applicable); a helpdesk may unlock, not disable', async () => {
      const w = await world();
      const help = await makeUser({ username: `${w.p}help`, orgs: { [w.acme]: ['helpdesk'] } });
      await User.update({ authStatus: 'locked' }, { where: { id: w.a[0].id } });
      await User.update({ authStatus: 'password_reset' }, { where: { id: w.a[1].id } });
      const p = await preview(actorFor(help), { action: 'activate', view: 'all', orgSlug: w.acme });
      expect(await previewed(p.jobId)).toEqual([w.a[0].id]);
      expect(skipped(p)).toMatchObject({
        not_applicable: [w.a[1].username],
        higher_role: [w.boss.username],
        // sec is also in globex, where the helpdesk holds nothing.
        no_permission: [w.sec.username],
      });
      expect(await previewBulkAction(env.rt, actorFor(help), { action: 'disable', reason: 'nope', view: 'all' })).toMatchObject({
        ok: false,
        code: 'forbidden',
      });
    });
  });

  test('confirming acts on exactly the previewed set, re-checked at run time (promoted, changed, added after the preview)', async () => {
    const w = await world();
    const p = await preview(w.actor, { view: 'all', orgSlug: w.acme, reason: 'run-time check' });
    expect(p.count).toBe(5);
    // After the preview: one is promoted above sec, one is disabled by someone else, one joins acme.
    await Membership.update({ roles: 'administrator' }, { where: { userId: w.a[0].id } });
    await User.update({ enabled: false }, { where: { id: w.a[1].id } });
    const late = await makeUser({ username: `${w.p}late`, orgs: { [w.acme]: [] } });
    const promoted = await snapshot(w.a[0].id);
    await confirmAndRun(w.actor, p.jobId);
    expect(await snapshot(w.a[0].id)).toEqual(promoted);
    expect((await User.findByPk(late.id))!.enabled).toBe(true);
    const items = new Map((await JobItem.findAll({ where: { jobId: p.jobId } })).map((i) => [i.userId, i]));
    expect(items.size).toBe(5);
    expect([items.get(w.a[0].id)?.status, items.get(w.a[0].id)?.detail]).toEqual(['failed', expect.stringContaining('higher role')]);
    expect([items.get(w.a[1].id)?.status, items.get(w.a[1].id)?.detail]).toEqual(['skipped', expect.stringContaining('already disabled')]);
    expect(ids((await User.findAll({ where: { id: ids(w.a), enabled: false } })).filter((u) => u.id !== w.a[1].id))).toEqual(
      ids(w.a.slice(2)),
    );
    expect(await AuditEvent.count({ where: { action: 'disable', reason: 'run-time check' } })).toBe(3);
  });

  test('progress carried batch by batch (as the job runner does) equals a full count after every batch', async () => {
    const w = await world();
    const p = await preview(w.actor, { view: 'all', orgSlug: w.acme, reason: 'carried progress' });
    await Membership.update({ roles: 'administrator' }, { where: { userId: w.a[0].id } }); // refused at run time
    await User.update({ enabled: false }, { where: { id: w.a[1].id } }); // skipped: already disabled
    const c = await confirmBulkAction(env.rt, w.actor, { jobId: p.jobId });
    if (!c.ok) throw new Error(c.message);
    await Job.update({ status: 'running' }, { where: { id: p.jobId } });
    let progress = await bulkProgress(p.jobId, p.count);
    expect(progress).toEqual({ total: 5, done: 0, changed: 0, skipped: 0, refused: 0 });
    const seen = [];
    for (;;) {
      const r = await runBulkActionBatch(env.rt, p.jobId, 2, progress);
      expect(r.progress).toEqual(await bulkProgress(p.jobId, p.count));
      progress = r.progress;
      if (r.processed === 0) break;
      seen.push(r.processed);
    }
    expect(seen).toEqual([2, 2, 1]);
    expect(progress).toEqual({ total: 5, done: 5, changed: 3, skipped: 1, refused: 1 });
  });

  test('a confirmed preview cannot be confirmed again, nor by someone else', async () => {
    const w = await world();
    const p = await preview(w.actor, { userIds: [w.a[0].id] });
    expect(await confirmBulkAction(env.rt, actorFor(w.boss), { jobId: p.jobId })).toMatchObject({ ok: false, code: 'not_found' });
    expect(await confirmBulkAction(env.rt, w.actor, { jobId: p.jobId })).toMatchObject({ ok: true, total: 1, action: 'disable' });
    expect(await confirmBulkAction(env.rt, w.actor, { jobId: p.jobId })).toMatchObject({ ok: false, code: 'conflict' });
  });

  describe('typed /users enable|disable|activate NAME…', () => {
    test('up to 10 names act at once, one answer per name as typed, in one pass', async () => {
      const w = await world();
      await User.update({ enabled: false }, { where: { id: w.a[2].id } });
      const r = await actOnTypedRefs(env.rt, w.actor, {
        action: 'enable',
        refs: [w.a[2].username, w.a[3].email, `${w.p}ghost`, w.stranger.username, String(w.boss.id)],
      });
      if (!r.ok || r.mode !== 'inline') throw new Error(JSON.stringify(r));
      expect(r.results.map((x) => [x.ref, x.status])).toEqual([
        [w.a[2].username, 'done'],
        [w.a[3].email, 'noop'],
        [`${w.p}ghost`, 'not_found'],
        [w.stranger.username, 'not_found'],
        [String(w.boss.id), 'refused'],
      ]);
      expect(r.results[2].message).toBe(r.results[3].message.replace(w.stranger.username, `${w.p}ghost`));
      expect((await User.findByPk(w.a[2].id))!.enabled).toBe(true);
      const d = await actOnTypedRefs(env.rt, w.actor, { action: 'disable', refs: [w.sec.username] });
      expect(d).toMatchObject({
        ok: true,
        mode: 'inline',
        results: [{ status: 'refused', message: 'You cannot disable your own account.' }],
      });
    });

    test('more than 10 names go through the same preview and job; without a reason the caller is asked for one', async () => {
      const w = await world();
      const more = [];
      for (let i = 0; i < 12; i++) more.push(await makeUser({ username: `${w.p}m${i}`, orgs: { [w.acme]: [] } }));
      const refs = more.map((u) => u.username);
      expect(await actOnTypedRefs(env.rt, w.actor, { action: 'disable', refs })).toMatchObject({
        ok: true,
        mode: 'reason_needed',
        count: 12,
        pasted: refs.join('\n'),
      });
      expect(await User.count({ where: { id: ids(more), enabled: false } })).toBe(0);
      const r = await actOnTypedRefs(env.rt, w.actor, { action: 'disable', refs, reason: 'typed bulk' });
      if (!r.ok || r.mode !== 'preview') throw new Error(JSON.stringify(r));
      expect(r.preview.count).toBe(12);
      await confirmAndRun(w.actor, r.preview.jobId);
      expect(await User.count({ where: { id: ids(more), enabled: false } })).toBe(12);
    });
  });
});
