import { authenticateApiKey, generateApiKey, revokeApiKey } from '../../src/services/api-keys';
import { SYSTEM_ACTOR, type Actor } from '../../src/services/context';
import { registerRecord, unregisterRecord } from '../../src/services/records';
import { ApiKey, Membership, RecordAssignment, User } from '../../src/store/models';
import { DIALECTS } from '../support/db';
import { actorFor, makeUser, org, testEnv } from '../support/fixtures';
import { expectUnchanged, uniq } from '../support/state';

type Env = Awaited<ReturnType<typeof testEnv>>;

describe.each(DIALECTS)('API key and record services on %s', (dialect) => {
  let env: Env;
  beforeAll(async () => {
    env = await testEnv(dialect);
  });
  afterAll(async () => env.close());

  /** An administrator of two fresh organizations, and a member of both. */
  async function twoOrgs() {
    const [one, two] = [uniq('one'), uniq('two')];
    const admin = await makeUser({ username: uniq('admin'), orgs: { [one]: ['administrator'], [two]: ['administrator'] } });
    const both = await makeUser({ username: uniq('both'), orgs: { [one]: ['viewer'], [two]: [] } });
    return { one, two, admin, both };
  }

  test('ORG omitted: the only candidate is used; with several the service asks, listing which already have a key', async () => {
    const { one, two, admin, both } = await twoOrgs();
    const single = await makeUser({ username: uniq('single'), orgs: { [one]: [] } });
    expect(await generateApiKey(env.rt, actorFor(admin), { ref: single.username })).toMatchObject({
      ok: true,
      step: 'issued',
      issued: { organization: { slug: one }, replaced: false, usableNow: true },
    });
    expect(await generateApiKey(env.rt, actorFor(admin), { ref: both.username, organization: two.toUpperCase() })).toMatchObject({
      ok: true,
      step: 'issued',
    });
    const ask = await expectUnchanged([both.id], () => generateApiKey(env.rt, actorFor(admin), { ref: both.username }));
    expect(ask).toEqual({
      ok: true,
      step: 'choose_organization',
      userId: both.id,
      username: both.username,
      organizations: [expect.objectContaining({ slug: one, hasKey: false }), expect.objectContaining({ slug: two, hasKey: true })],
    });
    // Revoke offers only the organizations holding a key: here just one, so no question.
    expect(await revokeApiKey(env.rt, actorFor(admin), { ref: both.username })).toMatchObject({
      ok: true,
      step: 'revoked',
      organization: { slug: two },
    });
  });

  test('another user’s keys need the permission in every organization of that user, named or not (issue 14)', async () => {
    const { one, two, both } = await twoOrgs();
    const half = await makeUser({ username: uniq('half'), orgs: { [one]: ['administrator'], [two]: ['security'] } });
    const refusal = {
      ok: false,
      code: 'forbidden',
      message: `You do not have permission to manage API keys for ${both.username}: it is needed in every organization they belong to.`,
    };
    const r = await expectUnchanged([both.id], async () => [
      await generateApiKey(env.rt, actorFor(half), { ref: both.username }),
      await generateApiKey(env.rt, actorFor(half), { ref: both.username, organization: one }),
      await generateApiKey(env.rt, actorFor(half), { ref: both.username, organization: two }),
      await revokeApiKey(env.rt, actorFor(half), { ref: both.username, organization: one }),
    ]);
    expect(r).toEqual([refusal, refusal, refusal, refusal]);
    await Membership.update({ roles: 'administrator' }, { where: { userId: half.id } });
    expect(await generateApiKey(env.rt, actorFor(half), { ref: both.username, organization: two })).toMatchObject({
      ok: true,
      step: 'issued',
      issued: { organization: { slug: two } },
    });
  });

  test('a named organization must be one of the actor’s and one the user belongs to', async () => {
    const { one, admin } = await twoOrgs();
    const elsewhere = uniq('elsewhere');
    await org(elsewhere);
    const only = await makeUser({ username: uniq('only'), orgs: { [one]: [] } });
    const a = actorFor(admin);
    const r = await expectUnchanged([only.id], async () => ({
      foreign: await generateApiKey(env.rt, a, { ref: only.username, organization: elsewhere }),
      missing: await generateApiKey(env.rt, a, { ref: only.username, organization: 'no-such-org' }),
    }));
    // An organization that exists but is not the actor's reads exactly like one that does not exist.
    expect(r.foreign).toEqual({ ok: false, code: 'not_found', message: `No organization “${elsewhere}” among yours.` });
    expect(r.missing).toEqual({ ok: false, code: 'not_found', message: 'No organization “no-such-org” among yours.' });
    const admin2 = await makeUser({ username: uniq('admin'), orgs: { [one]: ['administrator'], [elsewhere]: ['administrator'] } });
    expect(await generateApiKey(env.rt, actorFor(admin2), { ref: only.username, organization: elsewhere })).toMatchObject({
      ok: false,
      code: 'precondition_failed',
      message: expect.stringContaining(`is not a member of ${elsewhere}`),
    });
  });

  test('a key for a user who cannot log in is made but says it will be refused, and is', async () => {
    const { one, admin } = await twoOrgs();
    const off = await makeUser({ username: uniq('off'), enabled: false, orgs: { [one]: ['viewer'] } });
    const r = await generateApiKey(env.rt, actorFor(admin), { ref: off.username });
    expect(r).toMatchObject({ ok: true, step: 'issued', issued: { usableNow: false } });
    const key = r.ok && r.step === 'issued' ? r.issued.key : '';
    expect(await authenticateApiKey(env.rt, key)).toMatchObject({ ok: false, reason: 'user_cannot_log_in' });
    await User.update({ enabled: true }, { where: { id: off.id } });
    expect(await authenticateApiKey(env.rt, key)).toMatchObject({
      ok: true,
      actor: { kind: 'user', userId: off.id, via: 'api', organizationId: (await org(one)).id },
    });
  });

  test('concurrent generations for one user and organization leave exactly one key, and it is one of those returned', async () => {
    const { one, admin } = await twoOrgs();
    const target = await makeUser({ username: uniq('race'), orgs: { [one]: ['viewer'] } });
    const results = await Promise.all(
      Array.from({ length: 6 }, () => generateApiKey(env.rt, actorFor(admin), { ref: target.username, organization: one })),
    );
    const keys = results.map((r) => (r.ok && r.step === 'issued' ? r.issued.key : 'failed'));
    expect(keys).not.toContain('failed');
    expect(await ApiKey.count({ where: { userId: target.id } })).toBe(1);
    const working = [];
    for (const k of keys) if ((await authenticateApiKey(env.rt, k)).ok) working.push(k);
    expect(working).toHaveLength(1);
  });

  test('the system actor (CLI) may make keys in any organization', async () => {
    const { two, both } = await twoOrgs();
    expect(await generateApiKey(env.rt, SYSTEM_ACTOR, { ref: both.username, organization: two })).toMatchObject({
      ok: true,
      step: 'issued',
    });
  });

  describe('records', () => {
    test('an actor bound to no organization must name one; an API-key actor cannot name another', async () => {
      const { one, two, admin, both } = await twoOrgs();
      const [o1, o2] = [await org(one), await org(two)];
      const slackActor = actorFor(admin);
      expect(await registerRecord(env.rt, slackActor, { entity: 'deal', entityId: '1', owner: both.username })).toEqual({
        ok: false,
        code: 'invalid_input',
        message: 'Name the organization the record belongs to.',
      });
      expect(
        await registerRecord(env.rt, slackActor, { entity: 'deal', entityId: '1', owner: both.username, organizationId: o2.id }),
      ).toMatchObject({ ok: true, created: true });
      const keyActor: Actor = { kind: 'user', userId: admin.id, label: 'key', via: 'api', organizationId: o1.id };
      const r = await expectUnchanged([both.id], () =>
        unregisterRecord(env.rt, keyActor, { entity: 'deal', entityId: '1', organizationId: o2.id }),
      );
      expect(r).toEqual({ ok: false, code: 'forbidden', message: 'An API key acts only in the organization it was made for.' });
      expect(await unregisterRecord(env.rt, keyActor, { entity: 'deal', entityId: '1' })).toMatchObject({ ok: false, code: 'not_found' });
      expect(await RecordAssignment.count({ where: { entity: 'deal', entityId: '1' } })).toBe(1);
    });

    test('an owner visible through another organization still cannot own records of this one', async () => {
      const { one, two, admin } = await twoOrgs();
      const onlyTwo = await makeUser({ username: uniq('onlytwo'), orgs: { [two]: [] } });
      const r = await registerRecord(env.rt, actorFor(admin), {
        entity: 'deal',
        entityId: uniq('d'),
        owner: onlyTwo.username,
        organizationId: (await org(one)).id,
      });
      expect(r).toMatchObject({ ok: false, code: 'precondition_failed', message: expect.stringContaining('is not a member') });
    });

    test('concurrent first registrations of one record to different owners end with one row and no error', async () => {
      const { one, admin } = await twoOrgs();
      const organizationId = (await org(one)).id;
      // Different owners, so the owners' row locks do not serialize the inserts.
      const owners = await Promise.all(Array.from({ length: 5 }, () => makeUser({ username: uniq('owner'), orgs: { [one]: [] } })));
      const id = uniq('dup');
      const results = await Promise.all(
        owners.map((o) => registerRecord(env.rt, actorFor(admin), { entity: 'deal', entityId: id, owner: o.username, organizationId })),
      );
      expect(results.every((r) => r.ok)).toBe(true);
      expect(results.filter((r) => r.ok && r.created)).toHaveLength(1);
      const rows = await RecordAssignment.findAll({ where: { entityId: id } });
      expect(rows).toHaveLength(1);
      expect(owners.map((o) => o.id)).toContain(rows[0].userId);
    });
  });
});
