import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  path: string;
  /** What it was answered (0: the connection was dropped). */
  status: number;
}

/** The requests answered with a 2xx. */
export function accepted(r: Receiver): Received[] {
  return r.received.filter((x) => x.status >= 200 && x.status < 300);
}

/** What the receiver answers to one request: a status (and headers), or `drop` to close the socket. */
export type Answer = { status: number; headers?: Record<string, string> } | 'drop';

export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  /** Replace how the next requests are answered (default 200). */
  answer: (req: Received) => Answer | Promise<Answer>;
  close(): Promise<void>;
}

/** A real HTTP receiver on 127.0.0.1 that records every request. */
export async function startReceiver(port = 0): Promise<Receiver> {
  const r: Receiver = {
    url: '',
    port: 0,
    received: [],
    answer: () => ({ status: 200 }),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const got: Received = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), path: req.url ?? '/', status: 0 };
      void Promise.resolve(r.answer(got)).then((a) => {
        r.received.push(got);
        if (a === 'drop') {
          req.socket.destroy();
          return;
        }
        got.status = a.status;
        res.writeHead(a.status, a.headers ?? {});
        res.end('ok');
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  r.port = (server.address() as AddressInfo).port;
  r.url = `http://127.0.0.1:${r.port}/hook`;
  return r;
}

/** The settings of webhook tests: a key, a local receiver allowed, a short retry schedule. */
export const WEBHOOK_ENV = {
  WEBHOOK_SECRET_KEY: 'test-webhook-secret-key-0123456789abcdef',
  WEBHOOK_ALLOW_PRIVATE: 'true',
  WEBHOOK_RETRY_SCHEDULE: '0.05,0.1',
  WEBHOOK_TIMEOUT_SECONDS: '2',
};
