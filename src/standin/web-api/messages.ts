/** Every message in every surface (channels, DMs, ephemeral, response_url replies), with its versions. */
import type { JsonObject } from '../blocks';
import type { MessageFilter, MessageSource, StandInMessage } from './types';
import { clone, str, withSlackIds } from './util';
import type { Workspace } from './workspace';

export class MessageStore {
  /** Every message in every surface, in creation order. */
  readonly messages: StandInMessage[] = [];
  private lastTsMicros = 0n;

  constructor(private readonly ws: Workspace) {}

  find(filter: MessageFilter = {}): StandInMessage[] {
    const channel = filter.channel === undefined ? undefined : this.ws.channelIdOf(filter.channel);
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

  findByTs(channelRef: unknown, ts: unknown): { ok: true; message: StandInMessage } | { ok: false; error: string } {
    const channel = this.ws.channelIdOf(str(channelRef) ?? '');
    if (channel === undefined) return { ok: false, error: 'channel_not_found' };
    const message = this.messages.find((m) => m.channel === channel && m.ts === ts && !m.deleted);
    return message ? { ok: true, message } : { ok: false, error: 'message_not_found' };
  }

  create(fields: {
    channel: string;
    content: JsonObject;
    ephemeral: boolean;
    visibleTo?: string | undefined;
    source: MessageSource;
    responseUrl?: string;
  }): StandInMessage {
    const message: StandInMessage = {
      id: `M${String(this.ws.nextSeq()).padStart(6, '0')}`,
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
    this.update(message, fields.content);
    this.messages.push(message);
    return message;
  }

  /** Set a message's content and record it as a new version. */
  update(message: StandInMessage, content: JsonObject): void {
    const text = str(content.text);
    const blocks = Array.isArray(content.blocks) ? withSlackIds(content.blocks) : undefined;
    if (text !== undefined) message.text = text;
    else delete message.text;
    if (blocks !== undefined && blocks.length > 0) message.blocks = blocks;
    else delete message.blocks;
    const version: { text?: string; blocks?: unknown[]; at: number } = { at: this.ws.now() };
    if (text !== undefined) version.text = text;
    if (message.blocks !== undefined) version.blocks = clone(message.blocks);
    message.versions.push(version);
  }

  /** The message as the Web API returns it (and as block_actions payloads carry it). */
  json(message: StandInMessage): JsonObject {
    const json: JsonObject = {
      type: 'message',
      user: this.ws.botUserId,
      bot_id: this.ws.botId,
      app_id: this.ws.appId,
      team: this.ws.teamId,
      ts: message.ts,
      text: message.text ?? '',
    };
    if (message.blocks) json.blocks = clone(message.blocks);
    if (message.threadTs) json.thread_ts = message.threadTs;
    return json;
  }

  private nextTs(): string {
    let micros = BigInt(this.ws.now()) * 1000n;
    if (micros <= this.lastTsMicros) micros = this.lastTsMicros + 1n;
    this.lastTsMicros = micros;
    return `${micros / 1_000_000n}.${(micros % 1_000_000n).toString().padStart(6, '0')}`;
  }
}
