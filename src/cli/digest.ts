/** `userops digest --now | --slot TIME`: post the lockout digest from the command line. */
import { WebClient } from '@slack/web-api';
import type { Runtime } from '../app/runtime';
import type { Config } from '../lib/config';
import { slotName } from '../jobs/cron-slots';
import { instanceName, manualSlot, runDigestSlot } from '../jobs/lockout-digest';
import { boltLogger } from '../slack/bolt-logger';
import { SlackDigestPublisher } from '../slack/digest-publisher';
import { plural } from '../slack/views/common';
import type { CliIO } from './io';

export const DIGEST_USAGE = 'usage: userops digest --now | userops digest --slot 2026-11-02T09:00:00Z';

/**
 * `--now`: a digest of its own, posted at once. `--slot TIME`: that schedule slot, posted only if
 * no instance has posted it yet (for an operator unsure whether a digest went out).
 */
export function parseDigestArgs(args: string[]): { slot: (now: Date) => string } | { error: string } {
  if (args.length === 1 && args[0] === '--now') return { slot: manualSlot };
  if (args.length === 2 && args[0] === '--slot') {
    const at = new Date(args[1]);
    if (Number.isNaN(at.getTime())) return { error: `digest: “${args[1]}” is not a time; use ISO 8601 such as 2026-11-02T09:00:00Z` };
    return { slot: () => slotName(at) };
  }
  return { error: DIGEST_USAGE };
}

/** What must be configured before a digest can be posted (checked before touching the database). */
export function digestConfigProblem(config: Pick<Config, 'DIGEST_CHANNEL' | 'SLACK_BOT_TOKEN'>): string | null {
  if (!config.DIGEST_CHANNEL) return 'digest: DIGEST_CHANNEL is not set; set it to the id (C…) of the channel the digest goes to.';
  if (!config.SLACK_BOT_TOKEN) return 'digest: SLACK_BOT_TOKEN is not set, so nothing can be posted to Slack.';
  return null;
}

export async function digestCommand(rt: Runtime, slot: (now: Date) => string, io: Pick<CliIO, 'out' | 'err'>): Promise<number> {
  const { config } = rt;
  const client = new WebClient(config.SLACK_BOT_TOKEN, {
    slackApiUrl: config.SLACK_API_URL,
    logger: boltLogger(rt.logger),
    retryConfig: { retries: 3, factor: 2, minTimeout: 250, maxTimeout: 4000 },
  });
  const run = await runDigestSlot(rt, new SlackDigestPublisher(client, config), slot(rt.now()), instanceName());
  switch (run.status) {
    case 'posted': {
      const d = run.digest;
      if (run.messages === 0) {
        io.out('No new lockouts; nothing posted (DIGEST_SILENT_WHEN_EMPTY is true).');
        return 0;
      }
      io.out(
        `Posted the lockout digest to ${config.DIGEST_CHANNEL}: ${plural(d.newLockouts.length, 'new lockout')}, ${d.stillLocked.length} still locked` +
          `${d.spike ? ', possible credential-stuffing attack flagged' : ''} (${plural(run.messages, 'message')}).`,
      );
      return 0;
    }
    case 'taken':
      io.out(`The digest of slot ${run.slot} was already posted (or is being posted) by another instance; nothing posted.`);
      return 0;
    case 'failed':
      io.err(`The digest could not be posted: ${run.error}`);
      return 1;
  }
}
