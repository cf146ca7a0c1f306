/**
 * The owner-notice outbox: rows written in the caller's transaction (like `enqueueMail`), so a
 * notice exists exactly when the change it tells about committed. The worker in
 * src/jobs/notice-sender.ts delivers them: a Slack DM when the owner's email belongs to a member of
 * the workspace, otherwise (when the notice allows it) an email through the mail outbox.
 */
import type { Transaction } from 'sequelize';
import { Notice } from '../store/notice-models';
import type { NoticeFacts, NoticeKind } from './notice-templates';
import type { MailCtx } from './outbox';

/** One notice; `facts` are what its text is made of and never hold a password or a token. */
export type NewNotice = {
  [K in NoticeKind]: {
    kind: K;
    facts: NoticeFacts[K];
    user: { id: number; email: string };
    /** false: a Slack DM only, nothing when the owner is not a workspace member (default true). */
    emailFallback?: boolean;
    /** Who to tell if the fallback mail finally fails (the admin whose action caused it). */
    notifySlackUser?: string | null;
  };
}[NoticeKind];

/** Queue notices in the caller's transaction, one insert for the whole batch. */
export async function enqueueNotices(ctx: MailCtx, t: Transaction, notices: NewNotice[]): Promise<void> {
  if (notices.length === 0) return;
  const now = ctx.now();
  await Notice.bulkCreate(
    notices.map((n) => ({
      kind: n.kind,
      userId: n.user.id,
      toAddress: n.user.email,
      params: JSON.stringify(n.facts),
      emailFallback: n.emailFallback ?? true,
      notifySlackUser: n.notifySlackUser ?? null,
      nextAttemptAt: now,
    })),
    { transaction: t },
  );
  t.afterCommit(() => ctx.notify?.('notices'));
}

/** "an administrator" or a bulk job's wording; notices say who only this far (the audit log has the name). */
export const BY_ADMIN = 'An administrator';
