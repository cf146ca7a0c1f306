// Posts an access review to Slack: the message, and the CSV of the whole review in its thread.
import type { WebClient } from '@slack/web-api';
import type { ReviewPublisher } from '../jobs/access-review';
import { accessReviewCsv, type AccessReview } from '../services/access-review';
import { describeSlackFailure } from './file-share';
import { slackFailureReason } from './slack-errors';
import { accessReviewMessage } from './views/access-review';

/** Tags every review message with its organization and slot, so the channel's history tells which run posted it. */
export const REVIEW_EVENT_TYPE = 'userops_access_review';

export type ReviewPostOutcome = { ok: true; channel: string; ts: string } | { ok: false; reason: string };

export function reviewFilename(review: AccessReview): string {
  return `access-review-${review.organization.slug}-${review.at.toISOString().slice(0, 10)}.csv`;
}

/**
 * Post the review to `channel` (a channel id) or to the direct message of `slackUserId` (never the
 * channel a command was typed in: the review names people and keys, DESIGN §9). The CSV goes into
 * the message's thread with filesUploadV2, as exports are shared.
 */
export async function postAccessReview(
  client: WebClient,
  review: AccessReview,
  to: { channel: string } | { slackUserId: string },
  opts: { scheduled: boolean; slot?: string },
): Promise<ReviewPostOutcome> {
  let channel: string | undefined;
  if ('channel' in to) channel = to.channel;
  else {
    try {
      channel = (await client.conversations.open({ users: to.slackUserId })).channel?.id;
    } catch (e) {
      return {
        ok: false,
        reason: `userops could not open a direct message with you: ${slackFailureReason(e, 'userops') ?? 'conversations.open failed'}`,
      };
    }
    if (!channel?.startsWith('D')) return { ok: false, reason: 'userops could not open a direct message with you' };
  }
  const message = accessReviewMessage(review, { scheduled: opts.scheduled });
  const posted = await client.chat.postMessage({
    channel,
    text: message.text,
    blocks: message.blocks,
    unfurl_links: false,
    metadata: { event_type: REVIEW_EVENT_TYPE, event_payload: { organization: review.organization.slug, slot: opts.slot ?? 'manual' } },
  });
  const ts = posted.ts ?? '';
  try {
    await client.filesUploadV2({
      channel_id: channel,
      thread_ts: ts,
      file: Buffer.from(accessReviewCsv(review), 'utf8'),
      filename: reviewFilename(review),
      title: `Access review of ${review.organization.slug}`,
      initial_comment: 'The whole review: one line per person per section.',
    });
  } catch (e) {
    return { ok: false, reason: `the review was posted but its CSV was not: ${describeSlackFailure(e)}` };
  }
  return { ok: true, channel, ts };
}

/** The scheduled review's Slack side: the message and its CSV in the organization's channel. */
export class SlackReviewPublisher implements ReviewPublisher {
  constructor(private readonly client: WebClient) {}

  async publish(review: AccessReview, channel: string, slot: string): Promise<void> {
    const posted = await postAccessReview(this.client, review, { channel }, { scheduled: true, slot });
    if (!posted.ok) throw new Error(posted.reason);
  }
}
