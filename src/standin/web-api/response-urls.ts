/** response_url delivery: the URLs handed out with commands and actions, slash-command acks, and the app's posts to them. */
import { randomBytes } from 'node:crypto';

import { checkMessageContent, isObject, type JsonObject } from '../blocks';
import type { CallLog } from './faults';
import { HttpAnswer, JSON_HEADERS } from './http';
import type { MessageStore } from './messages';
import type { RecordedCall, StandInMessage } from './types';
import { openGate, truthy, type Gate } from './util';
import type { Workspace } from './workspace';

const RESPONSE_URL_TTL_MS = 30 * 60_000;
const RESPONSE_URL_MAX_POSTS = 5;

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

export class ResponseUrls {
  private readonly slots = new Map<string, ResponseUrlSlot>();
  private readonly ackGates = new Map<string, Gate>();

  constructor(
    private readonly ws: Workspace,
    private readonly store: MessageStore,
    private readonly log: CallLog,
    private readonly base: () => string,
  ) {}

  create(ctx: { channelId: string; userId: string; message?: StandInMessage }): string {
    const url = `${this.base()}/actions/${this.ws.teamId}/${this.ws.nextSeq()}/${randomBytes(12).toString('hex')}`;
    const slot: ResponseUrlSlot = {
      url,
      channelId: ctx.channelId,
      userId: ctx.userId,
      createdAt: this.ws.now(),
      posts: 0,
      createdMessageIds: [],
    };
    if (ctx.message) slot.boundMessageId = ctx.message.id;
    this.slots.set(url, slot);
    return url;
  }

  /** The newest live message posted through or bound to `url`; null when `url` is no response_url. */
  latest(url: string): StandInMessage | undefined | null {
    const slot = this.slots.get(url);
    if (!slot) return null;
    const ids = new Set([...(slot.boundMessageId ? [slot.boundMessageId] : []), ...slot.createdMessageIds]);
    const candidates = this.store.messages.filter((m) => ids.has(m.id) && !m.deleted);
    return candidates[candidates.length - 1];
  }

  expectAck(responseUrl: string): void {
    if (!this.ackGates.has(responseUrl)) this.ackGates.set(responseUrl, openGate());
  }

  /** Let every held post through (the stand-in is stopping). */
  releaseAll(): void {
    for (const gate of this.ackGates.values()) gate.release();
    this.ackGates.clear();
  }

  recordAck(body: unknown, ctx: { channelId: string; userId: string; responseUrl: string }): StandInMessage | undefined {
    try {
      const content: JsonObject | undefined =
        typeof body === 'string' ? (body.length > 0 ? { text: body } : undefined) : isObject(body) ? body : undefined;
      if (!content || (content.text === undefined && content.blocks === undefined)) return undefined;
      const problem = checkMessageContent(content);
      const call: RecordedCall = { method: 'ack', args: content, token: null, at: this.ws.now(), status: problem ? 400 : 200 };
      if (problem) {
        call.error = problem.error;
        call.response = { ok: false, error: problem.error, errors: problem.errors };
        this.log.calls.push(call);
        return undefined;
      }
      this.log.calls.push(call);
      const slot = this.slotFor(ctx.responseUrl, ctx);
      const message = this.createReply(content, 'ack', ctx.responseUrl, ctx);
      slot.boundMessageId = message.id;
      return message;
    } finally {
      this.ackGates.get(ctx.responseUrl)?.release();
      this.ackGates.delete(ctx.responseUrl);
    }
  }

  /** A reply as Slack shows it: ephemeral to the user unless `in_channel`, bound to its response_url. */
  private createReply(
    content: JsonObject,
    source: 'ack' | 'response_url',
    responseUrl: string,
    to: { channelId: string; userId: string },
  ): StandInMessage {
    const inChannel = content.response_type === 'in_channel';
    return this.store.create({
      channel: to.channelId,
      content,
      ephemeral: !inChannel,
      visibleTo: inChannel ? undefined : to.userId,
      source,
      responseUrl,
    });
  }

  private slotFor(url: string, ctx: { channelId: string; userId: string }): ResponseUrlSlot {
    let slot = this.slots.get(url);
    if (!slot) {
      slot = { url, channelId: ctx.channelId, userId: ctx.userId, createdAt: this.ws.now(), posts: 0, createdMessageIds: [] };
      this.slots.set(url, slot);
    }
    return slot;
  }

  /** A POST from the app to a response_url. */
  async receive(url: string, body: Buffer): Promise<HttpAnswer> {
    const call: RecordedCall = { method: 'response_url', args: { url }, token: null, at: this.ws.now(), status: 200 };
    this.log.calls.push(call);
    const answer = (status: number, error?: string): HttpAnswer => {
      call.status = status;
      if (error !== undefined) call.error = error;
      const payload = error === undefined ? { ok: true } : { ok: false, error };
      call.response = payload;
      return new HttpAnswer(status, JSON.stringify(payload), JSON_HEADERS);
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
    const failure = this.log.injectedFailure('response_url', call, 'raw');
    if (failure) return failure;

    await this.ackGates.get(url)?.promise;
    const slot = this.slots.get(url);
    if (!slot) return answer(404, 'invalid_url');
    if (this.ws.now() - slot.createdAt > RESPONSE_URL_TTL_MS) return answer(404, 'expired_url');
    if (slot.posts >= RESPONSE_URL_MAX_POSTS) return answer(404, 'used_url');

    const target = (): StandInMessage | undefined => {
      const id = slot.boundMessageId ?? slot.createdMessageIds[slot.createdMessageIds.length - 1];
      const message = this.store.messages.find((m) => m.id === id);
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
      return new HttpAnswer(400, JSON.stringify(call.response), JSON_HEADERS);
    }
    slot.posts += 1;
    const original = truthy(content.replace_original) ? target() : undefined;
    if (original) {
      // Slack replaces the whole message: fields not sent are gone, not kept.
      this.store.update(original, { text: content.text, blocks: content.blocks ?? [] });
      return answer(200);
    }
    const message = this.createReply(content, 'response_url', url, slot);
    slot.createdMessageIds.push(message.id);
    return answer(200);
  }
}
