import { bulkResetJob } from '../../src/jobs/bulk-reset';
import { silentNotifier } from '../../src/jobs/notifier';
import { JobRunner } from '../../src/jobs/runner';
import { confirmBulkReset, previewBulkReset } from '../../src/services/bulk-reset';
import { Job, JobItem, MailMessage, Membership, ResetToken, User } from '../../src/store/models';
import { DIALECTS } from '../support/db';
import { actorFor, makeUser, org, testEnv } from '../support/fixtures';

describe.each(DIALECTS)('bulk reset job on %s', (dialect) => {
  let env: Awaited<ReturnType<typeof testEnv>>;
  let sec: User;
  const N = 300;

  beforeAll(async () => {
    env = await testEnv(dialect);
    sec = await makeUser({ username: 'sec', orgs: { acme: ['security'] } });
    const acme = await org('acme');
    const rows = Array.from({ length: N }, (_, i) => ({
      username: `u${String(i).padStart(4, '0')}`,
      email: `u${i}@example.com`,
      emailNormalized: `u${i}@example.com`,
      searchText: `u${i}`,
    }));
    const users = await User.bulkCreate(rows);
    await Membership.bulkCreate(users.map((u) => ({ userId: u.id, organizationId: acme.id, roles: '' })));
  });
  afterAll(async () => env.close());

  async function queued(): Promise<number> {
    const preview = await previewBulkReset(env.rt, actorFor(sec), { view: 'all', reason: 'drill' });
    if (!preview.ok) throw new Error(preview.message);
    expect(preview.count).toBe(N);
    const confirmed = await confirmBulkReset(env.rt, actorFor(sec), { jobId: preview.jobId });
    if (!confirmed.ok) throw new Error(confirmed.message);
    return confirmed.jobId;
  }

  async function checkEveryoneResetOnce(jobId: number): Promise<void> {
    const ids = (await JobItem.findAll({ where: { jobId } })).map((i) => i.userId);
    expect(ids).toHaveLength(N);
    for (const id of ids) {
      expect(await ResetToken.count({ where: { userId: id, usedAt: null, revokedAt: null } })).toBe(1);
    }
    expect(await User.count({ where: { id: ids, authStatus: 'password_reset' } })).toBe(N);
    expect(await MailMessage.count({ where: { jobId } })).toBe(N);
    expect(await JobItem.count({ where: { jobId, status: 'done' } })).toBe(N);
  }

  test('a graceful stop checkpoints between batches; another runner resumes where it stopped', async () => {
    const jobId = await queued();
    const a = new JobRunner(env.rt, { instanceId: 'a' });
    let batches = 0;
    a.register('bulk_reset', async (job, ctx, control) => {
      const inner = bulkResetJob(silentNotifier, { batchSize: 50 });
      return inner(job, ctx, {
        ...control,
        progress: async (p) => {
          batches++;
          // Shut down after the second batch: the runner must stop at the next checkpoint.
          if (batches === 2) void a.stop();
          return control.progress(p);
        },
      });
    });
    await a.drain();
    await a.stop();
    const mid = await Job.findByPk(jobId);
    expect(mid!.status).toBe('queued');
    const done = await JobItem.count({ where: { jobId, status: 'done' } });
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(N);
    // Exactly the done users are reset so far — nobody half-way.
    expect(await MailMessage.count({ where: { jobId } })).toBe(done);

    const b = new JobRunner(env.rt, { instanceId: 'b' }).register('bulk_reset', bulkResetJob(silentNotifier, { batchSize: 50 }));
    await b.drain();
    expect((await Job.findByPk(jobId))!.status).toBe('done');
    await checkEveryoneResetOnce(jobId);
  });

  test('a job whose runner died (lease held, never renewed) is taken over after the lease expires, not before', async () => {
    await User.update({ authStatus: 'active' }, { where: {} });
    const jobId = await queued();
    // "Instance x" claims the job and dies without doing anything.
    await Job.update(
      { status: 'running', leaseOwner: 'x', leaseUntil: new Date(env.clock.now.getTime() + 30_000), attempts: 1 },
      { where: { id: jobId } },
    );
    const c = new JobRunner(env.rt, { instanceId: 'c', leaseMs: 30_000 }).register(
      'bulk_reset',
      bulkResetJob(silentNotifier, { batchSize: 100 }),
    );
    expect(await c.drain()).toBe(0);
    expect((await Job.findByPk(jobId))!.leaseOwner).toBe('x');
    env.clock.now = new Date(env.clock.now.getTime() + 31_000);
    expect(await c.drain()).toBe(1);
    expect((await Job.findByPk(jobId))!.status).toBe('done');
    await checkEveryoneResetOnce(jobId);
  });
});
