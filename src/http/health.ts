import type { Request, Response } from 'express';
import type { Ctx } from '../services/context';
import { databaseHealth, type SlackHealth } from '../services/health';

export type { SlackHealth };
/**
 * 200 when the database answers and Slack (if configured) was reached; 503 otherwise, with what is
 * wrong. A Slack outage degrades only the Slack surface: the login API, the reset page and the REST
 * API keep serving, so a load balancer that should keep routing those should not drop an instance
 * on `slack` alone (see README, "Decisions").
 */
export function healthRoute(ctx: Ctx, slack?: () => SlackHealth | null) {
  return async (_req: Request, res: Response): Promise<void> => {
    const slackHealth = slack?.() ?? null;
    const slackPart = slackHealth ? { slack: slackHealth } : {};
    const slackOk = !slackHealth || slackHealth.status === 'ok';
    const db = await databaseHealth(ctx);
    const healthy = db.status === 'ok' && slackOk;
    res.status(healthy ? 200 : 503).json({ status: healthy ? 'ok' : 'degraded', db, ...slackPart });
  };
}
