// precheckDelete: the delete rules asked without deleting, and always the same answer deleteUser gives.
import { deleteUser, precheckDelete } from '../../src/services/delete-user';
import { SYSTEM_ACTOR } from '../../src/services/context';
import { AuditEvent, Membership, RecordAssignment, User } from '../../src/store/models';
import { DIALECTS } from '../support/db';
import { actorFor, makeUser, org, testEnv, type TestEnv } from '../support/fixtures';
import { expectUnchanged, uniq } from '../support/state';

describe.each(DIALECTS)('precheckDelete on %s', (dialect) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await testEnv(dialect);
  });
  afterAll(async () => env.close());

  /** An administrator of a fresh organization with one plain member (and a second administrator, so neither is the last). */
  async function setup() {
    const o = uniq('org');
    const admin = await makeUser({ username: uniq('admin'), orgs: { [o]: ['administrator'] } });
    await makeUser({ username: uniq('admin2'), orgs: { [o]: ['administrator'] } });
    const member = await makeUser({ username: uniq('member'), orgs: { [o]: [] } });
    return { o, admin, member };
  }

  /** The precheck changes nothing, and deleteUser, asked the same, refuses with the same code. */
  async function expectSameRefusal(actor: Parameters<typeof precheckDelete>[1], ref: string, ids: number[]) {
    const audits = await AuditEvent.count();
    const pre = await expectUnchanged(ids, () => precheckDelete(env.rt, actor, { ref }));
    const done = await expectUnchanged(ids, () => deleteUser(env.rt, actor, { ref }));
    expect(await AuditEvent.count()).toBe(audits);
    expect(pre).toEqual(done);
    return pre;
  }

  test('allowed: says who would go, and deletes nothing', async () => {
    const { admin, member } = await setup();
    const audits = await AuditEvent.count();
    const r = await precheckDelete(env.rt, actorFor(admin), { ref: member.username });
    expect(r).toEqual({ ok: true, username: member.username, userId: member.id });
    expect(await User.count({ where: { id: member.id } })).toBe(1);
    expect(await AuditEvent.count()).toBe(audits);
  });

  test('records assigned: has_records, naming how many', async () => {
    const { o, admin, member } = await setup();
    await RecordAssignment.create({ organizationId: (await org(o)).id, entity: 'invoice', entityId: uniq('inv'), userId: member.id });
    const r = await expectSameRefusal(actorFor(admin), member.username, [member.id]);
    expect(r).toMatchObject({ ok: false, code: 'has_records', message: expect.stringContaining(`${member.username} still owns 1 record`) });
  });

  test('yourself: self_action', async () => {
    const { admin } = await setup();
    const r = await expectSameRefusal(actorFor(admin), admin.username, [admin.id]);
    expect(r).toMatchObject({ ok: false, code: 'self_action' });
  });

  test('the last administrator of an organization: last_administrator, even for the operator', async () => {
    const o = uniq('solo');
    const solo = await makeUser({ username: uniq('solo'), orgs: { [o]: ['administrator'] } });
    const r = await expectSameRefusal(SYSTEM_ACTOR, solo.username, [solo.id]);
    expect(r).toMatchObject({ ok: false, code: 'last_administrator', message: expect.stringContaining(o) });
  });

  test('no delete permission (a security officer): forbidden', async () => {
    const { o, member } = await setup();
    const sec = await makeUser({ username: uniq('sec'), orgs: { [o]: ['security'] } });
    const r = await expectSameRefusal(actorFor(sec), member.username, [member.id]);
    expect(r).toMatchObject({ ok: false, code: 'forbidden', message: expect.stringContaining('delete users') });
  });

  // No role holds more than an administrator's, so a delete is never refused as "higher role":
  // the refusal that stands for it is a target in an organization where the actor is nobody.
  test('not allowed in every organization of the target (an administrator elsewhere): forbidden', async () => {
    const { admin, member } = await setup();
    const other = uniq('other');
    const both = await makeUser({ username: uniq('both'), orgs: { [other]: ['administrator'] } });
    // `both` is also a plain member of the admin's organization: visible to the admin, not theirs to delete.
    const adminOrg = (await Membership.findOne({ where: { userId: admin.id } }))!.organizationId;
    await Membership.create({ userId: both.id, organizationId: adminOrg, roles: '' });
    const r = await expectSameRefusal(actorFor(admin), both.username, [both.id]);
    expect(r).toMatchObject({ ok: false, code: 'forbidden' });
    expect(await precheckDelete(env.rt, actorFor(admin), { ref: member.username })).toMatchObject({ ok: true });
  });
});
