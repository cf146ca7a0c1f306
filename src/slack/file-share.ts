import { readFile } from 'node:fs/promises';
import type { WebClient } from '@slack/web-api';
import type { FileShare, SharedFile, ShareOutcome } from '../jobs/export';
import type { Logger } from '../lib/logger';
import { slackFailureReason } from './slack-errors';

/** Slack errors that mean "not there, but the requester's DM will do". */
const TRY_DM_INSTEAD = new Set(['not_in_channel', 'channel_not_found', 'is_archived']);

function slackErrorCode(e: unknown): string | null {
  const err = e as { code?: string; data?: { error?: string } };
  return err?.code === 'slack_webapi_platform_error' ? (err.data?.error ?? null) : null;
}

/** A sentence for the requester: what Slack did, without a stack trace or a token. */
export function describeSlackFailure(e: unknown): string {
  const reason = slackFailureReason(e, 'the upload');
  if (reason) return reason;
  if (/Failed to upload file/i.test(String((e as Error)?.message ?? ''))) return 'Slack did not accept the file bytes';
  return 'the upload failed';
}

/**
 * Shares export files with `filesUploadV2` (getUploadURLExternal → upload → completeUploadExternal).
 * The channel the command came from first; where the app is not a member (or the channel is gone
 * or a DM between other people), the requester's DM with the app, opened with conversations.open.
 * Rate limits and 5xx are retried by the WebClient's retryConfig before they count as failures.
 */
export class SlackFileShare implements FileShare {
  constructor(
    private readonly client: WebClient,
    private readonly logger: Logger,
  ) {}

  async share(file: SharedFile, to: { channel: string | null; slackUserId: string | null }): Promise<ShareOutcome> {
    let data: Buffer;
    try {
      data = await readFile(file.path);
    } catch (e) {
      return { ok: false, reason: `the file could not be read (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
    }
    const upload = (channel: string) =>
      this.client.filesUploadV2({
        channel_id: channel,
        file: data,
        filename: file.filename,
        title: file.title,
        initial_comment: file.comment,
      });
    let fellBackBecause: string | null = null;
    if (to.channel) {
      try {
        await upload(to.channel);
        return { ok: true, channel: to.channel, inDm: false, fellBackBecause: null };
      } catch (e) {
        const code = slackErrorCode(e);
        if (!code || !TRY_DM_INSTEAD.has(code) || !to.slackUserId) return this.failed(e);
        fellBackBecause = code;
      }
    }
    if (!to.slackUserId) return { ok: false, reason: 'there is no channel or person to share it with' };
    try {
      const dm = await this.client.conversations.open({ users: to.slackUserId });
      const channel = dm.channel?.id;
      if (!channel) return { ok: false, reason: 'Slack did not open a direct message' };
      await upload(channel);
      return { ok: true, channel, inDm: true, fellBackBecause };
    } catch (e) {
      return this.failed(e);
    }
  }

  private failed(e: unknown): ShareOutcome {
    const reason = describeSlackFailure(e);
    this.logger.warn('export upload to Slack failed', { reason });
    return { ok: false, reason };
  }
}
