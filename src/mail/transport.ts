import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer, { type NodemailerError, type SendMailOptions } from 'nodemailer';
import type { Config } from '../lib/config';
import { redact, type Logger } from '../lib/logger';
import { ensurePrivateDir, writePrivateFile } from '../lib/private-files';

/**
 * Delivery of one composed mail, either to an SMTP server (pooled connections) or, when
 * `SMTP_URL` is empty, as an RFC 822 `.eml` file in `OUTBOX_DIR`. Both say the same thing when
 * they fail: a `MailDeliveryError` that is temporary (try again later) or permanent (this mail
 * will never go through), so the outbox worker decides retries without knowing the transport.
 */

export interface OutgoingAttachment {
  filename: string;
  content: Buffer;
  contentType?: string;
}

export interface OutgoingMail {
  /** The outbox row's Message-ID, angle brackets included; a resend carries the same one. */
  messageId: string;
  to: string;
  subject: string;
  text: string;
  html?: string | null;
  attachments?: OutgoingAttachment[];
}

export type DeliveryFailure = 'temporary' | 'permanent';

export class MailDeliveryError extends Error {
  override readonly name = 'MailDeliveryError';
  constructor(
    readonly failure: DeliveryFailure,
    message: string,
    readonly code?: string,
    readonly responseCode?: number,
  ) {
    super(message);
  }

  get temporary(): boolean {
    return this.failure === 'temporary';
  }
}

export interface MailTransport {
  readonly kind: 'smtp' | 'file';
  /** Resolves once the server (or the disk) has the mail; rejects with a `MailDeliveryError`. */
  send(mail: OutgoingMail): Promise<void>;
  /** Release pooled connections; idempotent. */
  close(): Promise<void>;
}

function sendOptions(from: string, mail: OutgoingMail): SendMailOptions {
  return {
    from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    ...(mail.html ? { html: mail.html } : {}),
    messageId: mail.messageId,
    // RFC 3834: vacation responders and ticket systems must not answer a system mail.
    headers: { 'Auto-Submitted': 'auto-generated' },
    attachments: (mail.attachments ?? []).map((a) => ({
      filename: a.filename,
      content: a.content,
      ...(a.contentType ? { contentType: a.contentType } : {}),
    })),
  };
}

/** Every spelling of the SMTP password that could surface in an error text. */
function secretsIn(url: string): string[] {
  try {
    const u = new URL(url);
    if (!u.password) return [];
    const raw = decodeURIComponent(u.password);
    const user = decodeURIComponent(u.username);
    return [
      raw,
      u.password,
      Buffer.from(raw).toString('base64'),
      // AUTH PLAIN sends this blob; a server echoing the command back would show it.
      Buffer.from(`\0${user}\0${raw}`).toString('base64'),
    ].filter((s) => s.length >= 3);
  } catch {
    return [];
  }
}

function scrubber(secrets: string[]): (text: string) => string {
  return (text) => {
    let out = text;
    for (const s of secrets) out = out.split(s).join('[redacted]');
    return redact(out);
  };
}

/** Reply codes and errors that no retry will change. */
const PERMANENT_CODES = new Set(['EENVELOPE', 'EMESSAGE', 'EMAXRECIPIENTS', 'EFILEACCESS', 'EURLACCESS', 'EOTP']);

/**
 * A rejected login or sender is the operator's configuration, not this mail: it stays temporary
 * so the queue survives until the credentials are fixed (the retry limit still ends it).
 */
function classify(err: NodemailerError): DeliveryFailure {
  const command = (err.command ?? '').toUpperCase();
  if (err.code === 'EAUTH' || err.code === 'ENOAUTH' || command.startsWith('AUTH') || command.startsWith('MAIL FROM')) return 'temporary';
  if (typeof err.responseCode === 'number') {
    return err.responseCode >= 500 && err.responseCode < 600 && err.responseCode !== 503 ? 'permanent' : 'temporary';
  }
  return err.code && PERMANENT_CODES.has(err.code) ? 'permanent' : 'temporary';
}

function toDeliveryError(e: unknown, scrub: (s: string) => string): MailDeliveryError {
  if (e instanceof MailDeliveryError) return e;
  const err = (e ?? {}) as NodemailerError;
  const message = scrub(String(err.message ?? e)).slice(0, 400);
  const code = typeof err.code === 'string' ? err.code : undefined;
  const detail = err.originalCode && err.originalCode !== code ? ` (${err.originalCode})` : '';
  return new MailDeliveryError(classify(err), `${message}${detail}`, code, err.responseCode);
}

export interface SmtpTransportOptions {
  from: string;
  logger?: Logger;
  /** Connections the pool opens at most (default 5). */
  maxConnections?: number;
}

/** Pooled SMTP: connections stay open between mails, so a bulk reset does not reconnect per mail. */
export function smtpTransport(url: string, opts: SmtpTransportOptions): MailTransport {
  const scrub = scrubber(secretsIn(url));
  const transporter = nodemailer.createTransport({
    pool: true,
    url,
    maxConnections: opts.maxConnections ?? 5,
    // Bounded, so one send always ends well inside the outbox lease (see MailSender).
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
    // Content comes from the outbox as buffers; nodemailer never needs to open paths or URLs.
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  });
  // An idle pooled connection that breaks is reported as an event; unheard, it would crash the process.
  transporter.on('error', (err: Error) => {
    opts.logger?.warn('smtp pool error', { error: scrub(String(err.message)) });
  });
  let closed = false;
  return {
    kind: 'smtp',
    async send(mail) {
      try {
        await transporter.sendMail(sendOptions(opts.from, mail));
      } catch (e) {
        throw toDeliveryError(e, scrub);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      transporter.close();
    },
  };
}

function fileStamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace('.', '');
}

function fileSafeId(messageId: string): string {
  const local = messageId.replace(/^<|>$/g, '').split('@')[0] ?? '';
  return local.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80) || 'mail';
}

/**
 * The embedded default: each mail becomes `<dir>/<timestamp>-<id>.eml`, a complete RFC 822 message.
 * Mails hold reset links and export CSVs: the directory (when we create it) is 0700, each file 0600.
 */
export function fileTransport(dir: string, opts: { from: string }): MailTransport {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    kind: 'file',
    async send(mail) {
      let message: Buffer;
      try {
        const info = await composer.sendMail(sendOptions(opts.from, mail));
        if (!Buffer.isBuffer(info.message)) throw new Error('message was not buffered');
        message = info.message;
      } catch (e) {
        throw toDeliveryError(e, (s) => s);
      }
      const target = join(dir, `${fileStamp(new Date())}-${fileSafeId(mail.messageId)}.eml`);
      try {
        await ensurePrivateDir(dir);
        // Written aside and renamed, so a reader of the directory never sees half a message.
        await writePrivateFile(`${target}.tmp`, message);
        await rename(`${target}.tmp`, target);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new MailDeliveryError('temporary', `could not write to ${dir}: ${code ?? String(e)}`, code);
      }
    },
    async close() {
      composer.close();
    },
  };
}

/** SMTP when `SMTP_URL` is set, `.eml` files in `OUTBOX_DIR` otherwise. */
export function createMailTransport(config: Config, logger?: Logger): MailTransport {
  return config.SMTP_URL
    ? smtpTransport(config.SMTP_URL, { from: config.MAIL_FROM, logger })
    : fileTransport(config.OUTBOX_DIR, { from: config.MAIL_FROM });
}
