import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { exportJob, type FileShare, type SharedFile } from '../../src/jobs/export';
import { silentNotifier } from '../../src/jobs/notifier';
import { JobRunner } from '../../src/jobs/runner';
import { requestExport } from '../../src/services/export';
import { AuditEvent, Job, MailMessage, Membership, User } from '../../src/store/models';
import { DIALECTS } from '../support/db';
import { actorFor, makeUser, testEnv } from '../support/fixtures';

/**
 * The export job through the real runner and database, with the Slack side behind its port (a
 * recording FileShare): what happens when a run is cut short, resumed, or its requester lost the role.
 */
class RecordingShare implements FileShare {
  shared: Array<{ file: SharedFile; bytes: Buffer; to: object }> = [];
  async share(file: SharedFile, to: { slackUserId: string | null }) {
    this.shared.push({ file, bytes: readFileSync(file.path), to });
    return { ok: true as const, channel: 'D0ANA0001' };
  }
}

describe.each(DIALECTS)('export job on %s', (dialect) => {
  let env: Awaited<ReturnType<typeof testEnv>>;
  let ana: User;

  beforeAll(async () => {
    env = await testEnv(dialect);
    ana = await makeUser({ username: 'ana', orgs: { acme: ['administrator'] } });
    for (let i = 0; i < 30; i++) await makeUser({ username: `u${i}`, orgs: { acme: [] } });
  });
  afterAll(async () => env.close());

  async function queued(): Promise<number> {
    const r = await requestExport(env.rt, actorFor(ana), { requestedBySlack: 'U0ANA0001' });
    if (!r.ok) throw new Error(r.message);
    return r.jobId;
  }

  const exportFiles = () => readdirSync(join(env.db.dir, 'exports'));

  test('a stop between pages checkpoints and leaves no file; the next run exports, shares and mails once', async () => {
    const jobId = await queued();
    const share = new RecordingShare();
    const a = new JobRunner(env.rt, { instanceId: 'a' });
    let pages = 0;
    a.register('export', (job, ctx, control) =>
      exportJob(silentNotifier, share, { pageSize: 10 })(job, ctx, {
        ...control,
        progress: async (p) => {
          if (++pages === 2) void a.stop();
          return control.progress(p);
        },
      }),
    );
    await a.drain();
    await a.stop();
    expect((await Job.findByPk(jobId))!.status).toBe('queued');
    expect(share.shared).toHaveLength(0);
    expect(exportFiles()).toEqual([]);

    const b = new JobRunner(env.rt, { instanceId: 'b' }).register('export', exportJob(silentNotifier, share, { pageSize: 10 }));
    await b.drain();
    expect((await Job.findByPk(jobId))!.status).toBe('done');
    expect(share.shared).toHaveLength(1);
    expect(share.shared[0].bytes.toString().split('\r\n')).toHaveLength(32);
    expect(await MailMessage.count({ where: { jobId, kind: 'export' } })).toBe(1);
    expect(await AuditEvent.count({ where: { action: 'export' } })).toBeGreaterThan(0);
    // Only the file the queued mail carries is left (the sender, not running here, deletes it once sent).
    const mail = (await MailMessage.findOne({ where: { jobId } }))!;
    expect(exportFiles()).toEqual([JSON.parse(mail.attachments!)[0].path.split('/').pop()]);
  });

  test('a job taken over after the mail was queued mails and shares nothing more', async () => {
    const jobId = await queued();
    const share = new RecordingShare();
    await new JobRunner(env.rt, { instanceId: 'c' }).register('export', exportJob(silentNotifier, share)).drain();
    // As if the instance died after the mail transaction committed but before the job was marked done.
    await Job.update({ status: 'queued', leaseOwner: null, leaseUntil: null }, { where: { id: jobId } });
    await new JobRunner(env.rt, { instanceId: 'd' }).register('export', exportJob(silentNotifier, share)).drain();
    expect((await Job.findByPk(jobId))!.status).toBe('done');
    expect(share.shared).toHaveLength(1);
    expect(await MailMessage.count({ where: { jobId } })).toBe(1);
  });

  test('a job queued before this version (with the command’s channel) or with the hash field shares with the requester only, without hashes', async () => {
    const jobId = await queued();
    const job = (await Job.findByPk(jobId))!;
    // As written by an older version, and with the hash switched on while the deployment allowed it.
    await job.update({ payload: JSON.stringify({ ...JSON.parse(job.payload), channel: 'C0GENERAL', fields: ['password_hash'] }) });
    const share = new RecordingShare();
    await new JobRunner(env.rt, { instanceId: 'f' }).register('export', exportJob(silentNotifier, share)).drain();
    expect((await Job.findByPk(jobId))!.status).toBe('done');
    expect(share.shared.map((s) => s.to)).toEqual([{ slackUserId: 'U0ANA0001' }]);
    const [header, ...rows] = share.shared[0].bytes.toString().split('\r\n');
    expect(header.split(',')[6]).toBe('password');
    expect(rows.every((r) => r.split(',')[6] === '')).toBe(true);
  });

  test('a requester who lost the role by the time the job runs gets nothing', async () => {
    const jobId = await queued();
    await Membership.update({ roles: 'viewer' }, { where: { userId: ana.id } });
    try {
      const share = new RecordingShare();
      await new JobRunner(env.rt, { instanceId: 'e' }).register('export', exportJob(silentNotifier, share)).drain();
      const job = (await Job.findByPk(jobId))!;
      expect(job.status).toBe('failed');
      expect(job.error).toBe('You do not have permission to export users.');
      expect(share.shared).toHaveLength(0);
      expect(await MailMessage.count({ where: { jobId } })).toBe(0);
    } finally {
      await Membership.update({ roles: 'administrator' }, { where: { userId: ana.id } });
    }
  });
});
