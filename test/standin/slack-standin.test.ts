import { randomBytes } from 'node:crypto';

import { LogLevel, WebAPIHTTPError, WebAPIPlatformError, WebClient, type Logger, type WebClientOptions } from '@slack/web-api';

import { SlackStandIn } from '../../src/standin';

const ADMIN = 'U0ADMIN01';
const OTHER = 'U0HELPER1';

// The WebClient logs Slack's `[ERROR]` response metadata; these tests provoke it on purpose.
const silent: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

function platformError(err: unknown): string {
  if (err instanceof WebAPIPlatformError) return err.data.error ?? '';
  throw err;
}

async function errorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return platformError(err);
  }
  throw new Error('expected the call to fail');
}

describe('SlackStandIn with the real @slack/web-api WebClient', () => {
  let clock = Date.now();
  let standIn: SlackStandIn;
  let client: WebClient;
  const clientFor = (opts: WebClientOptions = {}): WebClient =>
    new WebClient(standIn.botToken, {
      slackApiUrl: standIn.apiUrl,
      logger: silent,
      retryConfig: { retries: 0 },
      ...opts,
    });

  beforeEach(async () => {
    clock = Date.now();
    standIn = new SlackStandIn({
      users: [
        { id: ADMIN, name: 'ana', email: 'ana@example.com', realName: 'Ana Silva' },
        { id: OTHER, name: 'hal' },
      ],
      channels: [
        { id: 'C0GENERAL', name: 'general', botIsMember: true },
        { id: 'C0SECRETS', name: 'secrets', botIsMember: false },
      ],
      now: () => clock,
    });
    await standIn.start();
    client = clientFor();
  });

  afterEach(async () => {
    await standIn.stop();
  });

  it('answers auth.test and users.info, and refuses a wrong token', async () => {
    const auth = await client.auth.test();
    expect(auth).toMatchObject({ ok: true, team_id: 'T0TEAM001', user_id: standIn.botUserId, bot_id: standIn.botId });

    const info = await client.users.info({ user: ADMIN });
    expect(info.user?.profile?.email).toBe('ana@example.com');
    expect(info.user?.real_name).toBe('Ana Silva');
    expect(await errorOf(client.users.info({ user: 'U0NOBODY1' }))).toBe('user_not_found');

    const stranger = new WebClient('xoxb-wrong', { slackApiUrl: standIn.apiUrl, logger: silent });
    expect(await errorOf(stranger.auth.test())).toBe('invalid_auth');
    expect(standIn.callsTo('auth.test').map((c) => c.token)).toEqual([standIn.botToken, 'xoxb-wrong']);
    expect(standIn.callsTo('auth.test')[1]?.error).toBe('invalid_auth');
  });

  it('posts and updates messages, with Slack ids filled in and versions kept', async () => {
    const posted = await client.chat.postMessage({
      channel: 'C0GENERAL',
      text: 'ana is enabled',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: '*ana* is enabled' } },
        { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Disable' }, value: 'ana' }] },
      ],
    });
    expect(posted.ts).toMatch(/^\d{10}\.\d{6}$/);
    const message = standIn.latestIn('C0GENERAL');
    expect(message).toMatchObject({ channel: 'C0GENERAL', ts: posted.ts, ephemeral: false, source: 'chat.postMessage' });
    // The stored message has the block_id/action_id Slack would have invented.
    const button = (message?.blocks?.[1] as { block_id: string; elements: Array<{ action_id: string }> }) ?? undefined;
    expect(button.block_id).toMatch(/^[A-Z0-9]{5}$/);
    expect(button.elements[0]?.action_id).toMatch(/^[A-Z0-9]{5}$/);

    await client.chat.update({ channel: 'C0GENERAL', ts: posted.ts ?? '', text: 'ana is disabled' });
    expect(message?.text).toBe('ana is disabled');
    expect(message?.blocks).toHaveLength(2); // omitted blocks are kept, as in Slack
    expect(message?.versions.map((v) => v.text)).toEqual(['ana is enabled', 'ana is disabled']);

    expect(await errorOf(client.chat.update({ channel: 'C0GENERAL', ts: '1.000001', text: 'x' }))).toBe('message_not_found');
    await client.chat.delete({ channel: 'C0GENERAL', ts: posted.ts ?? '' });
    expect(message?.deleted).toBe(true);
    expect(standIn.latestIn('C0GENERAL')).toBeUndefined();
  });

  it('applies the channel rules: unknown, not a member, DMs by user id or conversations.open', async () => {
    expect(await errorOf(client.chat.postMessage({ channel: 'C0NOWHERE', text: 'x' }))).toBe('channel_not_found');
    expect(await errorOf(client.chat.postMessage({ channel: 'C0SECRETS', text: 'x' }))).toBe('not_in_channel');
    expect(await errorOf(client.chat.postMessage({ channel: 'C0GENERAL', text: '' }))).toBe('no_text');

    const opened = await client.conversations.open({ users: ADMIN });
    expect(opened.channel?.id).toBe('D0ADMIN01');
    const viaUser = await client.chat.postMessage({ channel: ADMIN, text: 'hello' });
    expect(viaUser.channel).toBe('D0ADMIN01');
    await client.chat.postMessage({ channel: 'D0ADMIN01', text: 'again' });
    expect(standIn.findMessages({ channel: ADMIN }).map((m) => m.text)).toEqual(['hello', 'again']);
    const ts = standIn.messages.map((m) => m.ts);
    expect([...ts].sort()).toEqual(ts);
    expect(new Set(ts).size).toBe(ts.length);
  });

  it('keeps ephemeral messages out of chat.update', async () => {
    const res = await client.chat.postEphemeral({ channel: 'C0GENERAL', user: ADMIN, text: 'only for you' });
    const message = standIn.latestIn('C0GENERAL');
    expect(message).toMatchObject({ ts: res.message_ts, ephemeral: true, visibleTo: ADMIN, source: 'chat.postEphemeral' });
    expect(message?.responseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/actions\//);
    expect(await errorOf(client.chat.update({ channel: 'C0GENERAL', ts: res.message_ts ?? '', text: 'x' }))).toBe('cant_update_message');
    expect(await errorOf(client.chat.postEphemeral({ channel: 'C0GENERAL', user: 'U0NOBODY1', text: 'x' }))).toBe('user_not_found');
  });

  it('rejects blocks over Slack limits with invalid_blocks and readable errors', async () => {
    const tooLong = 'x'.repeat(3001);
    const err = await client.chat
      .postMessage({
        channel: 'C0GENERAL',
        text: 'x',
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: tooLong } },
          {
            type: 'actions',
            block_id: 'row',
            elements: [
              { type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'y'.repeat(76) } },
              { type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'ok' } },
            ],
          },
        ],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebAPIPlatformError);
    const data = (err as WebAPIPlatformError).data as { error: string; errors?: string[] };
    expect(data.error).toBe('invalid_blocks');
    expect(data.errors).toEqual([
      'must be less than 3001 characters [json-pointer:/blocks/0/text/text]',
      'must be less than 76 characters [json-pointer:/blocks/1/elements/0/text/text]',
      'duplicate action_id "a" [json-pointer:/blocks/1/elements/1/action_id]',
    ]);

    const many = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    expect(await errorOf(client.chat.postMessage({ channel: 'C0GENERAL', text: 'x', blocks: many }))).toBe('invalid_blocks');
    expect(standIn.messages).toHaveLength(0);
  });

  it('opens, updates (with hash) and pushes modals like Slack', async () => {
    const modal = (title: string) => ({
      type: 'modal' as const,
      callback_id: 'rename',
      private_metadata: '{"user":1}',
      title: { type: 'plain_text' as const, text: title },
      submit: { type: 'plain_text' as const, text: 'Save' },
      blocks: [
        {
          type: 'input' as const,
          block_id: 'name',
          label: { type: 'plain_text' as const, text: 'Name' },
          element: { type: 'plain_text_input' as const, action_id: 'value' },
        },
      ],
    });
    const trigger = standIn.newTriggerId({ userId: ADMIN });
    const opened = await client.views.open({ trigger_id: trigger, view: modal('Rename') });
    expect(opened.view).toMatchObject({ callback_id: 'rename', private_metadata: '{"user":1}', state: { values: {} } });
    const id = opened.view?.id ?? '';
    const hash = opened.view?.hash ?? '';
    expect(standIn.views.get(id)).toMatchObject({ kind: 'modal', userId: ADMIN, stack: [id], closed: false });
    expect(await errorOf(client.views.open({ trigger_id: trigger, view: modal('Again') }))).toBe('exchanged_trigger_id');
    expect(await errorOf(client.views.open({ trigger_id: 'nonsense', view: modal('x') }))).toBe('invalid_trigger_id');

    // What the user typed survives an update that keeps the input's block_id/action_id.
    standIn.setViewState(id, 'name', 'value', { type: 'plain_text_input', value: 'typed' });
    const updated = await client.views.update({ view_id: id, hash, view: modal('Rename (2)') });
    expect(updated.view?.hash).not.toBe(hash);
    expect(standIn.views.get(id)?.view.state).toEqual({ values: { name: { value: { type: 'plain_text_input', value: 'typed' } } } });
    expect(await errorOf(client.views.update({ view_id: id, hash, view: modal('Stale') }))).toBe('hash_conflict');
    expect(await errorOf(client.views.update({ view_id: 'V0NOTHERE0', view: modal('x') }))).toBe('not_found');
    expect(standIn.views.get(id)?.versions).toHaveLength(2);

    const push = () => client.views.push({ trigger_id: standIn.newTriggerId({ userId: ADMIN, viewId: id }), view: modal('Step') });
    await push();
    await push();
    expect(standIn.views.get(id)?.stack).toHaveLength(3);
    expect(await errorOf(push())).toBe('push_limit_reached');

    const late = standIn.newTriggerId({ userId: ADMIN });
    clock += 3_001;
    expect(await errorOf(client.views.open({ trigger_id: late, view: modal('Late') }))).toBe('expired_trigger_id');
  });

  it('refuses views over Slack limits with invalid_arguments', async () => {
    const err = await client.views
      .open({
        trigger_id: standIn.newTriggerId(),
        view: {
          type: 'modal',
          title: { type: 'plain_text', text: 'A title that is far too long' },
          blocks: [
            {
              type: 'input',
              label: { type: 'plain_text', text: 'Name' },
              element: { type: 'plain_text_input', action_id: 'v' },
            },
          ],
        },
      })
      .catch((e: unknown) => e);
    const data = (err as WebAPIPlatformError).data;
    expect(data.error).toBe('invalid_arguments');
    expect(data.response_metadata?.messages).toEqual([
      '[ERROR] must be less than 25 characters [json-pointer:/view/title/text]',
      '[ERROR] submit is required when the view has input blocks [json-pointer:/view/submit]',
    ]);
  });

  it('publishes the App Home per user, updating the same view', async () => {
    const home = (text: string) => ({
      type: 'home' as const,
      blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text } }],
    });
    const first = await client.views.publish({ user_id: ADMIN, view: home('3 locked') });
    const second = await client.views.publish({ user_id: ADMIN, view: home('2 locked'), hash: first.view?.hash ?? '' });
    expect(second.view?.id).toBe(first.view?.id);
    expect(standIn.homeView(ADMIN)?.versions).toHaveLength(2);
    expect(standIn.homeView(ADMIN)?.kind).toBe('home');
    expect(standIn.homeView(OTHER)).toBeUndefined();
    expect(await errorOf(client.views.publish({ user_id: ADMIN, view: home('x'), hash: first.view?.hash ?? '' }))).toBe('hash_conflict');
  });

  it('round-trips filesUploadV2 bytes exactly, to a channel and to a DM', async () => {
    // Binary with CR/LF and dashes, which a sloppy multipart parser would mangle.
    const bytes = Buffer.concat([randomBytes(4096), Buffer.from('\r\n--boundary\r\n\r\n'), randomBytes(512)]);
    const res = await client.filesUploadV2({
      channel_id: 'C0GENERAL',
      file: bytes,
      filename: 'users.csv',
      initial_comment: 'Export ready',
    });
    expect(res.ok).toBe(true);
    const file = standIn.files[0];
    expect(file?.bytes.equals(bytes)).toBe(true);
    expect(file).toMatchObject({ filename: 'users.csv', title: 'users.csv', channelId: 'C0GENERAL', completed: true });
    expect(file?.declaredLength).toBe(bytes.length);
    expect(standIn.latestIn('C0GENERAL')).toMatchObject({
      source: 'files.completeUploadExternal',
      text: 'Export ready',
      files: [file?.id],
    });
    expect(standIn.callsTo('upload')[0]?.args.contentType).toMatch(/^multipart\/form-data/);

    const dm = await client.conversations.open({ users: ADMIN });
    await client.filesUploadV2({ channel_id: dm.channel?.id ?? '', content: 'a,b\n1,2\n', filename: 'small.csv' });
    expect(standIn.files[1]?.bytes.toString()).toBe('a,b\n1,2\n');
    expect(standIn.files[1]?.channelId).toBe('D0ADMIN01');

    expect(
      await client.filesUploadV2({ channel_id: 'C0SECRETS', content: 'x', filename: 'x.txt' }).then(
        () => 'ok',
        (e: unknown) => platformError(e),
      ),
    ).toBe('not_in_channel');
  });

  it('fails the upload when the upload URL answers non-200', async () => {
    standIn.fail('upload', { status: 500 });
    await expect(client.filesUploadV2({ channel_id: 'C0GENERAL', content: 'x', filename: 'x.txt' })).rejects.toThrow(/500/);
    expect(standIn.callsTo('files.completeUploadExternal')).toHaveLength(0);
  });

  it('rate-limits with 429 + Retry-After; the WebClient waits and retries', async () => {
    const patient = clientFor({ retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 1 } });
    standIn.fail('chat.postMessage', { status: 429, retryAfterSec: 1 });
    const started = Date.now();
    const res = await patient.chat.postMessage({ channel: 'C0GENERAL', text: 'after the limit' });
    expect(res.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(standIn.callsTo('chat.postMessage').map((c) => c.status)).toEqual([429, 200]);
    expect(standIn.messages).toHaveLength(1);
  });

  it('answers HTTP 500 and injected errors, counted down by times', async () => {
    standIn.fail('chat.postMessage', { status: 500 });
    const err = await client.chat.postMessage({ channel: 'C0GENERAL', text: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebAPIHTTPError);
    expect((err as WebAPIHTTPError).statusCode).toBe(500);

    standIn.fail('users.info', { error: 'fatal_error', times: 2 });
    expect(await errorOf(client.users.info({ user: ADMIN }))).toBe('fatal_error');
    expect(await errorOf(client.users.info({ user: ADMIN }))).toBe('fatal_error');
    expect((await client.users.info({ user: ADMIN })).ok).toBe(true);

    standIn.fail('auth.test', { error: 'ratelimited', times: Infinity });
    expect(await errorOf(client.auth.test())).toBe('ratelimited');
    standIn.clearFailures();
    expect((await client.auth.test()).ok).toBe(true);
  });

  describe('response_url', () => {
    const post = (url: string, body: unknown) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    it('posts ephemeral by default, in_channel on request, replaces and deletes the bound message', async () => {
      const posted = await client.chat.postMessage({ channel: 'C0GENERAL', text: 'card' });
      const card = standIn.latestIn('C0GENERAL');
      if (!card) throw new Error('no card');
      const url = standIn.newResponseUrl({ channelId: 'C0GENERAL', userId: ADMIN, message: card });

      expect((await post(url, { text: 'just for you' })).status).toBe(200);
      const ephemeral = standIn.latestIn('C0GENERAL');
      expect(ephemeral).toMatchObject({ ephemeral: true, visibleTo: ADMIN, source: 'response_url', responseUrl: url });

      await post(url, { replace_original: true, text: 'card v2' });
      expect(card.text).toBe('card v2');
      expect(card.ts).toBe(posted.ts);

      await post(url, { response_type: 'in_channel', text: 'for everyone' });
      expect(standIn.latestIn('C0GENERAL')).toMatchObject({ ephemeral: false, text: 'for everyone' });

      await post(url, { delete_original: true });
      expect(card.deleted).toBe(true);

      // Fifth post is the last one allowed.
      expect((await post(url, { text: 'five' })).status).toBe(200);
      const sixth = await post(url, { text: 'six' });
      expect(sixth.status).toBe(404);
      expect(await sixth.json()).toEqual({ ok: false, error: 'used_url' });
    });

    it('expires after 30 minutes and rejects invalid content with 400', async () => {
      const url = standIn.newResponseUrl({ channelId: 'C0GENERAL', userId: ADMIN });
      const bad = await post(url, { blocks: [{ type: 'section' }] });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ ok: false, error: 'invalid_blocks' });
      clock += 30 * 60_000 + 1;
      const late = await post(url, { text: 'late' });
      expect(late.status).toBe(404);
      expect(await late.json()).toEqual({ ok: false, error: 'expired_url' });
    });

    it('turns a slash-command ack body into an ephemeral message bound to the URL', async () => {
      const url = standIn.newResponseUrl({ channelId: 'C0GENERAL', userId: ADMIN });
      const ack = standIn.recordAck({ text: 'Working…' }, { channelId: 'C0GENERAL', userId: ADMIN, responseUrl: url });
      expect(ack).toMatchObject({ source: 'ack', ephemeral: true, visibleTo: ADMIN, responseUrl: url });
      await post(url, { replace_original: true, text: 'Done' });
      expect(ack?.versions.map((v) => v.text)).toEqual(['Working…', 'Done']);
      expect(standIn.latestIn(url)).toBe(ack);
      expect(standIn.recordAck(undefined, { channelId: 'C0GENERAL', userId: ADMIN, responseUrl: url })).toBeUndefined();
    });
  });

  it('waitFor explains what it waited for', async () => {
    await expect(standIn.waitFor(() => false, 30, 'the moon')).rejects.toThrow('waitFor timed out after 30 ms waiting for: the moon');
  });
});
