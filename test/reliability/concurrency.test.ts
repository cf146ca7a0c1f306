import fc from 'fast-check';
import { ApiKey, AuditEvent, MailMessage, Membership, ResetToken, User } from '../../src/store/models';
import type { StandInMessage } from '../../src/standin';
import { DIALECTS } from '../support/db';
import { recordFigures } from '../support/figures';
import { slackTestEnv, textOf, type SlackTestEnv } from '../support/slack-env';

/**
 * Twenty admins at once (signed Slack requests through the driver, all in flight together) doing
 * disable / enable / reset-password / delete on the same eight users. Afterwards each user's state
 * is what replaying its audit rows gives, every audit row is a real change (a disable only of an
 * enabled user, nothing after a delete), the ✅ lines the admins were shown match the audit rows
 * one for one, nobody is half-deleted, and no reply mentions a busy or locked database.
 */

const ADMINS = 20;
const OPS_PER_ADMIN = 15;
const TARGETS = ['t0', 't1', 't2', 't3', 't4', 't5', 't6', 't7'];
/** Deletes go only to these, so the others are fought over until the end. */
const DELETABLE = new Set(['t5', 't6', 't7']);
const OPS = ['disable', 'enable', 'reset-password', 'delete'] as const;
type Op = (typeof OPS)[number];
const DB_TROUBLE = /busy|SQLITE|deadlock|\block(ed)?\b|serializ|Something went wrong on our side|timeout/i;

/** One admin's steps. Deletes are rare, so even a deletable user usually lives long enough to be fought over. */
const script = fc.array(
  fc.record({ target: fc.constantFrom(...TARGETS), op: fc.constantFrom(...OPS.slice(0, 3)), deleteRoll: fc.integer({ min: 0, max: 9 }) }),
  { minLength: OPS_PER_ADMIN, maxLength: OPS_PER_ADMIN },
);

interface Done {
  admin: string;
  op: Op;
  target: string;
  replies: string[];
}

describe.each(DIALECTS)('20 admins at once on %s', (dialect) => {
  let env: SlackTestEnv;
  const admins: string[] = [];

  beforeAll(async () => {
    env = await slackTestEnv(dialect);
    for (let i = 0; i < ADMINS; i++) {
      const id = `U0ADM${String(i).padStart(4, '0')}`;
      // Most are administrators; a few are security (no delete permission: refused, nothing changes).
      await env.person(id, { username: `adm${i}`, orgs: { acme: [i % 4 === 3 ? 'security' : 'administrator'] } });
      admins.push(id);
    }
    for (const t of TARGETS) await env.person(`U0TGT${t.toUpperCase()}00`, { username: t, orgs: { acme: [] } });
  });
  afterAll(async () => env.close());

  /** Messages the app showed `admin` after index `from` (each admin acts one step at a time). */
  const shownTo = (admin: string, from: number) =>
    env.standIn.messages.slice(from).filter((m) => m.visibleTo === admin && m.source === 'response_url');

  async function perform(admin: string, op: Op, target: string): Promise<Done> {
    const from = env.standIn.messages.length;
    // The reply posted to this command's own response_url (twenty people are typing at once).
    const r = await env.driver.command(admin, `${op} ${target}`);
    expect(r.status).toBe(200);
    const reply = await env.standIn.waitFor(() => env.standIn.latestIn(r.responseUrl), 10_000, `a reply to ${admin}'s ${op} ${target}`);
    const replies = [textOf(reply)];
    if (op === 'delete' && env.driver.buttons(reply).some((b) => b.text === 'Delete')) {
      const confirm: StandInMessage = reply;
      const versions = confirm.versions.length;
      const before = shownTo(admin, from).length;
      const click = await env.driver.clickButton(admin, confirm, 'Delete');
      expect(click.status).toBe(200);
      await env.standIn.waitFor(
        () => confirm.versions.length > versions || shownTo(admin, from).length > before,
        10_000,
        `the answer to ${admin}'s delete of ${target}`,
      );
      replies.push(confirm.versions.length > versions ? textOf(confirm) : textOf(shownTo(admin, from).at(-1)!));
    }
    return { admin, op, target, replies };
  }

  test('final state is the replay of the audit log; audit rows match exactly the changes shown; no busy error reaches anyone', async () => {
    const seed = Number(process.env.CONCURRENCY_SEED ?? (dialect === 'sqlite' ? 20261128 : 4242));
    // Seeded, so a failing interleaving can be replayed with CONCURRENCY_SEED.
    const scripts = fc
      .sample(script, { seed, numRuns: ADMINS })
      .map((steps, i) =>
        steps.map((s) => ({ admin: admins[i], target: s.target, op: DELETABLE.has(s.target) && s.deleteRoll === 0 ? 'delete' : s.op })),
      );
    const ids = new Map<string, number>();
    for (const t of TARGETS) ids.set(t, (await User.findOne({ where: { username: t } }))!.id);

    const started = Date.now();
    const done = (
      await Promise.all(
        scripts.map(async (script) => {
          const out: Done[] = [];
          for (const step of script) out.push(await perform(step.admin, step.op as Op, step.target));
          return out;
        }),
      )
    ).flat();
    const elapsedMs = Date.now() - started;

    // 1. No database trouble and no unexpected error reached a person.
    const troubled = done.flatMap((d) => d.replies.filter((r) => DB_TROUBLE.test(r)).map((r) => `${d.admin} ${d.op} ${d.target}: ${r}`));
    expect(troubled).toEqual([]);
    expect(env.logs.filter((l) => /"level":"error"/.test(l))).toEqual([]);

    // 2. What the admins were told changed equals what the audit log says changed.
    const shownChanges = { disable: 0, enable: 0, reset_password: 0, delete: 0 };
    for (const d of done) {
      const last = d.replies.at(-1)!;
      if (d.op === 'disable' && last.includes('✅')) shownChanges.disable++;
      if (d.op === 'enable' && last.includes('✅')) shownChanges.enable++;
      if (d.op === 'reset-password' && last.includes('✅')) shownChanges.reset_password++;
      if (d.op === 'delete' && /🗑️ \*t\d\* deleted by/.test(last)) shownChanges.delete++;
    }
    // By the kept label: a deleted user's rows lose their user id, not their facts.
    const labels = TARGETS.map((t) => `${t} <${t}@example.com>`);
    const audits = await AuditEvent.findAll({ where: { targetLabel: labels }, order: [['id', 'ASC']] });
    const audited = { disable: 0, enable: 0, reset_password: 0, delete: 0 };
    for (const a of audits) audited[a.action as keyof typeof audited]++;
    expect(audits.every((a) => a.action in audited)).toBe(true);
    expect(audited).toEqual(shownChanges);

    // 3. Per user: replaying its audit rows in order gives its final state, and every row was a real change.
    for (const [name, id] of ids) {
      const rows = await AuditEvent.findAll({ where: { targetLabel: `${name} <${name}@example.com>` }, order: [['id', 'ASC']] });
      let enabled = true;
      let reset = false;
      let deleted = false;
      for (const a of rows) {
        expect(deleted).toBe(false); // nothing after a delete
        if (a.action === 'disable') {
          expect(enabled).toBe(true); // no audit row for a no-op
          enabled = false;
        } else if (a.action === 'enable') {
          expect(enabled).toBe(false);
          enabled = true;
        } else if (a.action === 'reset_password') {
          expect(enabled).toBe(true); // disabled users are skipped
          reset = true;
        } else if (a.action === 'delete') deleted = true;
      }
      const user = await User.findByPk(id);
      if (deleted) {
        expect(user).toBeNull();
        // Not half-deleted: nothing that hangs off the user is left.
        expect(await Membership.count({ where: { userId: id } })).toBe(0);
        expect(await ResetToken.count({ where: { userId: id } })).toBe(0);
        expect(await ApiKey.count({ where: { userId: id } })).toBe(0);
      } else {
        expect(user).not.toBeNull();
        expect(user!.enabled).toBe(enabled);
        expect(user!.authStatus).toBe(reset ? 'password_reset' : 'active');
        expect(await Membership.count({ where: { userId: id } })).toBe(1);
        expect(await ResetToken.count({ where: { userId: id, usedAt: null, revokedAt: null } })).toBe(reset ? 1 : 0);
      }
      // One reset mail per audited reset.
      const resets = rows.filter((a) => a.action === 'reset_password').length;
      expect(await MailMessage.count({ where: { toAddress: `${name}@example.com`, kind: 'reset_link' } })).toBe(resets);
    }

    recordFigures(`concurrency-${dialect}`, {
      admins: ADMINS,
      requests: done.reduce((a, d) => a + d.replies.length, 0),
      operations: done.length,
      changes: audited,
      noopsOrRefusals: done.length - Object.values(shownChanges).reduce((a, b) => a + b, 0),
      auditRows: audits.length,
      repliesWithDbErrors: troubled.length,
      elapsedMs,
      seed,
    });
  }, 120_000);
});
