// The bulk flow, step 3: a preview confirmed (in its modal, or by the button of a typed command's preview); the progress message, then the queued job.
import type { WebClient } from '@slack/web-api';
import { BULK_TITLE, isBulkAction, type BulkAction } from '../../../domain/bulk-actions';
import type { Failure } from '../../../domain/outcome';
import { confirmBulkAction } from '../../../services/bulk-actions';
import type { Actor } from '../../../services/context';
import { BLOCK } from '../../constants';
import { firstAction, type BlockActionArgs, type ViewSubmitArgs } from '../../handler-args';
import {
  actorOrRefuse,
  actorOrWarnModal,
  modalTeller,
  replaceOriginal,
  replyFailure,
  safely,
  updateView,
  type SlackDeps,
  type Teller,
} from '../../kit';
import { esc } from '../../views/common';
import { textMessage } from '../../views/messages';
import { loadingModal, noticeModal, warningModal } from '../../views/modals';
import { askBulkApproval, pendingNotice } from '../approvals';

const STARTED = 'Started. Progress and the final summary appear in your direct messages with userops.';

/**
 * Post the progress message in the requester's DM, then queue the job: the progress message exists
 * before the job is queued, so the first batch already has somewhere to report.
 */
async function startBulkJob(
  deps: SlackDeps,
  actor: Actor,
  slackUserId: string,
  jobId: number,
  title: string,
  tell: Teller,
): Promise<{ ok: true; action: BulkAction } | Failure> {
  const progress = await deps.notifier?.start(slackUserId, `${title} #${jobId}`, 'Starting…');
  const notify = progress?.ok ? progress.target : null;
  const confirmed = await confirmBulkAction(deps.rt, actor, { jobId, notify, requestedBySlack: slackUserId });
  if (!confirmed.ok) {
    if (notify) await deps.notifier?.fail(notify, `${title} #${jobId} did not start: ${confirmed.message}`);
    return confirmed;
  }
  deps.rt.notify?.('jobs');
  // The answer promised progress in the DM: say so when Slack would not take it (the job runs regardless).
  if (progress && !progress.ok) {
    await tell(
      textMessage(
        `:warning: ${BULK_TITLE[confirmed.action]} #${jobId} started, but userops could not post its progress in your messages with userops (${esc(progress.message)}). Follow it with \`${deps.commandName} audit\`.`,
      ),
    );
  }
  return { ok: true, action: confirmed.action };
}

function readMeta(privateMetadata: string): { jobId: number | null; action: BulkAction; approval: boolean } {
  try {
    const meta = JSON.parse(privateMetadata) as { jobId?: unknown; action?: unknown; approval?: unknown };
    return {
      jobId: typeof meta.jobId === 'number' ? meta.jobId : null,
      action: typeof meta.action === 'string' && isBulkAction(meta.action) ? meta.action : 'reset_password',
      approval: meta.approval === true,
    };
  } catch {
    return { jobId: null, action: 'reset_password', approval: false };
  }
}

/** The preview modal confirmed. */
export function bulkConfirm(deps: SlackDeps) {
  return async ({ ack, body, view, client }: ViewSubmitArgs): Promise<void> => {
    const { jobId, action, approval } = readMeta(view.private_metadata);
    const title = BULK_TITLE[action];
    if (approval) {
      await ack({ response_action: 'update', view: loadingModal(title) });
      if (jobId !== null) await requestFromModal(deps, body.user, client, view.id, jobId, title);
      return;
    }
    await ack({ response_action: 'update', view: noticeModal(title, `${STARTED} You can close this.`) });
    if (jobId === null) return;
    const tell = modalTeller(client, body.user.id, view.id);
    await safely(
      deps,
      undefined,
      'bulk_confirm',
      async () => {
        const actor = await actorOrWarnModal(deps, client, body.user, title, updateView(client, view.id));
        if (!actor) return;
        const started = await startBulkJob(deps, actor, body.user.id, jobId, title, tell);
        if (!started.ok) await client.views.update({ view_id: view.id, view: warningModal(title, started.message) });
      },
      tell,
    );
  };
}

/** "Request approval" in the preview modal: the request is sent, and the modal says where. */
async function requestFromModal(
  deps: SlackDeps,
  user: { id: string; name?: string },
  client: WebClient,
  viewId: string,
  jobId: number,
  title: string,
): Promise<void> {
  await safely(
    deps,
    undefined,
    'bulk_request_approval',
    async () => {
      const actor = await actorOrWarnModal(deps, client, user, title, updateView(client, viewId));
      if (!actor) return;
      const asked = await askBulkApproval(deps, client, actor, user.id, jobId);
      await client.views.update({
        view_id: viewId,
        view: asked.ok ? noticeModal(title, `${pendingNotice(asked)} You can close this.`) : warningModal(title, asked.message),
      });
    },
    modalTeller(client, user.id, viewId),
  );
}

/** "Request approval" on a typed command's preview; its value is the job id. */
export function requestApprovalButton(deps: SlackDeps) {
  return async ({ ack, body, client, respond }: BlockActionArgs): Promise<void> => {
    await ack();
    await safely(deps, respond, 'request_approval', async () => {
      const jobId = Number(firstAction(body).value);
      if (!Number.isSafeInteger(jobId) || jobId <= 0) return;
      const actor = await actorOrRefuse(deps, client, body.user.id, body.user.username, respond);
      if (!actor) return;
      const asked = await askBulkApproval(deps, client, actor, body.user.id, jobId);
      if (!asked.ok) return replyFailure(respond, asked);
      await replaceOriginal(respond, textMessage(pendingNotice(asked)));
    });
  };
}

/** The Confirm button of a typed command's preview (`/users disable NAME… --reason …`); its value is the job id. */
export function bulkConfirmButton(deps: SlackDeps) {
  return async ({ ack, body, client, respond }: BlockActionArgs): Promise<void> => {
    await ack();
    await safely(deps, respond, 'confirm_bulk', async () => {
      const { value, blockId } = firstAction(body);
      const jobId = Number(value);
      const named = blockId.slice(`${BLOCK.bulkAction}:`.length);
      if (!Number.isSafeInteger(jobId) || jobId <= 0) return;
      const actor = await actorOrRefuse(deps, client, body.user.id, body.user.username, respond);
      if (!actor) return;
      const tell = dmTeller(client, body.user.id);
      const started = await startBulkJob(deps, actor, body.user.id, jobId, isBulkAction(named) ? BULK_TITLE[named] : 'Bulk action', tell);
      if (!started.ok) return replyFailure(respond, started);
      await replaceOriginal(respond, textMessage(`*${BULK_TITLE[started.action]} #${jobId}*: ${STARTED}`));
    });
  };
}

function dmTeller(client: WebClient, slackUserId: string): Teller {
  return async (m) => {
    await client.chat.postMessage({ channel: slackUserId, text: m.text, blocks: m.blocks });
  };
}
