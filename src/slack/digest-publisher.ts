// Posts the lockout digest to Slack (the Slack side of the DigestPublisher port).
import type { WebClient } from '@slack/web-api';
import type { DigestPublisher } from '../jobs/lockout-digest';
import type { Config } from '../lib/config';
import type { LockoutDigest } from '../services/lockout-digest';
import { digestMessages } from './views/digest';

/** Tags every digest message with its slot, so anyone reading the channel's history can tell which run posted it. */
export const DIGEST_EVENT_TYPE = 'userops_lockout_digest';

/** Posts the lockout digest to DIGEST_CHANNEL: the first page in the channel, further pages in its thread. */
export class SlackDigestPublisher implements DigestPublisher {
  constructor(
    private readonly client: WebClient,
    private readonly config: Pick<Config, 'DIGEST_CHANNEL' | 'DIGEST_SILENT_WHEN_EMPTY' | 'SLACK_COMMAND'>,
  ) {}

  async publish(digest: LockoutDigest, slot: string): Promise<{ messages: number }> {
    const pages = digestMessages(digest, { silentWhenEmpty: this.config.DIGEST_SILENT_WHEN_EMPTY, commandName: this.config.SLACK_COMMAND });
    let threadTs: string | undefined;
    for (const [i, page] of pages.entries()) {
      const posted = await this.client.chat.postMessage({
        channel: this.config.DIGEST_CHANNEL,
        text: page.text,
        blocks: page.blocks,
        unfurl_links: false,
        metadata: { event_type: DIGEST_EVENT_TYPE, event_payload: { slot, page: i + 1, pages: pages.length } },
        ...(threadTs ? { thread_ts: threadTs } : {}),
      });
      threadTs ??= posted.ts;
    }
    return { messages: pages.length };
  }
}
