// Export files to Slack with files.uploadV2 (the Slack side of the export job's share port).
import { readFile } from 'node:fs/promises';
import type { WebClient } from '@slack/web-api';
import type { FileShare, SharedFile, ShareOutcome } from '../jobs/export';
import type { Logger } from '../lib/logger';
import { slackFailureReason } from './slack-errors';

/** A sentence for the requester: what Slack did, without a stack trace or a token. */
export function describeSlackFailure(e: unknown): string {
  const reason = slackFailureReason(e, 'the upload');
  if (reason) return reason;
  if (/Failed to upload file/i.test(String((e as Error)?.message ?? ''))) return 'Slack did not accept the file bytes';
  return 'the upload failed';
}

/**
 * Shares export files with `filesUploadV2` (getUploadURLExternal → upload → completeUploadExternal)
 * in the requester's direct messages with the app, opened with conversations.open — never in the
 * channel where the command was typed: an export is personal data for the requester alone (DESIGN
 * §9). When the DM cannot be opened the share fails (the email copy still goes); there is no
 * fallback. Rate limits and 5xx are retried by the WebClient's retryConfig before they count as
 * failures.
 */
export class SlackFileShare implements FileShare {
  constructor(
    private readonly client: WebClient,
    private readonly logger: Logger,
  ) {}

  async share(file: SharedFile, to: { slackUserId: string | null }): Promise<ShareOutcome> {
    if (!to.slackUserId) return { ok: false, reason: 'the export was not requested from Slack' };
    let data: Buffer;
    try {
      data = await readFile(file.path);
    } catch (e) {
      return { ok: false, reason: `the file could not be read (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
    }
    let channel: string | undefined;
    try {
      channel = (await this.client.conversations.open({ users: to.slackUserId })).channel?.id;
    } catch (e) {
      return this.failed(
        `userops could not open a direct message with you: ${slackFailureReason(e, 'userops') ?? 'conversations.open failed'}`,
      );
    }
    // A DM id, never a channel: completeUploadExternal shares the file wherever this points.
    if (!channel?.startsWith('D')) return this.failed('userops could not open a direct message with you');
    try {
      await this.client.filesUploadV2({
        channel_id: channel,
        file: data,
        filename: file.filename,
        title: file.title,
        initial_comment: file.comment,
      });
      return { ok: true, channel };
    } catch (e) {
      return this.failed(describeSlackFailure(e));
    }
  }

  private failed(reason: string): ShareOutcome {
    this.logger.warn('export upload to Slack failed', { reason });
    return { ok: false, reason };
  }
}
