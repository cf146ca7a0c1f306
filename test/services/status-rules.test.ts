import bcrypt from 'bcryptjs';
import { Op } from 'sequelize';
import { sha256Hex } from '../../src/domain/tokens';
import { activateUser, setUsersEnabled } from '../../src/services/account-status';
import { queryAudit } from '../../src/services/audit-query';
import { SYSTEM_ACTOR } from '../../src/services/context';
import { countByView, searchUsers } from '../../src/services/directory';
import { STATUS_VIEWS, inView } from '../../src/domain/status';
import { deleteUser } from '../../src/services/delete-user';
import { GENERIC_LOGIN_FAILURE, login } from '../../src/services/login';
import { changePassword, completeReset, resetPasswords } from '../../src/services/passwords';
import { ApiKey, AuditEvent, LockoutEvent, MailMessage, Membership, ResetToken, User } from '../../src/store/models';
import { DIALECTS } from '../support/db';
import { GOOD_PASSWORD, actorFor, makeUser, org, snapshot, testEnv, type UserSpec } from '../support/fixtures';
import { auditActions, expectUnchanged, uniq } from '../support/state';
import { deliverNotices, noticesOf } from '../support/notices';

type Env = Awaited<ReturnType<typeof testEnv>>;

const NEW_PASSWORD = 'Plum-Orchard-Lantern-77';
const THRESHOLD = 5; // testEnv sets LOCKOUT_THRESHOLD=5

describe.each(DIALECTS)('status rules (DESIGN §2) on %s', (dialect) => {
  let env: Env;
  let admin: User;
  const ORG = 'status-org';

  beforeAll(async () => {
    env = await testEnv(dialect);
    admin = await makeUser({ username: 'statusadmin', orgs: { [ORG]: ['administrator'] } });
  });
  afterAll(async () => env.close());
  beforeEach(() => {
    env.clock.now = new Date('2026-11-02T10:00:00Z');
  });

  const person = (prefix: string, extra: Partial<UserSpec> = {}) => makeUser({ username: uniq(prefix), orgs: { [ORG]: [] }, ...extra });

  const reload = async (u: User) => (await User.findByPk(u.id))!;

  /** The link in the newest reset mail to `user`, and the token in it. */
  async function resetMail(user: User): Promise<{ mail: MailMessage; token: string }> {
    const mail = await MailMessage.findOne({ where: { userId: user.id, kind: 'reset_link' }, order: [['id', 'DESC']] });
    expect(mail).not.toBeNull();
    const prefix = `${env.rt.config.PUBLIC_URL}/password/reset/`;
    const m = new RegExp(`${prefix.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}([A-Za-z0-9_-]+)`).exec(mail!.textBody);
    expect(m).not.toBeNull();
    expect(mail!.htmlBody).toContain(`${prefix}${m![1]}`);
    return { mail: mail!, token: m![1] };
  }

  const liveTokens = (userId: number) => ResetToken.findAll({ where: { userId, usedAt: null, revokedAt: null } });

  describe('enable / disable', () => {
    test('disable flips enabled, records an audit row under the actor and the organization', async () => {
      const bob = await person('bob');
      const r = await setUsersEnabled(env.rt, actorFor(admin), { refs: [bob.username], enabled: false });
      expect(r).toEqual({
        ok: true,
        results: [{ ref: bob.username, userId: bob.id, username: bob.username, status: 'done', message: `${bob.username} disabled.` }],
      });
      expect((await reload(bob)).enabled).toBe(false);
      const audit = await AuditEvent.findAll({ where: { targetUserId: bob.id } });
      expect(audit.map((a) => [a.action, a.actorUserId, a.outcome])).toEqual([['disable', admin.id, 'ok']]);
      expect(audit[0].organizationId).toBe((await Membership.findOne({ where: { userId: bob.id } }))!.organizationId);
    });

    test('enable flips a disabled user back, with an audit row', async () => {
      const bob = await person('bob', { enabled: false });
      const r = await setUsersEnabled(env.rt, actorFor(admin), { refs: [bob.email], enabled: true });
      expect(r.ok && r.results.map((x) => x.status)).toEqual(['done']);
      expect((await reload(bob)).enabled).toBe(true);
      expect(await auditActions(bob.id)).toEqual(['enable']);
    });

    test.each([true, false])('already-in-state (enabled=%s) is a no-op reported as such, with nothing written', async (enabled) => {
      const bob = await person('bob', { enabled });
      const r = await expectUnchanged([bob.id], () => setUsersEnabled(env.rt, actorFor(admin), { refs: [bob.username], enabled }));
      expect(r.ok && r.results).toEqual([
        {
          ref: bob.username,
          userId: bob.id,
          username: bob.username,
          status: 'noop',
          message: `${bob.username} was already ${enabled ? 'enabled' : 'disabled'}.`,
        },
      ]);
    });

    test('self-disable is refused and changes nothing', async () => {
      const r = await expectUnchanged([admin.id], () =>
        setUsersEnabled(env.rt, actorFor(admin), { refs: [admin.username], enabled: false }),
      );
      expect(r.ok && r.results.map((x) => [x.status, x.message])).toEqual([['refused', 'You cannot disable your own account.']]);
    });

    test('many users: one result per user, each applied or refused on its own', async () => {
      const a = await person('many');
      const b = await person('many', { enabled: false });
      const elsewhere = await makeUser({ username: uniq('other'), orgs: { 'status-elsewhere': [] } });
      const r = await setUsersEnabled(env.rt, actorFor(admin), {
        refs: [a.username, b.username, 'nobody-here', admin.username, elsewhere.username, a.username.toUpperCase()],
        enabled: false,
      });
      expect(r.ok && r.results.map((x) => [x.ref, x.status])).toEqual([
        [a.username, 'done'],
        [b.username, 'noop'],
        ['nobody-here', 'not_found'],
        [admin.username, 'refused'],
        [elsewhere.username, 'not_found'],
      ]);
      expect((await reload(a)).enabled).toBe(false);
      expect((await reload(admin)).enabled).toBe(true);
      expect((await reload(elsewhere)).enabled).toBe(true);
      expect(await auditActions(a.id)).toEqual(['disable']);
      expect(await auditActions(b.id)).toEqual([]);
      expect(await auditActions(elsewhere.id)).toEqual([]);
    });

    test('no users named, or too many, is invalid input', async () => {
      const none = await setUsersEnabled(env.rt, actorFor(admin), { refs: [' '], enabled: false });
      expect(none).toMatchObject({ ok: false, code: 'invalid_input' });
      const tooMany = await setUsersEnabled(env.rt, actorFor(admin), {
        refs: Array.from({ length: 101 }, (_, i) => `u${i}`),
        enabled: false,
      });
      expect(tooMany).toMatchObject({ ok: false, code: 'invalid_input' });
    });
  });

  describe('login', () => {
    test('failed logins count; at LOCKOUT_THRESHOLD the account locks, with a lockout event, an audit row and a mail', async () => {
      const bob = await person('bob');
      for (let i = 1; i < THRESHOLD; i++) {
        const r = await login(env.rt, { login: bob.username, password: 'wrong-password-123', ip: '203.0.113.9' });
        expect(r).toEqual({ ok: false, code: 'not_authenticated', message: GENERIC_LOGIN_FAILURE });
        const u = await reload(bob);
        expect([u.failedLoginCount, u.authStatus, u.lockedAt]).toEqual([i, 'active', null]);
      }
      expect(await LockoutEvent.count({ where: { userId: bob.id } })).toBe(0);
      expect(await MailMessage.count({ where: { userId: bob.id } })).toBe(0);

      env.clock.now = new Date('2026-11-02T11:30:00Z');
      const last = await login(env.rt, { login: bob.username, password: 'wrong-password-123', ip: '203.0.113.9' });
      expect(last).toEqual({ ok: false, code: 'not_authenticated', message: GENERIC_LOGIN_FAILURE });
      const u = await reload(bob);
      expect(u.failedLoginCount).toBe(THRESHOLD);
      expect(u.authStatus).toBe('locked');
      expect(u.lockedAt?.toISOString()).toBe('2026-11-02T11:30:00.000Z');

      const events = await LockoutEvent.findAll({ where: { userId: bob.id } });
      expect(events.map((e) => [e.failedCount, e.sourceIp, e.lockedAt.toISOString()])).toEqual([
        [THRESHOLD, '203.0.113.9', '2026-11-02T11:30:00.000Z'],
      ]);
      expect((await noticesOf(bob.id)).map((n) => [n.kind, n.toAddress, n.status])).toEqual([['lockout', bob.email, 'pending']]);
      await deliverNotices(env.rt);
      const mails = await MailMessage.findAll({ where: { userId: bob.id } });
      expect(mails.map((m) => [m.kind, m.toAddress, m.status])).toEqual([['lockout_notice', bob.email, 'pending']]);
      expect(mails[0].textBody).toContain(`${THRESHOLD} failed sign-in attempts`);
      expect(await auditActions(bob.id)).toEqual(['lockout']);

      // Locked: more failures are still counted (the card and the digest show the guessing go on),
      // but record no second lockout, audit row or mail.
      expect(await login(env.rt, { login: bob.username, password: 'wrong-password-123' })).toEqual(last);
      const after = await reload(bob);
      expect([after.failedLoginCount, after.authStatus, after.lockedAt?.toISOString()]).toEqual([
        THRESHOLD + 1,
        'locked',
        '2026-11-02T11:30:00.000Z',
      ]);
      expect(await LockoutEvent.count({ where: { userId: bob.id } })).toBe(1);
      expect(await MailMessage.count({ where: { userId: bob.id } })).toBe(1);
      expect(await auditActions(bob.id)).toEqual(['lockout']);
    });

    test('a successful login resets the counter and sets lastLoginAt', async () => {
      const bob = await person('bob', { failedLoginCount: 2 });
      env.clock.now = new Date('2026-11-03T08:15:00Z');
      const r = await login(env.rt, { login: bob.email.toUpperCase(), password: GOOD_PASSWORD });
      expect(r.ok && r.user).toEqual({
        id: bob.id,
        username: bob.username,
        email: bob.email,
        organizations: [{ slug: ORG, roles: [] }],
      });
      const u = await reload(bob);
      expect(u.failedLoginCount).toBe(0);
      expect(u.lastLoginAt?.toISOString()).toBe('2026-11-03T08:15:00.000Z');
      expect(u.authStatus).toBe('active');
    });

    test('threshold-1 failures then a success: the counter is back to 0 and the next failures start again', async () => {
      const bob = await person('bob');
      for (let i = 1; i < THRESHOLD; i++) await login(env.rt, { login: bob.username, password: 'nope-nope-nope-1' });
      expect((await reload(bob)).failedLoginCount).toBe(THRESHOLD - 1);
      expect((await login(env.rt, { login: bob.username, password: GOOD_PASSWORD })).ok).toBe(true);
      expect((await reload(bob)).failedLoginCount).toBe(0);
      await login(env.rt, { login: bob.username, password: 'nope-nope-nope-1' });
      const u = await reload(bob);
      expect([u.failedLoginCount, u.authStatus]).toEqual([1, 'active']);
      expect(await LockoutEvent.count({ where: { userId: bob.id } })).toBe(0);
    });

    test.each([
      ['locked', { authStatus: 'locked', failedLoginCount: THRESHOLD }, 'it is locked', 'activate (unlock) it'],
      ['disabled', { enabled: false }, 'it has been disabled', 'Contact an administrator'],
      ['password_reset', { authStatus: 'password_reset' }, 'a password reset is pending', 'ask an administrator for a new one'],
    ] as const)(
      '%s with the right password: the generic refusal, state unchanged, the owner mailed why (at most once an hour)',
      async (_state, spec, why, todo) => {
        const bob = await person('bob', spec);
        const before = await reload(bob);
        const wrongFirst = await login(env.rt, { login: bob.username, password: 'Not-The-Password-9' });
        expect(await MailMessage.count({ where: { userId: bob.id } })).toBe(0); // a wrong password never mails
        const right = await login(env.rt, { login: bob.username, password: GOOD_PASSWORD });
        expect(right).toEqual({ ok: false, code: 'not_authenticated', message: GENERIC_LOGIN_FAILURE });
        expect(right).toEqual(wrongFirst);
        const u = await reload(bob);
        expect([u.enabled, u.authStatus, u.failedLoginCount, u.lastLoginAt]).toEqual([
          before.enabled,
          before.authStatus,
          before.failedLoginCount + 1, // the wrong one counted, the right one did not
          null,
        ]);
        const mails = await MailMessage.findAll({ where: { userId: bob.id }, order: [['id', 'ASC']] });
        expect(mails.map((m) => [m.kind, m.toAddress])).toEqual([['sign_in_blocked', bob.email]]);
        expect(mails[0].textBody).toContain(why);
        expect(mails[0].textBody).toContain(todo);
        expect(mails[0].textBody).not.toContain(GOOD_PASSWORD);
        expect(mails[0].textBody).not.toMatch(/password\/reset\/|https?:\/\//);

        // Again within the hour: the same answer, no second mail.
        env.clock.now = new Date(env.clock.now.getTime() + 59 * 60_000);
        expect(await login(env.rt, { login: bob.username, password: GOOD_PASSWORD })).toEqual(right);
        expect(await MailMessage.count({ where: { userId: bob.id } })).toBe(1);
        // An hour after the first notice: one more.
        env.clock.now = new Date(env.clock.now.getTime() + 60_000);
        expect(await login(env.rt, { login: bob.username, password: GOOD_PASSWORD })).toEqual(right);
        expect(await MailMessage.count({ where: { userId: bob.id, kind: 'sign_in_blocked' } })).toBe(2);
        expect(await auditActions(bob.id)).toEqual([]);
      },
    );

    test('an unknown user and a wrong password get the identical generic answer', async () => {
      const bob = await person('bob');
      const unknown = await expectUnchanged([], () => login(env.rt, { login: 'no-such-user', password: GOOD_PASSWORD }));
      const unknownEmail = await login(env.rt, { login: 'nobody@example.com', password: GOOD_PASSWORD });
      const wrong = await login(env.rt, { login: bob.username, password: 'Not-The-Password-9' });
      const byId = await login(env.rt, { login: String(bob.id), password: GOOD_PASSWORD });
      const noPassword = await login(env.rt, {
        login: (await person('nopw', { password: null, authStatus: 'password_reset' })).username,
        password: GOOD_PASSWORD,
      });
      const generic = { ok: false, code: 'not_authenticated', message: GENERIC_LOGIN_FAILURE };
      for (const r of [unknown, unknownEmail, wrong, byId, noPassword]) expect(r).toEqual(generic);
    });
  });

  describe('activate', () => {
    test('locked → active, counter reset, lockedAt cleared, audit row; the user can log in again', async () => {
      const bob = await person('bob', { authStatus: 'locked', failedLoginCount: THRESHOLD });
      const r = await activateUser(env.rt, actorFor(admin), { ref: bob.username });
      expect(r.ok && r.result.status).toBe('done');
      const u = await reload(bob);
      expect([u.authStatus, u.failedLoginCount, u.lockedAt]).toEqual(['active', 0, null]);
      expect(await auditActions(bob.id)).toEqual(['activate']);
      expect((await login(env.rt, { login: bob.username, password: GOOD_PASSWORD })).ok).toBe(true);
    });

    test.each(['active', 'password_reset'] as const)('from %s it is a no-op: nothing written', async (authStatus) => {
      const bob = await person('bob', { authStatus, failedLoginCount: 2 });
      const r = await expectUnchanged([bob.id], () => activateUser(env.rt, actorFor(admin), { ref: bob.username }));
      expect(r.ok && r.result.status).toBe('noop');
    });
  });

  describe('reset password (admin)', () => {
    test('enabled user → password_reset, earlier tokens revoked, exactly one live token, mail with the link', async () => {
      const bob = await person('bob', { failedLoginCount: 3 });
      await resetPasswords(env.rt, actorFor(admin), { refs: [bob.username] });
      const first = await resetMail(bob);
      env.clock.now = new Date('2026-11-04T09:00:00Z');
      const r = await resetPasswords(env.rt, actorFor(admin), { refs: [bob.username], reason: 'suspected phishing' });
      expect(r.ok && r.results.map((x) => x.status)).toEqual(['done']);

      const u = await reload(bob);
      expect([u.authStatus, u.failedLoginCount, u.lockedAt]).toEqual(['password_reset', 0, null]);
      const live = await liveTokens(bob.id);
      expect(live).toHaveLength(1);
      const revoked = await ResetToken.findAll({ where: { userId: bob.id, revokedAt: { [Op.ne]: null } } });
      expect(revoked.map((t) => t.tokenHash)).toEqual([sha256Hex(first.token)]);
      expect(revoked[0].revokedAt?.toISOString()).toBe('2026-11-04T09:00:00.000Z');

      const { mail, token } = await resetMail(bob);
      expect(mail.toAddress).toBe(bob.email);
      expect(mail.textBody).toContain('suspected phishing');
      expect(token).not.toBe(first.token);
      expect(live[0].tokenHash).toBe(sha256Hex(token));
      expect(live[0].expiresAt.toISOString()).toBe('2026-11-05T09:00:00.000Z'); // RESET_TOKEN_TTL_HOURS=24
      // Only the hash is stored.
      expect(JSON.stringify(await ResetToken.findAll({ raw: true }))).not.toContain(token);

      const audit = await AuditEvent.findAll({ where: { targetUserId: bob.id }, order: [['id', 'ASC']] });
      expect(audit.map((a) => [a.action, a.actorUserId, a.reason])).toEqual([
        ['reset_password', admin.id, null],
        ['reset_password', admin.id, 'suspected phishing'],
      ]);
      // The user cannot log in until the reset page is completed.
      expect(await login(env.rt, { login: bob.username, password: GOOD_PASSWORD })).toEqual({
        ok: false,
        code: 'not_authenticated',
        message: GENERIC_LOGIN_FAILURE,
      });
    });

    test('a locked user can be reset: the lock is replaced by the reset requirement', async () => {
      const bob = await person('bob', { authStatus: 'locked', failedLoginCount: THRESHOLD });
      const r = await resetPasswords(env.rt, actorFor(admin), { refs: [bob.username] });
      expect(r.ok && r.results.map((x) => x.status)).toEqual(['done']);
      const u = await reload(bob);
      expect([u.authStatus, u.failedLoginCount, u.lockedAt]).toEqual(['password_reset', 0, null]);
    });

    test('a disabled user is not reset: skipped, no token, no mail, no audit', async () => {
      const bob = await person('bob', { enabled: false });
      const r = await expectUnchanged([bob.id], () => resetPasswords(env.rt, actorFor(admin), { refs: [bob.username] }));
      expect(r.ok && r.results.map((x) => [x.status, x.message])).toEqual([['skipped', `${bob.username} is disabled; skipped.`]]);
    });
  });

  describe('complete reset', () => {
    async function resetOf(prefix = 'bob') {
      const user = await person(prefix);
      await resetPasswords(env.rt, actorFor(admin), { refs: [user.username] });
      return { user, token: (await resetMail(user)).token };
    }

    test('the token sets the new password once: → active, counter reset, token used, notice mailed', async () => {
      const { user, token } = await resetOf();
      env.clock.now = new Date('2026-11-02T12:00:00Z');
      const r = await completeReset(env.rt, { token, password: NEW_PASSWORD });
      expect(r).toEqual({ ok: true, username: user.username, stillLocked: false });
      const u = await reload(user);
      expect(u.authStatus).toBe('active');
      expect(u.passwordChangedAt?.toISOString()).toBe('2026-11-02T12:00:00.000Z');
      expect(await bcrypt.compare(NEW_PASSWORD, u.passwordHash!)).toBe(true);
      const rows = await ResetToken.findAll({ where: { userId: user.id } });
      expect(rows.map((t) => [t.usedAt?.toISOString() ?? null, t.revokedAt])).toEqual([['2026-11-02T12:00:00.000Z', null]]);
      await deliverNotices(env.rt);
      const notice = await MailMessage.findOne({ where: { userId: user.id, kind: 'password_changed' } });
      expect(notice?.toAddress).toBe(user.email);
      expect(`${notice?.textBody}${notice?.htmlBody}${notice?.subject}`).not.toContain(NEW_PASSWORD);
      expect(await auditActions(user.id)).toEqual(['reset_password', 'complete_reset']);
      expect((await login(env.rt, { login: user.username, password: NEW_PASSWORD })).ok).toBe(true);
      expect(await login(env.rt, { login: user.username, password: GOOD_PASSWORD })).toMatchObject({ code: 'not_authenticated' });

      // Single use: the same link again changes nothing.
      const again = await expectUnchanged([user.id], () => completeReset(env.rt, { token, password: 'Another-Fine-Password-8' }));
      expect(again).toMatchObject({ ok: false, code: 'token_expired' });
    });

    test('the audit row of a completed reset is visible to the organization’s administrators', async () => {
      const { user, token } = await resetOf();
      expect((await completeReset(env.rt, { token, password: NEW_PASSWORD })).ok).toBe(true);
      const r = await queryAudit(env.rt, actorFor(admin), { ref: user.username });
      expect(r.ok && r.events.map((e) => e.action)).toEqual(['complete_reset', 'reset_password']);
    });

    test('expiry follows the clock: valid until RESET_TOKEN_TTL_HOURS, refused from then on', async () => {
      env.clock.now = new Date('2026-11-06T10:00:00Z');
      const { user, token } = await resetOf();
      env.clock.now = new Date('2026-11-07T10:00:00Z');
      const expired = await expectUnchanged([user.id], () => completeReset(env.rt, { token, password: NEW_PASSWORD }));
      expect(expired).toMatchObject({ ok: false, code: 'token_expired', message: expect.stringContaining('expired') });
      env.clock.now = new Date('2026-11-07T09:59:00Z');
      expect((await completeReset(env.rt, { token, password: NEW_PASSWORD })).ok).toBe(true);
    });

    test('a second reset revokes the first link', async () => {
      const { user, token: first } = await resetOf();
      await resetPasswords(env.rt, actorFor(admin), { refs: [user.username] });
      const { token: second } = await resetMail(user);
      const r = await expectUnchanged([user.id], () => completeReset(env.rt, { token: first, password: NEW_PASSWORD }));
      expect(r).toMatchObject({ ok: false, code: 'token_expired', message: expect.stringContaining('replaced') });
      expect((await completeReset(env.rt, { token: second, password: NEW_PASSWORD })).ok).toBe(true);
    });

    test.each([
      ['too short', 'Short-pw-1'],
      ['too long in bytes', 'é'.repeat(37)],
      ['a common password', 'Password2026!'],
      ['built from the username', '{username}{username}'],
    ])('a policy error (%s) changes nothing and the link still works', async (_label, pw) => {
      const { user, token } = await resetOf('policy');
      const password = pw.replace(/\{username\}/g, user.username);
      const r = await expectUnchanged([user.id], () => completeReset(env.rt, { token, password }));
      expect(r).toMatchObject({ ok: false, code: 'password_policy', fields: { password: expect.any(String) } });
      expect(await liveTokens(user.id)).toHaveLength(1);
      expect((await completeReset(env.rt, { token, password: NEW_PASSWORD })).ok).toBe(true);
    });

    test('an unknown or malformed token is invalid and changes nothing', async () => {
      const unknown = await expectUnchanged([], () => completeReset(env.rt, { token: 'A'.repeat(43), password: NEW_PASSWORD }));
      expect(unknown).toMatchObject({ ok: false, code: 'token_invalid' });
      const malformed = await completeReset(env.rt, { token: "x' OR 1=1 --", password: NEW_PASSWORD });
      expect(malformed).toMatchObject({ ok: false, code: 'token_invalid' });
    });

    test('a user disabled after the reset cannot use the link', async () => {
      const { user, token } = await resetOf();
      await setUsersEnabled(env.rt, actorFor(admin), { refs: [user.username], enabled: false });
      const r = await expectUnchanged([user.id], () => completeReset(env.rt, { token, password: NEW_PASSWORD }));
      expect(r).toMatchObject({ ok: false, code: 'token_expired' });
    });
  });

  describe('change password (admin)', () => {
    test('new hash, passwordChangedAt, earlier links revoked, audit, and a notice that never contains the password', async () => {
      const bob = await person('bob');
      await resetPasswords(env.rt, actorFor(admin), { refs: [bob.username] });
      const { token } = await resetMail(bob);
      env.clock.now = new Date('2026-11-08T16:45:00Z');
      const r = await changePassword(env.rt, actorFor(admin), { ref: bob.username, password: NEW_PASSWORD });
      expect(r).toEqual({ ok: true, username: bob.username });
      const u = await reload(bob);
      expect(await bcrypt.compare(NEW_PASSWORD, u.passwordHash!)).toBe(true);
      expect(u.passwordChangedAt?.toISOString()).toBe('2026-11-08T16:45:00.000Z');
      // password_reset → active: the admin gave the user a password.
      expect(u.authStatus).toBe('active');
      expect(await liveTokens(bob.id)).toHaveLength(0);
      expect(await completeReset(env.rt, { token, password: 'Another-Fine-Password-8' })).toMatchObject({ ok: false });
      expect(await auditActions(bob.id)).toEqual(['reset_password', 'change_password']);
      await deliverNotices(env.rt);
      const notice = await MailMessage.findOne({ where: { userId: bob.id, kind: 'password_changed' } });
      expect(notice?.toAddress).toBe(bob.email);
      const everything = JSON.stringify(await MailMessage.findAll({ raw: true }));
      expect(everything).not.toContain(NEW_PASSWORD);
      expect(JSON.stringify(await AuditEvent.findAll({ raw: true }))).not.toContain(NEW_PASSWORD);
      expect(env.logs.join('\n')).not.toContain(NEW_PASSWORD);
      expect((await login(env.rt, { login: bob.username, password: NEW_PASSWORD })).ok).toBe(true);
    });

    test('a policy error changes nothing', async () => {
      const bob = await person('bob');
      const r = await expectUnchanged([bob.id], () =>
        changePassword(env.rt, actorFor(admin), { ref: bob.username, password: `${bob.username}${bob.username}` }),
      );
      expect(r).toMatchObject({ ok: false, code: 'password_policy' });
    });
  });

  describe('delete', () => {
    test('removes the user with memberships, API keys and reset tokens; the audit keeps username and email', async () => {
      const bob = await makeUser({ username: uniq('bob'), orgs: { [ORG]: ['viewer'], 'status-second': [] } });
      const second = await org('status-second');
      await Membership.findOrCreate({
        where: { userId: admin.id, organizationId: second.id },
        defaults: { userId: admin.id, organizationId: second.id, roles: 'administrator' },
      });
      await ApiKey.create({ userId: bob.id, organizationId: second.id, keyHash: sha256Hex(uniq('key')), displayPrefix: 'uok_abcdef' });
      await resetPasswords(env.rt, actorFor(admin), { refs: [bob.username] });
      const r = await deleteUser(env.rt, actorFor(admin), { ref: bob.username });
      expect(r).toEqual({ ok: true, username: bob.username, userId: bob.id });
      expect(await snapshot(bob.id)).toBeNull();
      expect(await Membership.count({ where: { userId: bob.id } })).toBe(0);
      expect(await ApiKey.count({ where: { userId: bob.id } })).toBe(0);
      expect(await ResetToken.count({ where: { userId: bob.id } })).toBe(0);
      const audit = await AuditEvent.findOne({ where: { targetUserId: bob.id, action: 'delete' } });
      expect(audit?.targetLabel).toBe(`${bob.username} <${bob.email}>`);
      expect(audit?.actorUserId).toBe(admin.id);
      const history = await queryAudit(env.rt, actorFor(admin), { ref: bob.username });
      expect(history.ok && history.events.map((e) => [e.action, e.target])).toEqual([
        ['delete', `${bob.username} <${bob.email}>`],
        ['reset_password', `${bob.username} <${bob.email}>`],
      ]);
    });
  });

  test('saved views list users by status, the same way the domain defines them', async () => {
    const o = uniq('views');
    const viewer = await makeUser({ username: uniq('viewer'), orgs: { [o]: ['viewer'] } });
    const states: Array<Partial<UserSpec>> = [
      {},
      { enabled: false },
      { authStatus: 'locked' },
      { authStatus: 'password_reset' },
      { enabled: false, authStatus: 'locked' },
    ];
    const users = [viewer];
    for (const st of states) users.push(await makeUser({ username: uniq('v'), orgs: { [o]: [] }, ...st }));
    const counts = await countByView(env.rt, actorFor(viewer));
    expect(counts.ok && counts.counts).toEqual({ all: 6, active: 4, disabled: 2, locked: 2, 'password-reset': 1, 'cannot-login': 4 });
    for (const view of STATUS_VIEWS) {
      const r = await searchUsers(env.rt, actorFor(viewer), { view, limit: 100 });
      const expected = users
        .filter((u) => inView(u, view))
        .map((u) => u.username)
        .sort();
      expect(r.ok && r.users.map((u) => u.username).sort()).toEqual(expected);
      expect(r.ok && r.total).toBe(expected.length);
    }
    const page = await searchUsers(env.rt, actorFor(viewer), { view: 'all', limit: 2, offset: 2 });
    expect(page.ok && [page.total, page.users.length, page.offset, page.limit]).toEqual([6, 2, 2, 2]);
  });

  describe('concurrent requests on one user', () => {
    test('concurrent failed logins each count, and the lockout is recorded once', async () => {
      const bob = await person('race');
      const fail = () => login(env.rt, { login: bob.username, password: 'wrong-password-123' });
      await Promise.all(Array.from({ length: THRESHOLD - 1 }, fail));
      expect((await reload(bob)).failedLoginCount).toBe(THRESHOLD - 1);
      await Promise.all(Array.from({ length: 3 }, fail));
      const u = await reload(bob);
      // Every one counted (two of them against the locked account); the account locked once.
      expect([u.failedLoginCount, u.authStatus]).toEqual([THRESHOLD + 2, 'locked']);
      expect(await LockoutEvent.count({ where: { userId: bob.id } })).toBe(1);
      expect((await noticesOf(bob.id)).map((n) => n.kind)).toEqual(['lockout']);
    });

    test('one reset link submitted twice at once succeeds once', async () => {
      const bob = await person('race');
      await resetPasswords(env.rt, actorFor(admin), { refs: [bob.username] });
      const { token } = await resetMail(bob);
      const results = await Promise.all([
        completeReset(env.rt, { token, password: NEW_PASSWORD }),
        completeReset(env.rt, { token, password: 'Another-Fine-Password-8' }),
      ]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok)).toEqual([expect.objectContaining({ code: 'token_expired' })]);
      expect((await noticesOf(bob.id)).filter((n) => n.kind === 'password_reset_completed')).toHaveLength(1);
    });

    test('concurrent resets of one user leave exactly one live token', async () => {
      const bob = await person('race');
      await Promise.all(Array.from({ length: 4 }, () => resetPasswords(env.rt, actorFor(admin), { refs: [bob.username] })));
      expect(await liveTokens(bob.id)).toHaveLength(1);
      expect(await ResetToken.count({ where: { userId: bob.id } })).toBe(4);
    });
  });

  test('a system actor (operator) can act without a role', async () => {
    const bob = await person('bob', { authStatus: 'locked' });
    const r = await activateUser(env.rt, SYSTEM_ACTOR, { ref: bob.username });
    expect(r.ok && r.result.status).toBe('done');
  });
});
