/** HTTP plumbing for the stand-in: answers, body reading, multipart and Web API argument parsing. */
import type { IncomingMessage } from 'node:http';
import { parse as parseQuery } from 'node:querystring';

import { isObject, type JsonObject } from '../blocks';

/** Fields that @slack/web-api sends JSON-encoded inside form bodies. */
const JSON_FIELDS = ['blocks', 'attachments', 'view', 'files', 'metadata'];

export const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

/** What a Web API method answers (always HTTP 200 unless a failure was injected). */
export type ApiResult = JsonObject & { ok: boolean };

/** One Web API method: parsed arguments in, Slack's JSON answer out. */
export type ApiMethod = (args: JsonObject) => ApiResult;

export class HttpAnswer {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly headers: Record<string, string> = {},
  ) {}
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
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

/** A Web API request's arguments: query string, then a JSON, multipart or form body. */
export function parseArgs(req: IncomingMessage, body: Buffer, url: URL): { args: JsonObject; formatError?: string } {
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
