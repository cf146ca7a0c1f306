/** The stand-in's loopback HTTP server: routing to the Web API, the upload URL and response_urls. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { CallLog } from './faults';
import { HttpAnswer, JSON_HEADERS, parseArgs, readBody, type ApiMethod, type ApiResult } from './http';
import type { RecordedCall } from './types';
import { str } from './util';
import type { Workspace } from './workspace';

/** What each path leads to; SlackStandIn wires the API families in. */
export interface StandInRoutes {
  /** Awaited before any request is answered (views.update waits for a submission's answer). */
  hold: (url: URL, req: IncomingMessage, body: Buffer) => Promise<void>;
  /** `/api/{method}` */
  api: WebApi;
  /** `/upload/…/{file id}` */
  upload: (fileId: string, req: IncomingMessage, body: Buffer) => HttpAnswer;
  /** `POST /actions/…`: the full response_url and the body. */
  responseUrl: (url: string, body: Buffer) => Promise<HttpAnswer>;
}

/** Web API dispatch: records the call, injects failures, checks the token, runs the method. */
export class WebApi {
  constructor(
    private readonly ws: Workspace,
    private readonly log: CallLog,
    private readonly methods: Record<string, ApiMethod>,
  ) {}

  handle(method: string, req: IncomingMessage, body: Buffer, url: URL): HttpAnswer {
    const { args, formatError } = parseArgs(req, body, url);
    const auth = req.headers.authorization;
    const bearer = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
    const token = bearer ?? str(args.token) ?? null;
    delete args.token;
    const call: RecordedCall = { method, args, token, at: this.ws.now(), status: 200 };
    this.log.calls.push(call);

    const failure = this.log.injectedFailure(method, call, 'api');
    if (failure) return failure;

    let result: ApiResult;
    if (formatError) result = { ok: false, error: formatError };
    else if (token === null) result = { ok: false, error: 'not_authed' };
    else if (token !== this.ws.botToken) result = { ok: false, error: 'invalid_auth' };
    else {
      const handler = this.methods[method];
      result = handler ? handler(args) : { ok: false, error: 'unknown_method' };
    }
    if (!result.ok) call.error = String(result.error);
    call.response = result;
    return new HttpAnswer(200, JSON.stringify(result), JSON_HEADERS);
  }
}

export class StandInServer {
  private server: Server | undefined;
  private baseUrl: string | undefined;

  constructor(private readonly routes: StandInRoutes) {}

  async start(port: number): Promise<void> {
    if (this.server) throw new Error('SlackStandIn already started');
    const server = createServer((req, res) => {
      this.answer(req)
        .then((answer) => {
          res.writeHead(answer.status, answer.headers);
          res.end(answer.body);
        })
        .catch((err: unknown) => {
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

  /** Stop serving; `beforeClose` runs first (only when the server was running) to free held requests. */
  async stop(beforeClose: () => void): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    beforeClose();
    // fetch keeps connections alive; close them or close() waits for their idle timeout.
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  }

  base(): string {
    if (this.baseUrl === undefined) throw new Error('SlackStandIn is not started: await standIn.start() first');
    return this.baseUrl;
  }

  private async answer(req: IncomingMessage): Promise<HttpAnswer> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const body = await readBody(req);
    await this.routes.hold(url, req, body);
    if (url.pathname.startsWith('/api/')) {
      return this.routes.api.handle(decodeURIComponent(url.pathname.slice(5)), req, body, url);
    }
    if (url.pathname.startsWith('/upload/')) return this.routes.upload(url.pathname.split('/').pop() ?? '', req, body);
    if (url.pathname.startsWith('/actions/') && req.method === 'POST') {
      return this.routes.responseUrl(`${this.base()}${url.pathname}`, body);
    }
    return new HttpAnswer(404, 'not found', { 'content-type': 'text/plain' });
  }
}
