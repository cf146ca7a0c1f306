import type { Request, Response } from 'express';
import type { Ctx } from '../services/context';

/** 200 with the database status when the database answers; 503 otherwise. */
export function healthRoute(ctx: Ctx) {
  return async (_req: Request, res: Response): Promise<void> => {
    const started = Date.now();
    try {
      await ctx.db.sequelize.query('SELECT 1');
      res.status(200).json({ status: 'ok', db: { status: 'ok', dialect: ctx.db.dialect, latencyMs: Date.now() - started } });
    } catch {
      res.status(503).json({ status: 'degraded', db: { status: 'unavailable', dialect: ctx.db.dialect } });
    }
  };
}
