/** What /healthz reports: the database probe (through the store) and the shape of the Slack check, shared by http and slack. */
import { pingDatabase } from '../store/db';
import type { Ctx } from './context';

/** What /healthz says about Slack (see src/slack/connection.ts); absent when Slack is not configured. */
export interface SlackHealth {
  status: 'ok' | 'connecting' | 'unreachable' | 'refused';
  reason?: string;
}

export type DatabaseHealth = { status: 'ok'; dialect: string; latencyMs: number } | { status: 'unavailable'; dialect: string };

/** Does the database answer, and how fast? Never throws: an outage is a value. */
export async function databaseHealth(ctx: Ctx): Promise<DatabaseHealth> {
  const started = Date.now();
  try {
    await pingDatabase(ctx.db);
    return { status: 'ok', dialect: ctx.db.dialect, latencyMs: Date.now() - started };
  } catch {
    return { status: 'unavailable', dialect: ctx.db.dialect };
  }
}
