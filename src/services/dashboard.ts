import { ok, type Outcome } from '../domain/outcome';
import type { StatusView } from '../domain/status';
import { queryAudit, type AuditRecord } from './audit-query';
import { anyOrgWith, isFailure, loadAccess } from './authz';
import type { Actor, Ctx } from './context';
import { countByView } from './directory';
import { recentLockouts, type RecentLockout } from './lockout-digest';

export interface HomeDashboard {
  counts: Record<StatusView, number>;
  /** When the counts were taken: earlier than now when they were kept from an earlier opening (large directories). */
  countsAsOf: Date;
  countsReused: boolean;
  lockouts: RecentLockout[];
  /** `null` when the actor may not read the audit log anywhere. */
  audit: AuditRecord[] | null;
  can: { bulkReset: boolean; export: boolean };
}

/**
 * Everything App Home shows, for one actor: counts per saved view, the latest lockouts and audit
 * events, and which shortcuts they may use — each scoped to the organizations where they hold a
 * role. An actor with no role anywhere gets `forbidden`.
 */
export async function homeDashboard(
  ctx: Ctx,
  actor: Actor,
  opts: { lockouts?: number; audit?: number; freshCounts?: boolean } = {},
): Promise<Outcome<HomeDashboard>> {
  const access = await loadAccess(ctx, actor);
  if (isFailure(access)) return access;
  const counts = await countByView(ctx, actor, { fresh: opts.freshCounts });
  if (!counts.ok) return counts;
  const lockouts = await recentLockouts(ctx, actor, opts.lockouts ?? 8);
  if (!lockouts.ok) return lockouts;
  let audit: AuditRecord[] | null = null;
  if (anyOrgWith(access, 'audit_log')) {
    const events = await queryAudit(ctx, actor, { limit: opts.audit ?? 8 });
    if (events.ok) audit = events.events;
  }
  return ok({
    counts: counts.counts,
    countsAsOf: counts.asOf,
    countsReused: counts.reused,
    lockouts: lockouts.lockouts,
    audit,
    can: { bulkReset: anyOrgWith(access, 'bulk_reset'), export: anyOrgWith(access, 'export') },
  });
}
