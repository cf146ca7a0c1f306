import { AuditEvent, ResetToken } from '../../src/store/models';
import { insertPlainRows } from '../../src/store/plain-rows';
import { DIALECTS } from '../support/db';
import { makeUser, testEnv } from '../support/fixtures';

/**
 * The bulk jobs write their audit rows and reset tokens with one plain multi-row INSERT, not
 * `bulkCreate` (issue 22: the instances were a third of a batch's main-thread time). What is read
 * back through the models must be what `bulkCreate` wrote, on both databases.
 */
describe.each(DIALECTS)('insertPlainRows on %s', (dialect) => {
  let env: Awaited<ReturnType<typeof testEnv>>;
  beforeAll(async () => {
    env = await testEnv(dialect);
  });
  afterAll(async () => env.close());

  const at = new Date('2026-11-02T10:00:00.123Z');
  const audit = (action: string, extra: Partial<AuditEvent> = {}) => ({
    at,
    actorUserId: null,
    actorLabel: 'sec (slack)',
    action,
    targetUserId: 7,
    targetLabel: 'ann <ann@example.com>',
    organizationId: null,
    outcome: 'ok',
    reason: 'it\'s "quoted"; -- and long ✓',
    details: JSON.stringify({ jobId: 3 }),
    ...extra,
  });
  const shape = (e: AuditEvent) => {
    const { id: _id, action: _action, ...rest } = e.get({ plain: true });
    return rest;
  };

  test('audit rows read back exactly as bulkCreate writes them (dates to the millisecond, nulls, quotes)', async () => {
    await env.rt.db.tx(async (t) => {
      await AuditEvent.bulkCreate([audit('via-bulkcreate'), audit('via-bulkcreate', { reason: null, details: null })], { transaction: t });
      await insertPlainRows(AuditEvent, [audit('via-plain'), audit('via-plain', { reason: null, details: null })], t);
    });
    const read = async (action: string) => (await AuditEvent.findAll({ where: { action }, order: [['id', 'ASC']] })).map(shape);
    const plain = await read('via-plain');
    expect(plain).toEqual(await read('via-bulkcreate'));
    expect(plain[0].at.toISOString()).toBe(at.toISOString());
    expect(plain[0].reason).toBe('it\'s "quoted"; -- and long ✓');
    expect(plain[1].reason).toBeNull();
    // Stored alike too: SQLite keeps dates as text that queries compare as text.
    const [stored] = (await env.rt.db.sequelize.query(
      "SELECT action, CAST(at AS TEXT) AS at FROM audit_events WHERE action IN ('via-plain', 'via-bulkcreate') ORDER BY id",
    )) as [Array<{ action: string; at: string }>, unknown];
    expect(new Set(stored.map((r) => r.at)).size).toBe(1);
    expect(stored.map((r) => r.action)).toEqual(['via-bulkcreate', 'via-bulkcreate', 'via-plain', 'via-plain']);
  });

  test('a literal default is filled in (reset token purpose), and the row is usable by the model', async () => {
    const u = await makeUser({ username: `plainrows-${dialect}` });
    const expiresAt = new Date('2026-11-03T10:00:00Z');
    await env.rt.db.tx((t) => insertPlainRows(ResetToken, [{ userId: u.id, tokenHash: `h-${dialect}`, expiresAt, createdAt: at }], t));
    const token = await ResetToken.findOne({ where: { tokenHash: `h-${dialect}` } });
    expect(token).toMatchObject({ userId: u.id, purpose: 'admin', usedAt: null, revokedAt: null });
    expect(token!.expiresAt.toISOString()).toBe(expiresAt.toISOString());
    expect(token!.createdAt.toISOString()).toBe(at.toISOString());
  });

  test('a missing required value or an unknown attribute throws before any SQL, and nothing is written', async () => {
    const before = await AuditEvent.count();
    const { actorLabel: _dropped, ...noLabel } = audit('bad');
    await expect(env.rt.db.tx((t) => insertPlainRows(AuditEvent, [audit('bad'), noLabel as ReturnType<typeof audit>], t))).rejects.toThrow(
      'AuditEvent.actorLabel is required',
    );
    await expect(
      env.rt.db.tx((t) => insertPlainRows(AuditEvent, [{ ...audit('bad'), nope: 1 } as ReturnType<typeof audit>], t)),
    ).rejects.toThrow('AuditEvent has no attribute nope');
    expect(await AuditEvent.count()).toBe(before);
  });
});
