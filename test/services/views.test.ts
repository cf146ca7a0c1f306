import { previewBulkAction } from '../../src/services/bulk-actions';
import { pageUsers, searchUsers } from '../../src/services/directory';
import type { SavedView } from '../../src/domain/status';
import { isSavedView, savedViewLabel } from '../../src/domain/status';
import { ResetToken, User } from '../../src/store/models';
import { DIALECTS } from '../support/db';
import { actorFor, makeUser, testEnv } from '../support/fixtures';

type Env = Awaited<ReturnType<typeof testEnv>>;
const DAY = 86_400_000;

/** Issue 20 §5: the views admins, dormant [DAYS] and invited, through find/list, the REST API's pages and the bulk flow. */
describe.each(DIALECTS)('saved views admins, dormant, invited on %s', (dialect) => {
  let env: Env;
  let ana: User;
  const ago = (days: number) => new Date(env.clock.now.getTime() - days * DAY);

  async function createdAt(u: User, at: Date): Promise<void> {
    await User.sequelize!.query('UPDATE users SET created_at = :at WHERE id = :id', { replacements: { at, id: u.id } });
  }

  beforeAll(async () => {
    env = await testEnv(dialect);
    ana = await makeUser({ username: 'ana', orgs: { acme: ['administrator'] }, lastLoginAt: ago(1) });
    await makeUser({ username: 'sam', orgs: { acme: ['security'] }, lastLoginAt: ago(2) });
    // Administrator of beta, viewer in acme: not an administrator for someone who reads acme.
    await makeUser({ username: 'dual', orgs: { acme: ['viewer'], beta: ['administrator'] }, lastLoginAt: ago(3) });
    await makeUser({ username: 'old', orgs: { acme: [] }, lastLoginAt: ago(120) });
    await makeUser({ username: 'month', orgs: { acme: [] }, lastLoginAt: ago(45) });
    await makeUser({ username: 'olddisabled', orgs: { acme: [] }, lastLoginAt: ago(200), enabled: false });
    await createdAt(await makeUser({ username: 'never', orgs: { acme: [] } }), ago(100));
    await createdAt(await makeUser({ username: 'newbie', orgs: { acme: [] } }), ago(5));
    const inv = await makeUser({ username: 'invitee', orgs: { acme: [] }, password: null, lastLoginAt: ago(1) });
    await ResetToken.create({ userId: inv.id, tokenHash: 'a'.repeat(64), purpose: 'invite' as never, expiresAt: ago(-7) });
    const gone = await makeUser({ username: 'accepted', orgs: { acme: [] }, lastLoginAt: ago(1) });
    await ResetToken.create({ userId: gone.id, tokenHash: 'b'.repeat(64), purpose: 'invite' as never, expiresAt: ago(-7), usedAt: ago(1) });
    for (const u of await User.findAll({
      where: { username: ['ana', 'sam', 'dual', 'old', 'month', 'olddisabled', 'invitee', 'accepted'] },
    })) {
      if (u.createdAt.getTime() > env.clock.now.getTime()) await createdAt(u, ago(365));
    }
  });
  afterAll(async () => env.close());

  async function names(view: SavedView): Promise<string[]> {
    const r = await searchUsers(env.rt, actorFor(ana), { view, limit: 100 });
    if (!r.ok) throw new Error(r.message);
    const page = await pageUsers(env.rt, actorFor(ana), { view, limit: 100 });
    if (!page.ok) throw new Error(page.message);
    // find/list and the REST API's pages read the same view.
    expect(page.users.map((u) => u.username).sort()).toEqual(r.users.map((u) => u.username).sort());
    return r.users.map((u) => u.username).sort();
  }

  test('admins: holders of the administrator role in the organizations read', async () => {
    expect(await names('admins')).toEqual(['ana']);
  });

  test('dormant: enabled, no login for DORMANT_DAYS (90); never logged in counts from creation', async () => {
    expect(await names('dormant')).toEqual(['never', 'old']);
    expect(await names('dormant-30')).toEqual(['month', 'never', 'old']);
    // The clock decides: 60 days later the 45-day one is past 90 too.
    env.clock.now = new Date(env.clock.now.getTime() + 60 * DAY);
    try {
      expect(await names('dormant')).toContain('month');
    } finally {
      env.clock.now = new Date(env.clock.now.getTime() - 60 * DAY);
    }
  });

  test('invited: an invitation not yet accepted', async () => {
    expect(await names('invited')).toEqual(['invitee']);
  });

  test('the bulk flow takes the views: disable the dormant users', async () => {
    const p = await previewBulkAction(env.rt, actorFor(ana), { action: 'disable', view: 'dormant', reason: 'access review' });
    expect(p.ok && p.count).toBe(2);
    expect(p.ok && [...p.sample].sort()).toEqual(['never', 'old']);
  });

  test('view names: dormant-N for 1–3650 days only; labels', () => {
    expect(['admins', 'dormant', 'invited', 'dormant-1', 'dormant-3650'].every(isSavedView)).toBe(true);
    expect(['dormant-0', 'dormant-3651', 'dormant-', 'dormant-07', 'admin'].some(isSavedView)).toBe(false);
    expect(savedViewLabel('dormant-30')).toBe('Dormant (30 days)');
    expect(savedViewLabel('admins')).toBe('Administrators');
  });
});
