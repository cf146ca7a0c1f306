/** The table the bench prints and the rows of bench/results.json. */

/** Every measure, in table order (issue 9's table, the export split in three; later issues' lines after). */
export const MEASURE_IDS = [
  'ack',
  'ack_with_logins',
  'search_p95',
  'export_time',
  'export_vs_cli',
  'export_rss',
  'bulk_db_phase',
  'bulk_job',
  'bulk_mail_drain',
  'webhook_bulk_job',
  'webhook_delivery_rate',
  'bulk_disable_db_phase',
  'bulk_disable_job',
  'login_throughput',
  'login_flood_rss',
  'scim_filter_p95',
  'scim_walk',
  'home_p95',
  'home_fresh_p95',
  'digest_p95',
] as const;

export interface MeasureRow {
  /** Stable key, for tools reading results.json. */
  id: (typeof MEASURE_IDS)[number];
  measure: string;
  result: string;
  baseline: string;
  /** result ÷ baseline in the direction the target reads (null when there is none). */
  ratio: number | null;
  target: string;
  /** null: reported, no target. */
  met: boolean | null;
  values: Record<string, number | string | null>;
}

export const ms = (v: number) => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : v >= 100 ? `${Math.round(v)} ms` : `${v.toFixed(1)} ms`);
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
export const rate = (v: number, unit: string) => `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${unit}/s`;
const ratioText = (r: number | null) => (r === null || !Number.isFinite(r) ? '–' : `${r >= 10 ? r.toFixed(0) : r.toFixed(2)}×`);

export function formatTable(rows: MeasureRow[]): string {
  const header = ['measure', 'result', 'baseline', 'ratio', 'target', 'met/missed'];
  const body = rows.map((r) => [
    r.measure,
    r.result,
    r.baseline,
    ratioText(r.ratio),
    r.target,
    r.met === null ? 'reported' : r.met ? 'met' : 'MISSED',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}
