/** files.* (filesUploadV2): files.getUploadURLExternal, the upload URL itself, files.completeUploadExternal. */
import type { IncomingMessage } from 'node:http';

import { isObject, type JsonObject } from '../blocks';
import type { CallLog } from './faults';
import { HttpAnswer, parseMultipart, type ApiMethod, type ApiResult } from './http';
import type { MessageStore } from './messages';
import type { RecordedCall, UploadedFile } from './types';
import { alnum, str } from './util';
import type { Workspace } from './workspace';

export class FileUploads {
  readonly files: UploadedFile[] = [];

  constructor(
    private readonly ws: Workspace,
    private readonly store: MessageStore,
    private readonly log: CallLog,
    private readonly base: () => string,
  ) {}

  methods(): Record<string, ApiMethod> {
    return {
      'files.getUploadURLExternal': (args) => this.getUploadUrl(args),
      'files.completeUploadExternal': (args) => this.complete(args),
    };
  }

  /** The bytes posted to an upload URL (`/upload/v1/{file id}`). */
  receive(fileId: string, req: IncomingMessage, body: Buffer): HttpAnswer {
    const contentType = req.headers['content-type'] ?? '';
    const call: RecordedCall = {
      method: 'upload',
      args: { fileId, bytes: body.length, contentType },
      token: null,
      at: this.ws.now(),
      status: 200,
    };
    this.log.calls.push(call);
    const failure = this.log.injectedFailure('upload', call, 'raw');
    if (failure) return failure;
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

  private getUploadUrl(args: JsonObject): ApiResult {
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
  }

  private complete(args: JsonObject): ApiResult {
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
      const target = this.ws.resolveForPosting(channelArg, { allowUserId: false });
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
      const message = this.store.create({
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
        user: this.ws.botUserId,
        channels: channelId !== undefined && !channelId.startsWith('G') ? [channelId] : [],
        groups: channelId?.startsWith('G') ? [channelId] : [],
      })),
    };
  }
}
