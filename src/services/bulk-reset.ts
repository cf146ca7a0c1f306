import type { Outcome } from '../domain/outcome';
import type { SavedView } from '../domain/status';
import type { Actor, Ctx } from './context';
import {
  BULK_KIND,
  bulkActionOrgs,
  bulkActionSummary,
  confirmBulkAction,
  previewBulkAction,
  runBulkActionBatch,
  type BulkActionPreview,
  type BulkSkipped,
} from './bulk-actions';

/**
 * Bulk password reset: the `reset_password` action of the one bulk flow (./bulk-actions), in the
 * shapes the bulk-reset modal and its callers read. New code calls ./bulk-actions directly.
 */

export const BULK_RESET_KIND = BULK_KIND.reset_password;
export { DRAFT_TTL_MS, MAX_PASTED_LINES, PREVIEW_NAMES } from './bulk-actions';

export interface BulkSelection {
  userIds?: number[];
  pasted?: string;
  view?: SavedView | null;
  /** A filter on the rest of the selection, never a source of users. */
  orgSlug?: string | null;
  reason: string;
}

export interface BulkPreview {
  jobId: number;
  count: number;
  sample: string[];
  /** Names and picked ids that match nobody the actor can see: missing and outside their organizations alike. */
  unknown: string[];
  skippedDisabled: number;
  skippedSelf: boolean;
  /** Users the actor may not reset (DESIGN §2): counts by reason, and the first names of each. */
  skippedNoPermission: number;
  skippedHigherRole: number;
  refusedSample: { noPermission: string[]; higherRole: string[] };
}

export interface BulkProgress {
  total: number;
  done: number;
  reset: number;
  skipped: number;
  refused: number;
}

function skippedOf(p: BulkActionPreview, reason: BulkSkipped['reason']): BulkSkipped {
  return p.skipped.find((s) => s.reason === reason) ?? { reason, count: 0, names: [] };
}

export async function previewBulkReset(ctx: Ctx, actor: Actor, sel: BulkSelection): Promise<Outcome<BulkPreview>> {
  const p = await previewBulkAction(ctx, actor, { ...sel, action: 'reset_password' });
  if (!p.ok) return p;
  const noPermission = skippedOf(p, 'no_permission');
  const higherRole = skippedOf(p, 'higher_role');
  return {
    ok: true,
    jobId: p.jobId,
    count: p.count,
    sample: p.sample,
    unknown: p.notFound,
    skippedDisabled: skippedOf(p, 'not_applicable').count,
    skippedSelf: skippedOf(p, 'self').count > 0,
    skippedNoPermission: noPermission.count,
    skippedHigherRole: higherRole.count,
    refusedSample: { noPermission: noPermission.names, higherRole: higherRole.names },
  };
}

export async function confirmBulkReset(
  ctx: Ctx,
  actor: Actor,
  input: { jobId: number; notify?: { channel: string; ts: string } | null; requestedBySlack?: string | null },
): Promise<Outcome<{ jobId: number; total: number }>> {
  const c = await confirmBulkAction(ctx, actor, input);
  return c.ok ? { ok: true, jobId: c.jobId, total: c.total } : c;
}

export async function runBulkResetBatch(ctx: Ctx, jobId: number, batchSize = 250): Promise<{ processed: number; progress: BulkProgress }> {
  const { processed, progress } = await runBulkActionBatch(ctx, jobId, batchSize);
  const { changed, ...rest } = progress;
  return { processed, progress: { ...rest, reset: changed } };
}

/** Final summary numbers, including the mail side (queued, sent, failed so far). */
export async function bulkResetSummary(
  jobId: number,
): Promise<BulkProgress & { mailsQueued: number; mailsSent: number; mailsFailed: number; skippedDetails: string[] }> {
  const s = await bulkActionSummary(jobId);
  return {
    total: s.total,
    done: s.done,
    reset: s.changed,
    skipped: s.skipped,
    refused: s.refused,
    mailsQueued: s.mails?.queued ?? 0,
    mailsSent: s.mails?.sent ?? 0,
    mailsFailed: s.mails?.failed ?? 0,
    skippedDetails: s.skippedDetails,
  };
}

/** The organizations the bulk-reset modal offers (where the actor holds `bulk_reset`). */
export function bulkResetOrgs(ctx: Ctx, actor: Actor): Promise<Outcome<{ orgs: Array<{ slug: string; name: string }> }>> {
  return bulkActionOrgs(ctx, actor, 'reset_password');
}
