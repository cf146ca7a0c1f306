import { SCIM_TOKEN_PATTERN } from '../../../src/domain/scim';
import { AuditEvent, ScimToken } from '../../../src/store/models';
import { DIALECTS } from '../../support/db';
import { slackTestEnv, textOf, type SlackTestEnv } from '../../support/slack-env';

const ANA = 'U0ANA0001'; // administrator of acme
const VIC = 'U0VIC0001'; // viewer of acme

describe.each(DIALECTS)('/users scim end to end on %s', (dialect) => {
  let env: SlackTestEnv;
  beforeAll(async () => {
    env = await slackTestEnv(dialect);
    await env.person(ANA, { username: 'ana', orgs: { acme: ['administrator'] } });
    await env.person(VIC, { username: 'vic', orgs: { acme: ['viewer'], beta: ['administrator'] } });
  });
  afterAll(async () => env.close());

  const scimStatus = async (token: string) => {
    const res = await fetch(`${env.server.url}/scim/v2/Users`, { headers: { authorization: `Bearer ${token}` } });
    await res.text();
    return res.status;
  };

  test('an administrator creates a token (shown once, ephemerally, never in the text), lists and revokes it', async () => {
    const { reply } = await env.run(ANA, 'scim create acme "Okta prod"');
    const token = JSON.stringify(reply.blocks ?? []).match(/uoscim_[A-Za-z0-9_-]{43}/)?.[0];
    expect(token && SCIM_TOKEN_PATTERN.test(token)).toBe(true);
    expect([reply.ephemeral, reply.visibleTo]).toEqual([true, ANA]);
    expect(reply.text).not.toContain(token!);
    expect(textOf(reply)).toContain('/scim/v2');
    expect(await scimStatus(token!)).toBe(200);
    const audit = await AuditEvent.findOne({ where: { action: 'scim_token_create' } });
    expect(audit?.actorLabel).toContain('ana');

    const { reply: listed } = await env.run(ANA, 'scim list');
    expect(textOf(listed)).toContain('Okta prod');
    expect(textOf(listed)).not.toContain(token!.slice(13));

    const row = await ScimToken.findOne({ where: { name: 'Okta prod' } });
    const { reply: revoked } = await env.run(ANA, `scim revoke ${row!.id}`);
    expect(textOf(revoked)).toContain('revoked');
    expect(await scimStatus(token!)).toBe(401);
  });

  test('a viewer cannot make one for acme, and sees nothing of it; usage on bad input', async () => {
    const { reply } = await env.run(VIC, 'scim create acme');
    expect(textOf(reply)).toContain('No organization “acme” that you administer.');
    const { reply: listed } = await env.run(VIC, 'scim list');
    expect(textOf(listed)).not.toContain('Okta prod');
    const { reply: bad } = await env.run(VIC, 'scim frob');
    expect(textOf(bad)).toContain('scim create ORG [NAME]');
    expect(await ScimToken.count({ where: { name: 'identity provider' } })).toBe(0);
  });
});
