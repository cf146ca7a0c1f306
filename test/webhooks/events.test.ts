import { Webhook } from 'standardwebhooks';
import { WEBHOOK_EVENT_TYPES } from '../../src/domain/webhook-events';
import { WebhookSender } from '../../src/jobs/webhook-sender';
import { activateUser, setUsersEnabled } from '../../src/services/account-status';
import { generateApiKey, revokeApiKey } from '../../src/services/api-keys';
import { SYSTEM_ACTOR } from '../../src/services/context';
import { deleteUser, reassignRecords } from '../../src/services/delete-user';
import { decideApproval } from '../../src/services/approvals';
import { requestSingleApproval } from '../../src/services/approval-requests';
import { importUsers } from '../../src/services/import-users';
import { grantRole } from '../../src/services/roles';
import { login } from '../../src/services/login';
import { changePassword, resetPasswords } from '../../src/services/passwords';
import { registerRecord } from '../../src/services/records';
import { addWebhookEndpoint } from '../../src/services/webhooks';
import { WebhookDelivery } from '../../src/store/webhook-models';
import { DIALECTS } from '../support/db';
import { actorFor, makeUser, org, testEnv } from '../support/fixtures';
import { IMPORT_HEADER } from '../support/import';
import { WEBHOOK_ENV, accepted, startReceiver, type Receiver } from '../support/webhook-receiver';

type Env = Awaited<ReturnType<typeof testEnv>>;

/** Signature checked with the spec's algorithm (the package's verify), then the parsed payload. */
function verified(secret: string, r: { headers: Record<string, unknown>; body: string }): { type: string; data: Record<string, unknown> } {
  const h = r.headers as Record<string, string>;
  return new Webhook(secret).verify(r.body, {
    'webhook-id': h['webhook-id'],
    'webhook-timestamp': h['webhook-timestamp'],
    'webhook-signature': h['webhook-signature'],
  }) as { type: string; data: Record<string, unknown> };
}

describe.each(DIALECTS)('webhook events on %s', (dialect) => {
  let env: Env;
  let receiver: Receiver;

  beforeEach(async () => {
    env = await testEnv(dialect, WEBHOOK_ENV);
    // Signatures carry a timestamp receivers check against their own clock.
    Object.defineProperty(env.clock, 'now', { get: () => new Date() });
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
    await env.close();
  });

  async function endpoint(slug: string, events?: string): Promise<{ id: number; secret: string }> {
    await org(slug);
    const added = await addWebhookEndpoint(env.rt, SYSTEM_ACTOR, { org: slug, url: receiver.url, events });
    if (!added.ok) throw new Error(added.message);
    expect(added.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    return added;
  }

  test('every account event reaches the endpoint signed, with the user, the actor and no secret', async () => {
    const { secret } = await endpoint('acme');
    const admin = await makeUser({ username: 'admin', orgs: { acme: ['administrator'] } });
    const bob = await makeUser({ username: 'bob' });
    const carol = await makeUser({ username: 'carol' });
    const a = actorFor(admin);

    const csv = `${IMPORT_HEADER}\nnewbie,newbie@example.com,New,Bie,acme,,,true\nbob,bob@example.com,Bob,Renamed,acme,,,true\n`;
    expect(await importUsers(env.rt, a, csv)).toMatchObject({ ok: true, created: 1, updated: 1 });
    expect(await setUsersEnabled(env.rt, a, { refs: ['bob'], enabled: false })).toMatchObject({ ok: true });
    expect(await setUsersEnabled(env.rt, a, { refs: ['bob'], enabled: true })).toMatchObject({ ok: true });
    for (let i = 0; i < 5; i++) await login(env.rt, { login: 'bob', password: 'wrong-password-1' });
    expect(await activateUser(env.rt, a, { ref: 'bob' })).toMatchObject({ ok: true });
    expect(await resetPasswords(env.rt, a, { refs: ['bob'], reason: 'phishing' })).toMatchObject({ ok: true });
    expect(await changePassword(env.rt, a, { ref: 'bob', password: 'A-brand-new-Pass-77' })).toMatchObject({ ok: true });
    const key = await generateApiKey(env.rt, a, { ref: 'bob', organization: 'acme' });
    expect(key).toMatchObject({ ok: true, step: 'issued' });
    expect(await revokeApiKey(env.rt, a, { ref: 'bob', organization: 'acme' })).toMatchObject({ ok: true, step: 'revoked' });
    expect(
      await registerRecord(env.rt, SYSTEM_ACTOR, {
        entity: 'ticket',
        entityId: 'T-1',
        owner: 'carol',
        organizationId: (await org('acme')).id,
      }),
    ).toMatchObject({ ok: true });
    expect(await reassignRecords(env.rt, a, { from: 'carol', to: 'bob' })).toMatchObject({ ok: true });
    expect(await deleteUser(env.rt, a, { ref: 'carol' })).toMatchObject({ ok: true });

    const sender = new WebhookSender(env.rt, { instanceId: 'a' });
    await sender.drainOnce();
    const events = accepted(receiver).map((r) => verified(secret, r));
    // Order is promised per user (each user's events in the order they happened), not across users.
    const of = (username: string) => events.filter((e) => (e.data.user as { username: string }).username === username).map((e) => e.type);
    expect(of('newbie')).toEqual(['user.created']);
    expect(of('bob')).toEqual([
      'user.updated',
      'user.disabled',
      'user.enabled',
      'user.locked',
      'user.activated',
      'user.password_reset',
      'user.password_changed',
      'api_key.created',
      'api_key.revoked',
    ]);
    expect(of('carol')).toEqual(['user.records_reassigned', 'user.deleted']);
    // Every account event type; bulk_job.completed and approval.* have their own tests.
    expect(new Set([...events.map((e) => e.type), 'bulk_job.completed'])).toEqual(
      new Set(WEBHOOK_EVENT_TYPES.filter((t) => !t.startsWith('approval.'))),
    );
    const reset = events.find((e) => e.type === 'user.password_reset')!;
    expect(reset.data).toMatchObject({
      user: { id: bob.id, username: 'bob', email: 'bob@example.com', enabled: true, authStatus: 'password_reset', organizations: ['acme'] },
      actor: { kind: 'user', id: admin.id },
      organization: { slug: 'acme' },
      reason: 'phishing',
    });
    expect(events.find((e) => e.type === 'user.locked')!.data).toMatchObject({
      actor: { kind: 'system', id: null },
      user: { authStatus: 'locked' },
    });
    expect(events.find((e) => e.type === 'user.deleted')!.data).toMatchObject({ user: { id: carol.id, username: 'carol' } });
    const created = events.find((e) => e.type === 'api_key.created')!;
    expect(created.data).toMatchObject({ apiKey: { displayPrefix: expect.any(String) } });
    const everything = receiver.received.map((r) => r.body).join('\n');
    expect(everything).not.toContain(key.ok && key.step === 'issued' ? key.issued.key : 'no key');
    expect(everything).not.toMatch(/\$2[aby]\$|passwordHash|A-brand-new-Pass-77|wrong-password/);
    // Every delivery is settled, each once.
    expect(await WebhookDelivery.count({ where: { status: 'delivered' } })).toBe(12);
    expect(new Set(accepted(receiver).map((r) => r.headers['webhook-id'])).size).toBe(12);
  });

  test('approval requests and decisions are events of the organization, with the request and no user; role changes are user.updated', async () => {
    await env.close();
    env = await testEnv(dialect, { ...WEBHOOK_ENV, APPROVAL_REQUIRED: 'delete' });
    Object.defineProperty(env.clock, 'now', { get: () => new Date() });
    const { secret } = await endpoint('acme');
    const first = await makeUser({ username: 'first', orgs: { acme: ['administrator'] } });
    const second = await makeUser({ username: 'second', orgs: { acme: ['administrator'] } });
    await makeUser({ username: 'leaver', orgs: { acme: ['viewer'] } });
    await makeUser({ username: 'helper', orgs: { acme: ['viewer'] } });
    expect(await grantRole(env.rt, actorFor(first), { ref: 'helper', role: 'helpdesk', org: 'acme' })).toMatchObject({ ok: true });
    const asked = await requestSingleApproval(env.rt, actorFor(first), { action: 'delete', ref: 'leaver', reason: 'left the company' });
    if (!asked.ok || !asked.requested) throw new Error('expected a request');
    const denied = await decideApproval(env.rt, actorFor(second), { id: asked.request.id, approve: false, denyReason: 'ask HR first' });
    expect(denied).toMatchObject({ ok: true, happened: 'denied' });
    const again = await requestSingleApproval(env.rt, actorFor(first), { action: 'delete', ref: 'leaver', reason: 'HR agreed' });
    if (!again.ok || !again.requested) throw new Error('expected a request');
    expect(await decideApproval(env.rt, actorFor(second), { id: again.request.id, approve: true })).toMatchObject({
      ok: true,
      happened: 'approved',
    });

    await new WebhookSender(env.rt).drainOnce();
    const events = accepted(receiver).map((r) => verified(secret, r));
    const approvals = events.filter((e) => e.type.startsWith('approval.'));
    // Ordered per request (its own ordering key), not across requests.
    const ofRequest = (id: number) => approvals.filter((e) => (e.data.approval as { id: number }).id === id);
    expect(ofRequest(asked.request.id).map((e) => e.type)).toEqual(['approval.requested', 'approval.denied']);
    expect(ofRequest(again.request.id).map((e) => e.type)).toEqual(['approval.requested', 'approval.approved']);
    expect(ofRequest(asked.request.id)[0].data).toMatchObject({
      actor: { kind: 'user', id: first.id },
      organization: { slug: 'acme' },
      reason: 'left the company',
      approval: { id: asked.request.id, kind: 'single', action: 'delete', users: 1 },
    });
    expect(ofRequest(again.request.id)[1].data).toMatchObject({ actor: { kind: 'user', id: second.id } });
    expect(ofRequest(asked.request.id)[1].data).toMatchObject({ reason: 'ask HR first' });
    for (const e of approvals) expect(e.data.user).toBeUndefined();
    expect(events.filter((e) => e.type === 'user.updated').map((e) => (e.data.user as { username: string }).username)).toEqual(['helper']);
    expect(events.filter((e) => e.type === 'user.deleted').map((e) => (e.data.user as { username: string }).username)).toEqual(['leaver']);
  });

  test('an organization hears only of its own members, each payload naming only itself; unsubscribed types are not sent', async () => {
    const acme = await endpoint('acme', 'user.disabled');
    const beta = await endpoint('beta');
    await org('gamma');
    const admin = await makeUser({
      username: 'admin',
      orgs: { acme: ['administrator'], beta: ['administrator'], gamma: ['administrator'] },
    });
    await makeUser({ username: 'both', orgs: { acme: [], beta: [] } });
    await makeUser({ username: 'gammaonly', orgs: { gamma: [] } });
    const a = actorFor(admin);
    expect(await setUsersEnabled(env.rt, a, { refs: ['both', 'gammaonly'], enabled: false })).toMatchObject({ ok: true });
    expect(await setUsersEnabled(env.rt, a, { refs: ['both'], enabled: true })).toMatchObject({ ok: true });
    await new WebhookSender(env.rt).drainOnce();
    const got = accepted(receiver).map((r) => {
      try {
        return { to: 'acme', ...verified(acme.secret, r) };
      } catch {
        return { to: 'beta', ...verified(beta.secret, r) };
      }
    });
    expect(
      got
        .map(
          (g) =>
            `${g.to} ${g.type} ${(g.data.user as { username: string }).username} ${JSON.stringify((g.data.user as { organizations: string[] }).organizations)}`,
        )
        .sort(),
    ).toEqual(['acme user.disabled both ["acme"]', 'beta user.disabled both ["beta"]', 'beta user.enabled both ["beta"]']);
  });

  test('no endpoint: changes write no delivery rows', async () => {
    const admin = await makeUser({ username: 'admin', orgs: { acme: ['administrator'] } });
    await makeUser({ username: 'bob' });
    expect(await setUsersEnabled(env.rt, actorFor(admin), { refs: ['bob'], enabled: false })).toMatchObject({ ok: true });
    expect(await WebhookDelivery.count()).toBe(0);
  });
});
