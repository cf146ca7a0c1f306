// The bulk form: `/users bulk` (and `bulk-reset`), and filling an open modal with it (also from App Home, the digest and a typed command).
import type { WebClient } from '@slack/web-api';
import { BULK_ACTIONS, BULK_TITLE, type BulkAction } from '../../../domain/bulk-actions';
import { bulkActionOrgs } from '../../../services/bulk-actions';
import type { Actor } from '../../../services/context';
import type { SavedView } from '../../../domain/status';
import type { SubCommandHandler } from '../../handler-args';
import type { SlackDeps } from '../../kit';
import { warningModal } from '../../views/modals';
import { bulkModal } from './views';

export interface BulkPrefill {
  /** Preselected in the action select (when the actor may start it). */
  action?: BulkAction;
  users?: Array<{ id: number; label: string }>;
  pasted?: string;
  reason?: string;
  /** Preselected in "everyone in a view" and "only members of" (an access review's buttons). */
  view?: SavedView;
  org?: string;
}

/**
 * Fill an open modal with the bulk form. It offers the actions the actor may start and, as the
 * filter, the organizations where they may start one of them; the service checks the filter
 * against the chosen action again on preview.
 */
export async function fillBulkForm(
  deps: SlackDeps,
  client: WebClient,
  actor: Actor,
  viewId: string,
  prefill: BulkPrefill = {},
): Promise<void> {
  const wanted = prefill.action ?? 'reset_password';
  const per = await Promise.all(BULK_ACTIONS.map(async (a) => ({ action: a, orgs: await bulkActionOrgs(deps.rt, actor, a) })));
  const allowed = per.filter((p) => p.orgs.ok);
  const refusal = per.find((p) => p.action === wanted && !p.orgs.ok)?.orgs;
  if (allowed.length === 0) {
    await client.views.update({
      view_id: viewId,
      view: warningModal(BULK_TITLE[wanted], refusal && !refusal.ok ? refusal.message : 'You may not run bulk actions.'),
    });
    return;
  }
  const orgs = new Map<string, { slug: string; name: string }>();
  for (const p of allowed) if (p.orgs.ok) for (const o of p.orgs.orgs) orgs.set(o.slug, o);
  // A view preselected for one organization (an access review's button) is offered only with that
  // organization as the filter: without it the view would reach the clicker's other organizations.
  const orgMissing = prefill.org !== undefined && !orgs.has(prefill.org);
  const notice = orgMissing
    ? `You may not run bulk actions in ${prefill.org}, so nothing is preselected.`
    : refusal && !refusal.ok
      ? refusal.message
      : undefined;
  await client.views.update({
    view_id: viewId,
    view: bulkModal({
      actions: allowed.map((p) => p.action),
      action: wanted,
      notice,
      orgs: [...orgs.values()].sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0)),
      initialUsers: prefill.users,
      initialPasted: orgMissing ? undefined : prefill.pasted,
      initialReason: prefill.reason,
      initialView: orgMissing ? undefined : prefill.view,
      initialOrg: prefill.org,
    }),
  });
}

/** `/users bulk` and `/users bulk-reset`: the form with Reset password preselected (the dispatcher opened the modal). */
export const bulkCommand: SubCommandHandler = async ({ deps, actor, client, modalViewId }) => {
  if (modalViewId) await fillBulkForm(deps, client, actor, modalViewId, { action: 'reset_password' });
};
