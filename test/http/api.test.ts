import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { API_KEY_PREFIX, generateApiKey as mintApiKey } from '../../src/domain/api-key';
import { sha256Hex } from '../../src/domain/tokens';
import { generateApiKey, revokeApiKey } from '../../src/services/api-keys';
import { SYSTEM_ACTOR } from '../../src/services/context';
import { deleteUser } from '../../src/services/delete-user';
import { ApiKey, AuditEvent, MailMessage, Membership, RecordAssignment, User } from '../../src/store/models';
import { DIALECTS } from '../support/db';
import { actorFor, makeUser, org } from '../support/fixtures';
import { httpTestEnv, type HttpTestEnv } from '../support/http-server';
import { worldState } from '../support/state';

type Reply = Awaited<ReturnType<HttpTestEnv['json']>>;

describe.each(DIALECTS)('REST API with API keys on %s', (dialect) => {
  let env: HttpTestEnv;
  let ana: User; // administrator of acme
  let vic: User; // viewer of acme
  let zed: User; // administrator of globex
  let mia: User; // member of acme and globex
  let acmeId: number;
  /** Every key handed out in this suite, and every answer the API gave: searched for secrets at the end. */
  const issued: string[] = [];
  const answers: Reply[] = [];
  /** SQL statements that touched api_keys, to prove which requests never reach the table. */
  const keyQueries: string[] = [];

  /** `null`: the operator. An administrator of acme cannot manage the keys of someone also in globex (issue 14). */
  async function newKey(actorUser: User | null, ref: string, organization: string): Promise<string> {
    const r = await generateApiKey(env.rt, actorUser ? actorFor(actorUser) : SYSTEM_ACTOR, { ref, organization });
    if (!r.ok || r.step !== 'issued') throw new Error(`no key: ${JSON.stringify(r)}`);
    issued.push(r.issued.key);
    return r.issued.key;
  }

  async function api(key: string | null, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const r = await env.json(method, path, body, { ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...headers });
    answers.push(r);
    return r;
  }

  beforeAll(async () => {
    env = await httpTestEnv(dialect, { API_RATE_LIMIT_PER_MINUTE: '100000' });
    env.rt.db.sequelize.addHook('afterQuery', (_options, query) => {
      const sql = (query as unknown as { sql?: string }).sql ?? '';
      if (/api_keys/.test(sql)) keyQueries.push(sql);
    });
    ana = await makeUser({ username: 'ana', orgs: { acme: ['administrator'] } });
    vic = await makeUser({ username: 'vic', orgs: { acme: ['viewer'] } });
    zed = await makeUser({ username: 'zed', orgs: { globex: ['administrator'] } });
    mia = await makeUser({ username: 'mia', orgs: { acme: ['viewer'], globex: ['helpdesk'] } });
    await makeUser({ username: 'gus', orgs: { globex: [] } });
    await makeUser({ username: 'lou', authStatus: 'locked', failedLoginCount: 5, orgs: { acme: [] } });
    await makeUser({ username: 'dis', enabled: false, orgs: { acme: [] } });
    for (let i = 0; i < 17; i++) await makeUser({ username: `member${String(i).padStart(2, '0')}`, orgs: { acme: [] } });
    acmeId = (await org('acme')).id;
  });

  afterAll(async () => {
    await env.close();
  });

  test('generate → call → regenerate: the old key is refused at once, the new one works', async () => {
    const first = await newKey(ana, 'ana', 'acme');
    expect(first.startsWith(API_KEY_PREFIX)).toBe(true);
    const ok = await api(first, 'GET', '/api/v1/users');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');

    const second = await newKey(ana, 'ana', 'acme');
    const old = await api(first, 'GET', '/api/v1/users');
    expect(old.status).toBe(401);
    expect(old.body).toEqual({ error: { code: 'invalid_api_key', message: expect.stringContaining('revoked, replaced') } });
    expect(old.headers.get('www-authenticate')).toBe('Bearer realm="userops", error="invalid_token"');
    expect((await api(second, 'GET', '/api/v1/users')).status).toBe(200);
    expect(await ApiKey.count({ where: { userId: ana.id, organizationId: acmeId } })).toBe(1);

    const audit = await AuditEvent.findAll({ where: { targetUserId: ana.id, action: 'api_key_generate' }, order: [['id', 'ASC']] });
    expect(audit).toHaveLength(2);
    const details = JSON.parse(audit[1].details ?? '{}') as Record<string, unknown>;
    expect(details).toEqual({
      keyId: expect.any(Number),
      displayPrefix: second.slice(0, 10),
      organization: 'acme',
      replacedKeyId: expect.any(Number),
      replacedDisplayPrefix: first.slice(0, 10),
    });
  });

  test('revoke: the key stops working at once; revoking again says there is none', async () => {
    const key = await newKey(ana, 'vic', 'acme');
    expect((await api(key, 'GET', '/api/v1/users')).status).toBe(200);
    expect(await revokeApiKey(env.rt, actorFor(ana), { ref: 'vic', organization: 'acme' })).toMatchObject({ ok: true, step: 'revoked' });
    expect((await api(key, 'GET', '/api/v1/users')).body).toMatchObject({ error: { code: 'invalid_api_key' } });
    expect(await revokeApiKey(env.rt, actorFor(ana), { ref: 'vic', organization: 'acme' })).toMatchObject({ ok: true, step: 'no_key' });
  });

  test.each([
    ['disabled', { enabled: false }],
    ['locked', { authStatus: 'locked' as const }],
    ['waiting for a password reset', { authStatus: 'password_reset' as const }],
  ])('the key of a %s user is refused at once, and works again once the user can log in', async (_label, change) => {
    const key = await newKey(null, 'mia', 'acme');
    expect((await api(key, 'GET', '/api/v1/users')).status).toBe(200);
    await User.update(change, { where: { id: mia.id } });
    const refused = await api(key, 'GET', '/api/v1/users');
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ error: { code: 'api_key_user_inactive', message: expect.any(String) } });
    await User.update({ enabled: true, authStatus: 'active' }, { where: { id: mia.id } });
    expect((await api(key, 'GET', '/api/v1/users')).status).toBe(200);
  });

  test('the key of a deleted user is refused (the key row goes with the user)', async () => {
    const doomed = await makeUser({ username: 'doomed', orgs: { acme: ['viewer'] } });
    const key = await newKey(ana, 'doomed', 'acme');
    expect((await api(key, 'GET', '/api/v1/users')).status).toBe(200);
    expect(await deleteUser(env.rt, actorFor(ana), { ref: 'doomed' })).toMatchObject({ ok: true });
    expect((await api(key, 'GET', '/api/v1/users')).body).toMatchObject({ error: { code: 'invalid_api_key' } });
    expect(await ApiKey.count({ where: { userId: doomed.id } })).toBe(0);
  });

  test('a user removed from the key’s organization is refused, and adding them back does not revive the key', async () => {
    const leaver = await makeUser({ username: 'leaver', orgs: { acme: ['viewer'], globex: ['viewer'] } });
    const key = await newKey(null, 'leaver', 'acme');
    expect((await api(key, 'GET', '/api/v1/users')).status).toBe(200);
    await Membership.destroy({ where: { userId: leaver.id, organizationId: acmeId } });
    const gone = await api(key, 'GET', '/api/v1/users');
    expect(gone.status).toBe(401);
    expect(gone.body).toMatchObject({ error: { code: 'api_key_not_member' } });
    // Rows created in the same millisecond as the key would compare equal; the clock of the store moves on.
    await new Promise((r) => setTimeout(r, 5));
    await Membership.create({ userId: leaver.id, organizationId: acmeId, roles: 'viewer' });
    expect((await api(key, 'GET', '/api/v1/users')).body).toMatchObject({ error: { code: 'api_key_not_member' } });
    // A key made after the new membership works.
    expect((await api(await newKey(null, 'leaver', 'acme'), 'GET', '/api/v1/users')).status).toBe(200);
  });

  test('reads are scoped to the key’s organization: other users are invisible, their ids are 404', async () => {
    const acmeKey = await newKey(ana, 'ana', 'acme');
    const globexKey = await newKey(zed, 'zed', 'globex');
    const miaAcme = await newKey(null, 'mia', 'acme');

    const usernames = async (key: string) => {
      const r = await api(key, 'GET', '/api/v1/users?limit=100');
      expect(r.status).toBe(200);
      return (r.body.users as Array<{ username: string }>).map((u) => u.username);
    };
    const acme = await usernames(acmeKey);
    expect(acme).toEqual(expect.arrayContaining(['ana', 'vic', 'mia', 'lou', 'dis']));
    expect(acme).not.toContain('zed');
    expect(acme).not.toContain('gus');
    const globex = await usernames(globexKey);
    expect(globex).toEqual(expect.arrayContaining(['gus', 'mia', 'zed']));
    for (const name of ['ana', 'vic', 'lou', 'dis', 'member00']) expect(globex).not.toContain(name);
    // mia holds roles in both, yet her acme key sees acme only.
    expect(await usernames(miaAcme)).not.toContain('gus');

    expect((await api(acmeKey, 'GET', `/api/v1/users/${zed.id}`)).status).toBe(404);
    expect((await api(globexKey, 'GET', `/api/v1/users/${ana.id}`)).body).toEqual({
      error: { code: 'not_found', message: 'No user with this id in your organizations.' },
    });
    expect((await api(acmeKey, 'GET', '/api/v1/users/999999')).status).toBe(404);
    // A user in both organizations shows only the memberships the key can see.
    const both = await api(globexKey, 'GET', `/api/v1/users/${mia.id}`);
    expect(both.status).toBe(200);
    expect((both.body.user as { organizations: unknown }).organizations).toEqual([{ slug: 'globex', roles: ['helpdesk'] }]);
    const mine = await api(acmeKey, 'GET', `/api/v1/users/${ana.id}`);
    expect(mine.body.user).toMatchObject({
      id: ana.id,
      username: 'ana',
      email: 'ana@example.com',
      enabled: true,
      authStatus: 'active',
      canLogIn: true,
      organizations: [{ slug: 'acme', roles: ['administrator'] }],
    });
    expect(Object.keys(mine.body.user as object)).not.toEqual(expect.arrayContaining(['passwordHash']));
  });

  test('view and q filter the list', async () => {
    const key = await newKey(ana, 'ana', 'acme');
    const locked = await api(key, 'GET', '/api/v1/users?view=locked');
    expect((locked.body.users as Array<{ username: string }>).map((u) => u.username)).toEqual(['lou']);
    const cannot = await api(key, 'GET', '/api/v1/users?view=cannot-login');
    expect((cannot.body.users as Array<{ username: string }>).map((u) => u.username).sort()).toEqual(['dis', 'lou']);
    const q = await api(key, 'GET', '/api/v1/users?q=MEMBER1');
    expect((q.body.users as Array<{ username: string }>).map((u) => u.username)).toEqual(
      Array.from({ length: 7 }, (_, i) => `member1${i}`),
    );
  });

  test('cursor pagination walks every user of the organization exactly once, even while users are added', async () => {
    const key = await newKey(ana, 'ana', 'acme');
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r: Reply = await api(key, 'GET', `/api/v1/users?limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(r.status).toBe(200);
      const users = r.body.users as Array<{ id: number }>;
      expect(users.length).toBeLessThanOrEqual(4);
      seen.push(...users.map((u) => u.id));
      cursor = r.body.nextCursor as string | null;
      pages++;
      if (pages === 2) await makeUser({ username: 'latecomer', orgs: { acme: [] } });
    } while (cursor !== null && pages < 100);
    const expected = (await Membership.findAll({ where: { organizationId: acmeId } })).map((m) => m.userId).sort((a, b) => a - b);
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(seen.length);
    // The page after a full last page is never requested: the API knows there is none.
    expect(pages).toBe(Math.ceil(expected.length / 4));
  });

  test('cursors are opaque and bound to their filters', async () => {
    const key = await newKey(ana, 'ana', 'acme');
    const first = await api(key, 'GET', '/api/v1/users?limit=2&q=member');
    const cursor = first.body.nextCursor as string;
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const other = await api(key, 'GET', `/api/v1/users?limit=2&cursor=${cursor}`);
    expect(other.status).toBe(400);
    expect(other.body).toEqual({ error: { code: 'invalid_cursor', message: expect.stringContaining('another view or search') } });
    expect((await api(key, 'GET', '/api/v1/users?cursor=not-a-cursor')).body).toMatchObject({ error: { code: 'invalid_cursor' } });
    expect((await api(key, 'GET', `/api/v1/users?limit=2&q=member&cursor=${cursor}`)).status).toBe(200);
  });

  test('bad input gets a readable 400 naming the field', async () => {
    const key = await newKey(ana, 'ana', 'acme');
    const cases: Array<[string, string]> = [
      ['/api/v1/users?limit=500', 'limit: must be a whole number from 1 to 100'],
      ['/api/v1/users?limit=abc', 'limit: must be a whole number from 1 to 100'],
      ['/api/v1/users?limit=0', 'limit: must be a whole number from 1 to 100'],
      [
        '/api/v1/users?view=everyone',
        'view: must be one of all, active, disabled, locked, password-reset, cannot-login, admins, dormant, invited or dormant-DAYS',
      ],
      ['/api/v1/users?serach=bob', 'query: unknown parameter serach; the parameters are view, q, limit and cursor'],
      ['/api/v1/users?q=a&q=b', 'q: must be given once, as text'],
      ['/api/v1/users/abc', 'id: must be a user id (a positive whole number)'],
    ];
    for (const [path, message] of cases) {
      const r = await api(key, 'GET', path);
      expect([path, r.status, r.body]).toEqual([path, 400, { error: { code: 'invalid_input', message, fields: expect.any(Object) } }]);
    }
    const put = (body: unknown, headers?: Record<string, string>) => api(key, 'PUT', '/api/v1/records/invoice/1', body, headers);
    expect((await put({})).body).toMatchObject({ error: { message: 'owner: is required: a username, an email or a user id' } });
    expect((await put({ owner: true })).body).toMatchObject({ error: { message: 'owner: must be a username, an email or a user id' } });
    expect((await put({ owner: 'ana', note: 1 })).body).toMatchObject({
      error: { message: 'body: unknown field note; the only field is owner' },
    });
    expect((await put([])).body).toMatchObject({ error: { message: 'body: must be a JSON object such as {"owner": "ana"}' } });
    expect((await put('{"owner":')).body).toMatchObject({ error: { code: 'malformed_json' } });
    expect((await put('owner=ana', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await put({ owner: 'x'.repeat(5000) })).status).toBe(413);
    const badEntity = await api(key, 'PUT', '/api/v1/records/9lives/1', { owner: 'ana' });
    expect(badEntity.status).toBe(400);
    expect(badEntity.body).toMatchObject({
      error: { code: 'invalid_input', message: expect.stringContaining('The entity must start with a letter') },
    });
    // A body is not even read without a key.
    expect((await api(null, 'PUT', '/api/v1/records/invoice/1', '{"owner":')).status).toBe(401);
  });

  test('missing, malformed and mistyped keys: 401 without touching the key table; a well-formed unknown key is looked up once', async () => {
    const good = await newKey(ana, 'ana', 'acme');
    const typo = `${good.slice(0, 20)}${good[20] === 'a' ? 'b' : 'a'}${good.slice(21)}`;
    const before = keyQueries.length;
    const missing = await api(null, 'GET', '/api/v1/users');
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ error: { code: 'missing_api_key' } });
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="userops"');
    expect((await api(null, 'GET', '/api/v1/users', undefined, { authorization: `Basic ${good}` })).body).toMatchObject({
      error: { code: 'missing_api_key' },
    });
    for (const bad of ['garbage', `${good}x`, good.replace('uok_', 'uox_'), good.slice(0, -1), typo]) {
      const r = await api(bad, 'GET', '/api/v1/users');
      expect([bad, r.status, (r.body.error as { code: string }).code]).toEqual([bad, 401, 'malformed_api_key']);
      expect(r.headers.get('www-authenticate')).toContain('error="invalid_token"');
    }
    expect((await api(typo, 'GET', '/api/v1/users')).body).toMatchObject({ error: { message: expect.stringContaining('checksum') } });
    expect(keyQueries.slice(before)).toEqual([]);
    // The counter does see lookups: a key with a valid checksum that was never issued costs exactly one.
    const neverIssued = mintApiKey();
    expect((await api(neverIssued, 'GET', '/api/v1/users')).body).toMatchObject({ error: { code: 'invalid_api_key' } });
    expect(keyQueries.slice(before)).toHaveLength(1);
  });

  test('oversized headers: a long Authorization is 431 JSON; headers beyond Node’s limit get 431 and the server lives on', async () => {
    const long = await api(`uok_${'a'.repeat(2000)}`, 'GET', '/api/v1/users');
    expect(long.status).toBe(431);
    expect(long.body).toMatchObject({ error: { code: 'header_too_large' } });
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        `${env.server.url}/api/v1/users`,
        { headers: { authorization: `Bearer uok_${'a'.repeat(20_000)}`, 'x-filler': 'b'.repeat(40_000) } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(431);
    expect((await env.json('GET', '/healthz')).status).toBe(200);
    expect((await api(await newKey(ana, 'ana', 'acme'), 'GET', '/api/v1/users')).status).toBe(200);
  });

  test('permissions: a viewer key reads but cannot register records; a key without any role reads nothing', async () => {
    const viewer = await newKey(ana, String(vic.id), 'acme');
    expect((await api(viewer, 'GET', '/api/v1/users')).status).toBe(200);
    const put = await api(viewer, 'PUT', '/api/v1/records/invoice/v-1', { owner: 'vic' });
    expect(put.status).toBe(403);
    expect(put.body).toEqual({
      error: { code: 'forbidden', message: 'You do not have permission to reassign records in this organization.' },
    });
    expect((await api(viewer, 'DELETE', '/api/v1/records/invoice/v-1')).status).toBe(403);
    expect(await RecordAssignment.count({ where: { entityId: 'v-1' } })).toBe(0);

    await makeUser({ username: 'norole', orgs: { acme: [] } });
    const bare = await newKey(ana, 'norole', 'acme');
    expect((await api(bare, 'GET', '/api/v1/users')).status).toBe(403);
    expect((await api(bare, 'GET', `/api/v1/users/${ana.id}`)).status).toBe(403);
  });

  test('records: PUT registers (201), re-PUT is a no-op (200), another owner moves it, DELETE forgets it (204, then 404)', async () => {
    const key = await newKey(ana, 'ana', 'acme');
    const audits = await AuditEvent.count({ where: { action: 'record_register' } });
    const created = await api(key, 'PUT', '/api/v1/records/Invoice/INV%2F2026-1', { owner: 'member01' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      record: {
        entity: 'invoice',
        id: 'INV/2026-1',
        owner: { id: expect.any(Number), username: 'member01' },
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      },
      changed: true,
    });
    const again = await api(key, 'PUT', '/api/v1/records/invoice/INV%2F2026-1', { owner: 'member01@example.com' });
    expect([again.status, again.body.changed]).toEqual([200, false]);
    expect(await AuditEvent.count({ where: { action: 'record_register' } })).toBe(audits + 1);
    const member02 = await User.findOne({ where: { username: 'member02' } });
    const moved = await api(key, 'PUT', '/api/v1/records/invoice/INV%2F2026-1', { owner: member02!.id });
    expect([moved.status, moved.body.changed, (moved.body.record as { owner: { username: string } }).owner.username]).toEqual([
      200,
      true,
      'member02',
    ]);
    expect(await RecordAssignment.count({ where: { entityId: 'INV/2026-1' } })).toBe(1);
    // An owner outside the key's organization is not found, whether they exist or not.
    expect((await api(key, 'PUT', '/api/v1/records/invoice/x', { owner: 'zed' })).status).toBe(404);
    expect((await api(key, 'PUT', '/api/v1/records/invoice/x', { owner: 'nobody' })).status).toBe(404);

    expect((await api(key, 'DELETE', '/api/v1/records/INVOICE/INV%2F2026-1')).status).toBe(204);
    const twice = await api(key, 'DELETE', '/api/v1/records/invoice/INV%2F2026-1');
    expect(twice.status).toBe(404);
    expect(twice.body).toMatchObject({ error: { code: 'not_found' } });
    expect(await AuditEvent.count({ where: { action: 'record_unregister' } })).toBe(1);
  });

  test('records are per organization: globex cannot see or remove an acme registration', async () => {
    const acmeKey = await newKey(ana, 'ana', 'acme');
    const globexKey = await newKey(zed, 'zed', 'globex');
    expect((await api(acmeKey, 'PUT', '/api/v1/records/ticket/7', { owner: 'mia' })).status).toBe(201);
    expect((await api(globexKey, 'DELETE', '/api/v1/records/ticket/7')).status).toBe(404);
    // The same entity and id in globex is a different record.
    expect((await api(globexKey, 'PUT', '/api/v1/records/ticket/7', { owner: 'mia' })).status).toBe(201);
    expect(await RecordAssignment.count({ where: { entity: 'ticket', entityId: '7' } })).toBe(2);
  });

  test('lastUsedAt is written on first use and then at most once a minute', async () => {
    const key = await newKey(ana, 'vic', 'acme');
    const row = () => ApiKey.findOne({ where: { keyHash: sha256Hex(key) } });
    expect((await row())!.lastUsedAt).toBeNull();
    await api(key, 'GET', '/api/v1/users');
    expect((await row())!.lastUsedAt?.toISOString()).toBe(env.clock.now.toISOString());
    const writes = () => keyQueries.filter((q) => /^UPDATE/i.test(q.trim())).length;
    const before = writes();
    env.clock.now = new Date(env.clock.now.getTime() + 30_000);
    for (let i = 0; i < 5; i++) await api(key, 'GET', '/api/v1/users');
    expect(writes()).toBe(before);
    env.clock.now = new Date(env.clock.now.getTime() + 31_000);
    await api(key, 'GET', '/api/v1/users');
    expect(writes()).toBe(before + 1);
    expect((await row())!.lastUsedAt?.toISOString()).toBe(env.clock.now.toISOString());
  });

  test('a user carries lockedUntil (a temporary lock’s end, else null) and lastLoginAt (ISO, or null for never); the locked view holds both kinds of lock', async () => {
    const key = await newKey(ana, 'ana', 'acme');
    const until = new Date('2026-11-02T10:42:00.000Z');
    const seen = new Date('2026-10-30T08:15:00.000Z');
    const tmp = await makeUser({
      username: 'tmplock',
      authStatus: 'locked',
      failedLoginCount: 10,
      lockedUntil: until,
      lastLoginAt: seen,
      orgs: { acme: [] },
    });
    const one = await api(key, 'GET', `/api/v1/users/${tmp.id}`);
    expect(one.body.user).toMatchObject({
      authStatus: 'locked',
      canLogIn: false,
      lockedAt: '2026-11-01T08:00:00.000Z',
      lockedUntil: '2026-11-02T10:42:00.000Z',
      lastLoginAt: '2026-10-30T08:15:00.000Z',
    });
    const never = await api(key, 'GET', `/api/v1/users/${vic.id}`);
    expect(never.body.user).toMatchObject({ lockedUntil: null, lastLoginAt: null });
    const locked = await api(key, 'GET', '/api/v1/users?view=locked');
    const rows = locked.body.users as Array<{ username: string; lockedUntil: string | null }>;
    expect(rows.map((u) => [u.username, u.lockedUntil])).toEqual([
      ['lou', null],
      ['tmplock', '2026-11-02T10:42:00.000Z'],
    ]);
    await tmp.destroy();
  });

  test('no key and no key hash in any answer, log line, audit row, table or mail', async () => {
    expect(issued.length).toBeGreaterThan(10);
    expect(answers.length).toBeGreaterThan(50);
    const hashes = issued.map((k) => sha256Hex(k));
    const world = await worldState();
    const { apiKeys, ...rest } = world;
    expect(apiKeys.length).toBeGreaterThan(0);
    const outboxDir = join(env.db.dir, 'outbox');
    const eml = existsSync(outboxDir) ? readdirSync(outboxDir).map((f) => readFileSync(join(outboxDir, f), 'utf8')) : [];
    const places: Array<[string, string]> = [
      ['answers', JSON.stringify(answers.map((a) => [a.body, [...a.headers.entries()]]))],
      ['logs', env.logs.join('\n')],
      ['audit', JSON.stringify(await AuditEvent.findAll({ raw: true }))],
      ['tables', JSON.stringify(rest)],
      ['mail', JSON.stringify(await MailMessage.findAll({ raw: true })) + eml.join('\n')],
    ];
    expect(env.logs.length).toBeGreaterThan(0);
    for (const [where, text] of places) {
      for (const k of issued) {
        // The whole key, and its random part alone (a redactor keyed on the prefix would miss that).
        expect([where, text.includes(k), text.includes(k.slice(4, 40))]).toEqual([where, false, false]);
      }
      for (const h of hashes) expect([where, text.includes(h)]).toEqual([where, false]);
    }
  });
});
