import { Webhook } from 'standardwebhooks';
import { bulkResetJob } from '../../src/jobs/bulk-reset';
import { silentNotifier } from '../../src/jobs/notifier';
import { JobRunner } from '../../src/jobs/runner';
import { WebhookSender } from '../../src/jobs/webhook-sender';
import { confirmBulkReset, previewBulkReset } from '../../src/services/bulk-reset';
import { SYSTEM_ACTOR } from '../../src/services/context';
import { emitBulkJobCompleted } from '../../src/services/webhook-events';
import { addWebhookEndpoint } from '../../src/services/webhooks';
import { Job, Membership, User } from '../../src/store/models';
import { WebhookDelivery } from '../../src/store/webhook-models';
import { DIALECTS } from '../support/db';
import { actorFor, makeUser, org, testEnv } from '../support/fixtures';
import { WEBHOOK_ENV, accepted, startReceiver } from '../support/webhook-receiver';

describe.each(DIALECTS)('bulk reset events on %s', (dialect) => {
  test('a bulk reset of 500 users emits 500 user.password_reset and one bulk_job.completed, all delivered once', async () => {
    const env = await testEnv(dialect, WEBHOOK_ENV);
    Object.defineProperty(env.clock, 'now', { get: () => new Date() });
    const receiver = await startReceiver();
    try {
      const acme = await org('acme');
      const added = await addWebhookEndpoint(env.rt, SYSTEM_ACTOR, { org: 'acme', url: receiver.url });
      if (!added.ok) throw new Error(added.message);
      const sec = await makeUser({ username: 'sec', orgs: { acme: ['security'] } });
      const N = 500;
      const users = await User.bulkCreate(
        Array.from({ length: N }, (_, i) => ({
          username: `u${i}`,
          email: `u${i}@example.com`,
          emailNormalized: `u${i}@example.com`,
          searchText: `u${i}`,
        })),
      );
      await Membership.bulkCreate(users.map((u) => ({ userId: u.id, organizationId: acme.id, roles: '' })));
      const preview = await previewBulkReset(env.rt, actorFor(sec), { view: 'all', reason: 'breach drill' });
      if (!preview.ok) throw new Error(preview.message);
      const confirmed = await confirmBulkReset(env.rt, actorFor(sec), { jobId: preview.jobId });
      if (!confirmed.ok) throw new Error(confirmed.message);
      const runner = new JobRunner(env.rt, { instanceId: 'r' }).register('bulk_reset', bulkResetJob(silentNotifier, { batchSize: 100 }));
      await runner.drain();
      await runner.stop();
      expect((await Job.findByPk(confirmed.jobId))!.status).toBe('done');
      // Announcing the end again (a restarted job) adds nothing.
      await emitBulkJobCompleted(env.rt, (await Job.findByPk(confirmed.jobId))!, { action: 'reset_password' });

      await new WebhookSender(env.rt, { batchSize: 200 }).drainOnce();
      const events = accepted(receiver).map(
        (r) =>
          new Webhook(added.secret).verify(r.body, r.headers as Record<string, string>) as { type: string; data: Record<string, unknown> },
      );
      const resets = events.filter((e) => e.type === 'user.password_reset');
      expect(resets).toHaveLength(preview.count);
      expect(preview.count).toBe(N);
      expect(new Set(resets.map((e) => (e.data.user as { id: number }).id)).size).toBe(preview.count);
      expect(resets.every((e) => e.data.jobId === confirmed.jobId && e.data.reason === 'breach drill')).toBe(true);
      const done = events.filter((e) => e.type === 'bulk_job.completed');
      expect(done).toHaveLength(1);
      expect(done[0].data).toMatchObject({
        jobId: confirmed.jobId,
        reason: 'breach drill',
        organization: { slug: 'acme' },
        actor: { kind: 'user', id: sec.id },
        job: { action: 'reset_password', total: preview.count },
      });
      expect(await WebhookDelivery.count()).toBe(preview.count + 1);
      expect(receiver.received).toHaveLength(preview.count + 1);
    } finally {
      await receiver.close();
      await env.close();
    }
  }, 120_000);
});
