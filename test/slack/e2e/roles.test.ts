import { AuditEvent, Membership, Organization, User } from '../../../src/store/models';
import { DIALECTS } from '../../support/db';
import { snapshot } from '../../support/fixtures';
import { worldState } from '../../support/state';
import { modalShowing, slackTestEnv, textOf, type SlackTestEnv } from '../../support/slack-env';

const ANA = 'U0ANA0001'; // administrator of acme and beta
const HLP = 'U0HLP0001'; // helpdesk of acme
const BOB = 'U0BOB0001'; // viewer of acme

/** Issue 20 §1–2 through signed Slack requests: typed grant/revoke/add/remove and the card's "Roles…" modal. */
describe.each(DIALECTS)('roles and memberships from Slack on %s', (dialect) => {
  let env: SlackTestEnv;

  beforeAll(async () => {
    env = await slackTestEnv(dialect);
    await env.person(ANA, { username: 'ana', orgs: { acme: ['administrator'], beta: ['administrator'] } });
    await env.person(HLP, { username: 'hlp', orgs: { acme: ['helpdesk'] } });
    await env.person(BOB, { username: 'bob', orgs: { acme: ['viewer'] } });
    await env.person('U0ZED0001', { username: 'zed', orgs: { gamma: [] } });
  });
  afterAll(async () => env.close());

  async function roles(username: string, slug: string): Promise<string | null> {
    const u = await User.findOne({ where: { username } });
    const o = await Organization.findOne({ where: { slug } });
    const m = u && o ? await Membership.findOne({ where: { userId: u.id, organizationId: o.id } }) : null;
    return m ? m.roles : null;
  }

  const say = async (who: string, text: string) => textOf((await env.run(who, text)).reply);
  /** The words of a reply (the stand-in gives blocks ids of its own). */
  const words = async (who: string, text: string) => (await env.run(who, text)).reply.text ?? '';

  test('grant and revoke, typed (with or without “in”, by mention); audited', async () => {
    expect(await say(ANA, 'grant <@U0BOB0001|bob> security in acme')).toContain('✅ bob now has security, viewer in acme.');
    expect(await roles('bob', 'acme')).toBe('security;viewer');
    expect(await say(ANA, 'revoke bob viewer acme')).toContain('✅ bob now has security in acme.');
    expect(await say(ANA, 'revoke bob viewer in acme')).toContain('bob does not have viewer in acme.');
    const bob = (await User.findOne({ where: { username: 'bob' } }))!;
    const audit = await AuditEvent.findAll({ where: { targetUserId: bob.id }, order: [['id', 'ASC']] });
    expect(audit.map((a) => a.action)).toEqual(['role_granted', 'role_revoked']);
  });

  test('add and remove, typed; the last membership is refused with “delete the user instead”', async () => {
    expect(await say(ANA, 'add bob to beta as viewer')).toContain('✅ bob is now a member of beta (viewer).');
    expect(await roles('bob', 'beta')).toBe('viewer');
    expect(await say(ANA, 'remove bob from beta')).toContain('✅ bob was removed from beta.');
    expect(await roles('bob', 'beta')).toBeNull();
    const before = await worldState();
    expect(await say(ANA, 'remove bob from acme')).toContain('delete the user instead');
    expect(await worldState()).toEqual(before);
  });

  test('refusals change nothing and never tell an outsider from nobody', async () => {
    const before = await worldState();
    const zed = await words(ANA, 'add zed to acme');
    const ghost = await words(ANA, 'add ghost to acme');
    expect(zed).toContain('No user matches “zed” in your organizations.');
    expect(zed.replace(/zed/g, 'X')).toBe(ghost.replace(/ghost/g, 'X'));
    expect(zed).not.toContain('gamma');
    expect(await say(HLP, 'grant bob viewer in acme')).toContain(
      'You are not an administrator of “acme”, so you cannot change roles there.',
    );
    const gamma = await words(ANA, 'grant bob viewer in gamma');
    const nowhere = await words(ANA, 'grant bob viewer in nowhere');
    expect(gamma.replace(/gamma/g, 'X')).toBe(nowhere.replace(/nowhere/g, 'X'));
    expect(await say(ANA, 'revoke ana administrator in acme')).toContain('You cannot change your own roles or memberships');
    expect(await say(ANA, 'grant bob wizard in acme')).toContain('Unknown role “wizard”');
    expect(await say(ANA, 'remove bob')).toContain('Usage: `/users remove USER from ORG`');
    expect(await say(ANA, 'grant bob in acme')).toContain('Usage: `/users grant USER ROLE in ORG`');
    expect(await worldState()).toEqual(before);
  });

  test('the card’s “Roles…” opens a modal of the memberships; saving applies the checkboxes', async () => {
    const card = await env.run(ANA, 'show bob');
    expect(env.driver.buttons(card.reply).map((b) => b.text)).toContain('Roles…');
    await env.driver.clickButton(ANA, card.reply, 'Roles…');
    const modal = await modalShowing(env.standIn, ANA, 'Roles of *bob*');
    const r = await env.driver.submitView(ANA, modal, {
      'roles_org:acme': {
        value: {
          type: 'checkboxes',
          selected_options: [
            { text: { type: 'plain_text', text: 'helpdesk' }, value: 'helpdesk' },
            { text: { type: 'plain_text', text: 'viewer' }, value: 'viewer' },
          ],
        },
      },
    });
    expect(r.status).toBe(200);
    await modalShowing(env.standIn, ANA, 'bob now has helpdesk, viewer in acme.');
    expect(await roles('bob', 'acme')).toBe('helpdesk;viewer');
    // Helpdesk sees no Roles button; nor does ana on her own card.
    expect(env.driver.buttons((await env.run(HLP, 'show bob')).reply).map((b) => b.text)).not.toContain('Roles…');
    expect(env.driver.buttons((await env.run(ANA, 'show ana')).reply).map((b) => b.text)).not.toContain('Roles…');
  });

  test('a refused change in the modal shows under its organization and changes nothing', async () => {
    const card = await env.run(ANA, 'show bob');
    await env.driver.clickButton(ANA, card.reply, 'Roles…');
    const modal = await modalShowing(env.standIn, ANA, 'Roles of *bob*');
    // ana loses her role in acme while the modal is open.
    const ana = (await User.findOne({ where: { username: 'ana' } }))!;
    const acme = (await Organization.findOne({ where: { slug: 'acme' } }))!;
    await Membership.update({ roles: 'viewer' }, { where: { userId: ana.id, organizationId: acme.id } });
    const before = await snapshot((await User.findOne({ where: { username: 'bob' } }))!.id);
    const world = await worldState();
    const r = await env.driver.submitView(ANA, modal, { 'roles_org:acme': { value: { type: 'checkboxes', selected_options: [] } } });
    expect(r.status).toBe(200);
    expect(JSON.stringify(r.body)).toContain('You are not an administrator of “acme”');
    expect(await worldState()).toEqual(world);
    expect(await snapshot((await User.findOne({ where: { username: 'bob' } }))!.id)).toEqual(before);
    await Membership.update({ roles: 'administrator' }, { where: { userId: ana.id, organizationId: acme.id } });
  });

  test('list admins and list dormant DAYS (issue 20 §5); a number after another view is refused', async () => {
    const admins = await say(ANA, 'list admins');
    expect(admins).toContain('*ana*');
    expect(admins).not.toContain('*bob*');
    expect(admins).toContain('Administrators');
    // Nobody has logged in: everyone counts from creation (just now), so nobody is dormant for 1 day yet.
    expect(await say(ANA, 'list dormant 1')).toContain('No users in *Dormant (1 day)*');
    expect(await say(ANA, 'list locked 3')).toContain('Only `dormant` takes a number');
    expect(await say(ANA, 'list dormant 0')).toContain('Only `dormant` takes a number');
  });
});
