import type { Request, Response } from 'express';
import type { Ctx } from '../services/context';
import { pingDatabase } from '../store/db';

/** What /healthz says about Slack (see src/slack/connection.ts); absent when Slack is not configured. */
export interface SlackHealth {
  status: 'ok' | 'connecting' | 'unreachable' | 'refused';
  reason?: string;
}

/**
 * 200 when the database answers and Slack (if configured) was reached; 503 otherwise, with what is
 * wrong. A Slack outage degrades only the Slack surface: the login API, the reset page and the REST
 * API keep serving, so a load balancer that should keep routing those should not drop an instance
 * on `slack` alone (see README, "Decisions").
 */
export function healthRoute(ctx: Ctx, slack?: () => SlackHealth | null) {
  return async (_req: Request, res: Response): Promise<void> => {
    const started = Date.now();
    const slackHealth = slack?.() ?? null;
    const slackPart = slackHealth ? { slack: slackHealth } : {};
    const slackOk = !slackHealth || slackHealth.status === 'ok';
    try {
      await pingDatabase(ctx.db);
      const db = { status: 'ok', dialect: ctx.db.dialect, latencyMs: Date.now() - started };
      res.status(slackOk ? 200 : 503).json({ status: slackOk ? 'ok' : 'degraded', db, ...slackPart });
    } catch {
      res.status(503).json({ status: 'degraded', db: { status: 'unavailable', dialect: ctx.db.dialect }, ...slackPart });
    }
  };
}
