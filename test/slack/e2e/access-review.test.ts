import { ApiKey, AuditEvent, Organization, ResetToken } from '../../../src/store/models';
import { DIALECTS } from '../../support/db';
import { worldState } from '../../support/state';
import { modalShowing, slackTestEnv, textOf, type SlackTestEnv } from '../../support/slack-env';

const ANA = 'U0ANA0001'; // administrator of acme
const SEC = 'U0SEC0001'; // security of acme
const HLP = 'U0HLP0001'; // helpdesk of acme
const ZED = 'U0ZED0001'; // administrator of gamma only
const DAY = 86_400_000;

/** Issue 20 §4 on demand: `/users review [ORG]` through signed Slack requests and the stand-in. */
describe.each(DIALECTS)('access review on demand on %s', (dialect) => {
  let env: SlackTestEnv;

  beforeAll(async () => {
    env = await slackTestEnv(dialect);
    const now = env.clock.now;
    await env.person(ANA, { username: 'ana', lastLoginAt: now, orgs: { acme: ['administrator'] } });
    await env.person(SEC, { username: 'sec', lastLoginAt: now, orgs: { acme: ['security'] } });
    await env.person(HLP, { username: 'hlp', lastLoginAt: now, orgs: { acme: ['helpdesk'] } });
    await env.person(ZED, { username: 'zed', lastLoginAt: now, orgs: { gamma: ['administrator'] } });
    // Two dormant users in acme (no login for 200 days), one in gamma; one recent login.
    await env.person('U0OLD0001', { username: 'old1', lastLoginAt: new Date(now.getTime() - 200 * DAY), orgs: { acme: [] } });
    await env.person('U0OLD0002', { username: 'old2', lastLoginAt: new Date(now.getTime() - 120 * DAY), orgs: { acme: ['viewer'] } });
    await env.person('U0OLD0003', { username: 'oldg', lastLoginAt: new Date(now.getTime() - 200 * DAY), orgs: { gamma: [] } });
    const keyed = await env.person('U0KEY0001', { username: 'keyed', lastLoginAt: now, orgs: { acme: ['helpdesk'] } });
    const acme = (await Organization.findOne({ where: { slug: 'acme' } }))!;
    await ApiKey.create({ userId: keyed.id, organizationId: acme.id, keyHash: 'h1', displayPrefix: 'uok_abc1' });
    const invited = await env.person('U0INV0001', { username: 'newbie', orgs: { acme: [] } });
    await ResetToken.create({ userId: invited.id, tokenHash: 'inv1', purpose: 'invite', expiresAt: new Date(now.getTime() + 7 * DAY) });
  });
  afterAll(async () => env.close());

  /** The words of a reply (the stand-in gives blocks ids of its own). */
  const words = async (who: string, text: string) => (await env.run(who, text)).reply.text ?? '';

  async function reviewInDm(who: string, text: string) {
    const dm = env.standIn.dmChannelFor(who);
    const files = env.standIn.files.length;
    const reply = await words(who, text);
    const message = await env.standIn.waitForMessage({ channel: dm, text: 'Access review of' });
    const file = await env.standIn.waitFor(() => env.standIn.files.slice(files).find((f) => f.completed), 5000, 'the review CSV');
    return { reply, message, file };
  }

  test('an administrator gets the sections, buttons and the whole CSV in the DM; audited', async () => {
    const { reply, message, file } = await reviewInDm(ANA, 'review acme');
    expect(reply).toContain('The access review of *acme* is in your direct messages');
    const text = textOf(message);
    expect(text).toContain('Administrators: 1*');
    expect(text).toContain('`ana`');
    expect(text).toContain('Security role: 1*');
    expect(text).toContain('`sec`');
    expect(text).toContain('API keys: 1*');
    expect(text).toContain('`keyed`');
    expect(text).toContain('Dormant users: 2*');
    expect(text).toContain('`old1`, `old2`');
    expect(text).not.toContain('oldg');
    expect(text).toContain('Pending invitations: 1*');
    expect(text).toContain('`newbie`');
    expect(env.driver.buttons(message).map((b) => b.text)).toEqual([
      'Reset passwords of the 1 administrator…',
      'Reset passwords of the 1 security role holder…',
      'Disable the 1 user with API keys…',
      'Disable the 2 dormant users…',
      'Disable the 1 invited user…',
    ]);
    expect(file.channelId).toBe(env.standIn.dmChannelFor(ANA));
    const csv = file.bytes.toString('utf8').trim().split('\r\n');
    expect(csv[0]).toBe('organization,section,username,name,email,last_login_at,detail');
    expect(csv.filter((l) => l.startsWith('acme,dormant,')).map((l) => l.split(',')[2])).toEqual(['old1', 'old2']);
    expect(csv.some((l) => l.startsWith('acme,api_keys,keyed,') && l.includes('uok_abc1'))).toBe(true);
    expect(csv).toHaveLength(1 + 6);
    const audit = await AuditEvent.findOne({ where: { action: 'access_review_posted' }, order: [['id', 'DESC']] });
    expect(audit?.actorLabel).toContain('ana');
    expect(JSON.parse(audit!.details!)).toMatchObject({ organization: 'acme', to: 'requester_dm', counts: { dormant: 2, invited: 1 } });
  });

  test('“Disable the 2 dormant users…” opens the bulk form preselected; the preview and the reason are still required', async () => {
    const { message } = await reviewInDm(SEC, 'review');
    await env.driver.clickButton(SEC, message, 'Disable the 2 dormant users…');
    const form = await modalShowing(env.standIn, SEC, 'Choose an action');
    const v = JSON.stringify(form.view);
    expect(v).toContain('"initial_option":{"text":{"type":"plain_text","text":"Disable"},"value":"disable"}');
    expect(v).toContain('"initial_option":{"text":{"type":"plain_text","text":"Dormant"},"value":"dormant"}');
    expect(v).toMatch(/"initial_option":\{"text":\{"type":"plain_text","text":"[^"]*\(acme\)"\},"value":"acme"\}/);
    const before = await worldState();
    // Without a reason Slack itself refuses (min_length); with one, a preview — nothing changes yet.
    const r = await env.driver.submitView(SEC, form, { reason: { value: { type: 'plain_text_input', value: 'quarterly access review' } } });
    expect(r.status).toBe(200);
    const preview = await modalShowing(env.standIn, SEC, 'Reason:');
    expect(JSON.stringify(preview.view)).toContain('old1');
    expect(JSON.stringify(preview.view)).toContain('old2');
    expect(JSON.stringify(preview.view)).not.toContain('oldg');
    expect(await worldState()).toEqual(before);
  });

  test('the API-key section pastes its usernames, re-read with the clicker’s permission', async () => {
    const { message } = await reviewInDm(ANA, 'review acme');
    await env.driver.clickButton(ANA, message, 'Disable the 1 user with API keys…');
    const form = await modalShowing(env.standIn, ANA, 'Choose an action');
    expect(JSON.stringify(form.view)).toContain('"initial_value":"keyed"');
    // Someone without the review permission clicking the same button gets no names.
    await env.driver.clickButton(HLP, message, 'Disable the 1 user with API keys…');
    const refused = await modalShowing(env.standIn, HLP, 'administrator or security role');
    expect(JSON.stringify(refused.view)).not.toContain('keyed');
    // An administrator of another organization only: the form opens with nothing preselected, never his own dormant users.
    await env.driver.clickButton(ZED, message, 'Disable the 2 dormant users…');
    const zedForm = await modalShowing(env.standIn, ZED, 'You may not run bulk actions in acme, so nothing is preselected.');
    expect(JSON.stringify(zedForm.view)).not.toContain('"initial_option":{"text":{"type":"plain_text","text":"Dormant"}');
  });

  test('refusals: helpdesk, an outsider organization reads like a nonexistent one; nothing posted', async () => {
    const messages = env.standIn.messages.length;
    const audits = await AuditEvent.count({ where: { action: 'access_review_posted' } });
    expect(await words(HLP, 'review acme')).toContain('An access review of acme takes the administrator or security role there.');
    expect(await words(HLP, 'review')).toContain('you hold neither');
    const gamma = await words(ANA, 'review gamma');
    const nowhere = await words(ANA, 'review nowhere');
    expect(gamma).toContain('No organization “gamma”.');
    expect(gamma.replace(/gamma/g, 'X')).toBe(nowhere.replace(/nowhere/g, 'X'));
    expect(await words(ANA, 'review acme beta')).toContain('Usage: `/users review');
    // Only the ephemeral replies: no DM, no file, no audit.
    expect(env.standIn.messages.slice(messages).every((m) => m.source === 'response_url')).toBe(true);
    expect(await AuditEvent.count({ where: { action: 'access_review_posted' } })).toBe(audits);
    // zed reviews gamma without naming it (his only organization); acme's people are not in it.
    const { message } = await reviewInDm(ZED, 'review');
    expect(textOf(message)).toContain('`oldg`');
    expect(textOf(message)).not.toContain('old1');
  });
});
