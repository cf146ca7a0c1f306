// src/server: one process — express with Bolt's receiver, the HTTP routes, the Slack app and the
// workers. The composition root: it may import every layer below it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, ErrorCode as BoltErrorCode, ExpressReceiver } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Runtime } from '../app/runtime';
import { httpRoutes } from '../http';
import { boltLogger } from '../slack/bolt-logger';
import { SlackIdentity } from '../slack/identity';
import { correlationId, type SlackDeps } from '../slack/kit';
import { registerListeners } from '../slack/listeners';
import { SlackJobNotifier } from '../slack/job-notifier';
import { SlackFileShare } from '../slack/file-share';
import { SlackNoticeChannel } from '../slack/notice-slack';
import { EXPORT_KIND, exportJob } from '../jobs/export';
import { mailFailureReporter } from '../slack/mail-failures';
import { webhookDisabledReporter } from '../slack/webhook-notices';
import { startWorkers, type WorkerOptions, type Workers } from '../app/workers';
import { startSlackBackground, type SlackBackground, type SlackBackgroundOptions } from '../slack/background';
import { delivery, webClientRetryConfig, type DeliveryPolicy } from '../slack/delivery';
import { queueJobResultMail } from '../services/job-result-mail';
import { SlackConnection } from '../slack/connection';
import { signedRequestProperties } from '../slack/middleware/retries';

export interface ServerHandle {
  url: string;
  port: number;
  slack: App | null;
  deps: SlackDeps | null;
  workers: Workers | null;
  /** The lockout digest scheduler and the audit mirror (when Slack and their channels are configured). */
  background: SlackBackground | null;
  /** The link to Slack's Web API (auth.test at start, retried in the background until it answers). */
  connection: SlackConnection | null;
  /** Stop taking requests and wait for open ones; the runtime is closed by the caller. */
  stop(): Promise<void>;
}

export interface ServerOptions {
  port?: number;
  host?: string;
  /** Background workers (mail, jobs); `false` for an instance that only serves requests. */
  workers?: WorkerOptions | false;
  /** Knobs for the digest scheduler and the audit mirror; they run wherever the workers do. */
  background?: SlackBackgroundOptions;
  /** How hard Slack calls and replies are retried (tests use small delays); see src/slack/delivery.ts. */
  delivery?: Partial<DeliveryPolicy>;
  /** Back-off of the retries while Slack cannot be reached (default 1 s doubling to 60 s). */
  slackConnection?: { minDelayMs?: number; maxDelayMs?: number };
}

/**
 * One HTTP server: the product's routes plus Bolt's receiver at POST /slack/events (HTTP mode), or
 * the routes alone with Slack over Socket Mode when SLACK_APP_TOKEN is set.
 */
export async function startServer(rt: Runtime, opts: ServerOptions = {}): Promise<ServerHandle> {
  const { config, logger } = rt;
  const web = express();
  web.disable('x-powered-by');
  // false, a hop count or a list of proxies (never `true`): see src/lib/trust-proxy.ts.
  web.set('trust proxy', config.TRUST_PROXY);
  let slack: App | null = null;
  let deps: SlackDeps | null = null;
  let connection: SlackConnection | null = null;
  web.use(httpRoutes(rt, { slackHealth: () => (connection ? connection.health() : null) }));

  const slackConfigured = config.SLACK_BOT_TOKEN !== '' && (config.SLACK_SIGNING_SECRET !== '' || config.SLACK_APP_TOKEN !== '');
  if (slackConfigured) {
    const slackDelivery = delivery(opts.delivery);
    const clientOptions = {
      slackApiUrl: config.SLACK_API_URL,
      // Tell the person within seconds rather than retrying for half an hour (the WebClient default).
      retryConfig: webClientRetryConfig(slackDelivery.policy),
      // 429s wait their Retry-After and are retried under the same budget (false is the default; stated because it matters).
      rejectRateLimitedCalls: false,
    };
    // convoStore: false: userops keeps no per-conversation state, and Bolt's default in-memory
    // store builds an Error ('Conversation not found') on every request that has a channel.
    // deferInitialization: Bolt's own auth.test would otherwise run in this constructor, and an
    // unreachable Slack would fail every later request (Bolt caches the failed answer) or end the
    // process (an unhandled rejection). SlackConnection calls init() once Slack answers.
    if (config.SLACK_APP_TOKEN) {
      slack = new App({
        token: config.SLACK_BOT_TOKEN,
        appToken: config.SLACK_APP_TOKEN,
        socketMode: true,
        clientOptions,
        convoStore: false,
        logger: boltLogger(logger),
        deferInitialization: true,
      });
    } else {
      const receiver = new ExpressReceiver({
        signingSecret: config.SLACK_SIGNING_SECRET,
        app: web,
        endpoints: '/slack/events',
        logger: boltLogger(logger),
        processBeforeResponse: false,
        // The verified signature, so a replay of the same signed request is recognised (middleware/retries.ts).
        customPropertiesExtractor: signedRequestProperties,
      });
      slack = new App({
        token: config.SLACK_BOT_TOKEN,
        receiver,
        clientOptions,
        logger: boltLogger(logger),
        convoStore: false,
        deferInitialization: true,
      });
    }
    const app = slack;
    let socketStarted = false;
    connection = new SlackConnection(
      // auth.test alone, with no retries of its own (the connection's back-off retries) and a timeout.
      new WebClient(config.SLACK_BOT_TOKEN, {
        slackApiUrl: config.SLACK_API_URL,
        retryConfig: { retries: 0 },
        timeout: 5_000,
        logger: boltLogger(logger),
      }),
      logger,
      {
        configuredTeamId: config.SLACK_TEAM_ID,
        ...opts.slackConnection,
        onConnected: async () => {
          await app.init();
          if (config.SLACK_APP_TOKEN && !socketStarted) {
            await app.start();
            socketStarted = true;
          }
        },
      },
    );
    const link = connection;
    deps = {
      rt,
      identity: new SlackIdentity(rt, () => link.teamId()),
      servedTeam: () => link.teamId(),
      commandName: config.SLACK_COMMAND,
      hooks: {},
      notifier: new SlackJobNotifier(slack.client, logger, queueJobResultMail(rt)),
      delivery: slackDelivery,
    };
    registerListeners(slack, deps);
    slack.error(async (err) => {
      if ((err as { code?: string }).code === BoltErrorCode.AuthorizationError) {
        // Before Slack first answered, Bolt has no authorization yet: the request is acknowledged and dropped.
        logger.warn('dropped a Slack request: Slack has not been reached yet', { correlationId: correlationId() });
        return;
      }
      logger.error('unhandled Slack error', { correlationId: correlationId(), error: err instanceof Error ? err : String(err) });
    });
  } else {
    logger.warn('SLACK_BOT_TOKEN or SLACK_SIGNING_SECRET is not set: serving the HTTP API only, no Slack');
  }

  web.use((_req: Request, res: Response) => {
    res.status(404).json({ error: { code: 'not_found', message: 'No such route.' } });
  });
  // Last resort: never a stack trace in a response.
  web.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const id = correlationId();
    const status = (err as { status?: number; statusCode?: number }).status ?? (err as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) logger.error('request failed', { correlationId: id, error: err instanceof Error ? err : String(err) });
    if (res.headersSent) return;
    res.status(status >= 400 && status < 600 ? status : 500).json({
      error: {
        code: status >= 500 ? 'internal' : 'bad_request',
        message: status >= 500 ? `Internal error (reference ${id}).` : 'The request could not be read.',
      },
    });
  });

  const workerOpts = opts.workers || {};
  const workers =
    opts.workers === false
      ? null
      : startWorkers(rt, {
          ...workerOpts,
          notifier: deps?.notifier ?? workerOpts.notifier,
          share: workerOpts.share ?? (slack ? new SlackFileShare(slack.client, logger) : null),
          noticeSlack: workerOpts.noticeSlack ?? (slack ? new SlackNoticeChannel(slack.client) : null),
          handlers: {
            ...workerOpts.handlers,
            ...(slack && deps?.notifier ? { [EXPORT_KIND]: exportJob(deps.notifier, new SlackFileShare(slack.client, logger)) } : {}),
          },
          mail: {
            ...(workerOpts.mail ?? {}),
            onFailed: workerOpts.mail?.onFailed ?? (slack ? mailFailureReporter(slack.client, logger) : undefined),
          },
          webhooks: {
            ...(workerOpts.webhooks ?? {}),
            onDisabled:
              workerOpts.webhooks?.onDisabled ?? (slack ? webhookDisabledReporter(slack.client, logger, config.SLACK_COMMAND) : undefined),
          },
        });

  // Every instance schedules the digest and mirrors the audit log; slot and row claims keep each to once.
  const background = slack && opts.workers !== false ? startSlackBackground(rt, slack.client, opts.background) : null;

  const server: Server = createServer(web);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? config.PORT, opts.host ?? '0.0.0.0', () => resolve());
  });
  // The first attempt to reach Slack; when it fails the server serves anyway and retries in the background.
  await connection?.start();
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    slack,
    deps,
    workers,
    background,
    connection,
    stop: async () => {
      await connection?.stop();
      if (slack && config.SLACK_APP_TOKEN && connection?.state().status === 'ok') await slack.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await background?.stop();
      await workers?.stop();
    },
  };
}
