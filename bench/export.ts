import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BenchTarget } from './bench-db';
import { cliExportSql, type ExportChildResult } from './export-sql';
import { sqlitePathOf } from './raw-db';
import { median } from './stats';

export interface ExportMeasure {
  service: ExportChildResult;
  raw: ExportChildResult;
  /** `sqlite3 -csv` (or psql's `\copy … csv`) wall time, or null when the CLI is not installed. */
  cliMs: number | null;
  runs: number;
}

function runChild(args: string[]): Promise<ExportChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'export-child.js'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (c: string) => (out += c));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`export child ${args[0]} exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as ExportChildResult);
      } catch (e) {
        reject(e as Error);
      }
    });
  });
}

/** The database's own CLI writing the CSV: `sqlite3 -csv` on the file, `psql -c "\\copy (…) to stdout csv"` on PostgreSQL. */
function databaseCli(target: BenchTarget, sql: string, outPath: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const [cmd, args] =
      target.dialect === 'sqlite'
        ? ['sqlite3', ['-readonly', '-csv', '-header', sqlitePathOf(target.url), sql]]
        : ['psql', ['--no-psqlrc', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', target.url, '-c', sql]];
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.pipe(createWriteStream(outPath));
    child.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? resolve(null) : reject(e)));
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`${cmd} exited with ${code}`))));
  });
}

/** The median run of each (by wall time), after one untimed CLI pass that warms the page cache. */
export async function measureExport(opts: {
  target: BenchTarget;
  dir: string;
  adminId: number;
  orgIds: number[];
  runs: number;
}): Promise<ExportMeasure> {
  const sql = cliExportSql(opts.orgIds, opts.target.dialect);
  await databaseCli(opts.target, sql, join(opts.dir, 'warm.csv'));
  const services: ExportChildResult[] = [];
  const raws: ExportChildResult[] = [];
  const clis: number[] = [];
  for (let i = 0; i < opts.runs; i++) {
    services.push(await runChild(['service', opts.target.url, join(opts.dir, `export-${i}.csv`), String(opts.adminId)]));
    raws.push(await runChild(['raw', opts.target.url, '-', String(opts.adminId), JSON.stringify(opts.orgIds)]));
    const cli = await databaseCli(opts.target, sql, join(opts.dir, `cli-${i}.csv`));
    if (cli !== null) clis.push(cli);
  }
  const pick = (list: ExportChildResult[]) => {
    const m = median(list.map((r) => r.ms));
    return { ...list.find((r) => r.ms === m)!, peakRssBytes: Math.max(...list.map((r) => r.peakRssBytes)) };
  };
  return { service: pick(services), raw: pick(raws), cliMs: clis.length > 0 ? median(clis) : null, runs: opts.runs };
}
