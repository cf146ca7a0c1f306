// src/mail: the outbox (rows written in the caller's transaction), the sender worker, transports and
// templates. Imports src/store, src/lib, src/domain; services and jobs import it.
import { randomUUID } from 'node:crypto';
import type { CreationAttributes, Transaction } from 'sequelize';
import { MailMessage } from '../store/models';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import type { Database } from '../store/db';
import type { RenderedMail } from './templates';
import type { NotifyTopic } from '../lib/topics';

/**
 * What the mail layer needs of the running app. The services' Ctx and the app's Runtime both fit it,
 * so mail (below services) imports neither.
 */
export interface MailCtx {
  config: Config;
  db: Database;
  logger: Logger;
  now(): Date;
  notify?(topic: NotifyTopic): void;
}

export type MailKind =
  'reset_link' | 'password_changed' | 'lockout_notice' | 'sign_in_blocked' | 'account_notice' | 'export' | 'job_result';

export interface OutboxAttachment {
  filename: string;
  /** A file on disk (export); read at send time so the row stays small. */
  path?: string;
  contentType?: string;
}

export interface NewMail {
  kind: MailKind;
  to: string;
  mail: RenderedMail;
  userId?: number | null;
  jobId?: number | null;
  attachments?: OutboxAttachment[];
  /** Who to tell if the mail finally fails. */
  notifySlackUser?: string | null;
}

function messageIdDomain(ctx: MailCtx): string {
  try {
    return new URL(ctx.config.PUBLIC_URL).hostname || 'userops.local';
  } catch {
    return 'userops.local';
  }
}

export function buildOutboxRows(ctx: MailCtx, mails: NewMail[]): Array<CreationAttributes<MailMessage>> {
  const now = ctx.now();
  const domain = messageIdDomain(ctx);
  return mails.map((m) => ({
    // A stable Message-ID per row: a retry after an uncertain send carries the same id, so a
    // receiving server (and our tests) can tell a duplicate from a new mail.
    messageId: `<${randomUUID()}@${domain}>`,
    kind: m.kind,
    toAddress: m.to,
    subject: m.mail.subject,
    textBody: m.mail.text,
    htmlBody: m.mail.html,
    attachments: m.attachments && m.attachments.length > 0 ? JSON.stringify(m.attachments) : null,
    nextAttemptAt: now,
    userId: m.userId ?? null,
    jobId: m.jobId ?? null,
    notifySlackUser: m.notifySlackUser ?? null,
  }));
}

/** Queue mail in the caller's transaction: it is sent only if the state change commits. */
export async function enqueueMail(ctx: MailCtx, t: Transaction, mails: NewMail[]): Promise<MailMessage[]> {
  if (mails.length === 0) return [];
  const rows = await MailMessage.bulkCreate(buildOutboxRows(ctx, mails), { transaction: t });
  t.afterCommit(() => ctx.notify?.('mail'));
  return rows;
}
