// What every Slack handler shares: its deps, running after the ack, replies, and resolving the actor.
import type { RespondFn } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Runtime } from '../app/runtime';
import type { Failure } from '../domain/outcome';
import { isFailure } from '../services/authz';
import { isRepeatedRequest } from './middleware/retries';
import type { Actor } from '../services/context';
import { correlationId } from './correlation';
import { UndeliveredReply, type Delivery } from './delivery';
import type { SlackIdentity } from './identity';
import type { SlackJobNotifier } from './job-notifier';
import { slackFailureReason } from './slack-errors';
import { errorMessage, slackFailureMessage, unexpectedErrorMessage, type SlackMessage } from './views/messages';
import { noticeModal, warningModal } from './views/modals';

/** What every Slack handler gets: the services' runtime and the adapters around Slack. */
export interface SlackDeps {
  rt: Runtime;
  identity: SlackIdentity;
  /** The workspace served (SLACK_TEAM_ID, or what auth.test reported); null while unknown. */
  servedTeam: () => string | null;
  commandName: string;
  /** What handlers call after they acted (the Home refresh), set by registerListeners. */
  hooks: SlackHooks;
  /** Reports job progress in the requester's DM. */
  notifier?: SlackJobNotifier;
  /** Retry policy of response_url replies (the WebClient carries the same as its retryConfig). */
  delivery?: Delivery;
}

export interface SlackHooks {
  /** Something changed that App Home shows; refresh it for this Slack user. */
  refreshHome?: (client: WebClient, slackUserId: string) => Promise<void>;
}

export { correlationId } from './correlation';

/** Another way to reach the person when there is no response_url (modals, App Home). */
export type Teller = (message: SlackMessage) => Promise<void>;

/**
 * Run handler work after the ack — unless the request is a copy (middleware/retries.ts). Errors a person can cause are outcome values and never reach
 * here; anything thrown is a bug or an outage: logged with a correlation id, and the person gets
 * that id instead of a stack trace — through `respond`, or else through `tell` — with what Slack
 * said when it was a Slack call that finally failed.
 */
export async function safely(
  deps: SlackDeps,
  respond: RespondFn | undefined,
  where: string,
  fn: () => Promise<void>,
  tell?: Teller,
): Promise<void> {
  // A replayed or retried command or click was acked like the original; here it stops.
  if (await isRepeatedRequest()) return;
  try {
    await fn();
  } catch (err) {
    // A reply that reached nobody was logged where it failed; reporting it would only fail again.
    if (err instanceof UndeliveredReply) return;
    const id = correlationId();
    deps.rt.logger.error('slack handler failed', { where, correlationId: id, error: err instanceof Error ? err : String(err) });
    const reason = slackFailureReason(err);
    const message = reason ? slackFailureMessage(reason, id, deps.commandName) : unexpectedErrorMessage(id);
    const report = respond
      ? () => respond({ response_type: 'ephemeral', replace_original: false, ...message })
      : tell && (() => tell(message));
    await report?.().catch((e: unknown) =>
      deps.rt.logger.warn('could not report an error to Slack', { correlationId: id, error: String(e) }),
    );
  }
}

/**
 * Tell the person behind a modal: in the modal while Slack takes it, else in their DM with the
 * app (when it was updating the modal that failed).
 */
export function modalTeller(client: WebClient, slackUserId: string, viewId: string | undefined): Teller {
  return async (message) => {
    if (viewId) {
      try {
        await client.views.update({ view_id: viewId, view: noticeModal('userops', message.text) });
        return;
      } catch {
        // Fall through to the DM.
      }
    }
    await client.chat.postMessage({ channel: slackUserId, text: message.text, blocks: message.blocks });
  };
}

export async function replyEphemeral(respond: RespondFn, message: SlackMessage): Promise<void> {
  await respond({ response_type: 'ephemeral', replace_original: false, text: message.text, blocks: message.blocks });
}

export async function replaceOriginal(respond: RespondFn, message: SlackMessage): Promise<void> {
  await respond({ replace_original: true, text: message.text, blocks: message.blocks });
}

export async function replyFailure(respond: RespondFn, failure: Failure): Promise<void> {
  await replyEphemeral(respond, errorMessage(failure.message));
}

/** Resolve the acting directory user, or tell the person why they cannot act. */
export async function actorOrRefuse(
  deps: SlackDeps,
  client: WebClient,
  slackUserId: string,
  slackName: string | undefined,
  respond: RespondFn | undefined,
): Promise<Actor | null> {
  const actor = await deps.identity.actorFor(client, slackUserId, slackName);
  if (isFailure(actor)) {
    if (respond) await replyFailure(respond, actor);
    return null;
  }
  return actor;
}

/**
 * Resolve the acting directory user behind a modal, or show in the modal why they cannot act
 * (a warning titled `title`) and return null. `show` puts a view in place: `updateView` for an
 * open modal, or a submission's `ack({ response_action: 'update', view })`.
 */
export async function actorOrWarnModal(
  deps: SlackDeps,
  client: WebClient,
  slackUser: { id: string; name?: string },
  title: string,
  show: (view: ModalView) => Promise<unknown>,
): Promise<Actor | null> {
  const actor = await deps.identity.actorFor(client, slackUser.id, slackUser.name);
  if (!isFailure(actor)) return actor;
  await show(warningModal(title, actor.message));
  return null;
}

/** Put a view in place of the open modal `viewId`. */
export function updateView(client: WebClient, viewId: string): (view: ModalView) => Promise<unknown> {
  return (view) => client.views.update({ view_id: viewId, view });
}

/** "by @ana at 10:42" — the final state a message is rewritten to. */
export function byLine(slackUserId: string, at: Date): string {
  const unix = Math.floor(at.getTime() / 1000);
  return `by <@${slackUserId}> at <!date^${unix}^{time}|${at.toISOString().slice(11, 16)} UTC>`;
}
