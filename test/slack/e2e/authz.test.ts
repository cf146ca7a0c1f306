import { generateApiKey } from '../../../src/services/api-keys';
import { AuditEvent, MailMessage, ResetToken, User } from '../../../src/store/models';
import { DIALECTS } from '../../support/db';
import { actorFor, snapshot } from '../../support/fixtures';
import { modalShowing, openBulkResetForm, slackTestEnv, textOf, type SlackTestEnv } from '../../support/slack-env';

const ANA = 'U0ANA0001'; // administrator of acme
const SEC = 'U0SEC0001'; // security of acme
const HLP = 'U0HLP0001'; // helpdesk of acme

/**
 * Issue 14 through real HTTP with signed Slack requests: account actions need the permission in
 * every organization of the target and never reach upward; nobody outside your organizations is
 * distinguishable from nobody at all.
 */
describe.each(DIALECTS)('authorization end to end on %s', (dialect) => {
  let env: SlackTestEnv;
  let ana: User;

  beforeAll(async () => {
    env = await slackTestEnv(dialect);
    ana = await env.person(ANA, { username: 'ana', orgs: { acme: ['administrator'] } });
    await env.person(SEC, { username: 'sec', orgs: { acme: ['security'] } });
    await env.person(HLP, { username: 'hlp', orgs: { acme: ['helpdesk'] } });
    await env.person('U0BOB0001', { username: 'bob', orgs: { acme: [] } });
    // A member of acme who administers beta, where ana has no role.
    await env.person('U0DUA0001', { username: 'dual', orgs: { acme: ['viewer'], beta: ['administrator'] } });
    // Only in beta: ana must not learn that zed exists.
    await env.person('U0ZED0001', { username: 'zed', orgs: { beta: [] } });
  });
  afterAll(async () => env.close());

  /** Row, audit count, outbox count and reset tokens: what a refusal must leave as it was. */
  async function state(username: string) {
    const u = (await User.findOne({ where: { username } }))!;
    return {
      row: await snapshot(u.id),
      audit: await AuditEvent.count(),
      outbox: await MailMessage.count(),
      tokens: await ResetToken.count(),
    };
  }

  const modalWith = (userId: string, text: string) => modalShowing(env.standIn, userId, text);

  test('an administrator of acme may not change the password of someone who also administers beta', async () => {
    const before = await state('dual');
    await env.driver.command(ANA, 'change-password dual');
    const refused = await modalWith(ANA, 'change passwords for dual');
    const text = JSON.stringify(refused.view);
    expect(text).toContain('You do not have permission to change passwords for dual: it is needed in every organization they belong to.');
    expect(text).not.toContain('beta');
    expect(text).not.toContain('Set a new password');
    // The card offers no account action either, though dual is only a viewer in acme: only the roles
    // of dual's acme membership, which ana administers (issue 20).
    const card = await env.run(ANA, 'show dual');
    expect(env.driver.buttons(card.reply).map((b) => b.text)).toEqual(['Roles…']);
    expect(await state('dual')).toEqual(before);
  });

  test('the card of someone also in beta names acme only, to an administrator of acme', async () => {
    const card = await env.run(ANA, 'show dual');
    const text = textOf(card.reply);
    expect(text).toContain('dual');
    expect(text).toContain('acme');
    expect(text).not.toMatch(/beta/i);
  });

  test('helpdesk may not reset an administrator’s password: refused, and nothing changes', async () => {
    const before = await state('ana');
    const r = await env.run(HLP, 'reset-password ana');
    expect(textOf(r.reply)).toContain(
      'You may not reset passwords for ana: they hold a higher role than yours in one of their organizations.',
    );
    expect(await state('ana')).toEqual(before);
    // … while a plain member is reset as before.
    expect(textOf((await env.run(HLP, 'reset-password bob')).reply)).toContain('bob: reset link sent');
  });

  test('the bulk preview lists a higher-role user as skipped, with the reason, and outsiders as “not found”', async () => {
    const form = await openBulkResetForm(env.driver, env.standIn, SEC);
    const before = await state('ana');
    await env.driver.submitView(SEC, form, {
      pasted: { value: { type: 'plain_text_input', value: 'ana\nzed\nghost\nsec' } },
      reason: { value: { type: 'plain_text_input', value: 'rank check' } },
    });
    const preview = await modalWith(SEC, 'will have to choose a new password');
    const text = JSON.stringify(preview.view);
    expect(text).toContain('*0 users* will have to choose a new password.');
    expect(text).toContain('Skipped, they hold a higher role than yours (1): ana');
    expect(text).toContain('Not found (2): zed, ghost');
    expect(text).not.toMatch(/outside/i);
    // Nobody to reset: no confirm button, and nothing changed.
    expect((preview.view as { submit?: unknown }).submit ?? null).toBeNull();
    expect(await state('ana')).toEqual(before);
  });

  /** What a person reads (Slack's generated block ids aside). */
  const said = (m: { text?: string; blocks?: unknown[] }) => textOf(m).replace(/"block_id":"[^"]*"/g, '');

  test('show: somebody outside your organizations and somebody who does not exist read the same, word for word', async () => {
    const outside = await env.run(ANA, 'show zed');
    const missing = await env.run(ANA, 'show zzz');
    expect(textOf(outside.reply)).toContain('No user matches “zed” in your organizations.');
    expect(said(outside.reply).replaceAll('zed', 'zzz')).toBe(said(missing.reply));
    const findOutside = await env.run(ANA, 'find zed');
    const findMissing = await env.run(ANA, 'find zzz');
    expect(said(findOutside.reply).replaceAll('zed', 'zzz')).toBe(said(findMissing.reply));
    const disOutside = await env.run(ANA, 'disable zed');
    const disMissing = await env.run(ANA, 'disable zzz');
    expect(said(disOutside.reply).replaceAll('zed', 'zzz')).toBe(said(disMissing.reply));
  });

  test('REST API: 404 with the same body for a user elsewhere and for no user', async () => {
    const issued = await generateApiKey(env.rt, actorFor(ana), { ref: 'ana', organization: 'acme' });
    if (!issued.ok || issued.step !== 'issued') throw new Error('no key');
    const zed = (await User.findOne({ where: { username: 'zed' } }))!;
    const get = async (id: number) => {
      const res = await fetch(`${env.server.url}/api/v1/users/${id}`, { headers: { authorization: `Bearer ${issued.issued.key}` } });
      return { status: res.status, body: await res.text() };
    };
    const elsewhere = await get(zed.id);
    const nobody = await get(999_999);
    expect(elsewhere.status).toBe(404);
    expect(elsewhere).toEqual(nobody);
    expect(JSON.parse(elsewhere.body)).toEqual({ error: { code: 'not_found', message: 'No user with this id in your organizations.' } });
  });
});
