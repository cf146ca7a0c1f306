import type { AddressInfo } from 'node:net';

import { App, ExpressReceiver, LogLevel, type BlockAction, type BlockButtonAction, type Logger } from '@slack/bolt';

import { SlackDriver, SlackStandIn, type StandInView } from '../../src/standin';

const SECRET = 'standin-test-signing-secret';
const ADMIN = 'U0ADMIN01';
const HELPER = 'U0HELPER1';

const silent: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

const card = (name: string) => [
  { type: 'section', block_id: 'card', text: { type: 'mrkdwn', text: `*${name}* is enabled` } },
  {
    type: 'actions',
    block_id: 'card_actions',
    elements: [
      {
        type: 'button',
        action_id: 'disable',
        text: { type: 'plain_text', text: 'Disable' },
        style: 'danger',
        value: name,
        confirm: {
          title: { type: 'plain_text', text: 'Disable?' },
          text: { type: 'mrkdwn', text: `Disable ${name}?` },
          confirm: { type: 'plain_text', text: 'Disable' },
          deny: { type: 'plain_text', text: 'Cancel' },
        },
      },
      { type: 'button', action_id: 'rename', text: { type: 'plain_text', text: 'Rename…' }, value: name },
      {
        type: 'overflow',
        action_id: 'more',
        options: [
          { text: { type: 'plain_text', text: 'Reset password' }, value: `reset:${name}` },
          { text: { type: 'plain_text', text: 'Delete' }, value: `delete:${name}` },
        ],
      },
    ],
  },
];

const renameModal = (name: string) => ({
  type: 'modal' as const,
  callback_id: 'rename_modal',
  private_metadata: name,
  notify_on_close: true,
  title: { type: 'plain_text' as const, text: 'Rename' },
  submit: { type: 'plain_text' as const, text: 'Save' },
  blocks: [
    {
      type: 'input' as const,
      block_id: 'new_name',
      label: { type: 'plain_text' as const, text: 'New username' },
      element: { type: 'plain_text_input' as const, action_id: 'value', initial_value: name },
    },
    {
      type: 'input' as const,
      block_id: 'org',
      label: { type: 'plain_text' as const, text: 'Organization' },
      element: { type: 'external_select' as const, action_id: 'org_pick', min_query_length: 0 },
    },
  ],
});

describe('SlackDriver against a real Bolt app (signature verification on)', () => {
  let standIn: SlackStandIn;
  let receiver: ExpressReceiver;
  let driver: SlackDriver;
  const seen: { retryNums: Array<number | undefined>; submitted: string[]; closed: string[]; overflow: string[] } = {
    retryNums: [],
    submitted: [],
    closed: [],
    overflow: [],
  };

  beforeAll(async () => {
    standIn = new SlackStandIn({
      users: [
        { id: ADMIN, name: 'ana', email: 'ana@example.com' },
        { id: HELPER, name: 'hal', email: 'hal@example.com' },
      ],
    });
    await standIn.start();
    receiver = new ExpressReceiver({ signingSecret: SECRET, logger: silent });
    const app = new App({
      token: standIn.botToken,
      receiver,
      logger: silent,
      clientOptions: { slackApiUrl: standIn.apiUrl, retryConfig: { retries: 0 } },
    });

    app.command('/users', async ({ command, ack, respond, context }) => {
      seen.retryNums.push(context.retryNum);
      const [sub, arg = ''] = command.text.split(/\s+/);
      if (sub === 'show') {
        await ack({ response_type: 'ephemeral', text: `User ${arg}`, blocks: card(arg) });
      } else if (sub === 'pick') {
        await ack({
          text: 'Pick a view',
          blocks: [
            {
              type: 'actions',
              elements: [
                {
                  type: 'static_select',
                  action_id: 'view_pick',
                  placeholder: { type: 'plain_text', text: 'Saved view' },
                  options: ['all', 'locked'].map((v) => ({ text: { type: 'plain_text', text: v.toUpperCase() }, value: v })),
                },
              ],
            },
          ],
        });
      } else if (sub === 'slow') {
        // Ack first, then replace the ack message right away through the response_url.
        await ack('Working…');
        await respond({ replace_original: true, text: 'Done.' });
      } else {
        await ack();
        await respond({ text: `Unknown sub-command ${sub ?? ''}` });
      }
    });

    app.action<BlockButtonAction>('disable', async ({ ack, respond, body, action }) => {
      await ack();
      await respond({
        replace_original: true,
        text: `${action.value ?? ''} disabled`,
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `*${action.value ?? ''}* disabled by <@${body.user.id}>` } }],
      });
    });

    app.action<BlockButtonAction>('rename', async ({ ack, body, action, client }) => {
      await ack();
      await client.views.open({ trigger_id: body.trigger_id, view: renameModal(action.value ?? '') });
    });

    app.action<BlockAction>('more', async ({ ack, action }) => {
      await ack();
      if (action.type === 'overflow') seen.overflow.push(action.selected_option.value);
    });

    app.action<BlockAction>('view_pick', async ({ ack, action }) => {
      await ack();
      if (action.type === 'static_select') seen.overflow.push(`picked:${action.selected_option.value}`);
    });

    app.options('org_pick', async ({ ack, body }) => {
      const all = ['acme', 'globex', 'initech'];
      await ack({
        options: all.filter((o) => o.startsWith(body.value)).map((o) => ({ text: { type: 'plain_text' as const, text: o }, value: o })),
      });
    });

    app.view('rename_modal', async ({ ack, view }) => {
      const value = view.state.values.new_name?.value?.value ?? '';
      if (value.length < 3) {
        await ack({ response_action: 'errors', errors: { new_name: 'At least 3 characters' } });
        return;
      }
      const org = view.state.values.org?.org_pick?.selected_option?.value ?? '';
      seen.submitted.push(`${view.private_metadata}->${value}@${org}`);
      await ack();
    });

    app.view({ type: 'view_closed', callback_id: 'rename_modal' }, async ({ ack, view }) => {
      await ack();
      seen.closed.push(view.private_metadata);
    });

    app.event('app_home_opened', async ({ event, client }) => {
      if (event.tab !== 'home') return;
      await client.views.publish({
        user_id: event.user,
        view: { type: 'home', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Welcome home' } }] },
      });
    });

    const server = await receiver.start(0);
    const { port } = server.address() as AddressInfo;
    driver = new SlackDriver({ eventsUrl: `http://127.0.0.1:${port}/slack/events`, signingSecret: SECRET, standIn });
  });

  afterAll(async () => {
    await receiver.stop();
    await standIn.stop();
  });

  it('turns a command acked with blocks into a clickable ephemeral message', async () => {
    const res = await driver.command(ADMIN, 'show ana');
    expect(res.status).toBe(200);
    expect(res.ackMs).toBeLessThan(3000);
    expect(res.ackMessage).toMatchObject({ ephemeral: true, visibleTo: ADMIN, source: 'ack', text: 'User ana' });
    expect(standIn.latestIn(res.responseUrl)).toBe(res.ackMessage);
    const buttons = driver.buttons(res.ackMessage ?? standIn.messages[0]!);
    expect(buttons.map((b) => b.text)).toEqual(['Disable', 'Rename…']);
    expect(buttons[0]?.confirm).toMatchObject({ title: { text: 'Disable?' } });
    expect(buttons[0]?.style).toBe('danger');
  });

  it('clicks a button and lets the app replace the clicked message through response_url', async () => {
    const { ackMessage } = await driver.command(ADMIN, 'show bob');
    if (!ackMessage) throw new Error('no ack message');
    const click = await driver.clickButton(ADMIN, ackMessage, 'Disable');
    expect(click.status).toBe(200);
    await standIn.waitFor(() => ackMessage.versions.length === 2, 3000, 'the card to be replaced');
    expect(ackMessage.text).toBe('bob disabled');
    expect(JSON.stringify(ackMessage.blocks)).toContain(`disabled by <@${ADMIN}>`);
    expect(ackMessage.ephemeral).toBe(true);

    await expect(driver.clickButton(ADMIN, ackMessage, 'Enable')).rejects.toThrow(/No button Enable .*Visible buttons: none/);
    await expect(driver.clickButton(HELPER, ackMessage, 'Disable')).rejects.toThrow(/ephemeral to U0ADMIN01/);
  });

  it('holds response_url posts until the ack is shown, so replace_original replaces the ack', async () => {
    const res = await driver.command(ADMIN, 'slow');
    const ack = res.ackMessage;
    expect(ack?.versions[0]?.text).toBe('Working…');
    await standIn.waitFor(() => ack?.text === 'Done.', 3000, 'the ack message to read Done.');
    expect(standIn.findMessages({ source: 'response_url' })).toHaveLength(0);
  });

  it('passes X-Slack-Retry-Num through to Bolt and can redeliver a request byte for byte', async () => {
    seen.retryNums.length = 0;
    const first = await driver.command(ADMIN, 'nothing');
    await driver.redeliver(first, 1, 'http_timeout');
    await driver.command(ADMIN, 'nothing', { retryNum: 2, responseUrl: first.responseUrl, triggerId: first.triggerId });
    expect(seen.retryNums).toEqual([undefined, 1, 2]);
    await standIn.waitForMessage({ text: 'Unknown sub-command nothing', visibleTo: ADMIN });
  });

  it('chooses an overflow option by its text', async () => {
    const { ackMessage } = await driver.command(ADMIN, 'show cy');
    if (!ackMessage) throw new Error('no ack message');
    await driver.chooseOverflow(ADMIN, ackMessage, 'Reset password');
    await standIn.waitFor(() => seen.overflow.includes('reset:cy'), 3000, 'the overflow action');
  });

  it('presses controls by number and picks from a static select in a message', async () => {
    const { ackMessage } = await driver.command(ADMIN, 'show fay');
    if (!ackMessage) throw new Error('no ack message');
    await driver.pressControl(ADMIN, ackMessage, 3); // Disable, Rename…, then the overflow's options
    await standIn.waitFor(() => seen.overflow.includes('reset:fay'), 3000, 'the overflow action via pressControl');

    const picker = (await driver.command(ADMIN, 'pick')).ackMessage;
    if (!picker) throw new Error('no picker');
    await expect(driver.selectOption(ADMIN, picker, 'view_pick', 'nope')).rejects.toThrow(/Options: all \("ALL"\), locked/);
    await driver.selectOption(ADMIN, picker, 'view_pick', 'locked');
    await standIn.waitFor(() => seen.overflow.includes('picked:locked'), 3000, 'the select action');
  });

  it('opens a modal from a button, shows response_action errors, then submits and closes it', async () => {
    const { ackMessage } = await driver.command(ADMIN, 'show dee');
    if (!ackMessage) throw new Error('no ack message');
    await driver.clickButton(ADMIN, ackMessage, 'Rename…');
    const modal = await standIn.waitFor(() => standIn.openModal(ADMIN), 3000, 'the rename modal');
    expect(modal.view.callback_id).toBe('rename_modal');

    const suggestions = await driver.suggest(ADMIN, modal, 'org_pick', 'gl');
    expect(suggestions.body).toEqual({ options: [{ text: { type: 'plain_text', text: 'globex' }, value: 'globex' }] });
    const selected = await driver.selectOption(ADMIN, modal, 'org_pick', 'globex');
    expect(selected.status).toBe(0); // an input without dispatch_action sends nothing, as in Slack

    const rejected = await driver.submitView(ADMIN, modal, { new_name: { value: { type: 'plain_text_input', value: 'd' } } });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toEqual({ response_action: 'errors', errors: { new_name: 'At least 3 characters' } });
    expect(modal.closed).toBe(false);
    expect(modal.errors).toEqual({ new_name: 'At least 3 characters' });

    const accepted = await driver.submitView(ADMIN, modal, { new_name: { value: { type: 'plain_text_input', value: 'deedee' } } });
    expect(accepted.answerProblems).toEqual([]);
    expect(modal.closed).toBe(true);
    expect(seen.submitted).toEqual(['dee->deedee@globex']);
    await expect(driver.submitView(ADMIN, modal, {})).rejects.toThrow(/is closed/);
  });

  it('sends view_closed for a notify_on_close modal', async () => {
    const { ackMessage } = await driver.command(ADMIN, 'show eve');
    if (!ackMessage) throw new Error('no ack message');
    await driver.clickButton(ADMIN, ackMessage, 'Rename…');
    const modal: StandInView = await standIn.waitFor(
      () => [...standIn.views.values()].find((v) => v.view.private_metadata === 'eve' && !v.closed),
      3000,
      'the rename modal for eve',
    );
    const res = await driver.closeView(ADMIN, modal);
    expect(res.status).toBe(200);
    await standIn.waitFor(() => seen.closed.includes('eve'), 3000, 'view_closed to arrive');
  });

  it('delivers app_home_opened and lets the app publish the Home tab', async () => {
    const res = await driver.appHomeOpened(HELPER);
    expect(res.status).toBe(200);
    const home = await standIn.waitFor(() => standIn.homeView(HELPER), 3000, 'the home view of hal');
    expect(JSON.stringify(home.view.blocks)).toContain('Welcome home');
  });

  it('rejects a bad signature and a stale timestamp with 401', async () => {
    const body = new URLSearchParams({ command: '/users', text: 'show ana', user_id: ADMIN }).toString();
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const forged = await driver.send(body, {
      ...form,
      'x-slack-signature': `v0=${'0'.repeat(64)}`,
      'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)),
    });
    expect(forged.status).toBe(401);
    const stale = await driver.send(body, { ...form, ...driver.sign(body, Math.floor(Date.now() / 1000) - 6 * 60) });
    expect(stale.status).toBe(401);
    const unsigned = await driver.send(body, form);
    expect(unsigned.status).toBe(401);
  });
});
