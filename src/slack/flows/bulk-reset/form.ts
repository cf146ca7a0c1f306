// The bulk-reset form: `/users bulk-reset`, and filling an open modal with it (also from App Home and the digest).
import type { WebClient } from '@slack/web-api';
import { bulkResetOrgs } from '../../../services/bulk-reset';
import type { Actor } from '../../../services/context';
import type { SubCommandHandler } from '../../handler-args';
import type { SlackDeps } from '../../kit';
import { warningModal } from '../../views/modals';
import { bulkResetModal } from './views';

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
