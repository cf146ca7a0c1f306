import { DAY_MS } from '../../src/domain/password-expiry';
import { PASSWORD_EXPIRY_JOB, runExpirySlot } from '../../src/jobs/password-expiry';
import { runPasswordExpiry, type ExpiryRunResult } from '../../src/services/password-expiry';
import { completeReset } from '../../src/services/passwords';
import { AuditEvent, JobSlot, MailMessage, User } from '../../src/store/models';
import { Notice, PasswordExpiryClaim } from '../../src/store/notice-models';
import { DIALECTS } from '../support/db';
import { makeUser, testEnv, type TestEnv } from '../support/fixtures';
import { deliverNotices, noticesOf } from '../support/notices';

/**
 * Issue 16, point 12: PASSWORD_MAX_AGE_DAYS. The daily job reminds 7 days and 1 day before expiry
 * and moves expired accounts to password_reset with a link, each step once per user and password,
 * however many instances run it at the same moment (two runs race on one database here, with the
 * controllable clock standing for the days going by).
 */

const HOUR = 3_600_000;

describe.each(DIALECTS)('password expiry on %s', (dialect) => {
  let env: TestEnv & { clock: { now: Date } };
  const at = (iso: string) => new Date(iso);

  beforeAll(async () => {
    env = await testEnv(dialect, { PASSWORD_MAX_AGE_DAYS: '30' });
    env.clock.now = at('2026-11-02T08:00:00Z');
  });
  afterAll(async () => env.close());

  async function withPasswordAge(username: string, ageMs: number, spec: Parameters<typeof makeUser>[0] = { username }) {
    const u = await makeUser({ ...spec, username });
    await User.update({ passwordChangedAt: new Date(env.clock.now.getTime() - ageMs) }, { where: { id: u.id } });
    return u;
  }

  /** Two instances running the job at the same moment; their counts added up. */
  async function twoInstances(): Promise<ExpiryRunResult> {
    const [a, b] = await Promise.all([runPasswordExpiry(env.rt, 'instance-a'), runPasswordExpiry(env.rt, 'instance-b')]);
    return {
      remind_7d: a.remind_7d + b.remind_7d,
      remind_1d: a.remind_1d + b.remind_1d,
      expired: a.expired + b.expired,
      taken: a.taken + b.taken,
    };
  }

  const audits = async (userId: number) =>
    (await AuditEvent.findAll({ where: { targetUserId: userId }, order: [['id', 'ASC']] })).map((e) => e.action);

  test('7 days, 1 day, expired: each step once across two instances and across days; no password, disabled and fresh are skipped', async () => {
    const fresh = await withPasswordAge('fresh', 3 * DAY_MS);
    const seven = await withPasswordAge('seven', 23 * DAY_MS + HOUR); // expires in 6 days 23 h
    const one = await withPasswordAge('one', 29 * DAY_MS + HOUR); // expires in 23 h
    const old = await withPasswordAge('old', 31 * DAY_MS);
    const nopass = await withPasswordAge('nopass', 40 * DAY_MS, { username: 'nopass', password: null });
    const off = await withPasswordAge('off', 40 * DAY_MS, { username: 'off', enabled: false });

    expect(await twoInstances()).toMatchObject({ remind_7d: 1, remind_1d: 1, expired: 1 });

    // Reminders: one notice each, audited as the system.
    const [n7] = await noticesOf(seven.id);
    expect([n7.kind, JSON.parse(n7.params)]).toEqual(['password_expiry_reminder', { expiresAt: '2026-11-09T07:00:00.000Z', daysLeft: 7 }]);
    const [n1] = await noticesOf(one.id);
    expect(JSON.parse(n1.params)).toEqual({ expiresAt: '2026-11-03T07:00:00.000Z', daysLeft: 1 });
    expect(await audits(seven.id)).toEqual(['password_expiry_reminder']);
    expect(await audits(one.id)).toEqual(['password_expiry_reminder']);
    const reminder = await AuditEvent.findOne({ where: { targetUserId: seven.id } });
    expect([reminder!.actorLabel, JSON.parse(reminder!.details!)]).toEqual([
      'system (password expiry)',
      { step: 'remind_7d', daysLeft: 7, expiresAt: '2026-11-09T07:00:00.000Z' },
    ]);

    // Expired: the admin reset's effect (status, link mailed), by the system, and its own audit line.
    expect((await old.reload()).authStatus).toBe('password_reset');
    expect(await audits(old.id)).toEqual(['reset_password', 'password_expired']);
    const resetMail = await MailMessage.findOne({ where: { userId: old.id, kind: 'reset_link' } });
    expect(resetMail!.textBody).toContain('Your password is older than 30 days.');
    expect((await noticesOf(old.id)).map((x) => [x.kind, x.emailFallback])).toEqual([['password_expired', false]]);

    // Skipped: a fresh password, no password at all, a disabled account.
    for (const u of [fresh, nopass, off]) {
      expect(await noticesOf(u.id)).toEqual([]);
      expect(await audits(u.id)).toEqual([]);
    }
    expect((await off.reload()).authStatus).toBe('active');

    // Without Slack the reminder is an email that names the day and offers the forgot-password page.
    await deliverNotices(env.rt);
    const mail = await MailMessage.findOne({ where: { userId: seven.id, kind: 'account_notice' } });
    expect(mail!.subject).toBe('Your password expires in 7 days');
    expect(mail!.textBody).toContain('on 2026-11-09 07:00 UTC');
    expect(mail!.textBody).toContain(`${env.rt.config.PUBLIC_URL}/password/forgot`);
    expect(await MailMessage.count({ where: { userId: old.id, kind: 'account_notice' } })).toBe(0);

    // Later the same day, and the next day: nobody is reminded twice for the same step.
    env.clock.now = at('2026-11-02T14:00:00Z');
    expect(await twoInstances()).toMatchObject({ remind_7d: 0, remind_1d: 0, expired: 0 });
    env.clock.now = at('2026-11-03T08:00:00Z');
    // `one` expired overnight (23 h), `seven` is now 6 days out: already reminded for that step.
    expect(await twoInstances()).toMatchObject({ remind_7d: 0, remind_1d: 0, expired: 1 });
    expect((await one.reload()).authStatus).toBe('password_reset');
    expect((await noticesOf(seven.id)).length).toBe(1);

    // Six days on, the 1-day reminder; a day after that, expiry.
    env.clock.now = at('2026-11-08T08:00:00Z');
    expect(await twoInstances()).toMatchObject({ remind_7d: 0, remind_1d: 1, expired: 0 });
    env.clock.now = at('2026-11-09T08:00:00Z');
    expect(await twoInstances()).toMatchObject({ remind_7d: 0, remind_1d: 0, expired: 1 });
    expect(await audits(seven.id)).toEqual(['password_expiry_reminder', 'password_expiry_reminder', 'reset_password', 'password_expired']);

    // The claims table agrees: one row per user, step and password.
    const claims = await PasswordExpiryClaim.findAll({ order: [['id', 'ASC']] });
    expect(claims.map((c) => [c.userId, c.step])).toEqual(
      expect.arrayContaining([
        [seven.id, 'remind_7d'],
        [one.id, 'remind_1d'],
        [old.id, 'expired'],
        [one.id, 'expired'],
        [seven.id, 'remind_1d'],
        [seven.id, 'expired'],
      ]),
    );
    expect(claims).toHaveLength(6);
  });

  test('a new password starts a new cycle: its reminders come again, at its own age', async () => {
    env.clock.now = at('2026-12-01T08:00:00Z');
    const u = await withPasswordAge('cycler', 24 * DAY_MS);
    expect((await runPasswordExpiry(env.rt, 'a')).remind_7d).toBe(1);
    // The owner sets a new password through the expiry's reset link… (here: its change time moves on)
    await User.update({ passwordChangedAt: env.clock.now }, { where: { id: u.id } });
    expect(await runPasswordExpiry(env.rt, 'a')).toMatchObject({ remind_7d: 0, remind_1d: 0, expired: 0 });
    env.clock.now = new Date(env.clock.now.getTime() + 24 * DAY_MS);
    expect((await runPasswordExpiry(env.rt, 'b')).remind_7d).toBe(1);
    expect((await noticesOf(u.id)).map((x) => x.kind)).toEqual(['password_expiry_reminder', 'password_expiry_reminder']);
  });

  test('the expiry link works: the reset page sets a new password and the account is active again', async () => {
    env.clock.now = at('2027-01-10T08:00:00Z');
    const u = await withPasswordAge('linked', 45 * DAY_MS);
    await runPasswordExpiry(env.rt, 'a');
    expect((await u.reload()).authStatus).toBe('password_reset');
    const mail = await MailMessage.findOne({ where: { userId: u.id, kind: 'reset_link' } });
    const token = /\/password\/reset\/([A-Za-z0-9_-]+)/.exec(mail!.textBody)![1];
    expect(await completeReset(env.rt, { token, password: 'Basalt-Orchard-Kite-58' })).toMatchObject({ ok: true });
    const after = await u.reload();
    expect([after.authStatus, after.passwordChangedAt?.toISOString()]).toEqual(['active', '2027-01-10T08:00:00.000Z']);
    expect(await runPasswordExpiry(env.rt, 'a')).toMatchObject({ remind_7d: 0, remind_1d: 0, expired: 0 });
  });

  test('one scheduled slot, two instances: one runs it, the other finds it claimed', async () => {
    const slot = '2027-02-01T08:00:00.000Z';
    const runs = await Promise.all([runExpirySlot(env.rt, slot, 'instance-a'), runExpirySlot(env.rt, slot, 'instance-b')]);
    expect(runs.map((r) => r.status).sort()).toEqual(['done', 'taken']);
    expect(await JobSlot.count({ where: { name: PASSWORD_EXPIRY_JOB, slot } })).toBe(1);
  });

  test('off by default: nothing happens without PASSWORD_MAX_AGE_DAYS', async () => {
    const saved = env.rt.config.PASSWORD_MAX_AGE_DAYS;
    env.rt.config.PASSWORD_MAX_AGE_DAYS = null;
    try {
      await withPasswordAge('ancient', 400 * DAY_MS);
      const before = await Notice.count();
      expect(await runPasswordExpiry(env.rt, 'a')).toEqual({ remind_7d: 0, remind_1d: 0, expired: 0, taken: 0 });
      expect(await Notice.count()).toBe(before);
    } finally {
      env.rt.config.PASSWORD_MAX_AGE_DAYS = saved;
    }
  });
});
