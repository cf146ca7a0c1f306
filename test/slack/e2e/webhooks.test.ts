import { Webhook } from 'standardwebhooks';
import { setUsersEnabled } from '../../../src/services/account-status';
import { AuditEvent } from '../../../src/store/models';
import { WebhookEndpoint } from '../../../src/store/webhook-models';
import { DIALECTS } from '../../support/db';
import { actorFor } from '../../support/fixtures';
import { slackTestEnv, textOf, type SlackTestEnv } from '../../support/slack-env';
import { until } from '../../support/wait';
import { WEBHOOK_ENV, accepted, startReceiver, type Receiver } from '../../support/webhook-receiver';

const ANA = 'U0ANA0001'; // administrator of acme
const SAM = 'U0SAM0001'; // security in acme: no webhooks permission
const ZED = 'U0ZED0001'; // administrator of initech only

describe.each(DIALECTS)('/users webhooks end to end on %s', (dialect) => {
  let env: SlackTestEnv;
  let receiver: Receiver;

  beforeAll(async () => {
    env = await slackTestEnv(dialect, { env: WEBHOOK_ENV });
    Object.defineProperty(env.clock, 'now', { get: () => new Date() });
    receiver = await startReceiver();
    await env.person(ANA, { username: 'ana', orgs: { acme: ['administrator'] } });
    await env.person(SAM, { username: 'sam', orgs: { acme: ['security'] } });
    await env.person(ZED, { username: 'zed', orgs: { initech: ['administrator'] } });
    await env.person('U0BOB0001', { username: 'bob', orgs: { acme: [] } });
  });
  afterAll(async () => {
    await receiver.close();
    await env.close();
  });

  test('an administrator adds an endpoint: the secret only in an ephemeral reply, then events flow; a run of failures DMs the administrators', async () => {
    const added = await env.run(ANA, `webhooks add acme ${receiver.url} user.disabled,user.enabled`);
    expect(added.reply.ephemeral).toBe(true);
    expect(added.reply.visibleTo).toBe(ANA);
    const secret = /whsec_[A-Za-z0-9+/=]+/.exec(textOf(added.reply))![0];
    expect(added.reply.text).not.toContain('whsec_');
    // No message visible to anyone else, or in a channel, ever carries it.
    expect(env.standIn.messages.filter((m) => m !== added.reply && textOf(m).includes('whsec_'))).toEqual([]);

    const list = await env.run(ANA, 'webhooks');
    expect(textOf(list.reply)).toMatch(/acme · `http:\/\/127\.0\.0\.1:\d+\/hook` · events: user\.enabled,user\.disabled/);
    expect(textOf(list.reply)).not.toContain('whsec_');

    const ana = (await env.person('U0ANB0001', { username: 'anb', orgs: { acme: ['administrator'] } }))!;
    expect(await setUsersEnabled(env.rt, actorFor(ana), { refs: ['bob'], enabled: false })).toMatchObject({ ok: true });
    await until(() => accepted(receiver).length === 1, 'the event delivered by the running server');
    const event = new Webhook(secret).verify(receiver.received[0].body, receiver.received[0].headers as Record<string, string>);
    expect(event).toMatchObject({ type: 'user.disabled', data: { user: { username: 'bob' } } });

    const test = await env.run(ANA, 'webhooks test 1');
    expect(textOf(test.reply)).toMatch(/delivered to endpoint \*1\* \(answered 200\)/);

    // The receiver breaks: five events fail through the whole (short) schedule; the endpoint is disabled and the administrators told.
    receiver.answer = () => ({ status: 500 });
    const id = (await WebhookEndpoint.findOne())!.id;
    for (let i = 0; i < 5; i++) {
      expect(await setUsersEnabled(env.rt, actorFor(ana), { refs: ['bob'], enabled: i % 2 === 0 })).toMatchObject({ ok: true });
    }
    const dm = await env.standIn.waitFor(
      () => env.standIn.messages.find((m) => m.channel === `D${ANA.slice(1)}` && textOf(m).includes('was disabled')),
      20_000,
      'the notice in ana’s DM',
    );
    expect(textOf(dm)).toContain(`webhooks enable ${id}`);
    expect(env.standIn.messages.some((m) => m.channel === `D${ZED.slice(1)}` && textOf(m).includes('was disabled'))).toBe(false);
    expect(await AuditEvent.count({ where: { action: 'webhook_endpoint_disabled' } })).toBe(1);

    const deliveries = await env.run(ANA, `webhooks deliveries ${id}`);
    expect(textOf(deliveries.reply)).toMatch(/❌ user\.(enabled|disabled)/);
  }, 60_000);

  test('who may not manage endpoints is refused, and an organization or endpoint they cannot see is not confirmed', async () => {
    expect(textOf((await env.run(SAM, `webhooks add acme ${receiver.url}`)).reply)).toMatch(
      /do not have permission to manage webhook endpoints in acme/,
    );
    expect(textOf((await env.run(ZED, `webhooks add acme ${receiver.url}`)).reply)).toMatch(/No organization “acme”/);
    expect(textOf((await env.run(ZED, 'webhooks remove 1')).reply)).toMatch(/No webhook endpoint 1 that you manage/);
    expect(textOf((await env.run(ANA, 'webhooks add acme ftp://x.example/')).reply)).toMatch(/must start with https:\/\/ or http:\/\//);
    expect(textOf((await env.run(ANA, 'webhooks frob')).reply)).toMatch(/Usage:/);
  });
});
