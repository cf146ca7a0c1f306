// Whether Slack answers: auth.test at start-up, and again until it does.
import { ErrorCode, type WebClient } from '@slack/web-api';
import type { SlackHealth } from '../services/health';
import type { Logger } from '../lib/logger';

/**
 * `ok`: auth.test answered for the bot token (and the workspace is the configured one);
 * `connecting`: no answer yet; `unreachable`: the Web API did not answer (network, timeout, HTTP
 * error); `refused`: Slack answered but refused (a bad token, another workspace's token).
 */
export type SlackLinkStatus = 'ok' | 'connecting' | 'unreachable' | 'refused';

export interface SlackLinkState {
  status: SlackLinkStatus;
  /** Why it is not ok, fit for /healthz: no address, no token. */
  reason?: string;
  /** The workspace served: SLACK_TEAM_ID, else what auth.test reported; null while unknown. */
  teamId: string | null;
}

export interface SlackConnectionOptions {
  /** SLACK_TEAM_ID, or '' to learn the workspace from auth.test. */
  configuredTeamId: string;
  /** First retry delay; it doubles after each failure up to maxDelayMs. */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Run once auth.test has answered (Bolt's own initialisation, Socket Mode's connection); a throw counts as a failed attempt. */
  onConnected?: () => Promise<void>;
}

/**
 * The app's link to Slack's Web API. The server starts whether or not Slack answers: the first
 * attempt is made at start, and until one succeeds it tries again in the background with a capped
 * exponential back-off, while the login API, the reset page and the REST API (which need no Slack)
 * serve as usual and /healthz reports Slack as degraded.
 */
export class SlackConnection {
  private current: SlackLinkState;
  private failures = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private readonly minDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(
    /** A client that does not retry by itself (the back-off here does), with a request timeout. */
    private readonly client: WebClient,
    private readonly logger: Logger,
    private readonly opts: SlackConnectionOptions,
  ) {
    this.minDelayMs = opts.minDelayMs ?? 1_000;
    this.maxDelayMs = opts.maxDelayMs ?? 60_000;
    this.current = { status: 'connecting', teamId: opts.configuredTeamId || null };
  }

  state(): SlackLinkState {
    return { ...this.current };
  }

  /** The Slack part of /healthz. */
  health(): SlackHealth {
    const { status, reason } = this.current;
    return reason === undefined ? { status } : { status, reason };
  }

  /** The workspace served, or null while it is neither configured nor learnt. */
  teamId(): string | null {
    return this.current.teamId;
  }

  /** Whether another attempt is pending or running (false once connected or stopped). */
  retrying(): boolean {
    return this.timer !== null || this.running !== null;
  }

  /** Make the first attempt; on failure, keep trying in the background. Never throws. */
  async start(): Promise<void> {
    await this.tick();
  }

  /** Stop retrying and wait for an attempt in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private tick(): Promise<void> {
    this.timer = null;
    this.running = this.attempt().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    try {
      const res = await this.client.auth.test();
      const reported = typeof res.team_id === 'string' ? res.team_id : '';
      const configured = this.opts.configuredTeamId;
      if (configured && reported && reported !== configured) {
        this.failed('refused', `the bot token belongs to workspace ${reported}, not SLACK_TEAM_ID ${configured}`);
        return;
      }
      if (!configured && !reported) {
        this.failed('refused', 'auth.test did not name a workspace; set SLACK_TEAM_ID');
        return;
      }
      await this.opts.onConnected?.();
      const wasDown = this.failures > 0;
      this.failures = 0;
      this.current = { status: 'ok', teamId: configured || reported };
      if (wasDown) this.logger.info('Slack answers again', { teamId: this.current.teamId });
    } catch (e) {
      const { status, reason } = describeFailure(e);
      this.failed(status, reason);
    }
  }

  private failed(status: 'unreachable' | 'refused', reason: string): void {
    this.failures += 1;
    this.current = { status, reason, teamId: this.current.teamId };
    if (this.stopped) return;
    const delay = Math.min(this.maxDelayMs, this.minDelayMs * 2 ** Math.min(this.failures - 1, 20));
    // Said once when it starts failing, then again only now and then: an outage is not a log flood.
    if (this.failures === 1 || delay === this.maxDelayMs) {
      this.logger.warn('Slack is not available; serving without it and trying again', { status, reason, retryInMs: delay });
    }
    this.timer = setTimeout(() => void this.tick(), delay);
    this.timer.unref();
  }
}

/** Classify a failed auth.test without leaking the API address or the token into /healthz. */
function describeFailure(e: unknown): { status: 'unreachable' | 'refused'; reason: string } {
  const err = e as { code?: string; data?: { error?: string }; statusCode?: number; original?: { code?: string; name?: string } };
  if (err.code === ErrorCode.PlatformError) return { status: 'refused', reason: `auth.test: ${err.data?.error ?? 'error'}` };
  if (err.code === ErrorCode.HTTPError) return { status: 'unreachable', reason: `the Slack API answered HTTP ${err.statusCode ?? '?'}` };
  if (err.code === ErrorCode.RateLimitedError) return { status: 'unreachable', reason: 'the Slack API is rate limiting' };
  if (err.code === ErrorCode.RequestError) {
    return {
      status: 'unreachable',
      reason: `the Slack API cannot be reached (${err.original?.code ?? err.original?.name ?? 'network error'})`,
    };
  }
  return { status: 'unreachable', reason: 'the Slack API cannot be reached' };
}
