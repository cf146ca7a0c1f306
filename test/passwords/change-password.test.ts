import { AuditEvent, User } from '../../src/store/models';
import type { StandInView } from '../../src/standin';
import { GOOD_PASSWORD, snapshot } from '../support/fixtures';
import { slackTestEnv, textOf, type SlackTestEnv } from '../support/slack-env';

const ANA = 'U0ANA0001';
const SEC = 'U0SEC0001';

describe('change-password modal', () => {
  let env: SlackTestEnv;
  beforeAll(async () => {
    env = await slackTestEnv('sqlite', { smtp: true });
    await env.person(ANA, { username: 'ana', orgs: { acme: ['administrator'] } });
    await env.person(SEC, { username: 'sec', orgs: { acme: ['security'] } });
    await env.person('U0BOB0001', { username: 'bob', orgs: { acme: [] }, authStatus: 'password_reset' });
  });
  afterAll(async () => env.close());

  const modalWith = (userId: string, text: string) =>
    env.standIn.waitFor(
      () => {
        const v = [...env.standIn.views.values()].filter((x) => x.kind === 'modal' && x.userId === userId && !x.closed).pop();
        return v && JSON.stringify(v.view).includes(text) ? v : undefined;
      },
      5000,
      `a modal showing "${text}"`,
    );

  const passwordBlock = (v: StandInView) =>
    (v.view.blocks as Array<{ block_id?: string; type: string }>).find((b) => b.type === 'input' && b.block_id?.startsWith('password:'))!
      .block_id!;

  const login = (password: string) =>
    fetch(`${env.server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'bob', password }),
    });

  test('weak password → error under the field, nothing changes; Suggest fills a fresh compliant password under a new block; submit sets it', async () => {
    const r = await env.driver.command(ANA, 'change-password bob');
    expect(r.status).toBe(200);
    const form = await modalWith(ANA, 'Set a new password for *bob*');
    const first = passwordBlock(form);
    const bob = await User.findOne({ where: { username: 'bob' } });
    const before = await snapshot(bob!.id);

    const weak = await env.driver.submitView(ANA, form, { [first]: { value: { type: 'plain_text_input', value: 'qwerty123456' } } });
    expect(weak.body).toEqual({ response_action: 'errors', errors: { [first]: expect.stringContaining('common') } });
    expect(await snapshot(bob!.id)).toEqual(before);

    await env.driver.clickButton(ANA, form, 'Suggest password');
    const suggested = await env.standIn.waitFor(
      () => {
        const v = env.standIn.openModal(ANA);
        return v && passwordBlock(v) !== first ? v : undefined;
      },
      5000,
      'the suggested password',
    );
    const block = (suggested.view.blocks as Array<{ block_id?: string; element?: { initial_value?: string } }>).find(
      (b) => b.block_id === passwordBlock(suggested),
    )!;
    const password = block.element!.initial_value!;
    expect(password).toHaveLength(20);
    // The suggestion appears only in the actor's modal, never in a message.
    expect(env.standIn.messages.some((m) => JSON.stringify(m).includes(password))).toBe(false);

    const ok = await env.driver.submitView(ANA, suggested, {
      [passwordBlock(suggested)]: { value: { type: 'plain_text_input', value: password } },
    });
    expect(ok.status).toBe(200);
    await modalWith(ANA, 'was changed');
    const after = await User.findOne({ where: { username: 'bob' } });
    expect(after!.authStatus).toBe('active');
    expect(after!.passwordChangedAt).not.toBeNull();
    expect((await login(password)).status).toBe(200);
    expect((await login(GOOD_PASSWORD)).status).toBe(401);
    expect(await AuditEvent.count({ where: { action: 'change_password', targetUserId: bob!.id } })).toBe(1);
    // bob is a workspace member: he is told by DM (never the password), not by email.
    const dm = await env.standIn.waitForMessage({ channel: 'D0BOB0001', text: /Your password was changed/ }, 10_000);
    expect(dm.text).toContain('An administrator set a new password for your account');
    expect(JSON.stringify(env.standIn.messages)).not.toContain(password);
    expect(env.smtp!.mails.filter((x) => x.subject === 'Your password was changed')).toEqual([]);
    // Nothing secret in the logs either.
    expect(env.logs.join('\n')).not.toContain(password);
  });

  test('the card button opens the modal; a role without change_password sees no button and the command refuses', async () => {
    const card = await env.run(ANA, 'show bob');
    await env.driver.clickButton(ANA, card.reply, 'Change password');
    await modalWith(ANA, 'Set a new password for *bob*');

    const secCard = await env.run(SEC, 'show bob');
    expect(env.driver.buttons(secCard.reply).map((b) => b.text)).not.toContain('Change password');
    await env.driver.command(SEC, 'change-password bob');
    const refused = await modalWith(SEC, 'permission');
    expect(textOf({ blocks: refused.view.blocks as unknown[] })).toContain('You do not have permission to change passwords for bob');
  });
});
