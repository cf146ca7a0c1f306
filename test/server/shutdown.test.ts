import { confirmBulkReset, previewBulkReset } from '../../src/services/bulk-reset';
import { Job, JobItem, MailMessage, Membership, User } from '../../src/store/models';
import { runDist } from '../support/child';
import { actorFor, makeUser, org, testEnv } from '../support/fixtures';
import { until } from '../support/wait';

describe('npm start: config errors, health, graceful shutdown on SIGTERM', () => {
  test('a bad configuration stops the process with one line naming the variable', async () => {
    const child = runDist('src/server/main.js', [], { BCRYPT_COST: 'lots', SLACK_BOT_TOKEN: 'xoxb-secret-value' });
    const { code } = await child.exited;
    expect(code).toBe(1);
    expect(child.out).toEqual(['Invalid configuration: BCRYPT_COST must be a whole number between 4 and 15']);
  });

  test('SIGTERM mid-job: requests stop, the job checkpoints between batches, the database closes, exit 0; the job finishes later', async () => {
    const env = await testEnv('sqlite');
    const sec = await makeUser({ username: 'sec', orgs: { acme: ['security'] } });
    const acme = await org('acme');
    const N = 4000;
    const users = await User.bulkCreate(
      Array.from({ length: N }, (_, i) => ({
        username: `u${i}`,
        email: `u${i}@example.com`,
        emailNormalized: `u${i}@example.com`,
        searchText: `u${i}`,
      })),
    );
    await Membership.bulkCreate(users.map((u) => ({ userId: u.id, organizationId: acme.id, roles: '' })));
    const preview = await previewBulkReset(env.rt, actorFor(sec), { view: 'all', reason: 'shutdown drill' });
    if (!preview.ok) throw new Error(preview.message);

    const child = runDist('src/server/main.js', [], {
      PORT: '0',
      DATABASE_URL: env.rt.config.DATABASE_URL,
      OUTBOX_DIR: `${env.db.dir}/outbox`,
      EXPORT_DIR: `${env.db.dir}/exports`,
      LOG_LEVEL: 'info',
    });
    try {
      const listening = await child.waitForLine(/userops listening/);
      const port = (JSON.parse(listening) as { port: number }).port;
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);

      const confirmed = await confirmBulkReset(env.rt, actorFor(sec), { jobId: preview.jobId });
      expect(confirmed.ok).toBe(true);
      // Wait until the child has done some batches, then ask it to stop.
      await until(async () => (await JobItem.count({ where: { jobId: preview.jobId, status: 'done' } })) > 0, 'the first batch', 20_000);
      child.proc.kill('SIGTERM');
      const { code } = await child.exited;
      expect(code).toBe(0);
      expect(child.out.some((l) => l.includes('shutting down'))).toBe(true);
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    } finally {
      if (child.proc.exitCode === null) child.proc.kill('SIGKILL');
    }

    const job = await Job.findByPk(preview.jobId);
    const done = await JobItem.count({ where: { jobId: preview.jobId, status: 'done' } });
    // Either the job checkpointed part-way (the usual case) or it had already finished; never half a batch.
    expect(['queued', 'done']).toContain(job!.status);
    expect(await MailMessage.count({ where: { jobId: preview.jobId } })).toBe(done);
    expect(await User.count({ where: { authStatus: 'password_reset' } })).toBe(done);
    if (job!.status === 'queued') expect(done).toBeLessThan(N);

    // A new instance finishes it.
    const second = runDist('src/server/main.js', [], {
      PORT: '0',
      DATABASE_URL: env.rt.config.DATABASE_URL,
      OUTBOX_DIR: `${env.db.dir}/outbox`,
      EXPORT_DIR: `${env.db.dir}/exports`,
    });
    try {
      await until(async () => (await Job.findByPk(preview.jobId))!.status === 'done', 'the job to finish on the next start', 30_000);
      expect(await JobItem.count({ where: { jobId: preview.jobId, status: 'done' } })).toBe(N);
      expect(await MailMessage.count({ where: { jobId: preview.jobId } })).toBe(N);
    } finally {
      second.proc.kill('SIGTERM');
      await second.exited;
    }
    await env.close();
  }, 90_000);
});
