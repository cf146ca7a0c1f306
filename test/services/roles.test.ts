import type { Failure } from '../../src/domain/outcome';
import { addMembership, grantRole, removeMembership, revokeRole, setRoles } from '../../src/services/roles';
import { SYSTEM_ACTOR } from '../../src/services/context';
import { AuditEvent, Membership, Organization, User } from '../../src/store/models';
import { DIALECTS } from '../support/db';
import { actorFor, makeUser, testEnv } from '../support/fixtures';
import { expectUnchanged, uniq } from '../support/state';

type Env = Awaited<ReturnType<typeof testEnv>>;

/** Issue 20 §1–2: every guard of grant, revoke, set, add and remove, allowed and refused (nothing changed after a refusal). */
describe.each(DIALECTS)('roles and memberships on %s', (dialect) => {
  let env: Env;
  beforeAll(async () => {
    env = await testEnv(dialect);
  });
  afterAll(async () => env.close());

  async function rolesOf(u: User, slug: string): Promise<string | null> {
    const o = await Organization.findOne({ where: { slug } });
    const m = o ? await Membership.findOne({ where: { userId: u.id, organizationId: o.id } }) : null;
    return m ? m.roles : null;
  }

  async function world() {
    const here = uniq('here');
    const there = uniq('there');
    const admin = await makeUser({ username: uniq('admin'), orgs: { [here]: ['administrator'] } });
    const admin2 = await makeUser({ username: uniq('admintwo'), orgs: { [here]: ['administrator'] } });
    const member = await makeUser({ username: uniq('member'), orgs: { [here]: ['viewer'] } });
    const helper = await makeUser({ username: uniq('helper'), orgs: { [here]: ['helpdesk'] } });
    const foreign = await makeUser({ username: uniq('foreign'), orgs: { [there]: ['viewer'] } });
    const thereAdmin = await makeUser({ username: uniq('thereadmin'), orgs: { [there]: ['administrator'] } });
    return { here, there, admin, admin2, member, helper, foreign, thereAdmin };
  }

  test('an administrator grants and revokes roles; each change is one audit row', async () => {
    const w = await world();
    const a = actorFor(w.admin);
    const g = await grantRole(env.rt, a, { ref: w.member.username, role: 'Security', org: w.here });
    expect(g).toMatchObject({ ok: true, changed: true, roles: ['security', 'viewer'] });
    expect(await rolesOf(w.member, w.here)).toBe('security;viewer');
    const again = await grantRole(env.rt, a, { ref: w.member.email, role: 'security', org: w.here.toUpperCase() });
    expect(again).toMatchObject({ ok: true, changed: false, message: `${w.member.username} already has security in ${w.here}.` });
    const r = await revokeRole(env.rt, a, { ref: w.member.username, role: 'viewer', org: w.here });
    expect(r).toMatchObject({ ok: true, changed: true, roles: ['security'] });
    const s = await setRoles(env.rt, a, { ref: w.member.username, org: w.here, roles: ['helpdesk', 'administrator'] });
    expect(s).toMatchObject({ ok: true, roles: ['administrator', 'helpdesk'] });
    const audit = await AuditEvent.findAll({ where: { targetUserId: w.member.id }, order: [['id', 'ASC']] });
    expect(audit.map((e) => [e.action, JSON.parse(e.details!).role, e.actorUserId])).toEqual([
      ['role_granted', 'security', w.admin.id],
      ['role_revoked', 'viewer', w.admin.id],
      ['role_granted', 'administrator', w.admin.id],
      ['role_granted', 'helpdesk', w.admin.id],
      ['role_revoked', 'security', w.admin.id],
    ]);
  });

  test('refusals change nothing: not an administrator there, an unknown organization, oneself, the last administrator, a non-member', async () => {
    const w = await world();
    const lone = uniq('lone');
    const loneAdmin = await makeUser({ username: uniq('loneadmin'), orgs: { [lone]: ['administrator'], [w.here]: ['administrator'] } });
    const ids = [w.admin.id, w.member.id, w.helper.id, loneAdmin.id];
    const r = await expectUnchanged(ids, async () => ({
      helpdesk: await grantRole(env.rt, actorFor(w.helper), { ref: w.member.username, role: 'viewer', org: w.here }),
      notAdminThere: await grantRole(env.rt, actorFor(w.admin), { ref: w.member.username, role: 'viewer', org: w.there }),
      noSuchOrg: await grantRole(env.rt, actorFor(w.admin), { ref: w.member.username, role: 'viewer', org: 'no-such-org' }),
      selfGrant: await grantRole(env.rt, actorFor(w.admin), { ref: w.admin.username, role: 'security', org: w.here }),
      selfRevoke: await revokeRole(env.rt, actorFor(w.admin), { ref: w.admin.username, role: 'administrator', org: w.here }),
      selfRemove: await removeMembership(env.rt, actorFor(w.admin), { ref: w.admin.username, org: w.here }),
      // An administrator acting is always another administrator, so only the operator (or a race, below) reaches this one.
      lastAdmin: await revokeRole(env.rt, SYSTEM_ACTOR, { ref: loneAdmin.username, role: 'administrator', org: lone }),
      lastAdminRemoved: await removeMembership(env.rt, SYSTEM_ACTOR, { ref: loneAdmin.username, org: lone }),
      unknownRole: await grantRole(env.rt, actorFor(w.admin), { ref: w.member.username, role: 'wizard', org: w.here }),
      nonMember: await grantRole(env.rt, actorFor(loneAdmin), { ref: w.member.username, role: 'viewer', org: lone }),
    }));
    expect(r.helpdesk).toEqual({
      ok: false,
      code: 'forbidden',
      message: `You are not an administrator of “${w.here}”, so you cannot change roles there.`,
    });
    // An organization that exists elsewhere and one that does not exist read the same.
    expect((r.notAdminThere as Failure).message.replace(w.there, 'X')).toBe((r.noSuchOrg as Failure).message.replace('no-such-org', 'X'));
    for (const x of [r.selfGrant, r.selfRevoke, r.selfRemove]) expect(x).toMatchObject({ ok: false, code: 'self_action' });
    expect(r.lastAdmin).toMatchObject({ ok: false, code: 'last_administrator' });
    expect(r.lastAdminRemoved).toMatchObject({ ok: false, code: 'last_administrator' });
    expect((r.lastAdmin as Failure).message).toContain(`is the last administrator of ${lone}`);
    expect(r.unknownRole).toMatchObject({ ok: false, code: 'invalid_input' });
    expect(r.nonMember).toMatchObject({ ok: false, code: 'precondition_failed' });
    expect((r.nonMember as Failure).message).toContain('add them to it first');
  });

  test('someone outside the actor’s organizations reads exactly as nobody, for every change', async () => {
    const w = await world();
    const a = actorFor(w.thereAdmin);
    const r = await expectUnchanged([w.member.id], async () => ({
      grant: [
        await grantRole(env.rt, a, { ref: w.member.username, role: 'viewer', org: w.there }),
        await grantRole(env.rt, a, { ref: 'ghost', role: 'viewer', org: w.there }),
      ],
      add: [
        await addMembership(env.rt, a, { ref: w.member.email, org: w.there }),
        await addMembership(env.rt, a, { ref: 'ghost@example.com', org: w.there }),
      ],
      remove: [
        await removeMembership(env.rt, a, { ref: w.member.username, org: w.there }),
        await removeMembership(env.rt, a, { ref: 'ghost', org: w.there }),
      ],
    }));
    const names: Record<string, [string, string]> = {
      grant: [w.member.username, 'ghost'],
      add: [w.member.email, 'ghost@example.com'],
      remove: [w.member.username, 'ghost'],
    };
    for (const [key, [real, ghost]] of Object.entries(names)) {
      const [x, y] = r[key as keyof typeof r] as [Failure, Failure];
      expect(x).toMatchObject({ ok: false, code: 'not_found' });
      expect(x.message.replace(real, 'X')).toBe(y.message.replace(ghost, 'X'));
    }
  });

  test('add: a user the actor sees joins another organization they administer, with an optional role; refusals change nothing', async () => {
    const w = await world();
    const two = uniq('two');
    const both = await makeUser({ username: uniq('both'), orgs: { [w.here]: ['administrator'], [two]: ['administrator'] } });
    const a = actorFor(both);
    const added = await addMembership(env.rt, a, { ref: w.member.username, org: two, role: 'helpdesk' });
    expect(added).toMatchObject({ ok: true, changed: true });
    expect(await rolesOf(w.member, two)).toBe('helpdesk');
    const again = await addMembership(env.rt, a, { ref: w.member.username, org: two });
    expect(again).toMatchObject({ ok: true, changed: false, message: `${w.member.username} is already a member of ${two}.` });
    const actions = (await AuditEvent.findAll({ where: { targetUserId: w.member.id }, order: [['id', 'ASC']] })).map((e) => e.action);
    expect(actions).toEqual(['membership_added', 'role_granted']);
    const refused = await expectUnchanged([w.helper.id], async () => ({
      notAdmin: await addMembership(env.rt, actorFor(w.admin), { ref: w.helper.username, org: two }),
      self: await addMembership(env.rt, actorFor(both), { ref: both.username, org: w.there }),
      badRole: await addMembership(env.rt, a, { ref: w.helper.username, org: two, role: 'owner' }),
    }));
    expect(refused.notAdmin).toMatchObject({ ok: false, code: 'forbidden' });
    expect(refused.self).toMatchObject({ ok: false, code: 'forbidden' }); // not an administrator of `there`
    expect(refused.badRole).toMatchObject({ ok: false, code: 'invalid_input' });
  });

  test('remove: allowed from one of several organizations; never the last membership, never the last administrator', async () => {
    const w = await world();
    const two = uniq('two');
    const both = await makeUser({ username: uniq('both'), orgs: { [w.here]: ['administrator'], [two]: ['administrator'] } });
    const inTwo = await makeUser({ username: uniq('intwo'), orgs: { [w.here]: ['viewer'], [two]: [] } });
    const a = actorFor(both);
    const removed = await removeMembership(env.rt, a, { ref: inTwo.username, org: two });
    expect(removed).toMatchObject({ ok: true, changed: true, message: `${inTwo.username} was removed from ${two}.` });
    expect(await rolesOf(inTwo, two)).toBeNull();
    expect((await AuditEvent.findOne({ where: { targetUserId: inTwo.id } }))?.action).toBe('membership_removed');
    const r = await expectUnchanged([inTwo.id, w.member.id], async () => ({
      last: await removeMembership(env.rt, a, { ref: inTwo.username, org: w.here }),
      notAdminThere: await removeMembership(env.rt, actorFor(w.admin), { ref: both.username, org: two }),
    }));
    expect(r.last).toEqual({
      ok: false,
      code: 'precondition_failed',
      message: `${w.here} is the only organization of ${inTwo.username}; a user must belong somewhere, so delete the user instead.`,
    });
    // w.admin is not an administrator of `two`: the organization is refused before anything else.
    expect(r.notAdminThere).toMatchObject({ ok: false, code: 'forbidden' });
    // An administrator removes another administrator (not the last one) from one of their organizations.
    const otherAdmin = await removeMembership(env.rt, actorFor(w.admin2), { ref: both.username, org: w.here });
    expect(otherAdmin).toMatchObject({ ok: true, changed: true });
  });

  test.each(['revoke', 'remove'])(
    'two administrators who %s each other at the same moment: one wins, one administrator stays',
    async (how) => {
      const slug = uniq('duo');
      const spare = uniq('spare');
      const x = await makeUser({ username: uniq('x'), orgs: { [slug]: ['administrator'], [spare]: [] } });
      const y = await makeUser({ username: uniq('y'), orgs: { [slug]: ['administrator'], [spare]: [] } });
      const act = (actor: User, target: User) =>
        how === 'revoke'
          ? revokeRole(env.rt, actorFor(actor), { ref: target.username, role: 'administrator', org: slug })
          : removeMembership(env.rt, actorFor(actor), { ref: target.username, org: slug });
      const results = await Promise.all([act(x, y), act(y, x)]);
      const oks = results.filter((r) => r.ok);
      // The loser either finds it is no longer an administrator, or that its target is now the last one.
      expect(oks).toHaveLength(1);
      const admins = (await Promise.all([rolesOf(x, slug), rolesOf(y, slug)])).filter((r) => r === 'administrator');
      expect(admins).toHaveLength(1);
    },
  );
});
