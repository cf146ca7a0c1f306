import { NoticeSender } from '../../src/jobs/notice-sender';
import { generateApiKey } from '../../src/services/api-keys';
import { changePassword, completeReset, resetPasswords } from '../../src/services/passwords';
import { requestPasswordLink } from '../../src/services/self-service';
import { SlackNoticeChannel } from '../../src/slack/notice-slack';
import { MailMessage, type User } from '../../src/store/models';
import { Notice } from '../../src/store/notice-models';
import { DIALECTS } from '../support/db';
import { actorFor, makeUser } from '../support/fixtures';
import { linksIn, type CapturedMail } from '../support/smtp';
import { slackTestEnv, textOf, type SlackTestEnv } from '../support/slack-env';
import { until } from '../support/wait';

/**
 * Issue 16, points 9–10: the account's owner is told — a Slack DM when their directory email is a
 * member's (users.lookupByEmail on the stand-in), otherwise an email — through the notice outbox.
 */

const ANA = 'U0ANA0001';
const NEW_PASSWORD = 'Quartz-Meadow-Falcon-93';

describe.each(DIALECTS)('owner notices on %s', (dialect) => {
  let env: SlackTestEnv;
  let ana: User;
  let n = 0;
  /** Everything secret the test handed out or read: none of it may appear in a notice. */
  const secrets: string[] = [NEW_PASSWORD];

  beforeAll(async () => {
    env = await slackTestEnv(dialect, { smtp: true, env: { LOCKOUT_THRESHOLD: '3' } });
    ana = await env.person(ANA, { username: 'ana', orgs: { acme: ['administrator'] } });
  });
  afterAll(async () => {
    // No notice, DM or mail anywhere ever carried a password, a token or a key.
    const everything = JSON.stringify([
      await Notice.findAll({ raw: true }),
      env.standIn.messages.filter((m) => m.channel.startsWith('D')),
      env.smtp!.mails.filter((m) => !m.subject.includes('new password') && !m.subject.includes('link')).map((m) => m.text + m.html),
    ]);
    for (const s of secrets) expect(everything).not.toContain(s);
    await env.close();
  });

  /** A user of acme; a member of the workspace (Slack id U0M…) or not. */
  async function owner(member: boolean): Promise<{ user: User; slackId: string | null; dm: string | null }> {
    n += 1;
    const username = `${member ? 'mem' : 'out'}${n}`;
    if (!member) return { user: await makeUser({ username, orgs: { acme: [] } }), slackId: null, dm: null };
    const slackId = `U0M${String(n).padStart(6, '0')}`;
    return { user: await env.person(slackId, { username, orgs: { acme: [] } }), slackId, dm: `D${slackId.slice(1)}` };
  }

  const dmsIn = (dm: string) => env.standIn.findMessages({ channel: dm });
  const mailsTo = (email: string) => env.smtp!.mails.filter((m) => m.to.includes(email));
  const waitMail = (email: string, subject: string): Promise<CapturedMail> =>
    env
      .smtp!.waitFor((m) => m.some((x) => x.to.includes(email) && x.subject === subject), 10_000)
      .then((m) => m.find((x) => x.to.includes(email) && x.subject === subject)!);
  const settled = (userId: number, kind: string) =>
    until(async () => {
      const rows = await Notice.findAll({ where: { userId, kind } });
      return rows.length > 0 && rows.every((r) => ['sent', 'skipped'].includes(r.status)) ? rows : null;
    }, `the ${kind} notice to be delivered`);

  const login = (username: string, password: string) =>
    fetch(`${env.server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: username, password }),
    });

  describe('lockout (login path)', () => {
    const lockOut = async (u: User) => {
      for (let i = 0; i < 3; i++) expect((await login(u.username, 'not-the-password-1')).status).toBe(401);
    };
    const forgot = () => `${env.rt.config.PUBLIC_URL}/password/forgot`;

    test('a member gets a DM saying when, from which address, with the forgot-password link; no email', async () => {
      const o = await owner(true);
      await lockOut(o.user);
      const dm = await env.standIn.waitForMessage({ channel: o.dm!, text: /Your account was locked/ }, 10_000);
      expect(dm.text).toContain('locked on 2026-11-02 10:00 UTC after 3 failed sign-in attempts from the address 127.0.0.1');
      expect(dm.text).toContain(`Was this you? If not, reset your password: <${forgot()}|Reset your password>`);
      const lookups = env.standIn.callsTo('users.lookupByEmail').filter((c) => c.args.email === o.user.email);
      expect(lookups.length).toBeGreaterThanOrEqual(1);
      expect((await settled(o.user.id, 'lockout')).map((r) => r.channel)).toEqual(['slack']);
      expect(mailsTo(o.user.email)).toEqual([]);
    });

    test('someone Slack does not know (users_not_found) gets the same words by email', async () => {
      const o = await owner(false);
      await lockOut(o.user);
      const mail = await waitMail(o.user.email, 'Your account was locked');
      expect(mail.text).toContain('locked on 2026-11-02 10:00 UTC after 3 failed sign-in attempts from the address 127.0.0.1');
      expect(mail.text).toContain('Was this you? If not, reset your password:');
      expect(linksIn(mail)).toEqual([forgot()]);
      const lookup = env.standIn.callsTo('users.lookupByEmail').find((c) => c.args.email === o.user.email);
      expect(lookup?.response).toEqual({ ok: false, error: 'users_not_found' });
      expect((await settled(o.user.id, 'lockout')).map((r) => r.channel)).toEqual(['email']);
    });

    test('a temporary lock says when it ends', async () => {
      env.rt.config.LOCKOUT_MODE = 'temporary';
      try {
        const o = await owner(true);
        await lockOut(o.user);
        const dm = await env.standIn.waitForMessage({ channel: o.dm!, text: /Your account was locked/ }, 10_000);
        expect(dm.text).toContain('It unlocks by itself at 2026-11-02 10:15 UTC');
      } finally {
        env.rt.config.LOCKOUT_MODE = 'permanent';
      }
    });
  });

  describe('admin reset (single and bulk): a DM besides the reset mail, never a second email', () => {
    test('single, from Slack: the member gets the DM and the reset mail; the DM has no link', async () => {
      const o = await owner(true);
      const r = await env.run(ANA, `reset-password ${o.user.username}`);
      expect(textOf(r.reply)).toContain('reset link sent');
      const dm = await env.standIn.waitForMessage({ channel: o.dm!, text: /Your password was reset/ }, 10_000);
      expect(dm.text).toContain('An administrator reset your password on 2026-11-02 10:00 UTC');
      expect(dm.text).not.toMatch(/https?:|password\/reset/);
      const mail = await waitMail(o.user.email, 'Set a new password for your account');
      secrets.push(
        linksIn(mail)
          .find((l) => l.includes('/password/reset/'))!
          .split('/')
          .pop()!,
      );
      await settled(o.user.id, 'admin_reset');
      expect(mailsTo(o.user.email).map((m) => m.subject)).toEqual(['Set a new password for your account']);
    });

    test('bulk: one notice per user from one insert; members get DMs, the others only their reset mail', async () => {
      const members = [await owner(true), await owner(true)];
      const others = [await owner(false), await owner(false)];
      const all = [...members, ...others];
      const r = await resetPasswords(env.rt, actorFor(ana), { refs: all.map((o) => o.user.username), reason: 'breach drill' });
      expect(r.ok && r.results.map((x) => x.status)).toEqual(['done', 'done', 'done', 'done']);
      const rows = await Notice.findAll({ where: { userId: all.map((o) => o.user.id), kind: 'admin_reset' }, order: [['id', 'ASC']] });
      expect(rows).toHaveLength(4);
      // Written by one statement in the reset's transaction: same creation time, consecutive ids.
      expect(new Set(rows.map((x) => x.createdAt.toISOString())).size).toBe(1);
      for (const o of members) await env.standIn.waitForMessage({ channel: o.dm!, text: /Your password was reset/ }, 10_000);
      for (const o of all) await settled(o.user.id, 'admin_reset');
      for (const o of others) {
        const row = rows.find((x) => x.userId === o.user.id)!;
        expect((await row.reload()).status).toBe('skipped');
        await waitMail(o.user.email, 'Set a new password for your account');
      }
      for (const o of all) {
        for (const m of mailsTo(o.user.email))
          secrets.push(
            linksIn(m)
              .find((l) => l.includes('/password/reset/'))!
              .split('/')
              .pop()!,
          );
        expect(mailsTo(o.user.email).map((m) => m.subject)).toEqual(['Set a new password for your account']);
      }
    });
  });

  describe('admin password change', () => {
    test.each([true, false])('member %s: told that it changed, never the password', async (member) => {
      const o = await owner(member);
      expect(await changePassword(env.rt, actorFor(ana), { ref: o.user.username, password: NEW_PASSWORD })).toMatchObject({ ok: true });
      if (member) {
        const dm = await env.standIn.waitForMessage({ channel: o.dm!, text: /Your password was changed/ }, 10_000);
        expect(dm.text).toContain('An administrator set a new password for your account on 2026-11-02 10:00 UTC');
        expect(mailsTo(o.user.email)).toEqual([]);
      } else {
        const mail = await waitMail(o.user.email, 'Your password was changed');
        expect(mail.text).toContain('An administrator set a new password');
      }
      expect((await settled(o.user.id, 'admin_password_change')).map((r) => r.channel)).toEqual([member ? 'slack' : 'email']);
    });
  });

  describe('API key created for the user', () => {
    test.each([true, false])('member %s: told which organization, never the key', async (member) => {
      const o = await owner(member);
      const r = await generateApiKey(env.rt, actorFor(ana), { ref: o.user.username, organization: 'acme' });
      if (!r.ok || r.step !== 'issued') throw new Error('no key');
      secrets.push(r.issued.key);
      const words = 'An administrator created an API key for your account in the organization acme';
      if (member) {
        const dm = await env.standIn.waitForMessage({ channel: o.dm!, text: /An API key was created/ }, 10_000);
        expect(dm.text).toContain(words);
      } else {
        expect((await waitMail(o.user.email, 'An API key was created for your account')).text).toContain(words);
      }
      expect((await settled(o.user.id, 'api_key_created')).map((r) => r.channel)).toEqual([member ? 'slack' : 'email']);
    });
  });

  describe('self-service (forgot password) reset completed', () => {
    test.each([true, false])('member %s: told the password changed through a forgot-password link', async (member) => {
      const o = await owner(member);
      await requestPasswordLink(env.rt, { login: o.user.username, ip: '198.51.100.7', ipThrottled: false });
      const mail = await waitMail(o.user.email, 'Your link to choose a new password');
      const token = linksIn(mail)
        .find((l) => l.includes('/password/reset/'))!
        .split('/')
        .pop()!;
      secrets.push(token);
      expect(await completeReset(env.rt, { token, password: NEW_PASSWORD })).toMatchObject({ ok: true });
      const words = 'using a "forgot password" link';
      if (member) {
        const dm = await env.standIn.waitForMessage({ channel: o.dm!, text: /Your password was changed/ }, 10_000);
        expect(dm.text).toContain(words);
        expect(mailsTo(o.user.email).map((m) => m.subject)).toEqual(['Your link to choose a new password']);
      } else {
        expect((await waitMail(o.user.email, 'Your password was changed')).text).toContain(words);
      }
      expect((await settled(o.user.id, 'password_reset_completed')).map((r) => r.channel)).toEqual([member ? 'slack' : 'email']);
    });
  });

  describe('delivery', () => {
    test('Slack refusing the DM: retried later, then delivered once', async () => {
      const o = await owner(true);
      const before = env.standIn.callsTo('chat.postMessage').length;
      env.standIn.fail('chat.postMessage', { error: 'fatal_error', times: 2 });
      await changePassword(env.rt, actorFor(ana), { ref: o.user.username, password: NEW_PASSWORD });
      // Each retry waits for its time; the test clock moves it along.
      const row = await until(async () => {
        env.clock.now = new Date(env.clock.now.getTime() + 1_000);
        const r = await Notice.findOne({ where: { userId: o.user.id, kind: 'admin_password_change' } });
        return r?.status === 'sent' ? r : null;
      }, 'the notice to be delivered after two refusals');
      expect(row.attempts).toBe(3);
      expect(row.channel).toBe('slack');
      const posts = env.standIn
        .callsTo('chat.postMessage')
        .slice(before)
        .filter((c) => c.args.channel === o.slackId);
      expect(posts.map((c) => c.error ?? 'ok')).toEqual(['fatal_error', 'fatal_error', 'ok']);
      expect(dmsIn(o.dm!).filter((m) => textOf(m).includes('Your password was changed'))).toHaveLength(1);
      expect(mailsTo(o.user.email)).toEqual([]);
    });

    test('a row that cannot be rendered (unknown kind, damaged facts) is marked failed, and the rest still go', async () => {
      const o = await owner(true);
      const bad = await Notice.bulkCreate([
        { kind: 'no_such_kind', userId: o.user.id, toAddress: o.user.email, params: '{}', nextAttemptAt: env.clock.now },
        { kind: 'lockout', userId: o.user.id, toAddress: o.user.email, params: '{not json', nextAttemptAt: env.clock.now },
      ]);
      await changePassword(env.rt, actorFor(ana), { ref: o.user.username, password: NEW_PASSWORD });
      await env.standIn.waitForMessage({ channel: o.dm!, text: /Your password was changed/ }, 10_000);
      const rows = await until(async () => {
        const r = await Notice.findAll({ where: { id: bad.map((b) => b.id) } });
        return r.every((x) => x.status === 'failed') ? r : null;
      }, 'the unreadable notices to be marked failed');
      expect(rows.map((r) => r.lastError)).toEqual([expect.stringContaining('no_such_kind'), expect.stringContaining('JSON')]);
    });

    test('two senders (instances) draining the same notices deliver each exactly once', async () => {
      const owners = [await owner(true), await owner(true), await owner(false), await owner(true)];
      // Queue with the server's own sender out of the way: stop it, then race two fresh ones.
      await env.server.workers!.notices.stop();
      await resetPasswords(env.rt, actorFor(ana), { refs: owners.map((o) => o.user.username) });
      for (const o of owners) await changePassword(env.rt, actorFor(ana), { ref: o.user.username, password: NEW_PASSWORD });
      const slack = new SlackNoticeChannel(env.server.slack!.client);
      const senders = [new NoticeSender(env.rt, slack, { batchSize: 2 }), new NoticeSender(env.rt, slack, { batchSize: 2 })];
      const results = await Promise.all(senders.map((s) => s.drainOnce()));
      await Promise.all(senders.map((s) => s.stop()));
      const total = results.reduce((a, r) => a + r.slack + r.email + r.skipped, 0);
      expect(total).toBe(8);
      expect(results.reduce((a, r) => a + r.lost, 0)).toBe(0);
      for (const o of owners) {
        if (o.dm) {
          const texts = dmsIn(o.dm).map((m) => m.text ?? '');
          expect(texts.filter((t) => t.includes('Your password was reset'))).toHaveLength(1);
          expect(texts.filter((t) => t.includes('Your password was changed'))).toHaveLength(1);
        } else {
          expect(await MailMessage.count({ where: { userId: o.user.id, kind: 'password_changed' } })).toBe(1);
        }
      }
    });
  });
});
