/**
 * A local stand-in for Slack: the Web API methods userops calls, the file upload URL, and
 * response_url endpoints, on a loopback `node:http` server. The app points its WebClient at
 * {@link SlackStandIn.apiUrl} (`clientOptions.slackApiUrl`); tests and the demo read what the
 * app "showed" from {@link SlackStandIn.messages} and {@link SlackStandIn.views}.
 *
 * It models the rules that make real Slack reject or reorder things (trigger ids that expire
 * after 3 s, view hashes, five posts per response_url, ephemeral messages that chat.update
 * cannot touch, Block Kit limits, membership for posting) because those are exactly the bugs a
 * permissive fake would hide.
 *
 * This class is the façade: each API family lives in its own module (chat.ts, views.ts with
 * view-store.ts, files.ts, users.ts, response-urls.ts) over shared state (workspace.ts,
 * messages.ts), and server.ts routes HTTP requests to them.
 */
import type { JsonObject } from '../blocks';
import { chatMethods } from './chat';
import { CallLog } from './faults';
import { FileUploads } from './files';
import { MessageStore } from './messages';
import { ResponseUrls } from './response-urls';
import { StandInServer, WebApi } from './server';
import type {
  FailureSpec,
  MessageFilter,
  RecordedCall,
  StandInChannel,
  StandInMessage,
  StandInOptions,
  StandInUser,
  StandInView,
  UploadedFile,
} from './types';
import { userMethods } from './users';
import { ViewStore } from './view-store';
import { viewMethods } from './views';
import { Workspace } from './workspace';

export class SlackStandIn {
  readonly teamId: string;
  readonly teamDomain: string;
  readonly botToken: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly appId: string;

  readonly calls: RecordedCall[];
  /** Every message in every surface, in creation order. */
  readonly messages: StandInMessage[];
  readonly views: Map<string, StandInView>;
  readonly files: UploadedFile[];

  private readonly ws: Workspace;
  private readonly log = new CallLog();
  private readonly store: MessageStore;
  private readonly replies: ResponseUrls;
  private readonly viewStore: ViewStore;
  private readonly server: StandInServer;

  constructor(opts: StandInOptions = {}) {
    const ws = new Workspace(opts);
    this.ws = ws;
    this.teamId = ws.teamId;
    this.teamDomain = ws.teamDomain;
    this.botToken = ws.botToken;
    this.botUserId = ws.botUserId;
    this.botId = ws.botId;
    this.appId = ws.appId;
    const base = (): string => this.server.base();
    this.store = new MessageStore(ws);
    this.replies = new ResponseUrls(ws, this.store, this.log, base);
    this.viewStore = new ViewStore(ws);
    const uploads = new FileUploads(ws, this.store, this.log, base);
    const api = new WebApi(ws, this.log, {
      ...userMethods(ws),
      ...chatMethods(ws, this.store, this.replies),
      ...viewMethods(ws, this.viewStore),
      ...uploads.methods(),
    });
    this.server = new StandInServer({
      hold: (url, req, body) => (url.pathname === '/api/views.update' ? this.viewStore.holdUpdate(req, body) : Promise.resolve()),
      api,
      upload: (fileId, req, body) => uploads.receive(fileId, req, body),
      responseUrl: (url, body) => this.replies.receive(url, body),
    });
    this.calls = this.log.calls;
    this.messages = this.store.messages;
    this.views = this.viewStore.views;
    this.files = uploads.files;
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle
  // -------------------------------------------------------------------------------------------

  start(port = 0): Promise<void> {
    return this.server.start(port);
  }

  stop(): Promise<void> {
    return this.server.stop(() => {
      this.replies.releaseAll();
      this.viewStore.releaseAll();
    });
  }

  /** What the app passes as `slackApiUrl`, e.g. `http://127.0.0.1:PORT/api/`. */
  get apiUrl(): string {
    return `${this.server.base()}/api/`;
  }

  // -------------------------------------------------------------------------------------------
  // Workspace set-up and inspection
  // -------------------------------------------------------------------------------------------

  addUser(u: StandInUser): void {
    this.ws.addUser(u);
  }

  addChannel(c: StandInChannel): void {
    this.ws.addChannel(c);
  }

  user(id: string): StandInUser | undefined {
    return this.ws.users.get(id);
  }

  channel(id: string): StandInChannel | undefined {
    return this.ws.channels.get(id);
  }

  /** The id of the app's DM with a user (what conversations.open returns). */
  dmChannelFor(userId: string): string {
    return this.ws.dmChannelFor(userId);
  }

  /** The name Slack puts in payloads' `channel.name` (`directmessage` for DMs). */
  channelName(id: string): string {
    return this.ws.channelName(id);
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  homeView(userId: string): StandInView | undefined {
    return this.viewStore.homeView(userId);
  }

  /** The open modal on top of a user's most recent stack, if any. */
  openModal(userId: string): StandInView | undefined {
    return this.viewStore.openModal(userId);
  }

  findMessages(filter: MessageFilter = {}): StandInMessage[] {
    return this.store.find(filter);
  }

  /**
   * The newest live message in a channel (C/G/D id, user id for the DM, or channel name), or
   * the newest live message posted through / bound to a response_url.
   */
  latestIn(channelOrResponseUrl: string): StandInMessage | undefined {
    const viaUrl = this.replies.latest(channelOrResponseUrl);
    if (viaUrl !== null) return viaUrl;
    const found = this.findMessages({ channel: channelOrResponseUrl });
    return found[found.length - 1];
  }

  /** Poll `probe` every 10 ms until it returns a truthy value; reject with `what` after the timeout. */
  async waitFor<T>(probe: () => T | undefined | null | false, timeoutMs = 5_000, what?: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined && value !== null && value !== false) return value;
      if (Date.now() >= deadline) {
        const described = what ?? probe.toString().replace(/\s+/g, ' ').slice(0, 200);
        throw new Error(`waitFor timed out after ${timeoutMs} ms waiting for: ${described}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  waitForMessage(filter: MessageFilter, timeoutMs = 5_000): Promise<StandInMessage> {
    return this.waitFor(
      () => {
        const found = this.findMessages(filter);
        return found[found.length - 1];
      },
      timeoutMs,
      `a message matching ${JSON.stringify(filter, (_k, v: unknown) => (v instanceof RegExp ? String(v) : v))}`,
    );
  }

  waitForCall(method: string, predicate: (c: RecordedCall) => boolean = () => true, timeoutMs = 5_000): Promise<RecordedCall> {
    return this.waitFor(() => this.calls.find((c) => c.method === method && predicate(c)), timeoutMs, `a ${method} call`);
  }

  // -------------------------------------------------------------------------------------------
  // Failure injection
  // -------------------------------------------------------------------------------------------

  /**
   * Make the next `times` calls of `method` fail. `status: 429` answers HTTP 429 with
   * Retry-After; `status: 500` HTTP 500; `error` alone HTTP 200 `{ok:false,error}` for Web API
   * methods. `upload` and `response_url` signal failure by HTTP status only, so there an
   * `error` without a status answers HTTP 400.
   */
  fail(method: string, spec: FailureSpec): void {
    this.log.fail(method, spec);
  }

  clearFailures(): void {
    this.log.clearFailures();
  }

  // -------------------------------------------------------------------------------------------
  // What Slack hands the app along with an interaction (used by SlackDriver)
  // -------------------------------------------------------------------------------------------

  /** A trigger id valid for 3 s and a single views.open/push, like Slack's. */
  newTriggerId(ctx: { userId?: string; viewId?: string } = {}): string {
    return this.viewStore.newTriggerId(ctx);
  }

  /** A response_url served by the stand-in; `message` binds it to that message's slot. */
  newResponseUrl(ctx: { channelId: string; userId: string; message?: StandInMessage }): string {
    return this.replies.create(ctx);
  }

  /**
   * Hold response_url posts until the slash command's ack is recorded. Slack shows the ack
   * reply before anything posted later through the URL; without this gate a fast `respond()`
   * could overtake the driver's recordAck and `replace_original` would find nothing to replace.
   */
  expectAck(responseUrl: string): void {
    this.replies.expectAck(responseUrl);
  }

  /**
   * Hold views.update calls for a view while its submission is being answered. Slack applies the
   * `response_action` of the ack before any later views.update from the app; without this gate
   * the driver could apply the ack (e.g. a "working…" view) over a faster update that followed it.
   */
  expectSubmission(viewId: string): void {
    this.viewStore.expectSubmission(viewId);
  }

  /** The submission of `viewId` was answered (or failed): let held updates through. */
  releaseSubmission(viewId: string): void {
    this.viewStore.releaseSubmission(viewId);
  }

  /**
   * Turn a slash-command ack body (text, or `{text, blocks, response_type}`) into the message
   * Slack would show: ephemeral to the user unless `in_channel`, bound to the response_url.
   */
  recordAck(body: unknown, ctx: { channelId: string; userId: string; responseUrl: string }): StandInMessage | undefined {
    return this.replies.recordAck(body, ctx);
  }

  /** Record what the user typed or picked in a view (kept until submitted, like the client). */
  setViewState(viewId: string, blockId: string, actionId: string, state: JsonObject): void {
    this.viewStore.setViewState(viewId, blockId, actionId, state);
  }

  /** `state.values` of a view as the client would submit it: initial values, then what was typed. */
  submittedState(viewId: string): Record<string, Record<string, unknown>> {
    return this.viewStore.submittedState(viewId);
  }

  /**
   * Apply the app's answer to a view_submission the way the Slack client does: empty answer
   * closes the submitted view, `clear` the whole stack, `update`/`push` show the new view,
   * `errors` keeps it open with messages under the inputs. Returns problems with a returned view.
   */
  applySubmissionAnswer(viewId: string, answer: unknown): string[] {
    return this.viewStore.applySubmissionAnswer(viewId, answer);
  }

  /** Close a modal (the user pressed Close, or the submission closed it); `clear` closes the stack. */
  closeView(viewId: string, opts: { clear?: boolean } = {}): void {
    this.viewStore.closeView(viewId, opts);
  }

  /** The `message` object of a block_actions payload for a (non-ephemeral) message. */
  messagePayload(message: StandInMessage): JsonObject {
    return this.store.json(message);
  }
}
