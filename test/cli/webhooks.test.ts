import { Webhook } from 'standardwebhooks';
import { Organization } from '../../src/store/models';
import { WebhookEndpoint } from '../../src/store/webhook-models';
import { cli, cliEnv, inspect } from '../support/cli';
import { DIALECTS, freshDatabase, type TestDatabase } from '../support/db';
import { WEBHOOK_ENV, startReceiver, type Receiver } from '../support/webhook-receiver';

describe.each(DIALECTS)('userops webhooks on %s', (dialect) => {
  let db: TestDatabase;
  let env: Record<string, string>;
  let receiver: Receiver;

  beforeEach(async () => {
    db = await freshDatabase(dialect);
    env = cliEnv(db, WEBHOOK_ENV);
    receiver = await startReceiver();
    expect((await cli(['migrate'], env)).code).toBe(0);
    await inspect(db, () => Organization.create({ slug: 'acme', name: 'Acme' }));
  });
  afterEach(async () => {
    await receiver.close();
    await db.drop();
  });

  test('add prints the id and the secret once; list, test, deliveries, remove', async () => {
    const add = await cli(['webhooks', 'add', '--org', 'acme', '--url', receiver.url, '--events', 'user.*'], env);
    expect(add.err).toEqual([]);
    expect(add.code).toBe(0);
    expect(add.out[0]).toMatch(
      /^Endpoint (\d+) added for acme: http:\/\/127\.0\.0\.1:\d+\/hook \(events: user\.created,.*user\.records_reassigned\)\.$/,
    );
    const secret = /(whsec_\S+)$/.exec(add.out[1])![1];
    const id = /^Endpoint (\d+)/.exec(add.out[0])![1];
    // Stored sealed, not as typed.
    const stored = await inspect(db, () => WebhookEndpoint.findByPk(Number(id)));
    expect(stored!.secretBox).not.toContain(secret.slice(6));

    const list = await cli(['webhooks', 'list'], env);
    expect(list.out.join('\n')).toMatch(new RegExp(`^${id}  acme  enabled +http://127.0.0.1:\\d+/hook  events: user\\.created`));
    expect(list.out.join('\n')).not.toContain('whsec_');

    const test = await cli(['webhooks', 'test', id], env);
    expect(test.out[0]).toMatch(new RegExp(`^Test event msg_\\S+ delivered to endpoint ${id} \\(answered 200\\)\\.$`));
    expect(receiver.received).toHaveLength(1);
    const payload = new Webhook(secret).verify(receiver.received[0].body, receiver.received[0].headers as Record<string, string>);
    expect(payload).toMatchObject({ type: 'webhook.test', data: { organization: { slug: 'acme' } } });

    receiver.answer = () => ({ status: 500 });
    const failed = await cli(['webhooks', 'test', id], env);
    expect(failed.code).toBe(1);
    expect(failed.err[0]).toMatch(/failed: answered 500\.$/);
    const deliveries = await cli(['webhooks', 'deliveries', id, '--failed'], env);
    expect(deliveries.out).toHaveLength(2);
    expect(deliveries.out[1]).toMatch(/webhook\.test .* failed {2}attempts 1 {2}HTTP 500 {2}answered 500$/);

    const removed = await cli(['webhooks', 'remove', id], env);
    expect(removed.out[0]).toMatch(/^Endpoint \d+ \(http:\/\/127\.0\.0\.1:\d+\/hook\) removed/);
    expect((await cli(['webhooks', 'list'], env)).out).toEqual(['No webhook endpoints.']);
  });

  test.each([
    [['webhooks', 'add', '--org', 'acme', '--url', 'ftp://x.example/'], /must start with https:\/\/ or http:\/\//, 2],
    [['webhooks', 'add', '--org', 'acme', '--url', 'http://169.254.169.254/'], /link-local, metadata/, 2],
    [
      ['webhooks', 'add', '--org', 'acme', '--url', 'https://hooks.example.com/', '--events', 'user.exploded'],
      /Unknown event “user.exploded”/,
      2,
    ],
    [['webhooks', 'add', '--org', 'nope', '--url', 'https://hooks.example.com/'], /No organization “nope”/, 1],
    [['webhooks', 'add', '--org', 'acme'], /usage: userops webhooks add/, 2],
    [['webhooks', 'remove', '99'], /No webhook endpoint 99 that you manage/, 1],
    [['webhooks', 'remove', 'x'], /An endpoint id is a number/, 2],
    [['webhooks', 'frobnicate'], /usage: userops webhooks/, 2],
  ])('%j is refused clearly and changes nothing', async (argv, message, code) => {
    const r = await cli(argv as string[], env);
    expect(r.code).toBe(code);
    expect(r.err.join('\n')).toMatch(message);
    expect(await inspect(db, () => WebhookEndpoint.count())).toBe(0);
  });

  test('without WEBHOOK_SECRET_KEY no endpoint can be added', async () => {
    const r = await cli(['webhooks', 'add', '--org', 'acme', '--url', 'https://hooks.example.com/'], { ...env, WEBHOOK_SECRET_KEY: '' });
    expect(r.code).toBe(1);
    expect(r.err[0]).toMatch(/must set WEBHOOK_SECRET_KEY/);
  });
});
