// The Slack side of owner notices (the NoticeSlack port of src/jobs/notice-sender.ts).
import type { WebClient } from '@slack/web-api';
import type { NoticeSlack } from '../jobs/notice-sender';
import { memberIdByEmail } from './members';

/**
 * `users.lookupByEmail` (scope `users:read.email`) finds the member; `chat.postMessage` with the
 * member's user id as the channel posts in the app's DM with them, opening it if needed.
 */
export class SlackNoticeChannel implements NoticeSlack {
  constructor(private readonly client: WebClient) {}

  memberByEmail(email: string): Promise<string | null> {
    return memberIdByEmail(this.client, email);
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
