import { performance } from 'node:perf_hooks';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * The bench's own SMTP listener: just enough of RFC 5321 for nodemailer (EHLO, MAIL, RCPT, DATA,
 * RSET, NOOP, QUIT), accepting everything and keeping only counts and Message-IDs, so the listener
 * costs as little as possible and the drain rate measured is the sender's.
 */
export interface SmtpSink {
  url: string;
  /** Messages accepted (250 after DATA). */
  readonly received: number;
  /** Distinct Message-IDs seen; fewer than `received` means a mail went twice. */
  readonly distinct: number;
  /** Resolves when `count` messages arrived, with the time the last one did (performance.now()). */
  waitFor(count: number, timeoutMs: number): Promise<number>;
  reset(): void;
  stop(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  let received = 0;
  let lastAt = 0;
  const ids = new Set<string>();
  const waiters: Array<{ count: number; resolve: (at: number) => void }> = [];
  const sockets = new Set<Socket>();

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = '';
    let inData = false;
    let inHeaders = false;
    let messageId = '';
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply('220 bench-sink ESMTP');
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let eol: number;
      while ((eol = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            received++;
            lastAt = performance.now();
            if (messageId) ids.add(messageId);
            reply('250 2.0.0 queued');
            for (const w of waiters.filter((x) => received >= x.count)) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(lastAt);
            }
          } else if (inHeaders) {
            if (line === '') inHeaders = false;
            else if (/^message-id:/i.test(line)) messageId = line.slice(line.indexOf(':') + 1).trim();
          }
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') reply('250 bench-sink');
        else if (verb === 'HELO' || verb === 'MAIL' || verb === 'RCPT' || verb === 'RSET' || verb === 'NOOP') reply('250 2.0.0 ok');
        else if (verb === 'DATA') {
          inData = true;
          inHeaders = true;
          messageId = '';
          reply('354 go ahead');
        } else if (verb === 'QUIT') {
          reply('221 bye');
          socket.end();
        } else reply('502 5.5.2 not implemented');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    get received() {
      return received;
    },
    get distinct() {
      return ids.size;
    },
    waitFor(count, timeoutMs) {
      if (received >= count) return Promise.resolve(lastAt);
      return new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`SMTP sink: ${received} of ${count} mails after ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          count,
          resolve: (at) => {
            clearTimeout(timer);
            resolve(at);
          },
        });
      });
    },
    reset() {
      received = 0;
      ids.clear();
    },
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
