import { Webhook } from 'standardwebhooks';
import { DISABLE_AFTER_FAILED_DELIVERIES } from '../../src/domain/webhook-events';
import { WebhookSender, retryDelayMs } from '../../src/jobs/webhook-sender';
import { DeliverySettler } from '../../src/services/webhook-delivery';
import { claimDueDeliveries } from '../../src/store/webhook-queries';
import { setUsersEnabled } from '../../src/services/account-status';
import { SYSTEM_ACTOR } from '../../src/services/context';
import { addWebhookEndpoint, webhookDeliveries } from '../../src/services/webhooks';
import { AuditEvent } from '../../src/store/models';
import { WebhookDelivery, WebhookEndpoint } from '../../src/store/webhook-models';
import { DIALECTS } from '../support/db';
import { actorFor, makeUser, org, testEnv } from '../support/fixtures';
import { until } from '../support/wait';
import { WEBHOOK_ENV, accepted, startReceiver, type Receiver } from '../support/webhook-receiver';

type Env = Awaited<ReturnType<typeof testEnv>>;

test('the retry schedule adds at most 10 % jitter and ends after its last step', () => {
  expect(retryDelayMs([5, 300], 1, () => 0)).toBe(5000);
  expect(retryDelayMs([5, 300], 2, () => 0.999)).toBeLessThanOrEqual(330_000);
  expect(retryDelayMs([5, 300], 2, () => 0.999)).toBeGreaterThan(300_000);
  expect(retryDelayMs([5, 300], 3)).toBeNull();
});

describe.each(DIALECTS)('webhook sender on %s', (dialect) => {
  let env: Env;
  let receiver: Receiver;
  let secret: string;
  let endpointId: number;

  beforeEach(async () => {
    env = await testEnv(dialect, WEBHOOK_ENV);
    Object.defineProperty(env.clock, 'now', { get: () => new Date() });
    receiver = await startReceiver();
    await org('acme');
    const added = await addWebhookEndpoint(env.rt, SYSTEM_ACTOR, { org: 'acme', url: receiver.url });
    if (!added.ok) throw new Error(added.message);
    secret = added.secret;
    endpointId = added.id;
  });
  afterEach(async () => {
    await receiver.close();
    await env.close();
  });

  async function toggle(times: number, usernames: string[]): Promise<void> {
    const admin = await makeUser({ username: 'admin', orgs: { acme: ['administrator'] } });
    for (const u of usernames) await makeUser({ username: u });
    for (let i = 0; i < times; i++) {
      expect(await setUsersEnabled(env.rt, actorFor(admin), { refs: usernames, enabled: i % 2 === 1 })).toMatchObject({ ok: true });
    }
  }

  test('receiver down, then up: delivered once, same webhook-id on every attempt, later events wait their turn', async () => {
    await toggle(3, ['bob']);
    let down = true;
    receiver.answer = () => (down ? { status: 503 } : { status: 200 });
    const sender = new WebhookSender(env.rt, { pollMs: 20 });
    sender.start();
    try {
      await until(() => receiver.received.length >= 2, 'two refused attempts');
      down = false;
      await until(async () => (await WebhookDelivery.count({ where: { status: 'delivered' } })) === 3, 'all three delivered');
    } finally {
      await sender.stop();
    }
    const ok = accepted(receiver);
    expect(ok.map((r) => (new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as { type: string }).type)).toEqual([
      'user.disabled',
      'user.enabled',
      'user.disabled',
    ]);
    // Every refused attempt was of the first event (the later ones waited), under one id.
    const refused = receiver.received.filter((r) => r.status === 503);
    expect(new Set(refused.map((r) => r.headers['webhook-id']))).toEqual(new Set([ok[0].headers['webhook-id']]));
    expect(new Set(ok.map((r) => r.headers['webhook-id'])).size).toBe(3);
  });

  test('the schedule spent: the delivery fails, the next event of the user goes; a run of failures disables the endpoint and is audited', async () => {
    await toggle(DISABLE_AFTER_FAILED_DELIVERIES + 1, ['bob']);
    receiver.answer = () => ({ status: 500 });
    const disabled: number[] = [];
    const sender = new WebhookSender(env.rt, { onDisabled: (e) => disabled.push(e.endpointId) });
    await until(
      async () => {
        await sender.drainOnce();
        return (await WebhookDelivery.count({ where: { status: 'failed' } })) === DISABLE_AFTER_FAILED_DELIVERIES;
      },
      'the failures',
      20_000,
    );
    // 3 attempts each ("0.05,0.1": first + two retries).
    expect(receiver.received).toHaveLength(DISABLE_AFTER_FAILED_DELIVERIES * 3);
    expect(disabled).toEqual([endpointId]);
    const ep = await WebhookEndpoint.findByPk(endpointId);
    expect(ep).toMatchObject({ enabled: false });
    expect(ep!.disabledReason).toMatch(/deliveries in a row failed; last: gave up after 3 attempts; answered 500/);
    expect(await AuditEvent.count({ where: { action: 'webhook_endpoint_disabled' } })).toBe(1);
    // The last event waits for the endpoint to be enabled again; nothing more is sent meanwhile.
    await sender.drainOnce();
    expect(receiver.received).toHaveLength(DISABLE_AFTER_FAILED_DELIVERIES * 3);
    const listed = await webhookDeliveries(env.rt, SYSTEM_ACTOR, { id: endpointId, failedOnly: true });
    expect(listed.ok && listed.deliveries).toHaveLength(DISABLE_AFTER_FAILED_DELIVERIES);
  });

  test('two instances draining at once deliver every event exactly once, each user in order', async () => {
    const users = Array.from({ length: 8 }, (_, i) => `u${i}`);
    await toggle(4, users);
    receiver.answer = async () => {
      await new Promise((r) => setTimeout(r, 5));
      return { status: 200 };
    };
    const a = new WebhookSender(env.rt, { instanceId: 'a', batchSize: 3, concurrency: 2 });
    const b = new WebhookSender(env.rt, { instanceId: 'b', batchSize: 3, concurrency: 2 });
    await until(async () => {
      await Promise.all([a.drainOnce(), b.drainOnce()]);
      return (await WebhookDelivery.count({ where: { status: 'delivered' } })) === 32;
    }, 'every delivery');
    expect(receiver.received).toHaveLength(32);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(32);
    for (const u of users) {
      const seq = receiver.received
        .map((r) => JSON.parse(r.body) as { type: string; data: { user: { username: string } } })
        .filter((e) => e.data.user.username === u)
        .map((e) => e.type);
      expect(seq).toEqual(['user.disabled', 'user.enabled', 'user.disabled', 'user.enabled']);
    }
  });

  test('no signing secret in any log line, whatever happens', async () => {
    await toggle(1, ['bob']);
    receiver.answer = () => ({ status: 500 });
    const sender = new WebhookSender(env.rt);
    await until(async () => {
      await sender.drainOnce();
      return (await WebhookDelivery.count({ where: { status: 'failed' } })) === 1;
    }, 'the failure');
    expect(env.logs.join('\n')).toContain('webhook delivery failed');
    const raw = secret.slice('whsec_'.length);
    expect(env.logs.join('\n')).not.toContain(raw);
    expect(env.logs.join('\n')).not.toContain('whsec_');
    // Nor is it in the database in the clear.
    const row = await WebhookEndpoint.findByPk(endpointId);
    expect(row!.secretBox).not.toContain(raw);
  });
  test('claims: an abandoned attempt first, then due rows oldest first, only each queue’s head, at most the batch', async () => {
    await toggle(2, ['bob', 'carol', 'dan']); // bob, carol, dan: disabled then enabled (six rows, two per user)
    const rows = await WebhookDelivery.findAll({ order: [['id', 'ASC']] });
    const now = new Date();
    // carol's first event was being sent by a worker that died: its lease ran out.
    const carolFirst = rows.find((r) => r.orderingKey === rows[1].orderingKey)!;
    await carolFirst.update({ status: 'sending', leaseUntil: new Date(now.getTime() - 1000), attempts: 1 });
    // dan's first event is not due yet: neither it nor (being behind it) his second may go.
    const danFirst = rows.find((r) => r.orderingKey === rows[2].orderingKey)!;
    await danFirst.update({ nextAttemptAt: new Date(now.getTime() + 60_000) });
    const lease = new Date(now.getTime() + 60_000);
    // A batch of one: the abandoned attempt goes first, counted as a second attempt.
    const first = await claimDueDeliveries(env.rt.db, { cutoff: now, lease, batchSize: 1 });
    expect(first.map((r) => [r.id, r.attempts])).toEqual([[carolFirst.id, 2]]);
    // Then bob's first event only: carol's second waits behind her first (in flight), dan's behind his (not due).
    const rest = await claimDueDeliveries(env.rt.db, { cutoff: now, lease, batchSize: 10 });
    expect(rest.map((r) => r.id)).toEqual([rows[0].id]);
    expect(rest[0]).toMatchObject({ status: 'sending', attempts: 1 });
    expect(rest[0].leaseUntil?.getTime()).toBe(lease.getTime());
    expect(await claimDueDeliveries(env.rt.db, { cutoff: now, lease, batchSize: 10 })).toEqual([]);
  });

  test('outcomes of one group: only rows still under this lease are written, and a success ends the run of failures once', async () => {
    await toggle(1, ['bob', 'carol', 'dan']);
    await WebhookEndpoint.update({ failureRun: 3 }, { where: { id: endpointId } });
    const lease = new Date(Date.now() + 60_000);
    const claimed = await claimDueDeliveries(env.rt.db, { cutoff: new Date(), lease, batchSize: 10 });
    expect(claimed).toHaveLength(3);
    // Meanwhile another worker took carol's row over (its lease had run out on that worker's clock).
    const other = new Date(lease.getTime() + 1);
    await WebhookDelivery.update({ leaseUntil: other }, { where: { id: claimed[1].id } });
    const settler = new DeliverySettler(env.rt);
    const outcomes = await Promise.all([
      settler.delivered(claimed[0], lease, 200),
      settler.delivered(claimed[1], lease, 200),
      settler.delivered(claimed[2], lease, 204),
    ]);
    expect(outcomes).toEqual([true, false, true]);
    const after = await WebhookDelivery.findAll({ where: { id: claimed.map((c) => c.id) }, order: [['id', 'ASC']] });
    expect(after.map((r) => [r.status, r.lastStatus])).toEqual([
      ['delivered', 200],
      ['sending', null],
      ['delivered', 204],
    ]);
    expect(after[1].leaseUntil?.getTime()).toBe(other.getTime());
    expect((await WebhookEndpoint.findByPk(endpointId))!.failureRun).toBe(0);
  });
  test('while a job runs on the instance the sender gives way between batches, and still delivers everything in order', async () => {
    await toggle(2, ['bob', 'carol']);
    let asked = 0;
    const sender = new WebhookSender(env.rt, {
      batchSize: 1,
      giveWayWhile: () => {
        asked += 1;
        return true;
      },
    });
    await until(async () => {
      await sender.drainOnce();
      return (await WebhookDelivery.count({ where: { status: 'delivered' } })) === 4;
    }, 'every delivery');
    // Asked after each one-event batch.
    expect(asked).toBeGreaterThanOrEqual(4);
    const seq = accepted(receiver).map((r) => JSON.parse(r.body) as { type: string; data: { user: { username: string } } });
    for (const u of ['bob', 'carol']) {
      expect(seq.filter((e) => e.data.user.username === u).map((e) => e.type)).toEqual(['user.disabled', 'user.enabled']);
    }
  });
});
