// What runs in the background when Slack is configured: digest scheduler, audit mirror, approval expiry.
import type { WebClient } from '@slack/web-api';
import type { Runtime } from '../app/runtime';
import { AuditMirror, type AuditMirrorOptions } from '../jobs/audit-mirror';
import { startAccessReviewScheduler, type ReviewScheduler } from '../jobs/access-review';
import { startDigestScheduler, type DigestScheduler } from '../jobs/lockout-digest';
import { SlackReviewPublisher } from './access-review-publisher';
import { SlackAuditPoster } from './audit-poster';
import { SlackDigestPublisher } from './digest-publisher';
import { sweepExpiredApprovals } from './flows/approvals';

export interface SlackBackground {
  /** The lockout digest scheduler; `null` when DIGEST_CHANNEL is unset. */
  digest: DigestScheduler | null;
  /** The scheduled access review; `null` when ACCESS_REVIEW_CRON is off or ACCESS_REVIEW_CHANNELS names no organization. */
  accessReview: ReviewScheduler | null;
  /** The AUDIT_CHANNEL mirror; `null` when AUDIT_CHANNEL is unset. */
  auditMirror: AuditMirror | null;
  stop(): Promise<void>;
}

export interface SlackBackgroundOptions {
  auditMirror?: AuditMirrorOptions;
  /** How often pending approval requests past their time are settled as expired (default 60 s). */
  approvalSweepMs?: number;
}

/** What every instance with Slack runs in the background: the digest scheduler and the audit mirror. */
export function startSlackBackground(rt: Runtime, client: WebClient, opts: SlackBackgroundOptions = {}): SlackBackground {
  const { config } = rt;
  const digest = config.DIGEST_CHANNEL ? startDigestScheduler(rt, new SlackDigestPublisher(client, config)) : null;
  const accessReview =
    Object.keys(config.ACCESS_REVIEW_CHANNELS).length > 0 ? startAccessReviewScheduler(rt, new SlackReviewPublisher(client)) : null;
  let auditMirror: AuditMirror | null = null;
  if (config.AUDIT_CHANNEL) {
    const mirror = new AuditMirror(rt, new SlackAuditPoster(client, config.AUDIT_CHANNEL), opts.auditMirror).start();
    rt.onNotify((topic) => {
      if (topic === 'audit') mirror.kick();
    });
    auditMirror = mirror;
  }
  // Approvals (issue 19): expiry is told to the requester even when nobody clicks.
  const approvals = config.APPROVAL_REQUIRED.length > 0 ? sweepExpiredApprovals(rt, client, opts.approvalSweepMs) : null;
  return {
    digest,
    accessReview,
    auditMirror,
    stop: async () => {
      await Promise.all([digest?.stop(), accessReview?.stop(), auditMirror?.stop(), approvals?.stop()]);
    },
  };
}
