import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import { claimDelivery } from '../../services/deliveries';
import type { Ctx } from '../../services/context';

/** A stable id for one user gesture: Slack sends the same trigger_id / event_id again on a retry. */
export function deliveryKey(body: AnyMiddlewareArgs['body']): string | null {
  const b = body as { type?: string; trigger_id?: string; event_id?: string; command?: string };
  if (typeof b.event_id === 'string') return `event:${b.event_id}`;
  if (typeof b.trigger_id === 'string') return `${b.type ?? (b.command ? 'command' : 'request')}:${b.trigger_id}`;
  return null;
}

/**
 * Bolt does not drop retried deliveries. The first delivery records its key (in the background, so
 * the ack is not delayed by a write); a retry is processed only if no earlier delivery recorded the
 * same key — so a retry never repeats a side effect, and a retry of a request that never reached
 * us still works.
 */
export function dropRetriedDeliveries(ctx: Ctx): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const { body, context, next } = args;
    const key = deliveryKey(body);
    if (!key) return next();
    if (context.retryNum === undefined || context.retryNum === 0) {
      // After this turn, so the insert is not built before the ack is sent.
      setImmediate(() => {
        claimDelivery(ctx, key).catch((e: unknown) => ctx.logger.warn('could not record a Slack delivery', { error: String(e) }));
      });
      return next();
    }
    if (await claimDelivery(ctx, key)) return next();
    ctx.logger.info('dropped a retried Slack delivery', {
      key: key.split(':')[0],
      retryNum: context.retryNum,
      reason: context.retryReason,
    });
    const ack = (args as { ack?: () => Promise<void> }).ack;
    if (ack) await ack();
  };
}
