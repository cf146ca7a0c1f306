import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { MailTransport, OutgoingMail } from '../mail/transport';

export interface SentMail {
  mail: OutgoingMail;
  /** The .eml file the mail became, when it can be found. */
  file: string | null;
}

/**
 * The configured transport (.eml files, since the demo has no SMTP) with a report after each
 * delivery. Reporting here rather than from the outbox table matters: once sent, a reset mail's
 * body is scrubbed from the table, and the link is exactly what the demo wants to show.
 */
export function reportingTransport(inner: MailTransport, outboxDir: string, onSent: (sent: SentMail) => void): MailTransport {
  return {
    kind: inner.kind,
    async send(mail) {
      await inner.send(mail);
      onSent({ mail, file: inner.kind === 'file' ? await emlFileOf(outboxDir, mail.messageId) : null });
    },
    close: () => inner.close(),
  };
}

/** The file transport names files `<timestamp>-<local part of the Message-ID>.eml`. */
async function emlFileOf(dir: string, messageId: string): Promise<string | null> {
  const local = messageId.replace(/^<|>$/g, '').split('@')[0] ?? '';
  if (local === '') return null;
  try {
    const name = (await readdir(dir)).find((n) => n.endsWith('.eml') && n.includes(local));
    return name === undefined ? null : join(dir, name);
  } catch {
    return null;
  }
}
