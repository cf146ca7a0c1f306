// Mirrors audit events to AUDIT_CHANNEL (the Slack side of the AuditPoster port).
import type { WebClient } from '@slack/web-api';
import type { AuditPoster } from '../jobs/audit-mirror';
import type { AuditRecord } from '../services/audit-query';
import { auditLine } from './views/audit';
import { lineSections, plural } from './views/common';

/** Mirrors audit events to AUDIT_CHANNEL: one line per event, one message per batch (one post, so a batch is all or nothing). */
export class SlackAuditPoster implements AuditPoster {
  constructor(
    private readonly client: WebClient,
    private readonly channel: string,
  ) {}

  async post(events: AuditRecord[]): Promise<void> {
    if (events.length === 0) return;
    await this.client.chat.postMessage({
      channel: this.channel,
      text: `Audit: ${plural(events.length, 'event')}`,
      blocks: lineSections(events.map(auditLine)),
      unfurl_links: false,
      unfurl_media: false,
    });
  }
}
