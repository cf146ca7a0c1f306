import { generateScimToken, projectResource, readBoolean, readScimUser, SCIM_TOKEN_PATTERN } from '../../src/domain/scim';
import { parseUserFilter } from '../../src/domain/scim-filter';
import { redact } from '../../src/lib/logger';

describe('SCIM, the pure parts', () => {
  test('tokens have the prefix and pattern, and the logger redacts them', () => {
    const t = generateScimToken();
    expect(SCIM_TOKEN_PATTERN.test(t)).toBe(true);
    expect(redact(`Authorization: Bearer ${t}`)).not.toContain(t.slice(7));
  });

  test('readScimUser maps attributes case-insensitively and refuses bad values with a reason', () => {
    const r = readScimUser(
      {
        USERNAME: 'Ann@Acme.example',
        Name: { GivenName: 'Ann' },
        emails: [
          { value: 'home@x.example', type: 'home' },
          { value: 'ann@acme.example', type: 'work' },
        ],
        phoneNumbers: [{ value: '+1 555', primary: true }],
        active: 'False',
      },
      { defaultEnabled: true },
    );
    expect(r).toEqual({
      ok: true,
      password: null,
      fields: {
        username: 'ann@acme.example',
        email: 'ann@acme.example',
        firstName: 'Ann',
        lastName: '',
        phone: '+1 555',
        title: null,
        enabled: false,
        externalId: null,
      },
    });
    expect(readScimUser({ userName: 'a b', emails: [{ value: 'a@b.example' }] }, { defaultEnabled: true })).toMatchObject({
      ok: false,
      scimType: 'invalidValue',
    });
    expect(readScimUser({ userName: 'ok', emails: [{ value: 'a@b.example' }], active: 'maybe' }, { defaultEnabled: true })).toMatchObject({
      ok: false,
      detail: 'active must be true or false.',
    });
    expect(readScimUser('nope', { defaultEnabled: true })).toMatchObject({ ok: false, scimType: 'invalidSyntax' });
    expect([readBoolean('TRUE'), readBoolean(false), readBoolean('yes')]).toEqual([true, false, null]);
  });

  test('attributes and excludedAttributes keep id and schemas', () => {
    const r = { schemas: ['s'], id: '1', userName: 'a', name: { givenName: 'A', familyName: 'B' }, active: true };
    expect(projectResource(r, { attributes: 'name.familyName' })).toEqual({ schemas: ['s'], id: '1', name: { familyName: 'B' } });
    expect(projectResource(r, { excludedAttributes: 'id,active,name.givenName' })).toEqual({
      schemas: ['s'],
      id: '1',
      userName: 'a',
      name: { familyName: 'B' },
    });
  });

  test('filters: supported paths narrow; others are refused naming them', () => {
    expect(parseUserFilter('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"')).toEqual({
      ok: true,
      filter: { kind: 'cmp', attr: 'userName', op: 'eq', value: 'x' },
    });
    expect(parseUserFilter('nickName eq "x"')).toMatchObject({ ok: false, detail: expect.stringContaining('nickName') });
    expect(parseUserFilter('userName gt "x"')).toMatchObject({ ok: false, detail: expect.stringContaining('“gt”') });
    expect(parseUserFilter('meta.created gt "yesterday"')).toMatchObject({ ok: false });
    expect(parseUserFilter('phoneNumbers[value eq "1"]')).toMatchObject({ ok: false });
    expect(parseUserFilter('((')).toMatchObject({ ok: false });
  });
});
