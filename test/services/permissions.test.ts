import { API_KEY_PATTERN } from '../../src/domain/api-key';
import { Op } from 'sequelize';
import { PERMISSIONS, PERMISSION_LABELS, ROLES, type Permission, type Role } from '../../src/domain/permissions';
import type { Failure, Outcome } from '../../src/domain/outcome';
import { activateUser, setUsersEnabled } from '../../src/services/account-status';
import { queryAudit } from '../../src/services/audit-query';
import { generateApiKey, revokeApiKey } from '../../src/services/api-keys';
import { SYSTEM_ACTOR, type Actor } from '../../src/services/context';
import { confirmBulkReset, previewBulkReset, runBulkResetBatch, type BulkPreview } from '../../src/services/bulk-reset';
import { recentLockouts } from '../../src/services/lockout-digest';
import { previewBulkAction, type BulkActionPreview } from '../../src/services/bulk-actions';
import { bulkPreviewModal } from '../../src/slack/flows/bulk';
import { deleteUser, reassignRecords } from '../../src/services/delete-user';
import { requestExport } from '../../src/services/export';
import { countByView, searchUsers, showUser } from '../../src/services/directory';
import { changeRole } from '../../src/services/memberships';
import { changePassword, resetPasswords } from '../../src/services/passwords';
import { ApiKey, AuditEvent, Job, JobItem, LockoutEvent, MailMessage, Membership, RecordAssignment, User } from '../../src/store/models';
import { addWebhookEndpoint } from '../../src/services/webhooks';
import { WebhookEndpoint } from '../../src/store/webhook-models';
import { DIALECTS } from '../support/db';
import { DESIGN_MATRIX } from '../support/design-matrix';
import { actorFor, makeUser, org, snapshot, testEnv, type UserSpec } from '../support/fixtures';
import { auditActions, expectUnchanged, uniq } from '../support/state';

type Env = Awaited<ReturnType<typeof testEnv>>;

const GRANTED = DESIGN_MATRIX;

const NEW_PASSWORD = 'Plum-Orchard-Lantern-77';

interface Setup {
  org: string;
  target: User;
  other: User;
}

interface Cell {
  /** The target's starting state, so the action has something to change. */
  spec?: Partial<UserSpec>;
  prepare?(s: Setup): Promise<void>;
  act(actor: Actor, s: Setup): Promise<unknown>;
  /** The effect of an allowed action. */
  allowed(r: unknown, s: Setup, actor: User): Promise<void>;
}

const reload = async (u: User) => User.findByPk(u.id);

const CELLS: Record<Permission, Cell> = {
  view: {
    act: async (actor, s) => ({
      search: await searchUsers(ENV.rt, actor, { text: s.target.username }),
      show: await showUser(ENV.rt, actor, { ref: s.target.username }),
    }),
    allowed: async (r, s) => {
      const { search, show } = r as { search: Awaited<ReturnType<typeof searchUsers>>; show: Awaited<ReturnType<typeof showUser>> };
      expect(search.ok && search.users.map((u) => u.id)).toEqual([s.target.id]);
      expect(show.ok && [show.user.id, show.user.organizations.map((o) => o.slug)]).toEqual([s.target.id, [s.org]]);
    },
  },
  enable_disable: {
    act: (actor, s) => setUsersEnabled(ENV.rt, actor, { refs: [s.target.username], enabled: false }),
    allowed: async (r, s) => {
      expect((r as { results: Array<{ status: string }> }).results.map((x) => x.status)).toEqual(['done']);
      expect((await reload(s.target))?.enabled).toBe(false);
      expect(await auditActions(s.target.id)).toEqual(['disable']);
    },
  },
  activate: {
    spec: { authStatus: 'locked', failedLoginCount: 5 },
    act: (actor, s) => activateUser(ENV.rt, actor, { ref: s.target.username }),
    allowed: async (r, s) => {
      expect(r).toMatchObject({ ok: true, result: { status: 'done' } });
      expect((await reload(s.target))?.authStatus).toBe('active');
      expect(await auditActions(s.target.id)).toEqual(['activate']);
    },
  },
  reset_password: {
    act: (actor, s) => resetPasswords(ENV.rt, actor, { refs: [s.target.username] }),
    allowed: async (r, s) => {
      expect((r as { results: Array<{ status: string }> }).results.map((x) => x.status)).toEqual(['done']);
      expect((await reload(s.target))?.authStatus).toBe('password_reset');
      expect(await auditActions(s.target.id)).toEqual(['reset_password']);
    },
  },
  bulk_reset: {
    act: async (actor, s) => {
      const preview = await previewBulkAction(ENV.rt, actor, {
        action: 'reset_password',
        pasted: s.target.username,
        reason: 'permission matrix',
      });
      // A preview that leaves nobody to reset offers no confirm button (see bulkPreviewModal).
      if (!preview.ok || preview.count === 0) return { preview };
      return { preview, confirmed: await confirmBulkReset(ENV.rt, actor, { jobId: preview.jobId }) };
    },
    allowed: async (r, _s, actor) => {
      const { preview, confirmed } = r as { preview: { count: number; sample: string[] }; confirmed: unknown };
      expect(preview).toMatchObject({ count: 1, notFound: [], skipped: [] });
      expect(confirmed).toMatchObject({ ok: true, total: 1 });
      expect(await Job.count({ where: { kind: 'bulk_reset', actorUserId: actor.id, status: 'queued' } })).toBe(1);
    },
  },
  export: {
    act: (actor) => requestExport(ENV.rt, actor, {}),
    allowed: async (r, s, actor) => {
      expect(r).toMatchObject({ ok: true, orgSlugs: [s.org] });
      expect(await Job.count({ where: { kind: 'export', actorUserId: actor.id } })).toBe(1);
    },
  },
  change_password: {
    act: (actor, s) => changePassword(ENV.rt, actor, { ref: s.target.username, password: NEW_PASSWORD }),
    allowed: async (r, s) => {
      expect(r).toEqual({ ok: true, username: s.target.username });
      expect((await reload(s.target))?.passwordHash).not.toBe(s.target.passwordHash);
      expect(await auditActions(s.target.id)).toEqual(['change_password']);
    },
  },
  delete: {
    act: (actor, s) => deleteUser(ENV.rt, actor, { ref: s.target.username }),
    allowed: async (r, s) => {
      expect(r).toEqual({ ok: true, username: s.target.username, userId: s.target.id });
      expect(await reload(s.target)).toBeNull();
      expect(await auditActions(s.target.id)).toEqual(['delete']);
    },
  },
  reassign_records: {
    prepare: async (s) => {
      const o = await org(s.org);
      await RecordAssignment.create({ organizationId: o.id, entity: 'invoice', entityId: uniq('inv'), userId: s.target.id });
    },
    act: (actor, s) => reassignRecords(ENV.rt, actor, { from: s.target.username, to: s.other.username }),
    allowed: async (r, s) => {
      expect(r).toEqual({ ok: true, moved: 1, remaining: 0, from: s.target.username, to: s.other.username });
      expect(await RecordAssignment.count({ where: { userId: s.other.id } })).toBe(1);
      expect(await auditActions(s.target.id)).toEqual(['reassign_records']);
    },
  },
  api_keys: {
    // Named: a user in two organizations where the actor manages keys is otherwise asked which one.
    act: (actor, s) => generateApiKey(ENV.rt, actor, { ref: s.target.username, organization: s.org }),
    allowed: async (r, s) => {
      expect(r).toMatchObject({
        ok: true,
        step: 'issued',
        issued: { username: s.target.username, key: expect.stringMatching(API_KEY_PATTERN) },
      });
      expect(await ApiKey.count({ where: { userId: s.target.id } })).toBe(1);
      expect(await auditActions(s.target.id)).toEqual(['api_key_generate']);
    },
  },
  audit_log: {
    prepare: async (s) => {
      const o = await org(s.org);
      await AuditEvent.create({
        at: new Date(),
        actorUserId: null,
        actorLabel: 'seed',
        action: 'seeded',
        targetUserId: s.target.id,
        targetLabel: `${s.target.username} <${s.target.email}>`,
        organizationId: o.id,
        outcome: 'ok',
        reason: null,
        details: null,
      });
    },
    act: (actor) => queryAudit(ENV.rt, actor, {}),
    allowed: async (r, s) => {
      expect(r).toMatchObject({ ok: true });
      const events = (r as { events: Array<{ action: string; target: string }> }).events;
      expect(events.filter((e) => e.action === 'seeded').map((e) => e.target)).toEqual([`${s.target.username} <${s.target.email}>`]);
    },
  },
  webhooks: {
    act: (actor, s) => addWebhookEndpoint(ENV.rt, actor, { org: s.org, url: 'https://hooks.example.com/userops' }),
    allowed: async (r, s) => {
      expect(r).toMatchObject({ ok: true, organization: s.org, secret: expect.stringMatching(/^whsec_/) });
      expect(await WebhookEndpoint.count({ where: { organizationId: (await org(s.org)).id } })).toBe(1);
    },
  },
};

// The cells reach the runtime through this; describe.each rebinds it per dialect.
let ENV: Env;

describe.each(DIALECTS)('permissions (DESIGN §2 matrix) on %s', (dialect) => {
  beforeAll(async () => {
    ENV = await testEnv(dialect, { WEBHOOK_SECRET_KEY: 'permissions-test-webhook-key-0123456789' });
  });
  afterAll(async () => ENV.close());

  const env = () => ENV;

  /** A fresh organization with an actor holding `roles`, a target and a second member. */
  async function setup(roles: Role[], cell?: Cell): Promise<{ actor: User; s: Setup }> {
    const o = uniq('org');
    const actor = await makeUser({ username: uniq('actor'), orgs: { [o]: roles } });
    const target = await makeUser({ username: uniq('target'), orgs: { [o]: [] }, ...(cell?.spec ?? {}) });
    const other = await makeUser({ username: uniq('other'), orgs: { [o]: [] } });
    const s = { org: o, target, other };
    await cell?.prepare?.(s);
    return { actor, s };
  }

  const matrix = ROLES.flatMap((role) => PERMISSIONS.map((p) => [role, p, GRANTED[role].includes(p)] as const));

  test.each(matrix)('%s × %s → allowed: %s', async (role, permission, allowed) => {
    const cell = CELLS[permission];
    const { actor, s } = await setup([role], cell);
    if (allowed) {
      const r = await cell.act(actorFor(actor), s);
      await cell.allowed(r, s, actor);
      return;
    }
    const r = await expectUnchanged([s.target.id, s.other.id, actor.id], () => cell.act(actorFor(actor), s));
    if (permission === 'enable_disable' || permission === 'reset_password') {
      // Commands over many users answer per user; one refused user is a refused line.
      expect((r as { ok: boolean; results: Array<{ status: string; message: string }> }).results).toEqual([
        expect.objectContaining({ status: 'refused', message: expect.stringMatching(/permission|may not/) }),
      ]);
    } else if (permission === 'bulk_reset') {
      expect((r as { preview: unknown }).preview).toEqual({ ok: false, code: 'forbidden', message: expect.any(String) });
    } else {
      expect(r).toEqual({ ok: false, code: 'forbidden', message: expect.any(String) });
    }
    // A refused bulk reset or export leaves no job behind, not even a draft.
    expect(await Job.count({ where: { actorUserId: actor.id } })).toBe(0);
  });

  describe('account actions: every organization of the target, never upward (issue 14, points 1–3)', () => {
    /** Everything that changes somebody's account. */
    const ACCOUNT_ACTIONS: Permission[] = [
      'enable_disable',
      'activate',
      'reset_password',
      'bulk_reset',
      'change_password',
      'delete',
      'reassign_records',
      'api_keys',
    ];
    type Org = 'A' | 'B';
    type TargetRole = Role | 'member';
    const grants = (role: Role | undefined, p: Permission) => role !== undefined && GRANTED[role].includes(p);
    /** The contract from DESIGN §2's table: in every organization of the target the permission, and nothing there above the actor. */
    function expected(p: Permission, actorIn: Partial<Record<Org, Role>>, targetIn: Partial<Record<Org, TargetRole>>) {
      const orgs = Object.keys(targetIn) as Org[];
      if (!orgs.every((o) => grants(actorIn[o], p))) return 'missing' as const;
      const above = (o: Org) => {
        const t = targetIn[o];
        return t !== undefined && t !== 'member' && GRANTED[t].some((q) => !grants(actorIn[o], q));
      };
      return orgs.some(above) ? ('higher' as const) : ('allowed' as const);
    }

    async function accountCase(p: Permission, actorIn: Partial<Record<Org, Role>>, targetIn: Partial<Record<Org, TargetRole>>) {
      const cell = CELLS[p];
      const slug: Record<Org, string> = { A: uniq('orga'), B: uniq('orgb') };
      const orgsOf = <R>(m: Partial<Record<Org, R>>, f: (r: R) => Role[]) =>
        Object.fromEntries((Object.entries(m) as Array<[Org, R]>).map(([o, r]) => [slug[o], f(r)]));
      const actor = await makeUser({ username: uniq('actor'), orgs: orgsOf(actorIn, (r) => [r]) });
      const target = await makeUser({
        username: uniq('target'),
        orgs: orgsOf(targetIn, (r) => (r === 'member' ? [] : [r])),
        ...(cell.spec ?? {}),
      });
      const other = await makeUser({ username: uniq('other'), orgs: { [slug.A]: [] } });
      const s = { org: slug.A, target, other };
      await cell.prepare?.(s);
      const want = expected(p, actorIn, targetIn);
      if (want === 'allowed') {
        await cell.allowed(await cell.act(actorFor(actor), s), s, actor);
        return;
      }
      // Refused: no row, audit row, outbox row or reset token changed (expectUnchanged compares every table) …
      const r = await expectUnchanged([target.id, other.id, actor.id], () => cell.act(actorFor(actor), s));
      // … and no job was queued or holds the target.
      expect(await Job.count({ where: { actorUserId: actor.id, status: { [Op.ne]: 'draft' } } })).toBe(0);
      expect(await JobItem.count({ where: { userId: target.id } })).toBe(0);
      let message: string;
      let words =
        want === 'higher'
          ? /they hold a higher role than yours/
          : new RegExp(`permission to ${PERMISSION_LABELS[p]} for ${target.username}`);
      if (p === 'enable_disable' || p === 'reset_password') {
        const results = (r as { results: Array<{ status: string; message: string }> }).results;
        expect(results).toEqual([expect.objectContaining({ status: 'refused' })]);
        message = results[0].message;
      } else if (p === 'bulk_reset') {
        const preview = (r as { preview: Outcome<BulkActionPreview> }).preview;
        if (!preview.ok) {
          // No bulk_reset anywhere: the whole form is refused.
          expect(preview.code).toBe('forbidden');
          message = preview.message;
          words = /permission to run bulk password resets/;
        } else {
          // The preview lists the target as skipped, with the reason, and offers nobody to reset.
          expect(preview).toMatchObject({
            count: 0,
            notFound: [],
            skipped: [{ reason: want === 'higher' ? 'higher_role' : 'no_permission', count: 1, names: [target.username] }],
          });
          message = bulkPreviewModal(preview, null)
            .blocks.map((b) => JSON.stringify(b))
            .join('\n');
          words = want === 'higher' ? /they hold a higher role than yours \(1\)/ : /you may not run bulk password resets/;
        }
      } else {
        expect(r).toEqual({ ok: false, code: 'forbidden', message: expect.any(String) });
        message = (r as Failure).message;
      }
      expect(message).toMatch(words);
      // Never an organization's name: the target's other organizations may be ones the actor cannot see.
      for (const o of Object.values(slug)) expect(message).not.toContain(o);
    }

    const rankPairs = ACCOUNT_ACTIONS.flatMap((p) =>
      ROLES.flatMap((actor) => [...ROLES, 'member' as const].map((target) => [p, actor, target] as const)),
    );
    test.each(rankPairs)('%s: %s acting on %s (one organization)', async (p, actor, target) => {
      await accountCase(p, { A: actor }, { A: target });
    });

    const multi: Array<[string, Partial<Record<Org, Role>>, Partial<Record<Org, TargetRole>>]> = [
      ['target also in an organization where the actor has no role', { A: 'administrator' }, { A: 'member', B: 'member' }],
      ['target also administrator elsewhere (the acme/beta case)', { A: 'administrator' }, { A: 'member', B: 'administrator' }],
      ['actor only a viewer in the second organization', { A: 'administrator', B: 'viewer' }, { A: 'member', B: 'member' }],
      [
        'administrator in both, target administrator in one',
        { A: 'administrator', B: 'administrator' },
        { A: 'member', B: 'administrator' },
      ],
      ['security in the second, target security there (equal rank)', { A: 'administrator', B: 'security' }, { A: 'member', B: 'security' }],
      ['security in the second, target administrator there', { A: 'administrator', B: 'security' }, { A: 'member', B: 'administrator' }],
      ['higher in the first, administrator in the second', { A: 'security', B: 'administrator' }, { A: 'administrator', B: 'member' }],
      ['helpdesk in both, target helpdesk in one', { A: 'helpdesk', B: 'helpdesk' }, { A: 'member', B: 'helpdesk' }],
    ];
    const multiCases = ACCOUNT_ACTIONS.flatMap((p) => multi.map(([label, a, t]) => [p, label, a, t] as const));
    test.each(multiCases)('%s, two organizations: %s', async (p, _label, actorIn, targetIn) => {
      await accountCase(p, actorIn, targetIn);
    });

    test('the card and App Home offer only what the rule allows', async () => {
      const a = uniq('orga');
      const b = uniq('orgb');
      const sec = await makeUser({ username: uniq('sec'), orgs: { [a]: ['security'], [b]: ['security'] } });
      const boss = await makeUser({ username: uniq('boss'), orgs: { [a]: [], [b]: ['administrator'] }, authStatus: 'locked' });
      const peer = await makeUser({ username: uniq('peer'), orgs: { [a]: [], [b]: ['security'] }, authStatus: 'locked' });
      const show = async (u: User) => {
        const r = await showUser(env().rt, actorFor(sec), { ref: u.username });
        return r.ok ? r.user.actions : null;
      };
      expect(await show(boss)).toEqual([]);
      expect(await show(peer)).toEqual(['disable', 'activate', 'reset_password']);
      await LockoutEvent.bulkCreate(
        [boss, peer].map((u) => ({ userId: u.id, lockedAt: new Date('2026-11-01T08:00:00Z'), failedCount: 5, sourceIp: null })),
      );
      const home = await recentLockouts(env().rt, actorFor(sec), 50);
      const flags = home.ok ? home.lockouts.filter((l) => [boss.id, peer.id].includes(l.userId)) : [];
      expect(flags.map((l) => [l.username, l.canActivate]).sort()).toEqual([
        [boss.username, false],
        [peer.username, true],
      ]);
    });

    test('a bulk reset re-checks at run time: a user promoted above the requester after the preview is not reset', async () => {
      const o = uniq('org');
      const sec = await makeUser({ username: uniq('sec'), orgs: { [o]: ['security'] } });
      const rising = await makeUser({ username: uniq('rising'), orgs: { [o]: ['viewer'] } });
      const plain = await makeUser({ username: uniq('plain'), orgs: { [o]: [] } });
      const a = actorFor(sec);
      const preview = await previewBulkReset(env().rt, a, { pasted: `${rising.username}\n${plain.username}`, reason: 'run-time check' });
      expect(preview).toMatchObject({ ok: true, count: 2 });
      const confirmed = await confirmBulkReset(env().rt, a, { jobId: (preview as BulkPreview).jobId });
      expect(confirmed).toMatchObject({ ok: true, total: 2 });
      await Membership.update({ roles: 'administrator' }, { where: { userId: rising.id } });
      const before = await snapshot(rising.id);
      const { progress } = await runBulkResetBatch(env().rt, (preview as BulkPreview).jobId);
      expect(progress).toMatchObject({ total: 2, done: 2, reset: 1, refused: 1 });
      expect(await snapshot(rising.id)).toEqual(before);
      expect(await auditActions(rising.id)).toEqual([]);
      expect(await MailMessage.count({ where: { userId: rising.id } })).toBe(0);
      const item = await JobItem.findOne({ where: { jobId: (preview as BulkPreview).jobId, userId: rising.id } });
      expect([item?.status, item?.detail]).toEqual(['failed', expect.stringContaining('higher role')]);
      expect((await User.findByPk(plain.id))?.authStatus).toBe('password_reset');
    });
  });

  test('a member without any role sees nobody and can do nothing', async () => {
    const { actor, s } = await setup([], CELLS.reassign_records);
    const a = actorFor(actor);
    const results = await expectUnchanged([s.target.id], async () => ({
      search: await searchUsers(env().rt, a, {}),
      counts: await countByView(env().rt, a),
      show: await showUser(env().rt, a, { ref: s.target.username }),
      activate: await activateUser(env().rt, a, { ref: s.target.username }),
      change: await changePassword(env().rt, a, { ref: s.target.username, password: NEW_PASSWORD }),
      del: await deleteUser(env().rt, a, { ref: s.target.username }),
      reassign: await reassignRecords(env().rt, a, { from: s.target.username, to: s.other.username }),
      audit: await queryAudit(env().rt, a, {}),
      key: await generateApiKey(env().rt, a, { ref: s.target.username }),
    }));
    expect(results.search).toMatchObject({ ok: false, code: 'forbidden' });
    expect(results.counts).toMatchObject({ ok: false, code: 'forbidden' });
    expect(results.audit).toMatchObject({ ok: false, code: 'forbidden' });
    for (const r of [results.show, results.activate, results.change, results.del, results.reassign, results.key]) {
      expect(r).toMatchObject({ ok: false, code: 'not_found' });
    }
  });

  describe('the acting user must be a directory user who can log in', () => {
    const cases: Array<[string, Partial<UserSpec> | 'missing']> = [
      ['missing', 'missing'],
      ['disabled', { enabled: false }],
      ['locked', { authStatus: 'locked' }],
      ['waiting for a password reset', { authStatus: 'password_reset' }],
    ];
    test.each(cases)('%s actor (holding administrator) is refused everywhere and nothing changes', async (_label, spec) => {
      const { actor, s } = await setup(['administrator'], CELLS.reassign_records);
      await User.update({ authStatus: 'locked' }, { where: { id: s.other.id } });
      let a = actorFor(actor);
      if (spec === 'missing') a = { ...a, userId: 999_999 } as Actor;
      else await User.update(spec, { where: { id: actor.id } });
      const r = await expectUnchanged([s.target.id, s.other.id, actor.id], async () => [
        await searchUsers(env().rt, a, {}),
        await countByView(env().rt, a),
        await showUser(env().rt, a, { ref: s.target.username }),
        await setUsersEnabled(env().rt, a, { refs: [s.target.username], enabled: false }),
        await activateUser(env().rt, a, { ref: s.other.username }),
        await resetPasswords(env().rt, a, { refs: [s.target.username] }),
        await changePassword(env().rt, a, { ref: s.target.username, password: NEW_PASSWORD }),
        await deleteUser(env().rt, a, { ref: s.target.username }),
        await reassignRecords(env().rt, a, { from: s.target.username, to: s.other.username }),
        await queryAudit(env().rt, a, {}),
        await changeRole(env().rt, a, { email: s.target.email, role: 'viewer', org: s.org, grant: true }),
        await generateApiKey(env().rt, a, { ref: s.target.username }),
        await revokeApiKey(env().rt, a, { ref: s.target.username }),
      ]);
      for (const x of r) expect(x).toEqual({ ok: false, code: 'not_authenticated', message: expect.any(String) });
    });
  });

  describe('organizations', () => {
    async function twoOrgs() {
      const here = uniq('here');
      const there = uniq('there');
      const admin = await makeUser({ username: uniq('admin'), orgs: { [here]: ['administrator'] } });
      const local = await makeUser({ username: uniq('local'), orgs: { [here]: [] } });
      const foreign = await makeUser({ username: uniq('foreign'), orgs: { [there]: ['viewer'] }, authStatus: 'locked' });
      const thereAdmin = await makeUser({ username: uniq('thereadmin'), orgs: { [there]: ['administrator'] } });
      const o = await org(there);
      await RecordAssignment.create({ organizationId: o.id, entity: 'ticket', entityId: uniq('t'), userId: foreign.id });
      await AuditEvent.create({
        at: new Date(),
        actorUserId: thereAdmin.id,
        actorLabel: 'there admin',
        action: 'seeded-there',
        targetUserId: foreign.id,
        targetLabel: `${foreign.username} <${foreign.email}>`,
        organizationId: o.id,
        outcome: 'ok',
        reason: null,
        details: null,
      });
      return { here, there, admin, local, foreign, thereAdmin };
    }

    test('a target only in another organization is not found by every action, and nothing changes', async () => {
      const { admin, local, foreign, there } = await twoOrgs();
      const a = actorFor(admin);
      const ref = foreign.username;
      const r = await expectUnchanged([foreign.id, local.id], async () => ({
        enable: await setUsersEnabled(env().rt, a, { refs: [ref], enabled: false }),
        reset: await resetPasswords(env().rt, a, { refs: [ref] }),
        activate: await activateUser(env().rt, a, { ref }),
        change: await changePassword(env().rt, a, { ref, password: NEW_PASSWORD }),
        del: await deleteUser(env().rt, a, { ref }),
        reassignFrom: await reassignRecords(env().rt, a, { from: ref, to: local.username }),
        reassignTo: await reassignRecords(env().rt, a, { from: local.username, to: ref }),
        show: await showUser(env().rt, a, { ref }),
        showById: await showUser(env().rt, a, { ref: String(foreign.id) }),
        showByEmail: await showUser(env().rt, a, { ref: foreign.email.toUpperCase() }),
        grant: await changeRole(env().rt, a, { email: foreign.email, role: 'viewer', org: there, grant: true }),
      }));
      expect(r.enable.ok && r.enable.results.map((x) => x.status)).toEqual(['not_found']);
      expect(r.reset.ok && r.reset.results.map((x) => x.status)).toEqual(['not_found']);
      for (const x of [r.activate, r.change, r.del, r.reassignFrom, r.show, r.showById, r.showByEmail]) {
        expect(x).toMatchObject({ ok: false, code: 'not_found' });
      }
      // Same wording as for somebody who does not exist at all: a refusal never confirms existence.
      const ghost = await activateUser(env().rt, a, { ref: 'ghost-user' });
      expect((r.activate as Failure).message.replace(ref, 'X')).toBe((ghost as Failure).message.replace('ghost-user', 'X'));
      expect(r.reassignTo).toMatchObject({ ok: false, code: 'not_found' });
      expect(r.grant).toMatchObject({ ok: false, code: 'forbidden' });
    });

    test('no enumeration: someone outside the actor’s organizations and nobody at all get the same answer, word for word', async () => {
      const { admin, foreign } = await twoOrgs();
      const a = actorFor(admin);
      // Same length and shape, so the two answers can be compared as they are.
      const ghost = `zz${foreign.username.slice(2)}`;
      expect(await User.count({ where: { username: ghost } })).toBe(0);
      const answers = async (ref: string) => {
        const line = (r: Outcome<{ results: Array<{ status: string; message: string }> }>) => (r.ok ? r.results : r);
        const preview = await previewBulkAction(env().rt, a, {
          action: 'reset_password',
          pasted: `${ref}\n${admin.username}`,
          reason: 'enumeration check',
        });
        return {
          show: await showUser(env().rt, a, { ref }),
          find: await searchUsers(env().rt, a, { text: ref }),
          enable: line(await setUsersEnabled(env().rt, a, { refs: [ref], enabled: true })),
          disable: line(await setUsersEnabled(env().rt, a, { refs: [ref, admin.username], enabled: false })),
          reset: line(await resetPasswords(env().rt, a, { refs: [ref] })),
          resetMany: line(await resetPasswords(env().rt, a, { refs: [ref, `${ref}@nowhere.example`] })),
          activate: await activateUser(env().rt, a, { ref }),
          change: await changePassword(env().rt, a, { ref, password: NEW_PASSWORD }),
          del: await deleteUser(env().rt, a, { ref }),
          key: await generateApiKey(env().rt, a, { ref }),
          reassign: await reassignRecords(env().rt, a, { from: ref, to: admin.username }),
          preview: preview.ok ? { notFound: preview.notFound, count: preview.count } : preview,
          previewView: preview.ok ? JSON.stringify(bulkPreviewModal({ ...preview, jobId: 0 }, null).blocks) : null,
        };
      };
      const outside = await expectUnchanged([foreign.id], () => answers(foreign.username));
      const missing = await answers(ghost);
      expect(JSON.stringify(outside).replaceAll(foreign.username, ghost)).toBe(JSON.stringify(missing));
      expect(outside.show).toEqual({
        ok: false,
        code: 'not_found',
        message: `No user matches “${foreign.username}” in your organizations.`,
      });
      expect(outside.preview).toEqual({ notFound: [foreign.username], count: 0 });
      expect(outside.previewView).not.toMatch(/outside/i);
    });

    test('reads show only users of the actor’s organizations', async () => {
      const { admin, local, foreign } = await twoOrgs();
      const a = actorFor(admin);
      const all = await searchUsers(env().rt, a, { limit: 100 });
      expect(all.ok && all.users.map((u) => u.id).sort()).toEqual([admin.id, local.id].sort());
      expect(all.ok && all.total).toBe(2);
      const byText = await searchUsers(env().rt, a, { text: foreign.username });
      expect(byText.ok && byText.total).toBe(0);
      const locked = await searchUsers(env().rt, a, { view: 'locked' });
      expect(locked.ok && locked.total).toBe(0);
      const counts = await countByView(env().rt, a);
      expect(counts.ok && counts.counts).toEqual({
        all: 2,
        active: 2,
        disabled: 0,
        locked: 0,
        'password-reset': 0,
        'cannot-login': 0,
      });
      const audit = await queryAudit(env().rt, a, { limit: 100 });
      expect(audit.ok && audit.events.filter((e) => e.action === 'seeded-there')).toEqual([]);
      const auditByRef = await queryAudit(env().rt, a, { ref: foreign.username });
      expect(auditByRef.ok && auditByRef.events).toEqual([]);
    });

    test('a user in two organizations: every account action needs the permission in both, reads need a role in one', async () => {
      const { here, there, admin } = await twoOrgs();
      const both = await makeUser({ username: uniq('both'), orgs: { [here]: [], [there]: [] } });
      const a = actorFor(admin);
      const show = await showUser(env().rt, a, { ref: both.username });
      expect(show.ok && show.user.organizations.map((o) => o.slug)).toEqual([here]);
      expect(show.ok && show.user.actions).toEqual([]);
      const r = await expectUnchanged([both.id], async () => ({
        del: await deleteUser(env().rt, a, { ref: both.username }),
        dis: await setUsersEnabled(env().rt, a, { refs: [both.username], enabled: false }),
        change: await changePassword(env().rt, a, { ref: both.username, password: NEW_PASSWORD }),
      }));
      expect(r.del).toMatchObject({ ok: false, code: 'forbidden' });
      expect(r.change).toEqual({
        ok: false,
        code: 'forbidden',
        message: `You do not have permission to change passwords for ${both.username}: it is needed in every organization they belong to.`,
      });
      expect(r.dis.ok && r.dis.results.map((x) => x.status)).toEqual(['refused']);

      const thereOrg = await org(there);
      await Membership.create({ userId: admin.id, organizationId: thereOrg.id, roles: 'administrator' });
      const dis = await setUsersEnabled(env().rt, a, { refs: [both.username], enabled: false });
      expect(dis.ok && dis.results.map((x) => x.status)).toEqual(['done']);
      expect(await deleteUser(env().rt, a, { ref: both.username })).toMatchObject({ ok: true });
    });

    test('an API-key actor acts only inside the organization of its key', async () => {
      const { here, there, admin } = await twoOrgs();
      const thereOrg = await org(there);
      const hereOrg = await org(here);
      await Membership.create({ userId: admin.id, organizationId: thereOrg.id, roles: 'administrator' });
      const inThere = await makeUser({ username: uniq('inthere'), orgs: { [there]: [] } });
      const scoped: Actor = { kind: 'user', userId: admin.id, label: 'api key', via: 'api', organizationId: hereOrg.id };
      const r = await expectUnchanged([inThere.id], () => setUsersEnabled(env().rt, scoped, { refs: [inThere.username], enabled: false }));
      expect(r.ok && r.results.map((x) => x.status)).toEqual(['not_found']);
      const unscoped = await setUsersEnabled(env().rt, actorFor(admin, 'api'), { refs: [inThere.username], enabled: false });
      expect(unscoped.ok && unscoped.results.map((x) => x.status)).toEqual(['done']);
    });

    test('roles are read fresh on every call: a revoked role stops working at once', async () => {
      const { here, admin, local } = await twoOrgs();
      const helper = await makeUser({ username: uniq('helper'), orgs: { [here]: ['helpdesk'] } });
      await User.update({ authStatus: 'locked' }, { where: { id: local.id } });
      const revoke = await changeRole(env().rt, actorFor(admin), { email: helper.email, role: 'helpdesk', org: here, grant: false });
      expect(revoke).toMatchObject({ ok: true, roles: [] });
      const r = await expectUnchanged([local.id], () => activateUser(env().rt, actorFor(helper), { ref: local.username }));
      expect(r).toMatchObject({ ok: false, code: 'not_found' });
    });
  });

  describe('delete rules', () => {
    test('an administrator cannot delete their own account', async () => {
      const { actor } = await setup(['administrator']);
      const r = await expectUnchanged([actor.id], () => deleteUser(env().rt, actorFor(actor), { ref: actor.username }));
      expect(r).toMatchObject({ ok: false, code: 'self_action' });
    });

    test('refused while records are assigned; reassign moves them and the delete proceeds', async () => {
      const { actor, s } = await setup(['administrator'], CELLS.reassign_records);
      const a = actorFor(actor);
      const refused = await expectUnchanged([s.target.id, s.other.id], () => deleteUser(env().rt, a, { ref: s.target.username }));
      expect(refused).toMatchObject({ ok: false, code: 'has_records', message: expect.stringContaining('1 record') });
      const moved = await reassignRecords(env().rt, a, { from: s.target.username, to: s.other.username });
      expect(moved).toMatchObject({ ok: true, moved: 1, remaining: 0 });
      expect(await deleteUser(env().rt, a, { ref: s.target.username })).toMatchObject({ ok: true });
      expect(await RecordAssignment.count({ where: { userId: s.other.id } })).toBe(1);
    });

    test('reassign moves only records of organizations TO belongs to; the rest keep blocking the delete', async () => {
      const { actor, s } = await setup(['administrator'], CELLS.reassign_records);
      const second = uniq('second');
      const o2 = await org(second);
      await Membership.create({ userId: actor.id, organizationId: o2.id, roles: 'administrator' });
      await Membership.create({ userId: s.target.id, organizationId: o2.id, roles: '' });
      await RecordAssignment.create({ organizationId: o2.id, entity: 'invoice', entityId: uniq('inv'), userId: s.target.id });
      const a = actorFor(actor);
      const moved = await reassignRecords(env().rt, a, { from: s.target.username, to: s.other.username });
      expect(moved).toMatchObject({ ok: true, moved: 1, remaining: 1 });
      const refused = await expectUnchanged([s.target.id], () => deleteUser(env().rt, a, { ref: s.target.username }));
      expect(refused).toMatchObject({ ok: false, code: 'has_records' });
    });

    test('reassign refuses the same user, a disabled TO, and a FROM without records, changing nothing', async () => {
      const { actor, s } = await setup(['administrator'], CELLS.reassign_records);
      const a = actorFor(actor);
      const empty = await makeUser({ username: uniq('empty'), orgs: { [s.org]: [] } });
      await User.update({ enabled: false }, { where: { id: s.other.id } });
      const r = await expectUnchanged([s.target.id, s.other.id], async () => [
        await reassignRecords(env().rt, a, { from: s.target.username, to: s.target.username }),
        await reassignRecords(env().rt, a, { from: s.target.username, to: s.other.username }),
        await reassignRecords(env().rt, a, { from: empty.username, to: s.target.username }),
      ]);
      expect(r.map((x) => (x as Failure).code)).toEqual(['invalid_input', 'precondition_failed', 'precondition_failed']);
    });

    test('the last administrator of an organization cannot be deleted, even by the operator', async () => {
      const o = uniq('solo');
      const solo = await makeUser({ username: uniq('solo'), orgs: { [o]: ['administrator', 'security'] } });
      const r = await expectUnchanged([solo.id], () => deleteUser(env().rt, SYSTEM_ACTOR, { ref: solo.username }));
      expect(r).toMatchObject({ ok: false, code: 'last_administrator', message: expect.stringContaining(o) });

      const second = await makeUser({ username: uniq('second'), orgs: { [o]: ['administrator'] } });
      expect(await deleteUser(env().rt, actorFor(second), { ref: solo.username })).toMatchObject({ ok: true });
      // Now `second` is the last one.
      const again = await expectUnchanged([second.id], () => deleteUser(env().rt, SYSTEM_ACTOR, { ref: second.username }));
      expect(again).toMatchObject({ ok: false, code: 'last_administrator' });
    });
  });
});
