import { NoticeSender, type NoticeSlack } from '../../src/jobs/notice-sender';
import type { MailCtx } from '../../src/mail/outbox';
import { Notice } from '../../src/store/notice-models';

/**
 * Deliver every owner notice due now, as an instance without Slack does (email through the mail
 * outbox), or through `slack` when given. Service-level tests call it where they used to find the
 * owner's mail straight in the outbox.
 */
export async function deliverNotices(ctx: MailCtx, slack: NoticeSlack | null = null) {
  const sender = new NoticeSender(ctx, slack);
  try {
    return await sender.drainOnce();
  } finally {
    await sender.stop();
  }
}

/** The notices queued for one user, oldest first. */
export async function noticesOf(userId: number): Promise<Notice[]> {
  return Notice.findAll({ where: { userId }, order: [['id', 'ASC']] });
}
