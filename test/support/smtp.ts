import type { Socket } from 'node:net';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP listener on 127.0.0.1 for tests: every accepted message is parsed and kept. It can
 * refuse chosen recipients with any reply code and go down and come back on the same port, which
 * is how the outbox's retry paths are exercised without mocks.
 */

export interface CapturedMail {
  messageId: string;
  /** Envelope recipients the server accepted. */
  to: string[];
  /** The From header as written (`name <address>`). */
  from: string;
  subject: string;
  text: string;
  html: string;
  attachments: Array<{ filename: string; contentType: string; content: Buffer }>;
  raw: Buffer;
}

export type Refusal = (rcpt: string) => { code: number; message: string } | null;

export interface SmtpCapture {
  port: number;
  url: string;
  mails: CapturedMail[];
  /** Usernames of AUTH commands the server accepted (any password is accepted). */
  logins: string[];
  waitFor(count: number | ((mails: CapturedMail[]) => boolean), timeoutMs?: number): Promise<CapturedMail[]>;
  refuse(fn: Refusal | null): void;
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

/** `name <address>` as MAIL_FROM spells it (mailparser's `text` would quote the name). */
function addressText(a: AddressObject | AddressObject[] | undefined): string {
  const list = a ? (Array.isArray(a) ? a : [a]).flatMap((x) => x.value) : [];
  return list.map((v) => (v.name ? `${v.name} <${v.address ?? ''}>` : (v.address ?? ''))).join(', ');
}

export async function startSmtpCapture(): Promise<SmtpCapture> {
  const mails: CapturedMail[] = [];
  const logins: string[] = [];
  const listeners = new Set<() => void>();
  let refusal: Refusal | null = null;
  let server: SMTPServer | null = null;
  let sockets = new Set<Socket>();
  let port = 0;

  const changed = () => {
    for (const l of [...listeners]) l();
  };

  function build(): SMTPServer {
    const s = new SMTPServer({
      secure: false,
      authOptional: true,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth(auth, _session, cb) {
        logins.push(auth.username ?? '');
        cb(null, { user: auth.username ?? 'anonymous' });
      },
      onRcptTo(address, _session, cb) {
        const r = refusal?.(address.address) ?? null;
        if (r) {
          cb(Object.assign(new Error(r.message), { responseCode: r.code }));
          return;
        }
        cb();
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          simpleParser(raw).then(
            (parsed) => {
              mails.push({
                messageId: parsed.messageId ?? '',
                to: session.envelope.rcptTo.map((r) => r.address),
                from: addressText(parsed.from),
                subject: parsed.subject ?? '',
                text: parsed.text ?? '',
                html: typeof parsed.html === 'string' ? parsed.html : '',
                attachments: parsed.attachments.map((a) => ({
                  filename: a.filename ?? '',
                  contentType: a.contentType,
                  content: a.content,
                })),
                raw,
              });
              cb();
              changed();
            },
            (err: Error) => cb(err),
          );
        });
      },
    });
    // A client that vanishes mid-session (a sender killed with -9) resets its connection; the server
    // reports that as an 'error' event, which unheard would crash the test process.
    s.on('error', () => undefined);
    const own = new Set<Socket>();
    sockets = own;
    s.server.on('connection', (sock: Socket) => {
      own.add(sock);
      sock.on('close', () => own.delete(sock));
    });
    return s;
  }

  async function listen(): Promise<void> {
    const s = build();
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        s.server.off('error', reject);
        resolve();
      });
    });
    const addr = s.server.address();
    if (addr && typeof addr === 'object') port = addr.port;
    server = s;
  }

  async function down(): Promise<void> {
    const s = server;
    if (!s) return;
    server = null;
    const closed = new Promise<void>((resolve) => s.server.close(() => resolve()));
    // Cut live connections too (the client's pool keeps idle ones): a real outage, not a drain.
    for (const sock of sockets) sock.destroy();
    await closed;
  }

  await listen();

  return {
    get port() {
      return port;
    },
    get url() {
      return `smtp://127.0.0.1:${port}`;
    },
    mails,
    logins,
    waitFor(count, timeoutMs = 10_000) {
      const done = typeof count === 'number' ? (m: CapturedMail[]) => m.length >= count : count;
      if (done(mails)) return Promise.resolve([...mails]);
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!done(mails)) return;
          cleanup();
          resolve([...mails]);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`SMTP capture: condition not met within ${timeoutMs} ms (${mails.length} mail(s) received)`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
      });
    },
    refuse(fn) {
      refusal = fn;
    },
    down,
    async up() {
      if (!server) await listen();
    },
    stop: down,
  };
}

/** The http(s) links in a mail's text part, in order. */
export function linksIn(mail: Pick<CapturedMail, 'text'>): string[] {
  return (mail.text.match(/https?:\/\/[^\s<>"')\]]+/g) ?? []).map((l) => l.replace(/[.,;:!?]+$/, ''));
}
