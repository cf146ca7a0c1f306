// Bulk reset, step 3: the preview confirmed; the progress message, then the queued job.
import { confirmBulkReset } from '../../../services/bulk-reset';
import type { ViewSubmitArgs } from '../../handler-args';
import { actorOrWarnModal, modalTeller, safely, updateView, type SlackDeps } from '../../kit';
import { esc } from '../../views/common';
import { textMessage } from '../../views/messages';
import { noticeModal, warningModal } from '../../views/modals';

/** Step 3: confirmed. Post the progress message in the requester's DM, then queue the job. */
export function bulkResetConfirm(deps: SlackDeps) {
  return async ({ ack, body, view, client }: ViewSubmitArgs): Promise<void> => {
    let jobId: number | null = null;
    try {
      const meta = JSON.parse(view.private_metadata) as { jobId?: unknown };
      jobId = typeof meta.jobId === 'number' ? meta.jobId : null;
    } catch {
      jobId = null;
    }
    await ack({
      response_action: 'update',
      view: noticeModal(
        'Bulk password reset',
        'Started. Progress and the final summary appear in your direct messages with userops; you can close this.',
      ),
    });
    if (jobId === null) return;
    const tell = modalTeller(client, body.user.id, view.id);
    await safely(
      deps,
      undefined,
      'bulk_reset_confirm',
      async () => {
        const actor = await actorOrWarnModal(deps, client, body.user, 'Bulk password reset', updateView(client, view.id));
        if (!actor) return;
        // The progress message exists before the job is queued, so the first batch already has somewhere to report.
        const progress = await deps.notifier?.start(body.user.id, `Bulk password reset #${jobId}`, 'Starting…');
        const notify = progress?.ok ? progress.target : null;
        const confirmed = await confirmBulkReset(deps.rt, actor, { jobId: jobId!, notify, requestedBySlack: body.user.id });
        if (!confirmed.ok) {
          await client.views.update({ view_id: view.id, view: warningModal('Bulk password reset', confirmed.message) });
          if (notify) await deps.notifier?.fail(notify, `Bulk password reset #${jobId} did not start: ${confirmed.message}`);
          return;
        }
        deps.rt.notify?.('jobs');
        // The modal promised progress in the DM: say so when Slack would not take it (the job runs regardless).
        if (progress && !progress.ok) {
          await tell(
            textMessage(
              `:warning: Bulk password reset #${jobId} started, but userops could not post its progress in your messages with userops (${esc(progress.message)}). Follow it with \`${deps.commandName} audit\`.`,
            ),
          );
        }
      },
      tell,
    );
  };
}
