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
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQuery } from 'node:querystring';

import { checkMessageContent, findElements, initialStateOf, isObject, validateView, type JsonObject } from '../blocks';

export interface StandInUser {
  id: string;
  name: string;
  email?: string;
  realName?: string;
  isBot?: boolean;
  deleted?: boolean;
  /** users.info's `is_email_confirmed` (default true). */
  emailConfirmed?: boolean;
}

export interface StandInChannel {
  id: string;
  name: string;
  botIsMember: boolean;
}

export interface RecordedCall {
  /** Web API method, or `upload` / `response_url` / `ack` for the non-API endpoints. */
  method: string;
  args: Record<string, unknown>;
  token: string | null;
  at: number;
  status: number;
  /** The Slack error code when the call failed (`ok:false`, injected failure, HTTP error). */
  error?: string;
  response?: unknown;
}

export type MessageSource = 'chat.postMessage' | 'chat.postEphemeral' | 'response_url' | 'ack' | 'files.completeUploadExternal';

export interface StandInMessage {
  /** The stand-in's own id. */
  id: string;
  /** C…/G…/D… id. */
  channel: string;
  /** Slack-style "1700000000.000100", unique and increasing. */
  ts: string;
  text?: string;
  blocks?: unknown[];
  threadTs?: string;
  ephemeral: boolean;
  /** The user who can see an ephemeral message. */
  visibleTo?: string;
  source: MessageSource;
  /** For ephemeral/response_url/ack messages: a response_url bound to this message slot. */
  responseUrl?: string;
  /** File ids shared by a files.completeUploadExternal message. */
  files?: string[];
  deleted: boolean;
  /** Every content the message has had, oldest first (versions[0] is the original post). */
  versions: Array<{ text?: string; blocks?: unknown[]; at: number }>;
}

export interface StandInViewVersion {
  view: Record<string, unknown>;
  hash: string;
  at: number;
}

export interface StandInView {
  id: string;
  hash: string;
  /** The view as Slack returns it (id, hash, callback_id, private_metadata, state, …), current. */
  view: Record<string, unknown>;
  userId?: string;
  triggerId?: string;
  kind: 'modal' | 'home';
  /** View ids of this view's modal stack, root first (shared by every view of the stack). */
  stack: string[];
  closed: boolean;
  versions: StandInViewVersion[];
  externalId?: string;
  /** Errors by block_id from the latest `response_action: 'errors'`, cleared on other answers. */
  errors?: Record<string, string>;
}

export interface UploadedFile {
  id: string;
  filename: string;
  title?: string;
  bytes: Buffer;
  channelId?: string;
  initialComment?: string;
  threadTs?: string;
  completed: boolean;
  /** The `length` announced to files.getUploadURLExternal. */
  declaredLength: number;
  /** Whether the upload URL received the bytes. */
  uploaded: boolean;
}

export interface FailureSpec {
  error?: string;
  status?: 429 | 500;
  retryAfterSec?: number;
  /** How many calls fail (default 1; Infinity allowed). */
  times?: number;
}

export interface StandInOptions {
  users?: StandInUser[];
  channels?: StandInChannel[];
  teamId?: string;
  teamDomain?: string;
  botToken?: string;
  botUserId?: string;
  botId?: string;
  appId?: string;
  /** Clock for trigger/response_url expiry and timestamps (tests can move time forward). */
  now?: () => number;
}

export interface MessageFilter {
  channel?: string;
  text?: string | RegExp;
  source?: MessageSource;
  visibleTo?: string;
  ephemeral?: boolean;
  includeDeleted?: boolean;
}

const TRIGGER_TTL_MS = 3_000;
const RESPONSE_URL_TTL_MS = 30 * 60_000;
const RESPONSE_URL_MAX_POSTS = 5;
const VIEW_STACK_MAX = 3;
/** How long a response_url post waits for the slash-command ack to be recorded (see expectAck). */
const ACK_GATE_MAX_MS = 5_000;

/** Fields that @slack/web-api sends JSON-encoded inside form bodies. */
const JSON_FIELDS = ['blocks', 'attachments', 'view', 'files', 'metadata'];

interface TriggerRecord {
  issuedAt: number;
  used: boolean;
  userId?: string;
  viewId?: string;
}

interface ResponseUrlSlot {
  url: string;
  channelId: string;
  userId: string;
  createdAt: number;
  posts: number;
  /** The message `replace_original`/`delete_original` act on. */
  boundMessageId?: string;
  createdMessageIds: string[];
}

interface AckGate {
  promise: Promise<void>;
  release: () => void;
}

type Failure = FailureSpec & { method: string; remaining: number };

type ApiResult = JsonObject & { ok: boolean };

class HttpAnswer {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly headers: Record<string, string> = {},
  ) {}
}

function alnum(n: number): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const bytes = randomBytes(n);
  let out = '';
  for (const b of bytes) out += chars[b % chars.length];
  return out;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function truthy(value: unknown): boolean {
  return value === true || value === 'true' || value === '1';
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
}

interface MultipartPart {
  name?: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/** Minimal multipart/form-data parser; keeps part bodies as exact bytes. */
export function parseMultipart(body: Buffer, contentType: string): MultipartPart[] {
  const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!match) return [];
  const delimiter = Buffer.from(`--${(match[1] ?? match[2] ?? '').trim()}`);
  const parts: MultipartPart[] = [];
  let pos = body.indexOf(delimiter);
  while (pos >= 0) {
    const afterDelimiter = pos + delimiter.length;
    if (body.subarray(afterDelimiter, afterDelimiter + 2).toString() === '--') break;
    const start = afterDelimiter + 2; // skip CRLF
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const part = body.subarray(start, next - 2); // drop the CRLF that precedes the delimiter
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd >= 0) {
      const headerText = part.subarray(0, headerEnd).toString('utf8');
      const disposition = /content-disposition:([^\r\n]*)/i.exec(headerText)?.[1] ?? '';
      const parsed: MultipartPart = { data: Buffer.from(part.subarray(headerEnd + 4)) };
      const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
      const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
      const type = /content-type:\s*([^\r\n]*)/i.exec(headerText)?.[1];
      if (name !== undefined) parsed.name = name;
      if (filename !== undefined) parsed.filename = filename;
      if (type !== undefined) parsed.contentType = type.trim();
      parts.push(parsed);
    }
    pos = next;
  }
  return parts;
}

export class SlackStandIn {
  readonly teamId: string;
  readonly teamDomain: string;
  readonly botToken: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly appId: string;

  readonly calls: RecordedCall[] = [];
  /** Every message in every surface, in creation order. */
  readonly messages: StandInMessage[] = [];
  readonly views = new Map<string, StandInView>();
  readonly files: UploadedFile[] = [];

  private readonly now: () => number;
  private readonly users = new Map<string, StandInUser>();
  private readonly channels = new Map<string, StandInChannel>();
  private readonly dmUsers = new Map<string, string>();
  private readonly triggers = new Map<string, TriggerRecord>();
  private readonly responseUrls = new Map<string, ResponseUrlSlot>();
  private readonly ackGates = new Map<string, AckGate>();
  private readonly submissionGates = new Map<string, AckGate>();
  private readonly homeViews = new Map<string, string>();
  private failures: Failure[] = [];
  private server: Server | undefined;
  private baseUrl: string | undefined;
  private seq = 0;
  private lastTsMicros = 0n;

  constructor(opts: StandInOptions = {}) {
    this.teamId = opts.teamId ?? 'T0TEAM001';
    this.teamDomain = opts.teamDomain ?? 'standin';
    this.botToken = opts.botToken ?? 'xoxb-standin-bot-token';
    this.botUserId = opts.botUserId ?? 'U0USEROPS';
    this.botId = opts.botId ?? 'B0USEROPS';
    this.appId = opts.appId ?? 'A0USEROPS';
    this.now = opts.now ?? Date.now;
    this.addUser({ id: this.botUserId, name: 'userops', realName: 'userops', isBot: true });
    for (const user of opts.users ?? []) this.addUser(user);
    const channels = opts.channels ?? [{ id: 'C0GENERAL', name: 'general', botIsMember: true }];
    for (const channel of channels) this.addChannel(channel);
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle
  // -------------------------------------------------------------------------------------------

  async start(port = 0): Promise<void> {
    if (this.server) throw new Error('SlackStandIn already started');
    const server = createServer((req, res) => {
      this.route(req, res).catch((err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`stand-in error: ${message}`);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const gate of this.ackGates.values()) gate.release();
    this.ackGates.clear();
    for (const gate of this.submissionGates.values()) gate.release();
    this.submissionGates.clear();
    // fetch keeps connections alive; close them or close() waits for their idle timeout.
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  }

  /** What the app passes as `slackApiUrl`, e.g. `http://127.0.0.1:PORT/api/`. */
  get apiUrl(): string {
    return `${this.base()}/api/`;
  }

  private base(): string {
    if (this.baseUrl === undefined) throw new Error('SlackStandIn is not started: await standIn.start() first');
    return this.baseUrl;
  }

  // -------------------------------------------------------------------------------------------
  // Workspace set-up and inspection
  // -------------------------------------------------------------------------------------------

  addUser(u: StandInUser): void {
    this.users.set(u.id, { ...u });
  }

  addChannel(c: StandInChannel): void {
    this.channels.set(c.id, { ...c });
  }

  user(id: string): StandInUser | undefined {
    return this.users.get(id);
  }

  channel(id: string): StandInChannel | undefined {
    return this.channels.get(id);
  }

  /** The id of the app's DM with a user (what conversations.open returns). */
  dmChannelFor(userId: string): string {
    const id = `D${userId.slice(1)}`;
    this.dmUsers.set(id, userId);
    return id;
  }

  /** The name Slack puts in payloads' `channel.name` (`directmessage` for DMs). */
  channelName(id: string): string {
    if (id.startsWith('D')) return 'directmessage';
    return this.channels.get(id)?.name ?? 'privategroup';
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  homeView(userId: string): StandInView | undefined {
    const id = this.homeViews.get(userId);
    return id === undefined ? undefined : this.views.get(id);
  }

  /** The open modal on top of a user's most recent stack, if any. */
  openModal(userId: string): StandInView | undefined {
    const open = [...this.views.values()].filter((v) => v.kind === 'modal' && v.userId === userId && !v.closed);
    const last = open[open.length - 1];
    if (!last) return undefined;
    return this.views.get(last.stack[last.stack.length - 1] ?? last.id);
  }

  findMessages(filter: MessageFilter = {}): StandInMessage[] {
    const channel = filter.channel === undefined ? undefined : this.channelIdOf(filter.channel);
    return this.messages.filter((m) => {
      if (!filter.includeDeleted && m.deleted) return false;
      if (channel !== undefined && m.channel !== channel) return false;
      if (filter.source !== undefined && m.source !== filter.source) return false;
      if (filter.visibleTo !== undefined && m.ephemeral && m.visibleTo !== filter.visibleTo) return false;
      if (filter.ephemeral !== undefined && m.ephemeral !== filter.ephemeral) return false;
      if (filter.text !== undefined) {
        const haystack = `${m.text ?? ''}\n${JSON.stringify(m.blocks ?? [])}`;
        if (typeof filter.text === 'string' ? !haystack.includes(filter.text) : !filter.text.test(haystack)) return false;
      }
      return true;
    });
  }

  /**
   * The newest live message in a channel (C/G/D id, user id for the DM, or channel name), or
   * the newest live message posted through / bound to a response_url.
   */
  latestIn(channelOrResponseUrl: string): StandInMessage | undefined {
    const slot = this.responseUrls.get(channelOrResponseUrl);
    if (slot) {
      const ids = new Set([...(slot.boundMessageId ? [slot.boundMessageId] : []), ...slot.createdMessageIds]);
      const candidates = this.messages.filter((m) => ids.has(m.id) && !m.deleted);
      return candidates[candidates.length - 1];
    }
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
    this.failures.push({ ...spec, method, remaining: spec.times ?? 1 });
  }

  clearFailures(): void {
    this.failures = [];
  }

  private takeFailure(method: string): Failure | undefined {
    const failure = this.failures.find((f) => f.method === method && f.remaining > 0);
    if (failure) failure.remaining -= 1;
    return failure;
  }

  // -------------------------------------------------------------------------------------------
  // What Slack hands the app along with an interaction (used by SlackDriver)
  // -------------------------------------------------------------------------------------------

  /** A trigger id valid for 3 s and a single views.open/push, like Slack's. */
  newTriggerId(ctx: { userId?: string; viewId?: string } = {}): string {
    const id = `${Math.floor(this.now() / 1000)}${String(++this.seq).padStart(4, '0')}.${this.teamId.slice(1)}.${randomBytes(16).toString('hex')}`;
    const record: TriggerRecord = { issuedAt: this.now(), used: false };
    if (ctx.userId !== undefined) record.userId = ctx.userId;
    if (ctx.viewId !== undefined) record.viewId = ctx.viewId;
    this.triggers.set(id, record);
    return id;
  }

  /** A response_url served by the stand-in; `message` binds it to that message's slot. */
  newResponseUrl(ctx: { channelId: string; userId: string; message?: StandInMessage }): string {
    const url = `${this.base()}/actions/${this.teamId}/${++this.seq}/${randomBytes(12).toString('hex')}`;
    const slot: ResponseUrlSlot = {
      url,
      channelId: ctx.channelId,
      userId: ctx.userId,
      createdAt: this.now(),
      posts: 0,
      createdMessageIds: [],
    };
    if (ctx.message) slot.boundMessageId = ctx.message.id;
    this.responseUrls.set(url, slot);
    return url;
  }

  /**
   * Hold response_url posts until the slash command's ack is recorded. Slack shows the ack
   * reply before anything posted later through the URL; without this gate a fast `respond()`
   * could overtake the driver's recordAck and `replace_original` would find nothing to replace.
   */
  expectAck(responseUrl: string): void {
    if (!this.ackGates.has(responseUrl)) this.ackGates.set(responseUrl, openGate());
  }

  /**
   * Hold views.update calls for a view while its submission is being answered. Slack applies the
   * `response_action` of the ack before any later views.update from the app; without this gate
   * the driver could apply the ack (e.g. a "working…" view) over a faster update that followed it.
   */
  expectSubmission(viewId: string): void {
    if (!this.submissionGates.has(viewId)) this.submissionGates.set(viewId, openGate());
  }

  /** The submission of `viewId` was answered (or failed): let held updates through. */
  releaseSubmission(viewId: string): void {
    this.submissionGates.get(viewId)?.release();
    this.submissionGates.delete(viewId);
  }

  /**
   * Turn a slash-command ack body (text, or `{text, blocks, response_type}`) into the message
   * Slack would show: ephemeral to the user unless `in_channel`, bound to the response_url.
   */
  recordAck(body: unknown, ctx: { channelId: string; userId: string; responseUrl: string }): StandInMessage | undefined {
    try {
      const content: JsonObject | undefined =
        typeof body === 'string' ? (body.length > 0 ? { text: body } : undefined) : isObject(body) ? body : undefined;
      if (!content || (content.text === undefined && content.blocks === undefined)) return undefined;
      const problem = checkMessageContent(content);
      const call: RecordedCall = { method: 'ack', args: content, token: null, at: this.now(), status: problem ? 400 : 200 };
      if (problem) {
        call.error = problem.error;
        call.response = { ok: false, error: problem.error, errors: problem.errors };
        this.calls.push(call);
        return undefined;
      }
      this.calls.push(call);
      const slot = this.slotFor(ctx.responseUrl, ctx);
      const inChannel = content.response_type === 'in_channel';
      const message = this.createMessage({
        channel: ctx.channelId,
        content,
        ephemeral: !inChannel,
        visibleTo: inChannel ? undefined : ctx.userId,
        source: 'ack',
        responseUrl: ctx.responseUrl,
      });
      slot.boundMessageId = message.id;
      return message;
    } finally {
      this.ackGates.get(ctx.responseUrl)?.release();
      this.ackGates.delete(ctx.responseUrl);
    }
  }

  private slotFor(url: string, ctx: { channelId: string; userId: string }): ResponseUrlSlot {
    let slot = this.responseUrls.get(url);
    if (!slot) {
      slot = { url, channelId: ctx.channelId, userId: ctx.userId, createdAt: this.now(), posts: 0, createdMessageIds: [] };
      this.responseUrls.set(url, slot);
    }
    return slot;
  }

  /** Record what the user typed or picked in a view (kept until submitted, like the client). */
  setViewState(viewId: string, blockId: string, actionId: string, state: JsonObject): void {
    const view = this.requireView(viewId);
    const values = this.stateValues(view);
    values[blockId] = { ...(values[blockId] ?? {}), [actionId]: clone(state) };
  }

  /** `state.values` of a view as the client would submit it: initial values, then what was typed. */
  submittedState(viewId: string): Record<string, Record<string, unknown>> {
    const view = this.requireView(viewId);
    const result: Record<string, Record<string, unknown>> = {};
    for (const element of findElements(view.view.blocks)) {
      if (!element.inInput) continue;
      const initial = initialStateOf(element.element);
      if (initial) result[element.blockId] = { ...(result[element.blockId] ?? {}), [element.actionId]: initial };
    }
    for (const [blockId, actions] of Object.entries(this.stateValues(view))) {
      result[blockId] = { ...(result[blockId] ?? {}), ...clone(actions) };
    }
    return result;
  }

  /**
   * Apply the app's answer to a view_submission the way the Slack client does: empty answer
   * closes the submitted view, `clear` the whole stack, `update`/`push` show the new view,
   * `errors` keeps it open with messages under the inputs. Returns problems with a returned view.
   */
  applySubmissionAnswer(viewId: string, answer: unknown): string[] {
    try {
      return this.applyAnswer(viewId, answer);
    } finally {
      this.releaseSubmission(viewId);
    }
  }

  private applyAnswer(viewId: string, answer: unknown): string[] {
    const view = this.requireView(viewId);
    const action = isObject(answer) ? str(answer.response_action) : undefined;
    delete view.errors;
    switch (action) {
      case 'errors': {
        const errors = isObject(answer) && isObject(answer.errors) ? answer.errors : {};
        view.errors = Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, String(v)]));
        const blockIds = new Set(
          findElements(view.view.blocks)
            .filter((e) => e.inInput)
            .map((e) => e.blockId),
        );
        return Object.keys(view.errors)
          .filter((k) => !blockIds.has(k))
          .map((k) => `errors names block_id ${JSON.stringify(k)}, which is not an input block of the view`);
      }
      case 'update': {
        const result = this.replaceView(view, isObject(answer) ? answer.view : undefined);
        return result.ok ? [] : this.problemList(result);
      }
      case 'push': {
        const result = this.pushView(view, isObject(answer) ? answer.view : undefined, undefined);
        return result.ok ? [] : this.problemList(result);
      }
      case 'clear':
        this.closeView(viewId, { clear: true });
        return [];
      case undefined:
        this.closeView(viewId);
        return [];
      default:
        return [`unknown response_action ${JSON.stringify(action)}`];
    }
  }

  /** Close a modal (the user pressed Close, or the submission closed it); `clear` closes the stack. */
  closeView(viewId: string, opts: { clear?: boolean } = {}): void {
    const view = this.requireView(viewId);
    const ids = opts.clear ? [...view.stack] : [viewId];
    for (const id of ids) {
      const v = this.views.get(id);
      if (v) v.closed = true;
      const i = view.stack.indexOf(id);
      if (i >= 0) view.stack.splice(i, 1);
    }
  }

  private problemList(result: ApiResult): string[] {
    const messages = isObject(result.response_metadata) ? result.response_metadata.messages : undefined;
    return Array.isArray(messages) ? messages.map(String) : [String(result.error)];
  }

  private requireView(viewId: string): StandInView {
    const view = this.views.get(viewId);
    if (!view) throw new Error(`no view ${viewId} in the stand-in`);
    return view;
  }

  private stateValues(view: StandInView): Record<string, Record<string, unknown>> {
    const state = isObject(view.view.state) ? view.view.state : {};
    const values = isObject(state.values) ? (state.values as Record<string, Record<string, unknown>>) : {};
    view.view.state = { ...state, values };
    return values;
  }

  // -------------------------------------------------------------------------------------------
  // HTTP routing
  // -------------------------------------------------------------------------------------------

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const body = await readBody(req);
    let answer: HttpAnswer;
    if (url.pathname === '/api/views.update' && this.submissionGates.size > 0) {
      const viewId = viewIdOf(req, body);
      if (viewId) await this.submissionGates.get(viewId)?.promise;
    }
    if (url.pathname.startsWith('/api/')) {
      answer = this.handleApi(decodeURIComponent(url.pathname.slice(5)), req, body, url);
    } else if (url.pathname.startsWith('/upload/')) {
      answer = this.handleUpload(url.pathname.split('/').pop() ?? '', req, body);
    } else if (url.pathname.startsWith('/actions/') && req.method === 'POST') {
      answer = await this.handleResponseUrl(`${this.base()}${url.pathname}`, body);
    } else {
      answer = new HttpAnswer(404, 'not found', { 'content-type': 'text/plain' });
    }
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }

  private parseArgs(req: IncomingMessage, body: Buffer, url: URL): { args: JsonObject; formatError?: string } {
    const contentType = (req.headers['content-type'] ?? '').toLowerCase();
    const args: JsonObject = {};
    for (const [k, v] of url.searchParams) args[k] = v;
    if (contentType.startsWith('application/json')) {
      try {
        const parsed: unknown = JSON.parse(body.toString('utf8') || '{}');
        if (isObject(parsed)) Object.assign(args, parsed);
      } catch {
        return { args, formatError: 'invalid_json' };
      }
      return { args };
    }
    if (contentType.startsWith('multipart/form-data')) {
      for (const part of parseMultipart(body, contentType)) {
        if (part.name !== undefined) args[part.name] = part.filename !== undefined ? part.data : part.data.toString('utf8');
      }
    } else if (body.length > 0) {
      for (const [k, v] of Object.entries(parseQuery(body.toString('utf8')))) {
        args[k] = Array.isArray(v) ? v[v.length - 1] : v;
      }
    }
    // @slack/web-api JSON-encodes every non-primitive argument inside the form body.
    for (const field of JSON_FIELDS) {
      const raw = args[field];
      if (typeof raw !== 'string') continue;
      try {
        args[field] = JSON.parse(raw);
      } catch {
        return { args, formatError: field === 'blocks' ? 'invalid_blocks_format' : 'invalid_arguments' };
      }
    }
    return { args };
  }

  private handleApi(method: string, req: IncomingMessage, body: Buffer, url: URL): HttpAnswer {
    const { args, formatError } = this.parseArgs(req, body, url);
    const auth = req.headers.authorization;
    const bearer = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
    const token = bearer ?? str(args.token) ?? null;
    delete args.token;
    const call: RecordedCall = { method, args, token, at: this.now(), status: 200 };
    this.calls.push(call);

    const failure = this.takeFailure(method);
    if (failure) return this.failureAnswer(call, failure, 'api');

    let result: ApiResult;
    if (formatError) result = { ok: false, error: formatError };
    else if (token === null) result = { ok: false, error: 'not_authed' };
    else if (token !== this.botToken) result = { ok: false, error: 'invalid_auth' };
    else {
      const handler = this.methods[method];
      result = handler ? handler(args) : { ok: false, error: 'unknown_method' };
    }
    if (!result.ok) call.error = String(result.error);
    call.response = result;
    return new HttpAnswer(200, JSON.stringify(result), { 'content-type': 'application/json; charset=utf-8' });
  }

  private failureAnswer(call: RecordedCall, failure: Failure, kind: 'api' | 'raw'): HttpAnswer {
    const json = { 'content-type': 'application/json; charset=utf-8' };
    if (failure.status === 429) {
      const retryAfter = String(failure.retryAfterSec ?? 1);
      call.status = 429;
      call.error = failure.error ?? 'ratelimited';
      return new HttpAnswer(429, JSON.stringify({ ok: false, error: call.error }), { ...json, 'retry-after': retryAfter });
    }
    if (failure.status === 500) {
      call.status = 500;
      call.error = failure.error ?? 'internal_error';
      return new HttpAnswer(500, JSON.stringify({ ok: false, error: call.error }), json);
    }
    call.error = failure.error ?? 'fatal_error';
    call.status = kind === 'api' ? 200 : 400;
    return new HttpAnswer(call.status, JSON.stringify({ ok: false, error: call.error }), json);
  }

  // -------------------------------------------------------------------------------------------
  // Web API methods
  // -------------------------------------------------------------------------------------------

  private readonly methods: Record<string, (args: JsonObject) => ApiResult> = {
    'auth.test': () => ({
      ok: true,
      url: `https://${this.teamDomain}.slack.com/`,
      team: 'Stand-in workspace',
      user: 'userops',
      team_id: this.teamId,
      user_id: this.botUserId,
      bot_id: this.botId,
      app_id: this.appId,
      is_enterprise_install: false,
    }),

    'users.info': (args) => {
      const user = this.users.get(str(args.user) ?? '');
      if (!user) return { ok: false, error: 'user_not_found' };
      const profile: JsonObject = {
        real_name: user.realName ?? user.name,
        display_name: user.name,
        real_name_normalized: user.realName ?? user.name,
      };
      if (user.email !== undefined) profile.email = user.email;
      if (user.isBot) profile.bot_id = this.botId;
      return {
        ok: true,
        user: {
          id: user.id,
          team_id: this.teamId,
          name: user.name,
          deleted: user.deleted ?? false,
          real_name: user.realName ?? user.name,
          is_bot: user.isBot ?? false,
          is_email_confirmed: user.emailConfirmed ?? true,
          is_admin: false,
          is_app_user: false,
          tz: 'UTC',
          updated: Math.floor(this.now() / 1000),
          profile,
        },
      };
    },

    'conversations.open': (args) => {
      const users = (str(args.users) ?? '')
        .split(',')
        .map((u) => u.trim())
        .filter(Boolean);
      if (users.length === 0) {
        const channel = str(args.channel);
        if (channel === undefined) return { ok: false, error: 'users_list_not_supplied' };
        if (this.dmUsers.has(channel)) return { ok: true, no_op: true, already_open: true, channel: { id: channel } };
        return { ok: false, error: 'channel_not_found' };
      }
      for (const id of users) {
        if (!this.users.has(id)) return { ok: false, error: 'user_not_found' };
      }
      if (users.length > 1) return { ok: true, channel: { id: `G${alnum(10)}` } };
      const id = `D${(users[0] ?? '').slice(1)}`;
      const alreadyOpen = this.dmUsers.has(id);
      this.dmChannelFor(users[0] ?? '');
      return alreadyOpen ? { ok: true, no_op: true, already_open: true, channel: { id } } : { ok: true, channel: { id } };
    },

    'chat.postMessage': (args) => {
      const target = this.resolveForPosting(args.channel, { allowUserId: true });
      if (!target.ok) return target;
      const problem = checkMessageContent(args);
      if (problem) return this.contentError(problem);
      const message = this.createMessage({
        channel: target.id,
        content: args,
        ephemeral: false,
        source: 'chat.postMessage',
      });
      return { ok: true, channel: message.channel, ts: message.ts, message: this.messageJson(message) };
    },

    'chat.postEphemeral': (args) => {
      const userId = str(args.user) ?? '';
      if (!this.users.has(userId)) return { ok: false, error: 'user_not_found' };
      const target = this.resolveForPosting(args.channel, { allowUserId: true });
      if (!target.ok) return target;
      const problem = checkMessageContent(args);
      if (problem) return this.contentError(problem);
      const message = this.createMessage({
        channel: target.id,
        content: args,
        ephemeral: true,
        visibleTo: userId,
        source: 'chat.postEphemeral',
      });
      message.responseUrl = this.newResponseUrl({ channelId: target.id, userId, message });
      return { ok: true, message_ts: message.ts };
    },

    'chat.update': (args) => {
      const found = this.findByTs(args.channel, args.ts);
      if (!found.ok) return found;
      const message = found.message;
      if (message.ephemeral) return { ok: false, error: 'cant_update_message' };
      // Omitted fields keep their old value (Slack: pass `blocks: []` to remove blocks).
      const next: JsonObject = {
        text: args.text !== undefined ? args.text : message.text,
        blocks: args.blocks !== undefined ? args.blocks : message.blocks,
      };
      if (args.text === undefined && args.blocks === undefined) return { ok: false, error: 'no_text' };
      const problem = checkMessageContent(next);
      if (problem) return this.contentError(problem);
      this.updateMessage(message, next);
      return { ok: true, channel: message.channel, ts: message.ts, text: message.text ?? '', message: this.messageJson(message) };
    },

    'chat.delete': (args) => {
      const found = this.findByTs(args.channel, args.ts);
      if (!found.ok) return found;
      if (found.message.ephemeral) return { ok: false, error: 'cant_delete_message' };
      found.message.deleted = true;
      return { ok: true, channel: found.message.channel, ts: found.message.ts };
    },

    'views.open': (args) => {
      const trigger = this.useTrigger(args.trigger_id);
      if (!trigger.ok) return trigger;
      const problems = this.viewProblems(args.view, 'modal');
      if (problems) return problems;
      const stack: string[] = [];
      const view = this.createView(args.view as JsonObject, {
        kind: 'modal',
        stack,
        trigger: trigger.record,
        triggerId: str(args.trigger_id),
      });
      if (!view.ok) return view;
      return { ok: true, view: view.view.view };
    },

    'views.push': (args) => {
      const trigger = this.useTrigger(args.trigger_id);
      if (!trigger.ok) return trigger;
      const from =
        (trigger.record.viewId !== undefined ? this.views.get(trigger.record.viewId) : undefined) ??
        (trigger.record.userId !== undefined ? this.openModal(trigger.record.userId) : undefined);
      if (!from || from.closed || from.kind !== 'modal') return { ok: false, error: 'not_found' };
      return this.pushView(from, args.view, str(args.trigger_id));
    },

    'views.update': (args) => {
      const viewId = str(args.view_id);
      const externalId = str(args.external_id);
      if (viewId === undefined && externalId === undefined) return { ok: false, error: 'invalid_arguments' };
      const view =
        viewId !== undefined ? this.views.get(viewId) : [...this.views.values()].find((v) => v.externalId === externalId && !v.closed);
      if (!view || view.closed) return { ok: false, error: 'not_found' };
      const hash = str(args.hash);
      if (hash !== undefined && hash !== view.hash) return { ok: false, error: 'hash_conflict' };
      return this.replaceView(view, args.view);
    },

    'views.publish': (args) => {
      const userId = str(args.user_id) ?? '';
      if (!this.users.has(userId)) return { ok: false, error: 'user_not_found' };
      const problems = this.viewProblems(args.view, 'home');
      if (problems) return problems;
      const existing = this.homeView(userId);
      if (existing) {
        const hash = str(args.hash);
        if (hash !== undefined && hash !== existing.hash) return { ok: false, error: 'hash_conflict' };
        return this.replaceView(existing, args.view);
      }
      const created = this.createView(args.view as JsonObject, { kind: 'home', stack: [], userId });
      if (!created.ok) return created;
      this.homeViews.set(userId, created.view.id);
      return { ok: true, view: created.view.view };
    },

    'files.getUploadURLExternal': (args) => {
      const filename = str(args.filename);
      const length = Number(args.length);
      if (!filename) return { ok: false, error: 'invalid_arguments' };
      if (!Number.isInteger(length) || length < 0) return { ok: false, error: 'invalid_arguments' };
      const file: UploadedFile = {
        id: `F${alnum(10)}`,
        filename,
        bytes: Buffer.alloc(0),
        completed: false,
        declaredLength: length,
        uploaded: false,
      };
      this.files.push(file);
      return { ok: true, upload_url: `${this.base()}/upload/v1/${file.id}`, file_id: file.id };
    },

    'files.completeUploadExternal': (args) => {
      const list = Array.isArray(args.files) ? args.files : undefined;
      if (!list || list.length === 0) return { ok: false, error: 'invalid_arguments' };
      const entries: Array<{ file: UploadedFile; title?: string }> = [];
      for (const entry of list) {
        const id = isObject(entry) ? str(entry.id) : undefined;
        const file = this.files.find((f) => f.id === id);
        // A file whose bytes never reached the upload URL cannot be completed.
        if (!file || !file.uploaded || file.completed) return { ok: false, error: 'file_not_found' };
        const title = isObject(entry) ? str(entry.title) : undefined;
        entries.push(title === undefined ? { file } : { file, title });
      }
      let channelId: string | undefined;
      const channelArg = str(args.channel_id) ?? str(args.channels);
      if (channelArg !== undefined) {
        // Unlike chat.postMessage, a user id is not accepted here: open the DM first.
        const target = this.resolveForPosting(channelArg, { allowUserId: false });
        if (!target.ok) return target;
        channelId = target.id;
      }
      const initialComment = str(args.initial_comment);
      const threadTs = str(args.thread_ts);
      for (const { file, title } of entries) {
        file.completed = true;
        file.title = title ?? file.filename;
        if (channelId !== undefined) file.channelId = channelId;
        if (initialComment !== undefined) file.initialComment = initialComment;
        if (threadTs !== undefined) file.threadTs = threadTs;
      }
      if (channelId !== undefined) {
        const content: JsonObject = { text: initialComment ?? '' };
        if (threadTs !== undefined) content.thread_ts = threadTs;
        const message = this.createMessage({
          channel: channelId,
          content,
          ephemeral: false,
          source: 'files.completeUploadExternal',
        });
        message.files = entries.map((e) => e.file.id);
      }
      return {
        ok: true,
        files: entries.map(({ file }) => ({
          id: file.id,
          name: file.filename,
          title: file.title,
          size: file.bytes.length,
          user: this.botUserId,
          channels: channelId !== undefined && !channelId.startsWith('G') ? [channelId] : [],
          groups: channelId?.startsWith('G') ? [channelId] : [],
        })),
      };
    },
  };

  private contentError(problem: { error: string; errors: string[] }): ApiResult {
    const result: ApiResult = { ok: false, error: problem.error };
    if (problem.errors.length > 0) {
      result.errors = problem.errors;
      result.response_metadata = { messages: problem.errors.map((e) => `[ERROR] ${e}`) };
    }
    return result;
  }

  private viewProblems(view: unknown, expected: 'modal' | 'home'): ApiResult | undefined {
    const errors = validateView(view);
    if (errors.length === 0 && isObject(view) && view.type !== expected) {
      errors.push(`must be ${expected} [json-pointer:/view/type]`);
    }
    if (errors.length === 0) return undefined;
    return { ok: false, error: 'invalid_arguments', response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) } };
  }

  // -------------------------------------------------------------------------------------------
  // Conversations and messages
  // -------------------------------------------------------------------------------------------

  /** Resolve a conversation reference to its id without checking membership. */
  private channelIdOf(ref: string): string | undefined {
    if (this.channels.has(ref)) return ref;
    if (ref.startsWith('D')) {
      if (this.dmUsers.has(ref)) return ref;
      const userId = `U${ref.slice(1)}`;
      return this.users.has(userId) ? this.dmChannelFor(userId) : undefined;
    }
    if (/^[UW]/.test(ref) && this.users.has(ref)) return this.dmChannelFor(ref);
    const name = ref.replace(/^#/, '');
    for (const c of this.channels.values()) if (c.name === name) return c.id;
    return undefined;
  }

  private resolveForPosting(ref: unknown, opts: { allowUserId: boolean }): { ok: true; id: string } | { ok: false; error: string } {
    const value = str(ref);
    if (!value) return { ok: false, error: 'channel_not_found' };
    if (!opts.allowUserId && /^[UW]/.test(value)) return { ok: false, error: 'channel_not_found' };
    const id = this.channelIdOf(value);
    if (id === undefined) return { ok: false, error: 'channel_not_found' };
    const channel = this.channels.get(id);
    if (channel && !channel.botIsMember) return { ok: false, error: 'not_in_channel' };
    return { ok: true, id };
  }

  private findByTs(channelRef: unknown, ts: unknown): { ok: true; message: StandInMessage } | { ok: false; error: string } {
    const channel = this.channelIdOf(str(channelRef) ?? '');
    if (channel === undefined) return { ok: false, error: 'channel_not_found' };
    const message = this.messages.find((m) => m.channel === channel && m.ts === ts && !m.deleted);
    return message ? { ok: true, message } : { ok: false, error: 'message_not_found' };
  }

  private nextTs(): string {
    let micros = BigInt(this.now()) * 1000n;
    if (micros <= this.lastTsMicros) micros = this.lastTsMicros + 1n;
    this.lastTsMicros = micros;
    return `${micros / 1_000_000n}.${(micros % 1_000_000n).toString().padStart(6, '0')}`;
  }

  private createMessage(fields: {
    channel: string;
    content: JsonObject;
    ephemeral: boolean;
    visibleTo?: string | undefined;
    source: MessageSource;
    responseUrl?: string;
  }): StandInMessage {
    const message: StandInMessage = {
      id: `M${String(++this.seq).padStart(6, '0')}`,
      channel: fields.channel,
      ts: this.nextTs(),
      ephemeral: fields.ephemeral,
      source: fields.source,
      deleted: false,
      versions: [],
    };
    if (fields.visibleTo !== undefined) message.visibleTo = fields.visibleTo;
    if (fields.responseUrl !== undefined) message.responseUrl = fields.responseUrl;
    const threadTs = str(fields.content.thread_ts);
    if (threadTs !== undefined) message.threadTs = threadTs;
    this.setContent(message, fields.content);
    this.messages.push(message);
    return message;
  }

  private updateMessage(message: StandInMessage, content: JsonObject): void {
    this.setContent(message, content);
  }

  private setContent(message: StandInMessage, content: JsonObject): void {
    const text = str(content.text);
    const blocks = Array.isArray(content.blocks) ? withSlackIds(content.blocks) : undefined;
    if (text !== undefined) message.text = text;
    else delete message.text;
    if (blocks !== undefined && blocks.length > 0) message.blocks = blocks;
    else delete message.blocks;
    const version: { text?: string; blocks?: unknown[]; at: number } = { at: this.now() };
    if (text !== undefined) version.text = text;
    if (message.blocks !== undefined) version.blocks = clone(message.blocks);
    message.versions.push(version);
  }

  private messageJson(message: StandInMessage): JsonObject {
    const json: JsonObject = {
      type: 'message',
      user: this.botUserId,
      bot_id: this.botId,
      app_id: this.appId,
      team: this.teamId,
      ts: message.ts,
      text: message.text ?? '',
    };
    if (message.blocks) json.blocks = clone(message.blocks);
    if (message.threadTs) json.thread_ts = message.threadTs;
    return json;
  }

  /** The `message` object of a block_actions payload for a (non-ephemeral) message. */
  messagePayload(message: StandInMessage): JsonObject {
    return this.messageJson(message);
  }

  // -------------------------------------------------------------------------------------------
  // Views
  // -------------------------------------------------------------------------------------------

  private useTrigger(triggerId: unknown): { ok: true; record: TriggerRecord } | { ok: false; error: string } {
    const record = this.triggers.get(str(triggerId) ?? '');
    if (!record) return { ok: false, error: 'invalid_trigger_id' };
    if (record.used) return { ok: false, error: 'exchanged_trigger_id' };
    if (this.now() - record.issuedAt > TRIGGER_TTL_MS) return { ok: false, error: 'expired_trigger_id' };
    record.used = true;
    return { ok: true, record };
  }

  private newHash(): string {
    return `${Math.floor(this.now() / 1000)}.${randomBytes(4).toString('hex')}`;
  }

  private viewJson(input: JsonObject, id: string, hash: string, stack: string[], state: JsonObject): Record<string, unknown> {
    const previous = stack.length > 1 ? stack[stack.indexOf(id) - 1] : undefined;
    return {
      id,
      team_id: this.teamId,
      type: input.type,
      blocks: withSlackIds(Array.isArray(input.blocks) ? input.blocks : []),
      private_metadata: str(input.private_metadata) ?? '',
      callback_id: str(input.callback_id) ?? '',
      state: { values: state },
      hash,
      title: input.title ?? null,
      clear_on_close: input.clear_on_close === true,
      notify_on_close: input.notify_on_close === true,
      close: input.close ?? null,
      submit: input.submit ?? null,
      previous_view_id: previous ?? null,
      root_view_id: stack[0] ?? id,
      app_id: this.appId,
      external_id: str(input.external_id) ?? '',
      app_installed_team_id: this.teamId,
      bot_id: this.botId,
    };
  }

  private createView(
    input: JsonObject,
    ctx: { kind: 'modal' | 'home'; stack: string[]; trigger?: TriggerRecord; triggerId?: string | undefined; userId?: string },
  ): { ok: true; view: StandInView } | { ok: false; error: string } {
    const externalId = str(input.external_id);
    if (externalId && [...this.views.values()].some((v) => v.externalId === externalId && !v.closed)) {
      return { ok: false, error: 'duplicate_external_id' };
    }
    const id = `V${alnum(10)}`;
    const hash = this.newHash();
    ctx.stack.push(id);
    const json = this.viewJson(input, id, hash, ctx.stack, {});
    const view: StandInView = {
      id,
      hash,
      view: json,
      kind: ctx.kind,
      stack: ctx.stack,
      closed: false,
      versions: [{ view: clone(json), hash, at: this.now() }],
    };
    const userId = ctx.userId ?? ctx.trigger?.userId;
    if (userId !== undefined) view.userId = userId;
    if (ctx.triggerId !== undefined) view.triggerId = ctx.triggerId;
    if (externalId) view.externalId = externalId;
    this.views.set(id, view);
    return { ok: true, view };
  }

  private pushView(from: StandInView, input: unknown, triggerId: string | undefined): ApiResult {
    const problems = this.viewProblems(input, 'modal');
    if (problems) return problems;
    if (from.stack.length >= VIEW_STACK_MAX) return { ok: false, error: 'push_limit_reached' };
    const ctx: Parameters<SlackStandIn['createView']>[1] = { kind: 'modal', stack: from.stack, triggerId };
    if (from.userId !== undefined) ctx.userId = from.userId;
    const created = this.createView(input as JsonObject, ctx);
    if (!created.ok) return created;
    return { ok: true, view: created.view.view };
  }

  /**
   * Replace a view's content keeping its id (views.update, views.publish, response_action
   * update). What the user typed survives when the input keeps its block_id and action_id,
   * as in Slack, which is why apps re-key an input to replace its value.
   */
  private replaceView(view: StandInView, input: unknown): ApiResult {
    const problems = this.viewProblems(input, view.kind);
    if (problems) return problems;
    const next = input as JsonObject;
    const hash = this.newHash();
    const oldValues = this.stateValues(view);
    const json = this.viewJson(next, view.id, hash, view.stack, {});
    const kept: Record<string, Record<string, unknown>> = {};
    for (const element of findElements(json.blocks)) {
      const old = oldValues[element.blockId]?.[element.actionId];
      if (isObject(old) && old.type === element.type) {
        kept[element.blockId] = { ...(kept[element.blockId] ?? {}), [element.actionId]: old };
      }
    }
    json.state = { values: kept };
    view.view = json;
    view.hash = hash;
    const externalId = str(next.external_id);
    if (externalId) view.externalId = externalId;
    view.versions.push({ view: clone(json), hash, at: this.now() });
    return { ok: true, view: json };
  }

  // -------------------------------------------------------------------------------------------
  // File upload URL and response_url endpoints
  // -------------------------------------------------------------------------------------------

  private handleUpload(fileId: string, req: IncomingMessage, body: Buffer): HttpAnswer {
    const contentType = req.headers['content-type'] ?? '';
    const call: RecordedCall = {
      method: 'upload',
      args: { fileId, bytes: body.length, contentType },
      token: null,
      at: this.now(),
      status: 200,
    };
    this.calls.push(call);
    const failure = this.takeFailure('upload');
    if (failure) return this.failureAnswer(call, failure, 'raw');
    const file = this.files.find((f) => f.id === fileId);
    if (!file || file.completed) {
      call.status = 404;
      call.error = 'file_not_found';
      return new HttpAnswer(404, 'file_not_found', { 'content-type': 'text/plain' });
    }
    // web-api 8 posts multipart/form-data with the bytes in a part named `body`; Slack also
    // accepts a raw body. Either way store exactly the bytes received.
    if (contentType.toLowerCase().startsWith('multipart/form-data')) {
      const parts = parseMultipart(body, contentType);
      const part = parts.find((p) => p.name === 'body') ?? parts.find((p) => p.filename !== undefined) ?? parts[0];
      file.bytes = part ? part.data : Buffer.alloc(0);
    } else {
      file.bytes = Buffer.from(body);
    }
    file.uploaded = true;
    call.args.bytes = file.bytes.length;
    return new HttpAnswer(200, `OK - ${file.bytes.length}`, { 'content-type': 'text/plain' });
  }

  private async handleResponseUrl(url: string, body: Buffer): Promise<HttpAnswer> {
    const call: RecordedCall = { method: 'response_url', args: { url }, token: null, at: this.now(), status: 200 };
    this.calls.push(call);
    const answer = (status: number, error?: string): HttpAnswer => {
      call.status = status;
      if (error !== undefined) call.error = error;
      const payload = error === undefined ? { ok: true } : { ok: false, error };
      call.response = payload;
      return new HttpAnswer(status, JSON.stringify(payload), { 'content-type': 'application/json; charset=utf-8' });
    };
    let content: JsonObject;
    try {
      const parsed: unknown = JSON.parse(body.toString('utf8'));
      if (!isObject(parsed)) return answer(400, 'invalid_payload');
      content = parsed;
    } catch {
      return answer(400, 'invalid_payload');
    }
    call.args = { url, ...content };
    const failure = this.takeFailure('response_url');
    if (failure) return this.failureAnswer(call, failure, 'raw');

    await this.ackGates.get(url)?.promise;
    const slot = this.responseUrls.get(url);
    if (!slot) return answer(404, 'invalid_url');
    if (this.now() - slot.createdAt > RESPONSE_URL_TTL_MS) return answer(404, 'expired_url');
    if (slot.posts >= RESPONSE_URL_MAX_POSTS) return answer(404, 'used_url');

    const target = (): StandInMessage | undefined => {
      const id = slot.boundMessageId ?? slot.createdMessageIds[slot.createdMessageIds.length - 1];
      const message = this.messages.find((m) => m.id === id);
      return message && !message.deleted ? message : undefined;
    };

    if (truthy(content.delete_original)) {
      slot.posts += 1;
      const original = target();
      if (original) original.deleted = true;
      return answer(200);
    }
    const problem = checkMessageContent(content);
    if (problem) {
      call.response = { ok: false, error: problem.error, errors: problem.errors };
      call.status = 400;
      call.error = problem.error;
      return new HttpAnswer(400, JSON.stringify(call.response), { 'content-type': 'application/json; charset=utf-8' });
    }
    slot.posts += 1;
    const original = truthy(content.replace_original) ? target() : undefined;
    if (original) {
      // Slack replaces the whole message: fields not sent are gone, not kept.
      this.updateMessage(original, { text: content.text, blocks: content.blocks ?? [] });
      return answer(200);
    }
    const inChannel = content.response_type === 'in_channel';
    const message = this.createMessage({
      channel: slot.channelId,
      content,
      ephemeral: !inChannel,
      visibleTo: inChannel ? undefined : slot.userId,
      source: 'response_url',
      responseUrl: url,
    });
    slot.createdMessageIds.push(message.id);
    return answer(200);
  }
}

/**
 * Slack stores every block with a block_id and every interactive element with an action_id,
 * inventing random ones when the app sent none; the driver needs them to build payloads.
 */
function withSlackIds(blocks: unknown[]): unknown[] {
  const copy = clone(blocks);
  for (const block of copy) {
    if (!isObject(block)) continue;
    if (typeof block.block_id !== 'string') block.block_id = alnum(5);
    const elements: unknown[] = [];
    if (block.type === 'section') elements.push(block.accessory);
    if (block.type === 'actions' && Array.isArray(block.elements)) elements.push(...block.elements);
    if (block.type === 'input') elements.push(block.element);
    for (const element of elements) {
      if (isObject(element) && element.type !== 'image' && typeof element.action_id !== 'string') {
        element.action_id = alnum(5);
      }
    }
  }
  return copy;
}

/** The view_id argument of a views.update request, form-encoded or JSON. */
function viewIdOf(req: IncomingMessage, body: Buffer): string | undefined {
  const text = body.toString('utf8');
  if ((req.headers['content-type'] ?? '').includes('json')) {
    try {
      const parsed: unknown = JSON.parse(text);
      return isObject(parsed) && typeof parsed.view_id === 'string' ? parsed.view_id : undefined;
    } catch {
      return undefined;
    }
  }
  return new URLSearchParams(text).get('view_id') ?? undefined;
}

/** A gate that opens when released, or by itself after ACK_GATE_MAX_MS so nothing waits forever. */
function openGate(): AckGate {
  let release = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ACK_GATE_MAX_MS);
    timer.unref();
    release = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { promise, release };
}
