import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { bulkActionJob } from '../../src/jobs/bulk-actions';
import type { FileShare, SharedFile } from '../../src/jobs/export';
import type { JobNotifier } from '../../src/jobs/notifier';
import { JobRunner } from '../../src/jobs/runner';
import { BULK_KINDS, confirmBulkAction, previewBulkAction } from '../../src/services/bulk-actions';
import { AuditEvent, Job, JobItem, Membership, User } from '../../src/store/models';
import { DIALECTS } from '../support/db';
import { actorFor, makeUser, org, testEnv } from '../support/fixtures';

/**
 * The bulk job through the real runner and database, Slack behind its ports: a recording notifier
 * (progress in place, one summary) and a recording FileShare (the CSV of per-user outcomes).
 */
class RecordingShare implements FileShare {
  shared: Array<{ file: SharedFile; text: string; to: { slackUserId: string | null } }> = [];
  async share(file: SharedFile, to: { slackUserId: string | null }) {
    this.shared.push({ file, text: readFileSync(file.path, 'utf8'), to });
    return { ok: true as const, channel: 'D0SEC0001' };
  }
}

class RecordingNotifier implements JobNotifier {
  progressed: string[] = [];
  finishedWith: Array<{ title: string; lines: string[]; ok: boolean }> = [];
  async progress(_job: Job, text: string) {
    this.progressed.push(text);
  }
  async finished(_job: Job, summary: { title: string; lines: string[]; ok: boolean }) {
    this.finishedWith.push(summary);
  }
}

describe.each(DIALECTS)('bulk action job on %s', (dialect) => {
  let env: Awaited<ReturnType<typeof testEnv>>;
  let sec: User;
  let boss: User;
  const N = 60;

  beforeAll(async () => {
    env = await testEnv(dialect);
    sec = await makeUser({ username: 'sec', orgs: { acme: ['security'] } });
    boss = await makeUser({ username: 'boss', orgs: { acme: ['administrator'] } });
    const acme = await org('acme');
    const users = await User.bulkCreate(
      Array.from({ length: N }, (_, i) => ({
        username: `u${String(i).padStart(3, '0')}`,
        // A formula in a cell must reach the spreadsheet as text.
        email: i === 0 ? '=HYPERLINK("http://x")@example.com' : `u${i}@example.com`,
        emailNormalized: `u${i}@example.com`,
        searchText: `u${i}`,
      })),
    );
    await Membership.bulkCreate(users.map((u) => ({ userId: u.id, organizationId: acme.id, roles: '' })));
  });
  afterAll(async () => env.close());

  function runner(notifier: JobNotifier, share: FileShare | null): JobRunner {
    const r = new JobRunner(env.rt, { instanceId: 'test' });
    const handler = bulkActionJob(notifier, share, { batchSize: 25, progressEveryMs: 0 });
    for (const kind of BULK_KINDS) r.register(kind, handler);
    return r;
  }

  test('a 60-user disable: progress in place, one summary, a neutralised CSV of outcomes shared once, even when rerun', async () => {
    const p = await previewBulkAction(env.rt, actorFor(sec), { action: 'disable', view: 'all', orgSlug: 'acme', reason: 'offboarding' });
    if (!p.ok) throw new Error(p.message);
    expect(p.count).toBe(N);
    expect(p.skipped.map((s) => [s.reason, s.names])).toEqual([
      ['self', ['sec']],
      ['higher_role', ['boss']],
    ]);
    // One user is disabled by someone else between preview and run: skipped, and says so in the CSV.
    await User.update({ enabled: false }, { where: { username: 'u059' } });
    expect(await confirmBulkAction(env.rt, actorFor(sec), { jobId: p.jobId, requestedBySlack: 'U0SEC' })).toMatchObject({ ok: true });
    const notifier = new RecordingNotifier();
    const share = new RecordingShare();
    await runner(notifier, share).drain();

    const job = (await Job.findByPk(p.jobId))!;
    expect(job.status).toBe('done');
    expect(JSON.parse(job.result!)).toMatchObject({ total: N, done: N, changed: N - 1, skipped: 1, refused: 0, action: 'disable' });
    expect(notifier.progressed[0]).toMatch(/^Disabling users: 25 of 60 processed \(25 disabled, 0 skipped\)\.$/);
    expect(notifier.finishedWith).toHaveLength(1);
    expect(notifier.finishedWith[0].title).toBe(`Bulk disable #${p.jobId} finished`);
    expect(notifier.finishedWith[0].lines).toEqual([
      '59 disabled, 1 skipped, 0 refused (of 60).',
      'Per-user outcomes: the CSV is in this conversation.',
      '• u059 was already disabled.',
    ]);

    expect(share.shared).toHaveLength(1);
    const [{ file, text, to }] = share.shared;
    expect(to).toEqual({ slackUserId: 'U0SEC' });
    expect(file.filename).toBe(`bulk-disable-${p.jobId}-outcomes.csv`);
    const rows = text.trimEnd().split('\r\n');
    expect(rows[0]).toBe('user_id,username,email,outcome,detail');
    expect(rows).toHaveLength(N + 1);
    expect(rows[1]).toMatch(/^\d+,u000,"'=HYPERLINK\(""http:\/\/x""\)@example\.com",disabled,$/);
    expect(rows[N]).toMatch(/^\d+,u059,u59@example\.com,skipped,u059 was already disabled\.$/);
    // The file is not left on disk.
    expect(readdirSync(join(env.db.dir, 'exports'))).toEqual([]);
    expect(await AuditEvent.count({ where: { action: 'disable', reason: 'offboarding' } })).toBe(N - 1);

    // A rerun (as after a crash right after the share) neither acts again nor uploads again.
    await Job.update({ status: 'queued' }, { where: { id: p.jobId } });
    await runner(notifier, share).drain();
    expect(share.shared).toHaveLength(1);
    expect(await AuditEvent.count({ where: { action: 'disable', reason: 'offboarding' } })).toBe(N - 1);
    expect(notifier.finishedWith[1].lines[1]).toBe('Per-user outcomes: the CSV is in this conversation.');
  });

  test('50 users or fewer: no CSV; without Slack the summary says the CSV could not be shared', async () => {
    expect(await User.count({ where: { enabled: false } })).toBe(N);
    const few = await previewBulkAction(env.rt, actorFor(sec), { action: 'enable', pasted: 'u001 u002 u003', reason: 'back' });
    if (!few.ok) throw new Error(few.message);
    await confirmBulkAction(env.rt, actorFor(sec), { jobId: few.jobId });
    const share = new RecordingShare();
    const notifier = new RecordingNotifier();
    await runner(notifier, share).drain();
    expect(share.shared).toEqual([]);
    expect(notifier.finishedWith[0].lines).toEqual(['3 enabled, 0 skipped, 0 refused (of 3).']);

    const many = await previewBulkAction(env.rt, actorFor(boss), { action: 'enable', view: 'disabled', reason: 'back again' });
    if (!many.ok) throw new Error(many.message);
    expect(many.count).toBeGreaterThan(50);
    await confirmBulkAction(env.rt, actorFor(boss), { jobId: many.jobId });
    await runner(notifier, null).drain();
    expect(notifier.finishedWith[1].lines[1]).toBe('⚠️ The CSV of per-user outcomes could not be shared (Slack is not configured).');
    expect(await JobItem.count({ where: { jobId: many.jobId, status: 'done' } })).toBe(many.count);
  });
});
