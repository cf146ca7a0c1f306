import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readdir, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Config } from '../lib/config';
import { ensurePrivateDir, PRIVATE_FILE_MODE, settlePrivateFile } from '../lib/private-files';

/**
 * Export files on disk (EXPORT_DIR). A CSV waits there only until its email is sent or has
 * failed; the mail sender's hooks delete it then. Whatever a crash leaves behind is swept after
 * RETENTION_MS, when the next export starts. They hold personal data (and maybe password hashes):
 * EXPORT_DIR, when we create it, is 0700 and every file 0600, whatever the umask.
 */

export const EXPORT_FILE_RETENTION_MS = 3 * 24 * 60 * 60 * 1000;

const OWN_FILE = /^export-\d+-[0-9a-f]{12}\.csv(\.gz)?$/;

/** A fresh, unguessable path for a job's CSV (a resumed job writes a new one). */
export async function newExportPath(config: Pick<Config, 'EXPORT_DIR'>, jobId: number): Promise<string> {
  const dir = resolve(config.EXPORT_DIR);
  await ensurePrivateDir(dir);
  return join(dir, `export-${jobId}-${randomBytes(6).toString('hex')}.csv`);
}

/** Only files this module wrote, inside EXPORT_DIR, are ever deleted. */
export function isExportFile(config: Pick<Config, 'EXPORT_DIR'>, path: string): boolean {
  return dirname(resolve(path)) === resolve(config.EXPORT_DIR) && OWN_FILE.test(basename(path));
}

export async function removeExportFile(config: Pick<Config, 'EXPORT_DIR'>, path: string): Promise<void> {
  if (!isExportFile(config, path)) return;
  await unlink(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
  });
}

/** Delete export files older than the retention; returns how many went. */
export async function sweepExportFiles(config: Pick<Config, 'EXPORT_DIR'>, now: Date): Promise<number> {
  const dir = resolve(config.EXPORT_DIR);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
  let removed = 0;
  for (const name of names.filter((n) => OWN_FILE.test(n))) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => null);
    if (info && now.getTime() - info.mtimeMs > EXPORT_FILE_RETENTION_MS) {
      await removeExportFile(config, path);
      removed++;
    }
  }
  return removed;
}

export async function gzipFile(path: string): Promise<{ path: string; bytes: number }> {
  const out = `${path}.gz`;
  await pipeline(createReadStream(path), createGzip({ level: 9 }), createWriteStream(out, { mode: PRIVATE_FILE_MODE }));
  await settlePrivateFile(out);
  return { path: out, bytes: (await stat(out)).size };
}
