import { sizeLabel } from './options';
import type { MeasureRow } from './report';

/**
 * How each measure's cost grows between consecutive directory sizes (pure: unit-tested in
 * test/bench/options.test.ts). The cost is a figure where more is worse (a p99, a wall time, the
 * time per login); its ratio between two sizes is the growth line. Measures whose work does not
 * depend on the directory (`flat`) miss past 1.5×; those whose work grows with it (`linear`) miss
 * past the ratio of their work (rows exported, users in the bulk set, members walked).
 */

export type Growth = 'flat' | 'linear' | 'reported';

interface CostOf {
  growth: Growth;
  cost: (v: MeasureRow['values']) => number | null;
  /** The amount of work, for `linear` (absent: the directory's size). */
  work?: (v: MeasureRow['values']) => number | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const field = (key: string) => (v: MeasureRow['values']) => num(v[key]);

export const FLAT_LIMIT = 1.5;

export const COST: Partial<Record<MeasureRow['id'], CostOf>> = {
  ack: { growth: 'flat', cost: field('p99') },
  ack_with_logins: { growth: 'flat', cost: field('p99') },
  search_p95: { growth: 'reported', cost: field('serviceP95') },
  export_time: { growth: 'linear', cost: field('ms'), work: field('rows') },
  export_rss: { growth: 'reported', cost: field('peakRssBytes') },
  bulk_db_phase: { growth: 'linear', cost: field('ms'), work: field('users') },
  bulk_job: { growth: 'linear', cost: field('ms'), work: field('users') },
  bulk_mail_drain: { growth: 'linear', cost: field('drainMs'), work: field('delivered') },
  webhook_bulk_job: { growth: 'linear', cost: field('ms'), work: field('users') },
  webhook_delivery_rate: { growth: 'reported', cost: field('drainMs') },
  bulk_disable_db_phase: { growth: 'linear', cost: field('ms'), work: field('users') },
  bulk_disable_job: { growth: 'linear', cost: field('ms'), work: field('users') },
  login_throughput: { growth: 'flat', cost: (v) => (num(v.perSecond) ? 1000 / num(v.perSecond)! : null) },
  login_flood_rss: { growth: 'reported', cost: field('peakRssBytes') },
  scim_filter_p95: { growth: 'flat', cost: field('filterP95') },
  scim_walk: { growth: 'linear', cost: field('walkMs'), work: field('members') },
  home_p95: { growth: 'reported', cost: field('p95') },
  home_fresh_p95: { growth: 'reported', cost: field('p95') },
  digest_p95: { growth: 'reported', cost: field('p95') },
};

export interface SizeRun {
  users: number;
  measures: MeasureRow[];
}

export interface GrowthLine {
  id: MeasureRow['id'];
  from: number;
  to: number;
  /** cost at `to` ÷ cost at `from`. */
  ratio: number;
  growth: Growth;
  /** The ratio allowed (null: reported). */
  limit: number | null;
  met: boolean | null;
  text: string;
}

const x = (r: number) => `×${r >= 10 ? r.toFixed(1) : r.toFixed(2)}`;

/** One line per measure and pair of consecutive sizes, in the order of the runs' rows. */
export function growthLines(runs: SizeRun[]): GrowthLine[] {
  const lines: GrowthLine[] = [];
  for (let i = 1; i < runs.length; i++) {
    const a = runs[i - 1];
    const b = runs[i];
    for (const row of b.measures) {
      const how = COST[row.id];
      const before = a.measures.find((m) => m.id === row.id);
      if (!how || !before) continue;
      const ca = how.cost(before.values);
      const cb = how.cost(row.values);
      if (ca === null || cb === null || ca <= 0) continue;
      const ratio = cb / ca;
      let limit: number | null = null;
      if (how.growth === 'flat') limit = FLAT_LIMIT;
      if (how.growth === 'linear') {
        const wa = how.work ? how.work(before.values) : a.users;
        const wb = how.work ? how.work(row.values) : b.users;
        limit = wa && wb ? Math.max(1, wb / wa) : b.users / a.users;
      }
      const met = limit === null ? null : ratio <= limit;
      const verdict = limit === null ? 'reported' : `${how.growth === 'flat' ? 'flat' : 'linear'} ≤ ${x(limit)}: ${met ? 'met' : 'MISSED'}`;
      lines.push({
        id: row.id,
        from: a.users,
        to: b.users,
        ratio,
        growth: how.growth,
        limit,
        met,
        text: `${row.id}: ${sizeLabel(a.users)}→${sizeLabel(b.users)} ${x(ratio)} (${verdict})`,
      });
    }
  }
  return lines;
}
