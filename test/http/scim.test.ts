import { SYSTEM_ACTOR } from '../../src/services/context';
import { createScimToken, revokeScimToken } from '../../src/services/scim-tokens';
import { AuditEvent, Membership, RecordAssignment, User } from '../../src/store/models';
import { DIALECTS } from '../support/db';
import { makeUser, org, snapshot } from '../support/fixtures';
import { httpTestEnv, type HttpTestEnv } from '../support/http-server';
import { linksIn, startSmtpCapture, type SmtpCapture } from '../support/smtp';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

type Body = Record<string, unknown>;

describe.each(DIALECTS)('SCIM 2.0 on %s', (dialect) => {
  let env: HttpTestEnv;
  let smtp: SmtpCapture;
  let acme: string;
  let beta: string;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    env = await httpTestEnv(dialect, { SMTP_URL: smtp.url });
    for (const [name, orgs] of [
      ['ann', { acme: ['administrator'] }],
      ['bob', { acme: ['viewer'] }],
      ['both', { acme: [], beta: [] }],
      ['betty', { beta: ['administrator'] }],
      ['rec', { acme: [] }],
    ] as const) {
      ids[name] = (await makeUser({ username: name, orgs: orgs as never })).id;
    }
    const acmeOrg = await org('acme');
    await RecordAssignment.create({ organizationId: acmeOrg.id, entity: 'invoice', entityId: '7', userId: ids.rec });
    const a = await createScimToken(env.rt, SYSTEM_ACTOR, { org: 'acme', name: 'Okta' });
    const b = await createScimToken(env.rt, SYSTEM_ACTOR, { org: 'beta', name: 'Entra' });
    if (!a.ok || !b.ok) throw new Error('token');
    acme = a.token;
    beta = b.token;
  });
  afterAll(async () => {
    await env.close();
    await smtp.stop();
  });

  const call = async (method: string, path: string, opts: { token?: string | null; body?: unknown; type?: string } = {}) => {
    const headers: Record<string, string> = {};
    const token = opts.token === undefined ? acme : opts.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (opts.body !== undefined) headers['content-type'] = opts.type ?? 'application/scim+json';
    const res = await fetch(`${env.server.url}/scim/v2${path}`, {
      method,
      headers,
      body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
    });
    const text = await res.text();
    return {
      status: res.status,
      type: res.headers.get('content-type') ?? '',
      body: (text ? JSON.parse(text) : {}) as Body,
      headers: res.headers,
    };
  };
  const patch = (path: string, Operations: unknown[], token?: string) =>
    call('PATCH', path, { token, body: { schemas: [PATCH], Operations } });
  const expectError = (r: { status: number; body: Body; type: string }, status: number, scimType?: string) => {
    expect(r.type).toMatch(/^application\/scim\+json/);
    expect(r.body.schemas).toEqual([ERROR]);
    expect([r.status, r.body.status, r.body.scimType]).toEqual([status, String(status), scimType]);
    expect(typeof r.body.detail).toBe('string');
  };
  const list = (r: { body: Body }) => r.body.Resources as Body[];

  test('401 without, with a wrong, and with a revoked token; discovery is truthful', async () => {
    expectError(await call('GET', '/Users', { token: null }), 401);
    expectError(await call('GET', '/Users', { token: 'uoscim_' + 'x'.repeat(43) }), 401);
    expectError(await call('GET', '/Users', { token: 'uok_nonsense' }), 401);
    const made = await createScimToken(env.rt, SYSTEM_ACTOR, { org: 'acme', name: 'short-lived' });
    if (!made.ok) throw new Error('token');
    expect(made.token).toMatch(/^uoscim_/);
    expect((await call('GET', '/Users', { token: made.token })).status).toBe(200);
    expect((await revokeScimToken(env.rt, SYSTEM_ACTOR, { id: String(made.info.id) })).ok).toBe(true);
    expectError(await call('GET', '/Users', { token: made.token }), 401);
    expect(await AuditEvent.count({ where: { action: 'scim_token_revoke' } })).toBe(1);

    const spc = await call('GET', '/ServiceProviderConfig');
    expect(spc.type).toMatch(/^application\/scim\+json/);
    expect(spc.body).toMatchObject({
      patch: { supported: true },
      bulk: { supported: false },
      filter: { supported: true, maxResults: 1000 },
      changePassword: { supported: false },
      sort: { supported: false },
      etag: { supported: false },
    });
    expect(list(await call('GET', '/ResourceTypes')).map((r) => r.id)).toEqual(['User', 'Group']);
    expect(list(await call('GET', '/Schemas')).map((r) => r.id)).toEqual([USER, 'urn:ietf:params:scim:schemas:core:2.0:Group']);
    expect((await call('GET', `/Schemas/${USER}`)).status).toBe(200);
    expectError(await call('GET', '/Nope'), 404);
  });

  test('Okta-style sequence: filter → create → deactivate → reactivate → PUT → delete', async () => {
    const none = await call('GET', `/Users?filter=${encodeURIComponent('userName eq "Jane.Doe@Acme.example"')}&startIndex=1&count=100`);
    expect(none.body).toMatchObject({ totalResults: 0, Resources: [] });
    const created = await call('POST', '/Users', {
      body: {
        schemas: [USER],
        userName: 'Jane.Doe@Acme.example',
        name: { givenName: 'Jane', familyName: 'Doe' },
        emails: [{ primary: true, value: 'jane.doe@acme.example', type: 'work' }],
        displayName: 'Jane Doe',
        locale: 'en-US',
        externalId: '00u1okta',
        active: true,
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.headers.get('location')).toBe(`http://127.0.0.1:9/scim/v2/Users/${id}`);
    expect(created.body).toMatchObject({
      userName: 'jane.doe@acme.example',
      active: true,
      externalId: '00u1okta',
      name: { givenName: 'Jane' },
    });
    // No password: a set-password link by mail, through the outbox.
    const mails = await smtp.waitFor((m) => m.some((x) => x.to.includes('jane.doe@acme.example')));
    expect(linksIn(mails.find((x) => x.to.includes('jane.doe@acme.example'))!)[0]).toMatch(/\/password\/reset\//);
    const audit = await AuditEvent.findOne({ where: { action: 'scim_create', targetUserId: Number(id) } });
    expect(audit?.actorLabel).toMatch(/^scim: Okta/);

    // Case-insensitive userName, and the REST/Slack lookups still find a username with @.
    const found = await call('GET', `/Users?filter=${encodeURIComponent('userName eq "JANE.DOE@acme.EXAMPLE"')}`);
    expect([found.body.totalResults, list(found)[0].id]).toEqual([1, id]);

    const off = await patch(`/Users/${id}`, [{ op: 'replace', value: { active: false } }]);
    expect([off.status, off.body.active]).toEqual([200, false]);
    expect((await User.findByPk(Number(id)))?.enabled).toBe(false);
    expect(await AuditEvent.findOne({ where: { action: 'disable', targetUserId: Number(id) } })).not.toBeNull();
    const on = await patch(`/Users/${id}`, [{ op: 'replace', path: 'active', value: true }]);
    expect([on.status, on.body.active]).toEqual([200, true]);

    const put = await call('PUT', `/Users/${id}`, {
      body: {
        schemas: [USER],
        id,
        userName: 'jane.doe@acme.example',
        name: { givenName: 'Janet', familyName: 'Doe' },
        emails: [{ value: 'jane.doe@acme.example', primary: true }],
        title: 'CFO',
        active: true,
      },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: { givenName: 'Janet' }, title: 'CFO' });
    expect(put.body.externalId).toBeUndefined();
    expect(await AuditEvent.findOne({ where: { action: 'scim_update', targetUserId: Number(id) } })).not.toBeNull();

    expect((await call('DELETE', `/Users/${id}`)).status).toBe(204);
    expectError(await call('GET', `/Users/${id}`), 404);
    expect(await User.findByPk(Number(id))).toBeNull();
  });

  test('Entra-style sequence: capitalised ops, emails[type eq "work"].value, active "False"', async () => {
    const created = await call('POST', '/Users', {
      token: beta,
      body: {
        schemas: [USER, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
        externalId: 'entra-42',
        userName: 'Kim@Beta.example',
        active: true,
        password: 'Ocean-Violet-Ladder-91',
        emails: [{ type: 'work', value: 'kim@beta.example', primary: true }],
        name: { givenName: 'Kim', familyName: 'Lee' },
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Ops' },
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const byExt = await call('GET', `/Users?filter=${encodeURIComponent('externalId eq "entra-42"')}`, { token: beta });
    expect(list(byExt).map((r) => r.id)).toEqual([id]);
    // Password set at create: the person can log in at once.
    expect((await env.json('POST', '/api/v1/auth/login', { login: 'kim@beta.example', password: 'Ocean-Violet-Ladder-91' })).status).toBe(
      200,
    );

    const r = await patch(
      `/Users/${id}`,
      [
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'kim.lee@beta.example' },
        { op: 'Replace', path: 'name.familyName', value: 'Lee-Park' },
        { op: 'Add', path: 'title', value: 'Engineer' },
        { op: 'Replace', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', value: 'Eng' },
      ],
      beta,
    );
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ emails: [{ value: 'kim.lee@beta.example' }], name: { familyName: 'Lee-Park' }, title: 'Engineer' });
    const off = await patch(`/Users/${id}`, [{ op: 'Replace', path: 'active', value: 'False' }], beta);
    expect([off.status, off.body.active]).toEqual([200, false]);
    const mixed = await call('GET', `/Users?filter=${encodeURIComponent('emails.value eq "KIM.LEE@beta.example" and active eq false')}`, {
      token: beta,
    });
    expect(list(mixed).map((x) => x.id)).toEqual([id]);
    const or = await call('GET', `/Users?filter=${encodeURIComponent('userName sw "kim" or externalId eq "nope"')}&attributes=userName`, {
      token: beta,
    });
    expect(list(or)).toEqual([{ schemas: [USER], id, userName: 'kim@beta.example' }]);
    const excl = await call('GET', `/Users/${id}?excludedAttributes=emails,name.givenName`, { token: beta });
    expect(excl.body.emails).toBeUndefined();
    expect(excl.body.name).toEqual({ familyName: 'Lee-Park', formatted: 'Kim Lee-Park' });
    const remove = await patch(`/Users/${id}`, [{ op: 'Remove', path: 'title' }], beta);
    expect(remove.body.title).toBeUndefined();
  });

  test('filters compile to SQL: every supported attribute and operator', async () => {
    const ask = async (f: string) => {
      const r = await call('GET', `/Users?filter=${encodeURIComponent(f)}&count=100`);
      expect([f, r.status]).toEqual([f, 200]);
      return list(r)
        .map((x) => x.userName as string)
        .sort();
    };
    expect(await ask('userName co "o"')).toEqual(['bob', 'both']);
    expect(await ask('userName sw "B" and not (userName ew "th")')).toEqual(['bob']);
    expect(await ask('userName ne "bob" and userName sw "b"')).toEqual(['both']);
    expect(await ask('name.givenName eq "ANN"')).toEqual(['ann']);
    expect(await ask(`id eq "${ids.rec}"`)).toEqual(['rec']);
    expect(await ask('id eq "nope"')).toEqual([]);
    expect(await ask('emails[type eq "work" and value eq "ann@example.com"]')).toEqual(['ann']);
    expect(await ask('emails[type eq "home"]')).toEqual([]);
    expect(await ask('title pr')).toEqual([]);
    expect(await ask('externalId pr')).toEqual([]);
    expect(await ask('meta.lastModified gt "2000-01-01T00:00:00Z" and userName eq "ann"')).toEqual(['ann']);
    expect(await ask('meta.created lt "2000-01-01T00:00:00Z"')).toEqual([]);
    expect(await ask('userName eq "100%_!"')).toEqual([]);
    expect(await ask('userName co "%"')).toEqual([]);
  });

  test('paging with startIndex and count', async () => {
    const first = await call('GET', '/Users?startIndex=1&count=2');
    const second = await call('GET', '/Users?startIndex=3&count=2');
    expect(first.body).toMatchObject({ startIndex: 1, itemsPerPage: 2 });
    expect(second.body).toMatchObject({ startIndex: 3 });
    const seen = [...list(first), ...list(second)].map((r) => r.id);
    expect(new Set(seen).size).toBe(seen.length);
    expect(first.body.totalResults).toBe(4); // ann, bob, both, rec
    expect((await call('GET', '/Users?count=0')).body).toMatchObject({ totalResults: 4, Resources: [] });
    expectError(await call('GET', '/Users?count=lots'), 400, 'invalidValue');
  });

  test('groups: the roles of the organization; PATCH members grants and revokes; never the last administrator', async () => {
    const groups = await call('GET', '/Groups?excludedAttributes=members');
    expect(list(groups).map((g) => g.id)).toEqual(['administrator', 'security', 'helpdesk', 'viewer']);
    expect(list(groups)[0].members).toBeUndefined();
    const viewer = await call('GET', `/Groups?filter=${encodeURIComponent('displayName eq "viewer"')}`);
    expect(list(viewer).map((g) => g.id)).toEqual(['viewer']);
    const add = await patch('/Groups/security', [{ op: 'Add', path: 'members', value: [{ value: String(ids.bob) }] }]);
    expect(add.status).toBe(200);
    expect((add.body.members as Body[]).map((m) => m.value)).toEqual([String(ids.bob)]);
    const m = await Membership.findOne({ where: { userId: ids.bob, organizationId: (await org('acme')).id } });
    expect(m?.roles.split(';').sort()).toEqual(['security', 'viewer']);
    expect(await AuditEvent.findOne({ where: { action: 'role_granted', targetUserId: ids.bob } })).not.toBeNull();
    const rm = await patch('/Groups/security', [{ op: 'remove', path: `members[value eq "${ids.bob}"]` }]);
    expect(rm.body.members).toEqual([]);
    // Entra's form: Add then Remove with the members as the value.
    await patch('/Groups/helpdesk', [{ op: 'Add', path: 'members', value: [{ value: String(ids.bob) }, { value: String(ids.rec) }] }]);
    const entra = await patch('/Groups/helpdesk', [{ op: 'Remove', path: 'members', value: [{ value: String(ids.bob) }] }]);
    expect((entra.body.members as Body[]).map((m) => m.value)).toEqual([String(ids.rec)]);
    expect(await AuditEvent.count({ where: { action: 'role_revoked', targetUserId: ids.bob } })).toBe(2);
    // A non-member (beta's betty) cannot be added: not found, as if she did not exist.
    expectError(
      await patch('/Groups/viewer', [{ op: 'add', path: 'members', value: [{ value: String(ids.betty) }] }]),
      404,
      'invalidValue',
    );
    const last = await patch('/Groups/administrator', [{ op: 'remove', path: `members[value eq "${ids.ann}"]` }]);
    expectError(last, 409);
    expect(last.body.detail).toMatch(/last administrator/);
    expectError(await patch('/Groups/administrator', [{ op: 'replace', path: 'displayName', value: 'boss' }]), 400, 'mutability');
    expectError(await call('GET', '/Groups/owners'), 404);
    expectError(await call('POST', '/Groups', { body: { displayName: 'x' } }), 405, 'mutability');
  });

  test('cross-organization isolation: a token never sees or changes a non-member', async () => {
    const all = list(await call('GET', '/Users?count=100', { token: beta })).map((r) => r.userName);
    expect(all).not.toContain('ann');
    const missing = await call('GET', '/Users/999999', { token: beta });
    const other = await call('GET', `/Users/${ids.ann}`, { token: beta });
    expectError(other, 404);
    expect(other.body.detail).toBe(String(missing.body.detail).replace('999999', String(ids.ann)));
    const before = await snapshot(ids.ann);
    expectError(await patch(`/Users/${ids.ann}`, [{ op: 'replace', path: 'active', value: false }], beta), 404);
    expectError(await call('DELETE', `/Users/${ids.ann}`, { token: beta }), 404);
    expect(await snapshot(ids.ann)).toEqual(before);
    const byName = await call('GET', `/Users?filter=${encodeURIComponent('userName eq "ann"')}`, { token: beta });
    expect(byName.body.totalResults).toBe(0);
    // A user in acme and beta: acme's token may not disable the account (it is beta's too)…
    const shared = await patch(`/Users/${ids.both}`, [{ op: 'replace', path: 'active', value: false }]);
    expectError(shared, 403);
    expect(shared.body.detail).toMatch(/every organization they belong to/);
    expect((await User.findByPk(ids.both))?.enabled).toBe(true);
    // …and its delete removes only acme's membership.
    expect((await call('DELETE', `/Users/${ids.both}`)).status).toBe(204);
    expect(await User.findByPk(ids.both)).not.toBeNull();
    expect((await Membership.findAll({ where: { userId: ids.both } })).length).toBe(1);
    expect((await call('GET', `/Users/${ids.both}`, { token: beta })).status).toBe(200);
    expectError(await call('GET', `/Users/${ids.both}`), 404);
  });

  test('every error type, with nothing changed', async () => {
    expectError(await call('GET', `/Users?filter=${encodeURIComponent('userName eq')}`), 400, 'invalidFilter');
    expectError(await call('GET', `/Users?filter=${encodeURIComponent('nickName eq "x"')}`), 400, 'invalidFilter');
    expectError(await call('GET', `/Users?filter=${encodeURIComponent('active eq "yes"')}`), 400, 'invalidFilter');
    expectError(await call('POST', '/Users', { body: '{"userName": ' }), 400, 'invalidSyntax');
    expectError(await call('POST', '/Users', { body: '[1,2]' }), 400, 'invalidSyntax');
    expectError(await call('POST', '/Users', { body: { userName: 'x' }, type: 'text/plain' }), 415, 'invalidSyntax');
    expectError(await call('PATCH', `/Users/${ids.bob}`, { body: { Operations: [] } }), 400, 'invalidSyntax');
    expectError(await patch(`/Users/${ids.bob}`, [{ op: 'jump', path: 'active' }]), 400, 'invalidSyntax');
    expectError(
      await call('POST', '/Users', { body: { schemas: [USER], userName: 'BOB', emails: [{ value: 'new@x.example' }] } }),
      409,
      'uniqueness',
    );
    expectError(
      await call('POST', '/Users', { body: { schemas: [USER], userName: 'betty', emails: [{ value: 'b2@x.example' }] } }),
      409,
      'uniqueness',
    );
    const before = await snapshot(ids.bob);
    expectError(await patch(`/Users/${ids.bob}`, [{ op: 'replace', path: 'id', value: '1' }]), 400, 'mutability');
    expectError(await patch(`/Users/${ids.bob}`, [{ op: 'replace', path: 'active', value: 'maybe' }]), 400, 'invalidValue');
    expectError(await patch(`/Users/${ids.bob}`, [{ op: 'remove' }]), 400, 'noTarget');
    expectError(await call('POST', '/Users', { body: { schemas: [USER], userName: 'no email' } }), 400, 'invalidValue');
    expectError(
      await call('POST', '/Users', {
        body: { schemas: [USER], userName: 'weak', emails: [{ value: 'weak@x.example' }], password: 'short' },
      }),
      400,
      'invalidValue',
    );
    expect(await snapshot(ids.bob)).toEqual(before);
    expectError(await call('GET', '/Users/abc'), 404);
    const held = await call('DELETE', `/Users/${ids.rec}`);
    expectError(held, 409);
    expect(held.body.detail).toMatch(/owns 1 record/);
    expect(await User.findByPk(ids.rec)).not.toBeNull();
    const big = await call('POST', '/Users', { body: JSON.stringify({ userName: 'big', pad: 'x'.repeat(1_100_000) }) });
    expectError(big, 413);
    expect(await User.count({ where: { username: 'big' } })).toBe(0);
  });
});
