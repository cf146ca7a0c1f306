/**
 * Plays the Slack side of the conversation: sends the app signed slash commands,
 * block_actions, view_submission, view_closed, block_suggestion and app_home_opened requests
 * exactly as Slack sends them to `POST /slack/events`, and applies the app's answers to the
 * stand-in the way the Slack client would (ack replies become messages, submission answers
 * close/update/push views).
 *
 * Buttons are found by their visible text, so a test reads like what a person does.
 */
import { createHmac } from 'node:crypto';
import { performance } from 'node:perf_hooks';

import {
  findButtons,
  findElements,
  findOverflows,
  isObject,
  listControls,
  optionsOf,
  type FoundButton,
  type FoundElement,
  type FoundOption,
  type FoundOverflow,
  type JsonObject,
} from '../blocks';
import type { SlackStandIn, StandInMessage, StandInView } from '../web-api';

export interface DriverResponse {
  /** HTTP status; 0 when no request was sent (Slack would not send one, see `text`). */
  status: number;
  /** Parsed JSON answer, the raw text, or undefined for an empty answer. */
  body: unknown;
  text: string;
  /** Time from sending the request to having the whole answer. */
  ackMs: number;
  headers: Record<string, string>;
  /** Exactly what was sent, for {@link SlackDriver.redeliver} and {@link SlackDriver.replay}. */
  request: { body: string; contentType: string; headers?: Record<string, string> };
}

export interface CommandResponse extends DriverResponse {
  responseUrl: string;
  triggerId: string;
  /** The message the ack body became (ephemeral unless `response_type: 'in_channel'`). */
  ackMessage?: StandInMessage;
}

export interface SubmitResponse extends DriverResponse {
  /** Problems with the app's answer that would make the Slack client show an error. */
  answerProblems: string[];
}

export type Surface = StandInMessage | StandInView;

export interface SlackDriverOptions {
  eventsUrl: string;
  signingSecret: string;
  standIn: SlackStandIn;
  teamId?: string;
  appId?: string;
  /** The slash command (default `/users`). */
  command?: string;
  /** Channel for commands when none is given (default `C0GENERAL`). */
  channelId?: string;
  /** Slack's deprecated verification token, sent in every payload. */
  verificationToken?: string;
}

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

export function isView(surface: Surface): surface is StandInView {
  return 'kind' in surface && 'stack' in surface;
}

function blocksOf(surface: Surface): unknown[] {
  if (isView(surface)) return Array.isArray(surface.view.blocks) ? surface.view.blocks : [];
  return surface.blocks ?? [];
}

function matches(text: string, wanted: string | RegExp): boolean {
  return typeof wanted === 'string' ? text.trim() === wanted.trim() : wanted.test(text);
}

function describe(surface: Surface): string {
  return isView(surface)
    ? `view ${surface.id} (${String(surface.view.callback_id ?? '') || surface.kind})`
    : `message ${surface.ts} in ${surface.channel}`;
}

export class SlackDriver {
  readonly eventsUrl: string;
  private readonly signingSecret: string;
  private readonly standIn: SlackStandIn;
  private readonly teamId: string;
  private readonly appId: string;
  private readonly commandName: string;
  private readonly channelId: string;
  private readonly verificationToken: string;
  private actionSeq = 0;

  constructor(opts: SlackDriverOptions) {
    this.eventsUrl = opts.eventsUrl;
    this.signingSecret = opts.signingSecret;
    this.standIn = opts.standIn;
    this.teamId = opts.teamId ?? opts.standIn.teamId;
    this.appId = opts.appId ?? opts.standIn.appId;
    this.commandName = opts.command ?? '/users';
    this.channelId = opts.channelId ?? 'C0GENERAL';
    this.verificationToken = opts.verificationToken ?? 'standinVerificationToken';
  }

  // -------------------------------------------------------------------------------------------
  // Transport
  // -------------------------------------------------------------------------------------------

  /** Slack's request signature: `v0=` + HMAC-SHA256 of `v0:{timestamp}:{raw body}`. */
  sign(
    body: string,
    timestamp = Math.floor(Date.now() / 1000),
  ): {
    'x-slack-signature': string;
    'x-slack-request-timestamp': string;
  } {
    const digest = createHmac('sha256', this.signingSecret).update(`v0:${timestamp}:${body}`).digest('hex');
    return { 'x-slack-signature': `v0=${digest}`, 'x-slack-request-timestamp': String(timestamp) };
  }

  /** POST a raw body with exactly these headers (no signing added): for bad-signature tests. */
  async send(body: string, headers: Record<string, string>): Promise<DriverResponse> {
    const contentType = Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
    const started = performance.now();
    const res = await fetch(this.eventsUrl, { method: 'POST', headers, body });
    const text = await res.text();
    const ackMs = performance.now() - started;
    let parsed: unknown = text.length > 0 ? text : undefined;
    if (text.length > 0 && (res.headers.get('content-type')?.includes('json') || /^[[{]/.test(text))) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return {
      status: res.status,
      body: parsed,
      text,
      ackMs,
      headers: Object.fromEntries(res.headers.entries()),
      request: { body, contentType, headers: { ...headers } },
    };
  }

  private signedPost(
    body: string,
    contentType: string,
    retry?: { retryNum?: number | undefined; retryReason?: string | undefined },
  ): Promise<DriverResponse> {
    // Bolt matches the form content type exactly, so no `; charset=…` suffix.
    const headers: Record<string, string> = { 'content-type': contentType, ...this.sign(body) };
    if (retry?.retryNum !== undefined) {
      headers['x-slack-retry-num'] = String(retry.retryNum);
      headers['x-slack-retry-reason'] = retry.retryReason ?? 'http_timeout';
    }
    return this.send(body, headers);
  }

  private postPayload(payload: JsonObject, retryNum?: number): Promise<DriverResponse> {
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    return this.signedPost(body, FORM, { retryNum });
  }

  /**
   * Send an earlier request again, byte for byte, freshly signed and with
   * `X-Slack-Retry-Num`, the way Slack redelivers a request it saw no timely answer to.
   */
  redeliver(previous: DriverResponse, retryNum = 1, retryReason = 'http_timeout'): Promise<DriverResponse> {
    return this.signedPost(previous.request.body, previous.request.contentType || FORM, { retryNum, retryReason });
  }

  /**
   * Send an earlier request again exactly as it was — the same body, timestamp and signature, no
   * retry header — the way someone who captured it would replay it inside the 5-minute window.
   */
  replay(previous: DriverResponse): Promise<DriverResponse> {
    if (!previous.request.headers) throw new Error('replay: this response did not keep the headers it was sent with');
    return this.send(previous.request.body, previous.request.headers);
  }

  // -------------------------------------------------------------------------------------------
  // Payload pieces
  // -------------------------------------------------------------------------------------------

  private userName(userId: string): string {
    return this.standIn.user(userId)?.name ?? userId.toLowerCase();
  }

  private userJson(userId: string): JsonObject {
    const name = this.userName(userId);
    return { id: userId, username: name, name, team_id: this.teamId };
  }

  private teamJson(): JsonObject {
    return { id: this.teamId, domain: this.standIn.teamDomain };
  }

  private actionTs(): string {
    const ms = Date.now();
    return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1000 + (++this.actionSeq % 1000)).padStart(6, '0')}`;
  }

  private common(type: string, userId: string): JsonObject {
    return {
      type,
      user: this.userJson(userId),
      api_app_id: this.appId,
      token: this.verificationToken,
      team: this.teamJson(),
      enterprise: null,
      is_enterprise_install: false,
    };
  }

  /** Throw when the user could not see or use the surface in Slack. */
  private assertUsable(userId: string, on: Surface): void {
    if (isView(on)) {
      if (on.closed) throw new Error(`${describe(on)} is closed; the user cannot interact with it`);
      if (on.kind === 'modal' && on.stack[on.stack.length - 1] !== on.id) {
        throw new Error(`${describe(on)} is under another view of its stack; only the top view is visible`);
      }
      if (on.userId !== undefined && on.userId !== userId) {
        throw new Error(`${describe(on)} belongs to ${on.userId}; ${userId} cannot see it`);
      }
      return;
    }
    if (on.deleted) throw new Error(`${describe(on)} was deleted`);
    if (on.ephemeral && on.visibleTo !== undefined && on.visibleTo !== userId) {
      throw new Error(`${describe(on)} is ephemeral to ${on.visibleTo}; ${userId} cannot see it`);
    }
  }

  /** Where an action happened: container, channel, message, response_url, view. */
  private surfaceFields(userId: string, on: Surface): JsonObject {
    this.assertUsable(userId, on);
    if (isView(on)) {
      return {
        container: { type: 'view', view_id: on.id },
        trigger_id: this.standIn.newTriggerId({ userId, viewId: on.id }),
        view: this.viewPayload(on),
      };
    }
    const fields: JsonObject = {
      container: { type: 'message', message_ts: on.ts, channel_id: on.channel, is_ephemeral: on.ephemeral },
      channel: { id: on.channel, name: this.standIn.channelName(on.channel) },
      trigger_id: this.standIn.newTriggerId({ userId }),
      // A fresh response_url bound to the clicked message, so replace_original replaces it.
      response_url: this.standIn.newResponseUrl({ channelId: on.channel, userId, message: on }),
      state: { values: {} },
    };
    // Slack leaves `message` out for ephemeral messages.
    if (!on.ephemeral) fields.message = this.standIn.messagePayload(on);
    return fields;
  }

  private viewPayload(view: StandInView): JsonObject {
    return structuredClone({ ...view.view, state: { values: this.standIn.submittedState(view.id) } });
  }

  // -------------------------------------------------------------------------------------------
  // What a user does
  // -------------------------------------------------------------------------------------------

  async command(
    userId: string,
    text: string,
    opts: { channelId?: string; retryNum?: number; retryReason?: string; triggerId?: string; responseUrl?: string } = {},
  ): Promise<CommandResponse> {
    const channelId = opts.channelId ?? this.channelId;
    const responseUrl = opts.responseUrl ?? this.standIn.newResponseUrl({ channelId, userId });
    const triggerId = opts.triggerId ?? this.standIn.newTriggerId({ userId });
    const form = new URLSearchParams({
      token: this.verificationToken,
      team_id: this.teamId,
      team_domain: this.standIn.teamDomain,
      channel_id: channelId,
      channel_name: this.standIn.channelName(channelId),
      user_id: userId,
      user_name: this.userName(userId),
      command: this.commandName,
      text,
      api_app_id: this.appId,
      is_enterprise_install: 'false',
      response_url: responseUrl,
      trigger_id: triggerId,
    });
    const ctx = { channelId, userId, responseUrl };
    this.standIn.expectAck(responseUrl);
    let response: DriverResponse;
    try {
      response = await this.signedPost(form.toString(), FORM, { retryNum: opts.retryNum, retryReason: opts.retryReason });
    } catch (err) {
      // Settle the ack even when the request failed, so held response_url posts proceed.
      this.standIn.recordAck(undefined, ctx);
      throw err;
    }
    // Slack shows a 200 ack body to the user; any other status is an error for the user.
    const ackMessage = this.standIn.recordAck(response.status === 200 ? response.body : undefined, ctx);
    const result: CommandResponse = { ...response, responseUrl, triggerId };
    if (ackMessage) result.ackMessage = ackMessage;
    return result;
  }

  /** Visible buttons of a message or view, in display order. */
  buttons(on: Surface): FoundButton[] {
    return findButtons(blocksOf(on));
  }

  /**
   * Click the button whose visible text matches. A button with a `confirm` is clicked as if
   * the user confirmed (check `buttons()` for the confirm object itself).
   */
  async clickButton(
    userId: string,
    on: Surface,
    text: string | RegExp,
    opts: { retryNum?: number; blockId?: string } = {},
  ): Promise<DriverResponse> {
    this.assertUsable(userId, on);
    const all = this.buttons(on);
    let found = all.filter((b) => matches(b.text, text) && (opts.blockId === undefined || b.blockId === opts.blockId));
    if (found.length === 0 && typeof text === 'string') {
      found = all.filter(
        (b) => b.text.trim().toLowerCase() === text.trim().toLowerCase() && (opts.blockId === undefined || b.blockId === opts.blockId),
      );
    }
    const list = all.map((b) => `"${b.text}" (block ${b.blockId}, action ${b.actionId})`).join(', ') || 'none';
    if (found.length === 0) throw new Error(`No button ${String(text)} on ${describe(on)}. Visible buttons: ${list}`);
    if (found.length > 1) {
      throw new Error(`Button ${String(text)} is ambiguous on ${describe(on)}; pass opts.blockId. Visible buttons: ${list}`);
    }
    return this.sendButton(userId, on, found[0] as FoundButton, opts.retryNum);
  }

  private sendButton(userId: string, on: Surface, button: FoundButton, retryNum?: number): Promise<DriverResponse> {
    const action: JsonObject = {
      type: 'button',
      action_id: button.actionId,
      block_id: button.blockId,
      text: { type: 'plain_text', text: button.text, emoji: true },
      action_ts: this.actionTs(),
    };
    if (button.value !== undefined) action.value = button.value;
    if (button.style !== undefined) action.style = button.style;
    return this.blockActions(userId, on, action, retryNum);
  }

  private sendOverflow(
    userId: string,
    on: Surface,
    overflow: FoundOverflow,
    option: FoundOption,
    retryNum?: number,
  ): Promise<DriverResponse> {
    const action: JsonObject = {
      type: 'overflow',
      action_id: overflow.actionId,
      block_id: overflow.blockId,
      selected_option: { text: { type: 'plain_text', text: option.text, emoji: true }, value: option.value },
      action_ts: this.actionTs(),
    };
    return this.blockActions(userId, on, action, retryNum);
  }

  /**
   * Press control number `n` (1-based) in the numbering of `listControls` and
   * `renderBlocks(…, {numbered:true})`: what the demo does when a person types a number.
   */
  async pressControl(userId: string, on: Surface, n: number): Promise<DriverResponse> {
    this.assertUsable(userId, on);
    const blocks = blocksOf(on);
    const control = listControls(blocks)[n - 1];
    if (!control) throw new Error(`No control number ${n} on ${describe(on)}; it has ${listControls(blocks).length}`);
    if (control.kind === 'button') {
      const button = findButtons(blocks).find((b) => b.blockId === control.blockId && b.actionId === control.actionId);
      if (button) return this.sendButton(userId, on, button);
    } else {
      const overflow = findOverflows(blocks).find((o) => o.blockId === control.blockId && o.actionId === control.actionId);
      const option = overflow?.options.find((o) => o.value === control.value && o.text === control.label);
      if (overflow && option) return this.sendOverflow(userId, on, overflow, option);
    }
    throw new Error(`Control ${n} on ${describe(on)} could not be resolved`);
  }

  /** Pick an option from an overflow menu by its visible text. */
  async chooseOverflow(
    userId: string,
    on: Surface,
    optionText: string | RegExp,
    opts: { blockId?: string; retryNum?: number } = {},
  ): Promise<DriverResponse> {
    this.assertUsable(userId, on);
    const overflows = findOverflows(blocksOf(on)).filter((o) => opts.blockId === undefined || o.blockId === opts.blockId);
    const hits = overflows.flatMap((o) => o.options.filter((opt) => matches(opt.text, optionText)).map((opt) => ({ o, opt })));
    const list =
      findOverflows(blocksOf(on))
        .map((o) => `block ${o.blockId}: ${o.options.map((x) => `"${x.text}"`).join(' | ')}`)
        .join('; ') || 'none';
    if (hits.length === 0) throw new Error(`No overflow option ${String(optionText)} on ${describe(on)}. Overflow menus: ${list}`);
    if (hits.length > 1) {
      throw new Error(`Overflow option ${String(optionText)} is ambiguous on ${describe(on)}; pass opts.blockId. Menus: ${list}`);
    }
    const { o, opt } = hits[0] as (typeof hits)[number];
    return this.sendOverflow(userId, on, o, opt, opts.retryNum);
  }

  /**
   * Choose a value in a select (static/external/users/conversations/channels, radio buttons,
   * multi-selects, checkboxes). The choice is kept in the view's state for a later submit.
   * Like Slack, an element inside an input block only sends block_actions with
   * `dispatch_action: true`; otherwise no request is made (status 0).
   */
  async selectOption(userId: string, on: Surface, actionId: string, value: string): Promise<DriverResponse> {
    this.assertUsable(userId, on);
    const candidates = findElements(blocksOf(on)).filter((e) => e.actionId === actionId && e.type !== 'button');
    if (candidates.length !== 1) {
      const ids = findElements(blocksOf(on))
        .map((e) => `${e.actionId} (${e.type})`)
        .join(', ');
      throw new Error(
        `${candidates.length === 0 ? 'No' : 'More than one'} element with action_id ${actionId} on ${describe(on)}. Elements: ${ids || 'none'}`,
      );
    }
    const element = candidates[0] as FoundElement;
    const state = this.selectionState(element, value, on);
    if (isView(on)) this.standIn.setViewState(on.id, element.blockId, element.actionId, state);
    if (element.inInput && !element.dispatchAction) {
      return {
        status: 0,
        body: undefined,
        text: 'no request: input elements dispatch only with dispatch_action',
        ackMs: 0,
        headers: {},
        request: { body: '', contentType: '' },
      };
    }
    const { type: _type, ...selection } = state;
    const action: JsonObject = {
      type: element.type,
      action_id: element.actionId,
      block_id: element.blockId,
      ...selection,
      action_ts: this.actionTs(),
    };
    if (element.element.placeholder !== undefined) action.placeholder = element.element.placeholder;
    const extra: JsonObject = isView(on) ? {} : { state: { values: { [element.blockId]: { [element.actionId]: state } } } };
    return this.blockActions(userId, on, action, undefined, extra);
  }

  private selectionState(element: FoundElement, value: string, on: Surface): JsonObject {
    const type = element.type;
    const pickOption = (): JsonObject => {
      const options = optionsOf(element.element);
      const option = options.find((o) => o.value === value) ?? options.find((o) => o.text === value);
      if (!option) {
        throw new Error(
          `No option ${JSON.stringify(value)} in ${element.actionId} on ${describe(on)}. Options: ${options.map((o) => `${o.value} ("${o.text}")`).join(', ')}`,
        );
      }
      return structuredClone(option.raw);
    };
    switch (type) {
      case 'static_select':
      case 'radio_buttons':
        return { type, selected_option: pickOption() };
      case 'multi_static_select':
      case 'checkboxes':
        return { type, selected_options: [pickOption()] };
      case 'external_select':
        return { type, selected_option: { text: { type: 'plain_text', text: value, emoji: true }, value } };
      case 'multi_external_select':
        return { type, selected_options: [{ text: { type: 'plain_text', text: value, emoji: true }, value }] };
      case 'users_select':
        return { type, selected_user: value };
      case 'multi_users_select':
        return { type, selected_users: [value] };
      case 'conversations_select':
        return { type, selected_conversation: value };
      case 'multi_conversations_select':
        return { type, selected_conversations: [value] };
      case 'channels_select':
        return { type, selected_channel: value };
      case 'multi_channels_select':
        return { type, selected_channels: [value] };
      case 'datepicker':
        return { type, selected_date: value };
      case 'timepicker':
        return { type, selected_time: value };
      default:
        throw new Error(`selectOption does not know element type ${type} (${element.actionId})`);
    }
  }

  private blockActions(
    userId: string,
    on: Surface,
    action: JsonObject,
    retryNum?: number,
    extra: JsonObject = {},
  ): Promise<DriverResponse> {
    const payload: JsonObject = {
      ...this.common('block_actions', userId),
      ...this.surfaceFields(userId, on),
      ...extra,
      actions: [action],
    };
    return this.postPayload(payload, retryNum);
  }

  /**
   * Submit a modal. `values` are what the user typed or picked, by block_id and action_id
   * (element state, e.g. `{type:'plain_text_input', value:'x'}`); untouched inputs are sent
   * with their initial values, as Slack does. The app's answer is then applied to the view.
   */
  async submitView(
    userId: string,
    view: StandInView,
    values: Record<string, Record<string, unknown>>,
    opts: { retryNum?: number } = {},
  ): Promise<SubmitResponse> {
    if (view.kind !== 'modal') throw new Error(`${describe(view)} is not a modal`);
    this.assertUsable(userId, view);
    const elements = findElements(view.view.blocks);
    for (const [blockId, actions] of Object.entries(values)) {
      for (const [actionId, state] of Object.entries(actions)) {
        if (!elements.some((e) => e.blockId === blockId && e.actionId === actionId)) {
          const known = elements.map((e) => `${e.blockId}.${e.actionId} (${e.type})`).join(', ');
          throw new Error(`${describe(view)} has no element ${blockId}.${actionId}. Elements: ${known || 'none'}`);
        }
        if (!isObject(state)) throw new Error(`state for ${blockId}.${actionId} must be an object like {type, value}`);
        this.standIn.setViewState(view.id, blockId, actionId, state);
      }
    }
    const fields = this.surfaceFields(userId, view);
    const payload: JsonObject = {
      ...this.common('view_submission', userId),
      trigger_id: fields.trigger_id,
      view: fields.view,
      response_urls: this.responseUrls(userId, view),
    };
    this.standIn.expectSubmission(view.id);
    const response = await this.postPayload(payload, opts.retryNum).catch((e: unknown) => {
      this.standIn.releaseSubmission(view.id);
      throw e;
    });
    if (response.status !== 200) this.standIn.releaseSubmission(view.id);
    const answerProblems = response.status === 200 ? this.standIn.applySubmissionAnswer(view.id, response.body) : [];
    return { ...response, answerProblems };
  }

  /** For conversation/channel selects with `response_url_enabled`, Slack adds response_urls. */
  private responseUrls(userId: string, view: StandInView): JsonObject[] {
    const state = this.standIn.submittedState(view.id);
    const urls: JsonObject[] = [];
    for (const e of findElements(view.view.blocks)) {
      if (!e.inInput || e.element.response_url_enabled !== true) continue;
      const s = state[e.blockId]?.[e.actionId];
      const channelId = isObject(s) ? (s.selected_conversation ?? s.selected_channel) : undefined;
      if (typeof channelId !== 'string') continue;
      urls.push({
        block_id: e.blockId,
        action_id: e.actionId,
        channel_id: channelId,
        response_url: this.standIn.newResponseUrl({ channelId, userId }),
      });
    }
    return urls;
  }

  /**
   * The user closes a modal. Slack sends view_closed only when the view has
   * `notify_on_close`; otherwise no request is made (status 0). The view closes either way.
   */
  async closeView(userId: string, view: StandInView): Promise<DriverResponse> {
    const fields = this.surfaceFields(userId, view);
    const clear = view.view.clear_on_close === true;
    const notify = view.view.notify_on_close === true;
    this.standIn.closeView(view.id, { clear });
    if (!notify) {
      return {
        status: 0,
        body: undefined,
        text: 'no request: notify_on_close is not set',
        ackMs: 0,
        headers: {},
        request: { body: '', contentType: '' },
      };
    }
    const payload: JsonObject = { ...this.common('view_closed', userId), view: fields.view, is_cleared: clear };
    return this.postPayload(payload);
  }

  /** Type into an external select: sends block_suggestion; `body` is the app's `{options}`. */
  async suggest(userId: string, view: Surface, actionId: string, typed: string): Promise<DriverResponse> {
    this.assertUsable(userId, view);
    const element = findElements(blocksOf(view)).find((e) => e.actionId === actionId);
    if (!element || !element.type.includes('external_select')) {
      throw new Error(`No external select with action_id ${actionId} on ${describe(view)}`);
    }
    const fields = this.surfaceFields(userId, view);
    const payload: JsonObject = {
      ...this.common('block_suggestion', userId),
      container: fields.container,
      action_id: element.actionId,
      block_id: element.blockId,
      value: typed,
      action_ts: this.actionTs(),
    };
    if (fields.view !== undefined) payload.view = fields.view;
    if (fields.channel !== undefined) payload.channel = fields.channel;
    if (fields.message !== undefined) payload.message = fields.message;
    return this.postPayload(payload);
  }

  /** The user opens the app's Home tab: an Events API `app_home_opened` callback (JSON). */
  async appHomeOpened(userId: string): Promise<DriverResponse> {
    const now = Date.now();
    const event: JsonObject = {
      type: 'app_home_opened',
      user: userId,
      channel: this.standIn.dmChannelFor(userId),
      tab: 'home',
      event_ts: `${Math.floor(now / 1000)}.${String(now % 1000).padStart(3, '0')}000`,
    };
    const home = this.standIn.homeView(userId);
    if (home) event.view = structuredClone(home.view);
    const body = JSON.stringify({
      token: this.verificationToken,
      team_id: this.teamId,
      api_app_id: this.appId,
      event,
      type: 'event_callback',
      event_id: `Ev${now.toString(36).toUpperCase()}${String(++this.actionSeq).padStart(4, '0')}`,
      event_time: Math.floor(now / 1000),
      authorizations: [
        { enterprise_id: null, team_id: this.teamId, user_id: this.standIn.botUserId, is_bot: true, is_enterprise_install: false },
      ],
      is_ext_shared_channel: false,
    });
    return this.signedPost(body, JSON_TYPE);
  }
}
