import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createRuntime } from '../src/app/runtime';
import { EXPORT_PAGE_SIZE, writeExportCsv } from '../src/jobs/export-csv';
import { loadConfig } from '../src/lib/config';
import type { PasswordHasher } from '../src/lib/hasher';
import type { Actor } from '../src/services/context';
import { exportScope } from '../src/services/export';
import { enabledFields, loadExportFieldSettings } from '../src/services/export-fields';
import { rawExportPageSql, type ExportChildResult } from './export-sql';
import { openRaw } from './raw-db';

/**
 * One export measure in a process of its own, so its peak RSS is the export's and not the bench's:
 * `service` runs what the export job runs (scope, field settings, the streaming CSV writer);
 * `raw` fetches the same rows through the driver (sqlite3 or pg, on the same database) in keyset
 * pages and does nothing with them.
 * Prints one JSON line: wall time, rows, peak RSS (VmHWM) and RSS before the work began.
 *
 *   node export-child.js service|raw DATABASE_URL OUT_PATH ADMIN_USER_ID [ORG_IDS_JSON]
 */

/** The export's own page size, so both read the table in the same steps. */
const PAGE = EXPORT_PAGE_SIZE;

const noHasher: PasswordHasher = {
  hash: () => Promise.reject(new Error('not used')),
  compare: () => Promise.reject(new Error('not used')),
  dummyCompare: () => Promise.reject(new Error('not used')),
  close: async () => undefined,
};

async function service(
  dbUrl: string,
  outPath: string,
  adminId: number,
): Promise<Omit<ExportChildResult, 'rssBeforeBytes' | 'peakRssBytes' | 'cpuMs'>> {
  const rt = await createRuntime(loadConfig({ DATABASE_URL: dbUrl, LOG_LEVEL: 'warn' }), { migrate: false, hasher: noHasher });
  const actor: Actor = { kind: 'user', userId: adminId, label: 'bench admin', via: 'slack' };
  const started = performance.now();
  const scope = await exportScope(rt, actor);
  if (!scope.ok) throw new Error(scope.message);
  const fields = enabledFields(await loadExportFieldSettings(), rt.config);
  const result = await writeExportCsv({ orgIds: scope.orgIds, fields }, outPath);
  const ms = performance.now() - started;
  await rt.close();
  return { mode: 'service', ms, rows: result.rows, bytes: result.bytes };
}

async function raw(dbUrl: string, orgIds: number[]): Promise<Omit<ExportChildResult, 'rssBeforeBytes' | 'peakRssBytes' | 'cpuMs'>> {
  const db = await openRaw(dbUrl, { readOnly: true });
  const started = performance.now();
  const page = db.prepare(rawExportPageSql(orgIds.length));
  let rows = 0;
  let bytes = 0;
  let after: [number, number] = [0, 0];
  for (;;) {
    const batch = await page.all<Record<string, string | number | null>>([...orgIds, ...after, PAGE]);
    if (batch.length === 0) break;
    rows += batch.length;
    // Touch every value, as a consumer would.
    for (const r of batch) for (const v of Object.values(r)) bytes += v === null ? 0 : String(v).length;
    const last = batch[batch.length - 1];
    after = [Number(last.user_id), Number(last.organization_id)];
    if (batch.length < PAGE) break;
  }
  const ms = performance.now() - started;
  await page.finalize();
  await db.close();
  return { mode: 'raw', ms, rows, bytes };
}

/**
 * This process's own peak RSS: VmHWM, the high-water mark of its address space, which exec started
 * afresh. Not getrusage's maxRSS: Linux carries into an exec'd process the RSS of the copy of the
 * parent it was forked from, so every child of a bench grown to 551 MB (1M users) reported 551 MB,
 * the export and the raw fetch alike. Null where /proc is not there.
 */
function ownPeakRss(): number | null {
  try {
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return kb === undefined ? null : Number(kb) * 1024;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const [mode, dbUrl, outPath, adminId, orgIdsJson] = process.argv.slice(2);
  const rssBeforeBytes = process.memoryUsage().rss;
  const result =
    mode === 'service' ? await service(dbUrl, outPath, Number(adminId)) : await raw(dbUrl, JSON.parse(orgIdsJson ?? '[]') as number[]);
  const usage = process.resourceUsage();
  const out: ExportChildResult = {
    ...result,
    cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
    rssBeforeBytes,
    peakRssBytes: ownPeakRss() ?? usage.maxRSS * 1024,
  };
  writeFileSync(1, `${JSON.stringify(out)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench export: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
