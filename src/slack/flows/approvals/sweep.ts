// Requests past their time, found without anyone clicking: settled as expired, their messages rewritten, their requesters told.
import type { WebClient } from '@slack/web-api';
import type { Runtime } from '../../../app/runtime';
import { expireDueApprovals } from '../../../services/approvals';
import { announceExpired } from './post';

/**
 * Every `everyMs` (and on stop, never), settle due requests as expired. Each instance may run it:
 * the conditional update expires a request once, and only the instance that expired it announces it.
 */
export function sweepExpiredApprovals(rt: Runtime, client: WebClient, everyMs = 60_000): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const tick = () => {
    running ??= (async () => {
      try {
        const expired = await expireDueApprovals(rt);
        if (expired.length > 0) await announceExpired({ rt }, client, expired);
      } catch (e) {
        rt.logger.warn('approval expiry sweep failed', { error: String((e as Error).message ?? e) });
      } finally {
        running = null;
      }
    })();
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
