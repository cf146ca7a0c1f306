// The Slack side of owner notices (the NoticeSlack port of src/jobs/notice-sender.ts).
import type { WebClient } from '@slack/web-api';
import type { NoticeSlack } from '../jobs/notice-sender';

/** Slack's error code of a refused Web API call (`ok:false`), if that is what `e` is. */
function slackError(e: unknown): string | undefined {
  return (e as { data?: { error?: string } })?.data?.error;
}

/**
 * `users.lookupByEmail` (scope `users:read.email`) finds the member; `chat.postMessage` with the
 * member's user id as the channel posts in the app's DM with them, opening it if needed.
 */
export class SlackNoticeChannel implements NoticeSlack {
  constructor(private readonly client: WebClient) {}

  async memberByEmail(email: string): Promise<string | null> {
    try {
      const res = await this.client.users.lookupByEmail({ email });
      const user = res.user;
      // A deactivated account or a bot is nobody to tell: the owner gets the email instead.
      if (!user?.id || user.deleted || user.is_bot) return null;
      return user.id;
    } catch (e) {
      if (slackError(e) === 'users_not_found') return null;
      throw e;
    }
  }

  async postDirect(userId: string, text: string): Promise<void> {
    await this.client.chat.postMessage({
      channel: userId,
      text,
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
      unfurl_links: false,
      unfurl_media: false,
    });
  }
}
