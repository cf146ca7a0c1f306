import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { exportJob, type FileShare, type SharedFile } from '../../src/jobs/export';
import { silentNotifier } from '../../src/jobs/notifier';
import { JobRunner } from '../../src/jobs/runner';
import { requestExport } from '../../src/services/export';
import { Job, MailMessage, type User } from '../../src/store/models';
import { actorFor, makeUser, testEnv } from '../support/fixtures';
import { modeOf, withUmask } from '../support/umask';

/** DESIGN §9: export files wait in EXPORT_DIR owner-only (0700 directory, 0600 files), whatever the umask. */
class ModeRecordingShare implements FileShare {
  modes: string[] = [];
  async share(file: SharedFile) {
    this.modes.push(modeOf(file.path));
    return { ok: true as const, channel: 'D0ANA0001' };
  }
}

describe('export files at rest', () => {
  let env: Awaited<ReturnType<typeof testEnv>>;
  let ana: User;

  beforeAll(async () => {
    env = await testEnv('sqlite');
    ana = await makeUser({ username: 'ana', orgs: { acme: ['administrator'] } });
    for (let i = 0; i < 20; i++) await makeUser({ username: `u${i}`, orgs: { acme: [] } });
  });
  afterAll(async () => env.close());

  test('under umask 000: the EXPORT_DIR we create is 0700, the CSV and its gzip are 0600', async () => {
    const config = env.rt.config as { EXPORT_DIR: string; EXPORT_EMAIL_MAX_BYTES: number };
    // Not there yet, two levels deep; and too small for the plain CSV, so the gzip is made and mailed.
    config.EXPORT_DIR = join(env.db.dir, 'private', 'exports');
    config.EXPORT_EMAIL_MAX_BYTES = 1500;
    const r = await requestExport(env.rt, actorFor(ana), { requestedBySlack: 'U0ANA0001' });
    if (!r.ok) throw new Error(r.message);
    const share = new ModeRecordingShare();
    await withUmask(0o000, () => new JobRunner(env.rt, { instanceId: 'a' }).register('export', exportJob(silentNotifier, share)).drain());

    expect((await Job.findByPk(r.jobId))!.status).toBe('done');
    expect(share.modes).toEqual(['600']);
    expect({ private: modeOf(join(env.db.dir, 'private')), exports: modeOf(config.EXPORT_DIR) }).toEqual({
      private: '700',
      exports: '700',
    });
    // Left for the mail sender (not running here): the gzip the queued mail carries.
    const mail = (await MailMessage.findOne({ where: { jobId: r.jobId } }))!;
    const [attachment] = JSON.parse(mail.attachments!) as Array<{ path: string; filename: string }>;
    expect(attachment.filename).toMatch(/\.csv\.gz$/);
    expect(readdirSync(config.EXPORT_DIR)).toEqual([attachment.path.split('/').pop()]);
    expect(statSync(attachment.path).size).toBeGreaterThan(0);
    expect(modeOf(attachment.path)).toBe('600');
  });
});
