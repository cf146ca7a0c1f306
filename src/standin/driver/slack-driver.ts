/**
 * Plays the Slack side of the conversation: sends the app signed slash commands,
 * block_actions, view_submission, view_closed, block_suggestion and app_home_opened requests
 * exactly as Slack sends them to `POST /slack/events`, and applies the app's answers to the
 * stand-in the way the Slack client would (ack replies become messages, submission answers
 * close/update/push views).
 *
 * Buttons are found by their visible text, so a test reads like what a person does.
 * Signing and HTTP live in transport.ts, payload pieces in payloads.ts.
 */
import {
  findButtons,
  findElements,
  findOverflows,
  isObject,
  listControls,
  type FoundButton,
  type FoundElement,
  type JsonObject,
} from '../blocks';
import type { SlackStandIn, StandInMessage, StandInView } from '../web-api';
import { PayloadParts, selectionState } from './payloads';
import { assertUsable, blocksOf, describe, isView, matches, type Surface } from './surface';
import { FORM, JSON_TYPE, noRequest, SignedTransport, type DriverResponse } from './transport';

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

export class SlackDriver {
  readonly eventsUrl: string;
  private readonly standIn: SlackStandIn;
  private readonly http: SignedTransport;
  private readonly parts: PayloadParts;
  private readonly commandName: string;
  private readonly channelId: string;

  constructor(opts: SlackDriverOptions) {
    this.eventsUrl = opts.eventsUrl;
    this.standIn = opts.standIn;
    this.http = new SignedTransport(opts.eventsUrl, opts.signingSecret);
    this.parts = new PayloadParts(
      opts.standIn,
      opts.teamId ?? opts.standIn.teamId,
      opts.appId ?? opts.standIn.appId,
      opts.verificationToken ?? 'standinVerificationToken',
    );
    this.commandName = opts.command ?? '/users';
    this.channelId = opts.channelId ?? 'C0GENERAL';
  }

  // -------------------------------------------------------------------------------------------
  // Transport
  // -------------------------------------------------------------------------------------------

  /** Slack's request signature: `v0=` + HMAC-SHA256 of `v0:{timestamp}:{raw body}`. */
  sign(body: string, timestamp?: number): { 'x-slack-signature': string; 'x-slack-request-timestamp': string } {
    return this.http.sign(body, timestamp);
  }

  /** POST a raw body with exactly these headers (no signing added): for bad-signature tests. */
  send(body: string, headers: Record<string, string>): Promise<DriverResponse> {
    return this.http.send(body, headers);
  }

  /**
   * Send an earlier request again, byte for byte, freshly signed and with
   * `X-Slack-Retry-Num`, the way Slack redelivers a request it saw no timely answer to.
   */
  redeliver(previous: DriverResponse, retryNum = 1, retryReason = 'http_timeout'): Promise<DriverResponse> {
    return this.http.signedPost(previous.request.body, previous.request.contentType || FORM, { retryNum, retryReason });
  }

  /**
   * Send an earlier request again exactly as it was — the same body, timestamp and signature, no
   * retry header — the way someone who captured it would replay it inside the 5-minute window.
   */
  replay(previous: DriverResponse): Promise<DriverResponse> {
    if (!previous.request.headers) throw new Error('replay: this response did not keep the headers it was sent with');
    return this.http.send(previous.request.body, previous.request.headers);
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
      token: this.parts.verificationToken,
      team_id: this.parts.teamId,
      team_domain: this.standIn.teamDomain,
      channel_id: channelId,
      channel_name: this.standIn.channelName(channelId),
      user_id: userId,
      user_name: this.parts.userName(userId),
      command: this.commandName,
      text,
      api_app_id: this.parts.appId,
      is_enterprise_install: 'false',
      response_url: responseUrl,
      trigger_id: triggerId,
    });
    const ctx = { channelId, userId, responseUrl };
    this.standIn.expectAck(responseUrl);
    let response: DriverResponse;
    try {
      response = await this.http.signedPost(form.toString(), FORM, { retryNum: opts.retryNum, retryReason: opts.retryReason });
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
    assertUsable(userId, on);
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
    return this.blockActions(userId, on, this.parts.buttonAction(found[0] as FoundButton), opts.retryNum);
  }

  /**
   * Press control number `n` (1-based) in the numbering of `listControls` and
   * `renderBlocks(…, {numbered:true})`: what the demo does when a person types a number.
   */
  async pressControl(userId: string, on: Surface, n: number): Promise<DriverResponse> {
    assertUsable(userId, on);
    const blocks = blocksOf(on);
    const control = listControls(blocks)[n - 1];
    if (!control) throw new Error(`No control number ${n} on ${describe(on)}; it has ${listControls(blocks).length}`);
    if (control.kind === 'button') {
      const button = findButtons(blocks).find((b) => b.blockId === control.blockId && b.actionId === control.actionId);
      if (button) return this.blockActions(userId, on, this.parts.buttonAction(button));
    } else {
      const overflow = findOverflows(blocks).find((o) => o.blockId === control.blockId && o.actionId === control.actionId);
      const option = overflow?.options.find((o) => o.value === control.value && o.text === control.label);
      if (overflow && option) return this.blockActions(userId, on, this.parts.overflowAction(overflow, option));
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
    assertUsable(userId, on);
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
    return this.blockActions(userId, on, this.parts.overflowAction(o, opt), opts.retryNum);
  }

  /**
   * Choose a value in a select (static/external/users/conversations/channels, radio buttons,
   * multi-selects, checkboxes). The choice is kept in the view's state for a later submit.
   * Like Slack, an element inside an input block only sends block_actions with
   * `dispatch_action: true`; otherwise no request is made (status 0).
   */
  async selectOption(userId: string, on: Surface, actionId: string, value: string): Promise<DriverResponse> {
    assertUsable(userId, on);
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
    const state = selectionState(element, value, on);
    if (isView(on)) this.standIn.setViewState(on.id, element.blockId, element.actionId, state);
    if (element.inInput && !element.dispatchAction) return noRequest('no request: input elements dispatch only with dispatch_action');
    const { type: _type, ...selection } = state;
    const action: JsonObject = {
      type: element.type,
      action_id: element.actionId,
      block_id: element.blockId,
      ...selection,
      action_ts: this.parts.actionTs(),
    };
    if (element.element.placeholder !== undefined) action.placeholder = element.element.placeholder;
    const extra: JsonObject = isView(on) ? {} : { state: { values: { [element.blockId]: { [element.actionId]: state } } } };
    return this.blockActions(userId, on, action, undefined, extra);
  }

  private blockActions(
    userId: string,
    on: Surface,
    action: JsonObject,
    retryNum?: number,
    extra: JsonObject = {},
  ): Promise<DriverResponse> {
    const payload: JsonObject = {
      ...this.parts.common('block_actions', userId),
      ...this.parts.surfaceFields(userId, on),
      ...extra,
      actions: [action],
    };
    return this.http.postPayload(payload, retryNum);
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
    assertUsable(userId, view);
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
    const fields = this.parts.surfaceFields(userId, view);
    const payload: JsonObject = {
      ...this.parts.common('view_submission', userId),
      trigger_id: fields.trigger_id,
      view: fields.view,
      response_urls: this.parts.responseUrls(userId, view),
    };
    this.standIn.expectSubmission(view.id);
    const response = await this.http.postPayload(payload, opts.retryNum).catch((e: unknown) => {
      this.standIn.releaseSubmission(view.id);
      throw e;
    });
    if (response.status !== 200) this.standIn.releaseSubmission(view.id);
    const answerProblems = response.status === 200 ? this.standIn.applySubmissionAnswer(view.id, response.body) : [];
    return { ...response, answerProblems };
  }

  /**
   * The user closes a modal. Slack sends view_closed only when the view has
   * `notify_on_close`; otherwise no request is made (status 0). The view closes either way.
   */
  async closeView(userId: string, view: StandInView): Promise<DriverResponse> {
    const fields = this.parts.surfaceFields(userId, view);
    const clear = view.view.clear_on_close === true;
    const notify = view.view.notify_on_close === true;
    this.standIn.closeView(view.id, { clear });
    if (!notify) return noRequest('no request: notify_on_close is not set');
    const payload: JsonObject = { ...this.parts.common('view_closed', userId), view: fields.view, is_cleared: clear };
    return this.http.postPayload(payload);
  }

  /** Type into an external select: sends block_suggestion; `body` is the app's `{options}`. */
  async suggest(userId: string, view: Surface, actionId: string, typed: string): Promise<DriverResponse> {
    assertUsable(userId, view);
    const element = findElements(blocksOf(view)).find((e) => e.actionId === actionId);
    if (!element || !element.type.includes('external_select')) {
      throw new Error(`No external select with action_id ${actionId} on ${describe(view)}`);
    }
    const fields = this.parts.surfaceFields(userId, view);
    const payload: JsonObject = {
      ...this.parts.common('block_suggestion', userId),
      container: fields.container,
      action_id: element.actionId,
      block_id: element.blockId,
      value: typed,
      action_ts: this.parts.actionTs(),
    };
    if (fields.view !== undefined) payload.view = fields.view;
    if (fields.channel !== undefined) payload.channel = fields.channel;
    if (fields.message !== undefined) payload.message = fields.message;
    return this.http.postPayload(payload);
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
    const { teamId } = this.parts;
    const body = JSON.stringify({
      token: this.parts.verificationToken,
      team_id: teamId,
      api_app_id: this.parts.appId,
      event,
      type: 'event_callback',
      event_id: `Ev${now.toString(36).toUpperCase()}${String(this.parts.nextSeq()).padStart(4, '0')}`,
      event_time: Math.floor(now / 1000),
      authorizations: [
        { enterprise_id: null, team_id: teamId, user_id: this.standIn.botUserId, is_bot: true, is_enterprise_install: false },
      ],
      is_ext_shared_channel: false,
    });
    return this.http.signedPost(body, JSON_TYPE);
  }
}
