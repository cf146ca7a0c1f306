// Middleware: refuse requests from any workspace but the one served.
import type { AnyMiddlewareArgs, Middleware, RespondFn } from '@slack/bolt';
import type { Ctx } from '../../services/context';
import { checkWorkspace } from '../../services/identity';
import { errorMessage } from '../views/messages';
import { warningModal } from '../views/modals';

/** Every workspace a request names: the command's, the payload's team and the acting user's, the event's. */
export function workspacesNamed(body: AnyMiddlewareArgs['body']): Array<string | undefined> {
  const b = body as { team_id?: unknown; team?: { id?: unknown } | null; user?: { team_id?: unknown } | null };
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return [str(b.team_id), str(b.team?.id), str(b.user?.team_id)].filter((t) => t !== undefined);
}

/**
 * userops serves one workspace (SLACK_TEAM_ID, or the bot token's per auth.test). A request from
 * any other — a Slack Connect channel shared with another organisation, an app installed
 * elsewhere with the same signing secret — is answered with a refusal and nothing else runs, not
 * even a users.info lookup.
 */
export function refuseOtherWorkspaces(ctx: Ctx, servedTeam: () => string | null): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const verdict = checkWorkspace(servedTeam(), workspacesNamed(args.body));
    if (verdict.ok) return args.next();
    ctx.logger.warn('refused a Slack request', { code: verdict.code, teams: workspacesNamed(args.body) });
    const b = args.body as { type?: string; command?: string };
    const ack = (args as { ack?: (answer?: unknown) => Promise<void> }).ack;
    const respond = (args as { respond?: RespondFn }).respond;
    const message = errorMessage(verdict.message);
    if (!ack) return; // an event: Bolt acknowledged it already
    if (b.command !== undefined) return ack({ response_type: 'ephemeral', text: message.text });
    if (b.type === 'view_submission') return ack({ response_action: 'update', view: warningModal('userops', verdict.message) });
    if (b.type === 'block_suggestion') return ack({ options: [] });
    await ack();
    if (b.type === 'block_actions' && respond) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: message.text }).catch((e: unknown) =>
        ctx.logger.warn('could not tell a refused Slack user why', { error: String(e) }),
      );
    }
  };
}
