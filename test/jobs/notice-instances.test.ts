import { join } from 'node:path';
import { Op } from 'sequelize';
import { createRuntime, type Runtime } from '../../src/app/runtime';
import { DAY_MS } from '../../src/domain/password-expiry';
import { PASSWORD_EXPIRY_JOB } from '../../src/jobs/password-expiry';
import { testConfig } from '../../src/lib/config';
import { memoryLogger } from '../../src/lib/logger';
import { SlackStandIn } from '../../src/standin';
import { AuditEvent, JobSlot, MailMessage, User } from '../../src/store/models';
import { Notice, PasswordExpiryClaim } from '../../src/store/notice-models';
import { DIALECTS, freshDatabase, type TestDatabase } from '../support/db';
import { makeUser } from '../support/fixtures';
import { startInstance, type Instance } from '../support/instances';
import { until } from '../support/wait';

/**
 * Owner notices and the password-expiry job with two real server processes on one database (each
 * its own Node process, models and connections): every notice is delivered once, by one of them,
 * and the daily job — scheduled every two seconds here — reminds and expires each user once.
 */
describe.each(DIALECTS)('two server processes on one %s database: notices and password expiry', (dialect) => {
  let db: TestDatabase;
  let rt: Runtime;
  const standIn = new SlackStandIn();
  const servers: Instance[] = [];

  beforeAll(async () => {
    await standIn.start();
    db = await freshDatabase(dialect);
    rt = await createRuntime(testConfig({ DATABASE_URL: db.url }), { logger: memoryLogger('error').logger });
    const mona = await makeUser({ username: 'mona', orgs: { acme: [] } });
    standIn.addUser({ id: 'U0MONA001', name: 'mona', email: mona.email });
    await makeUser({ username: 'nick', orgs: { acme: [] } });
    const remy = await makeUser({ username: 'remy', orgs: { acme: [] } });
    standIn.addUser({ id: 'U0REMY001', name: 'remy', email: remy.email });
    const exa = await makeUser({ username: 'exa', orgs: { acme: [] } });
    await User.update({ passwordChangedAt: new Date(Date.now() - 25 * DAY_MS) }, { where: { id: remy.id } });
    await User.update({ passwordChangedAt: new Date(Date.now() - 40 * DAY_MS) }, { where: { id: exa.id } });
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop('SIGKILL')));
    await rt.close();
    await db.drop();
    await standIn.stop();
  });

  test('lockouts on alternating instances: one DM for the member, one email for the other; expiry steps once each', async () => {
    const env = {
      DATABASE_URL: db.url,
      SLACK_BOT_TOKEN: standIn.botToken,
      SLACK_SIGNING_SECRET: 'instances-test-signing-secret',
      SLACK_API_URL: standIn.apiUrl,
      BCRYPT_COST: '4',
      LOG_LEVEL: 'info',
      LOCKOUT_THRESHOLD: '3',
      PASSWORD_MAX_AGE_DAYS: '30',
      PASSWORD_EXPIRY_CRON: '*/2 * * * * *',
      OUTBOX_DIR: join(db.dir, 'outbox'),
      EXPORT_DIR: join(db.dir, 'exports'),
      PORT: '0',
    };
    servers.push(startInstance('server/main', [], env), startInstance('server/main', [], env));
    const ports = await Promise.all(
      servers.map(async (s) => Number((await s.waitForLog((r) => r.msg === 'userops listening', 150_000)).port)),
    );
    let turn = 0;
    const login = (username: string) =>
      fetch(`http://127.0.0.1:${ports[turn++ % 2]}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: username, password: 'not-the-password-1' }),
      });
    for (const username of ['mona', 'nick']) for (let i = 0; i < 3; i++) expect((await login(username)).status).toBe(401);

    const ids = Object.fromEntries((await User.findAll()).map((u) => [u.username, u.id]));
    // Delivered, and a few expiry slots gone by with both servers up.
    await until(
      async () => {
        const pending = await Notice.count({ where: { status: { [Op.notIn]: ['sent', 'skipped'] } } });
        const slots = await JobSlot.count({ where: { name: PASSWORD_EXPIRY_JOB, finishedAt: { [Op.ne]: null } } });
        return pending === 0 && (await Notice.count()) >= 4 && slots >= 3;
      },
      'the notices delivered and three expiry slots run',
      90_000,
    );
    // Stopped, neither can deliver anything more: what is recorded now is all there will be.
    expect(await Promise.all(servers.map((s) => s.stop('SIGTERM')))).toEqual([0, 0]);

    const dmTexts = (channel: string) => standIn.findMessages({ channel }).map((m) => m.text ?? '');
    expect(dmTexts('D0MONA001').filter((t) => t.includes('Your account was locked'))).toHaveLength(1);
    expect(await MailMessage.count({ where: { userId: ids.mona } })).toBe(0);
    expect(await MailMessage.count({ where: { userId: ids.nick, kind: 'lockout_notice' } })).toBe(1);

    // Expiry: remy (25 days old) reminded once, by DM; exa (40 days) reset once, with one link mailed.
    expect(dmTexts('D0REMY001').filter((t) => t.includes('Your password expires in 5 days'))).toHaveLength(1);
    expect((await User.findByPk(ids.exa))!.authStatus).toBe('password_reset');
    expect(await MailMessage.count({ where: { userId: ids.exa, kind: 'reset_link' } })).toBe(1);
    expect(await AuditEvent.count({ where: { targetUserId: ids.exa, action: 'password_expired' } })).toBe(1);
    expect(await AuditEvent.count({ where: { targetUserId: ids.remy, action: 'password_expiry_reminder' } })).toBe(1);
    expect((await PasswordExpiryClaim.findAll()).map((c) => [c.userId, c.step]).sort()).toEqual(
      [
        [ids.exa, 'expired'],
        [ids.remy, 'remind_7d'],
      ].sort(),
    );
    // Every notice once: two lockouts, one reminder, one expiry DM (exa is no member: skipped, her link mail stands).
    const notices = await Notice.findAll({ order: [['id', 'ASC']] });
    expect(notices.map((n) => [n.kind, n.status, n.channel])).toEqual(
      expect.arrayContaining([
        ['lockout', 'sent', 'slack'],
        ['lockout', 'sent', 'email'],
        ['password_expiry_reminder', 'sent', 'slack'],
        ['password_expired', 'skipped', null],
      ]),
    );
    expect(notices).toHaveLength(4);
  }, 300_000);
});
