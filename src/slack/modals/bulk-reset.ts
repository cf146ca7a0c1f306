import type { AllMiddlewareArgs, SlackOptionsMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { isSavedView } from '../../domain/status';
import { isFailure } from '../../services/authz';
import { bulkResetOrgs, checkBulkSelection, confirmBulkReset, previewBulkReset } from '../../services/bulk-reset';
import type { Actor } from '../../services/context';
import { searchUsers } from '../../services/directory';
import type { SubCommandHandler } from '../commands/types';
import { ACTION, BLOCK } from '../constants';
import { modalTeller, safely, type SlackDeps } from '../kit';
import { inputText, selectedValue, selectedValues, type StateValues } from '../view-state';
import { esc } from '../views/common';
import { textMessage } from '../views/messages';
import { bulkPreviewModal, bulkResetModal, loadingModal, noticeModal, warningModal, userOptionLabel } from '../views/modals';

/** Fill an open modal with the bulk-reset form (optionally pre-filled, e.g. from a lockout spike). */
export async function fillBulkResetForm(
  deps: SlackDeps,
  client: WebClient,
  actor: Actor,
  viewId: string,
  prefill: { users?: Array<{ id: number; label: string }>; reason?: string } = {},
): Promise<void> {
  const orgs = await bulkResetOrgs(deps.rt, actor);
  if (!orgs.ok) {
    await client.views.update({ view_id: viewId, view: warningModal('Bulk password reset', orgs.message) });
    return;
  }
  await client.views.update({
    view_id: viewId,
    view: bulkResetModal({ orgs: orgs.orgs, initialUsers: prefill.users, initialReason: prefill.reason }),
  });
}

export const bulkResetCommand: SubCommandHandler = async ({ deps, actor, client, modalViewId }) => {
  if (modalViewId) await fillBulkResetForm(deps, client, actor, modalViewId);
};

/** Type-ahead for the user picker: the app serves the options (an external select). */
export function bulkUserOptions(deps: SlackDeps) {
  return async ({ ack, body, client }: SlackOptionsMiddlewareArgs<'block_suggestion'> & AllMiddlewareArgs): Promise<void> => {
    const actor = await deps.identity.actorFor(client, body.user.id, body.user.name).catch(() => null);
    if (!actor || isFailure(actor)) {
      await ack({ options: [] });
      return;
    }
    const result = await searchUsers(deps.rt, actor, { text: String(body.value ?? '').slice(0, 100), limit: 20 });
    await ack({
      options: result.ok
        ? result.users.map((u) => ({ text: { type: 'plain_text' as const, text: userOptionLabel(u) }, value: String(u.id) }))
        : [],
    });
  };
}

type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;
function readSelection(values: StateValues) {
  const picked = selectedValues(values, BLOCK.picked, ACTION.bulkUserPicker)
    .filter((v) => /^[1-9]\d{0,14}$/.test(v))
    .map(Number);
  const pasted = inputText(values, BLOCK.pasted);
  const view = selectedValue(values, BLOCK.scopeView);
  const orgSlug = selectedValue(values, BLOCK.scopeOrg);
  const reason = inputText(values, BLOCK.reason);
  return { userIds: picked, pasted, view: view && isSavedView(view) ? view : null, orgSlug, reason };
}

/** Step 1 → 2: quick checks answer under the fields; then a preview, computed after the ack. */
export function bulkResetSubmit(deps: SlackDeps) {
  return async ({ ack, body, view, client }: ViewArgs): Promise<void> => {
    const sel = readSelection(view.state.values);
    // The service's form checks, answered under the fields (its field names are the block ids).
    const bad = checkBulkSelection(sel);
    if (bad) {
      await ack({ response_action: 'errors', errors: bad.fields ?? { [BLOCK.picked]: bad.message } });
      return;
    }
    await ack({ response_action: 'update', view: loadingModal('Bulk password reset') });
    await safely(
      deps,
      undefined,
      'bulk_reset_preview',
      async () => {
        const actor = await deps.identity.actorFor(client, body.user.id, body.user.name);
        if (isFailure(actor)) {
          await client.views.update({ view_id: view.id, view: warningModal('Bulk password reset', actor.message) });
          return;
        }
        const preview = await previewBulkReset(deps.rt, actor, sel);
        if (!preview.ok) {
          await client.views.update({ view_id: view.id, view: warningModal('Bulk password reset', preview.message) });
          return;
        }
        await client.views.update({ view_id: view.id, view: bulkPreviewModal(preview, sel.reason) });
      },
      modalTeller(client, body.user.id, view.id),
    );
  };
}

/** Step 3: confirmed. Post the progress message in the requester's DM, then queue the job. */
export function bulkResetConfirm(deps: SlackDeps) {
  return async ({ ack, body, view, client }: ViewArgs): Promise<void> => {
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
        const actor = await deps.identity.actorFor(client, body.user.id, body.user.name);
        if (isFailure(actor)) {
          await client.views.update({ view_id: view.id, view: warningModal('Bulk password reset', actor.message) });
          return;
        }
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
              `:warning: Bulk password reset #${jobId} started, but userops could not post its progress in your messages with userops (${esc(progress.reason)}). Follow it with \`${deps.commandName} audit\`.`,
            ),
          );
        }
      },
      tell,
    );
  };
}
