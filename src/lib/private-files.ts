import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * Files at rest that hold personal data — the SQLite database, `.eml` mails, export CSVs — are
 * owner-only: directories 0700, files 0600 (DESIGN §9). A mode passed to open/mkdir is filtered
 * through the umask, so it can only come out narrower, and an unusual umask (0277) would make a
 * directory we must write into unwritable; so every directory and file we create is also chmodded
 * to exactly that mode afterwards. Directories that already exist are left as the operator made
 * them (they may be a shared parent such as `.` or a mounted volume).
 */

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException)?.code;
}

/** The directories `mkdir -p dir` would create, outermost first. */
function missingDirsSync(dir: string): string[] {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  return missing;
}

async function missingDirs(dir: string): Promise<string[]> {
  const missing: string[] = [];
  for (let d = resolve(dir); ; d = dirname(d)) {
    const exists = await stat(d).then(
      () => true,
      (e: unknown) => {
        if (errno(e) === 'ENOENT') return false;
        throw e;
      },
    );
    if (exists) break;
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  return missing;
}

/** Create `dir` and its missing parents as 0700 directories; an existing one is left as it is. */
export function ensurePrivateDirSync(dir: string): void {
  for (const d of missingDirsSync(dir)) {
    try {
      mkdirSync(d, { mode: PRIVATE_DIR_MODE });
    } catch (e) {
      // Made meanwhile by another process or instance: theirs, not ours to change.
      if (errno(e) === 'EEXIST') continue;
      throw e;
    }
    chmodSync(d, PRIVATE_DIR_MODE);
  }
}

/** `ensurePrivateDirSync`, without blocking the event loop (the mail and export paths). */
export async function ensurePrivateDir(dir: string): Promise<void> {
  for (const d of await missingDirs(dir)) {
    try {
      await mkdir(d, { mode: PRIVATE_DIR_MODE });
    } catch (e) {
      if (errno(e) === 'EEXIST') continue;
      throw e;
    }
    await chmod(d, PRIVATE_DIR_MODE);
  }
}

/** Write `data` to `path` as a 0600 file (created, or truncated and narrowed if it existed). */
export async function writePrivateFile(path: string, data: Buffer | string): Promise<void> {
  await writeFile(path, data, { mode: PRIVATE_FILE_MODE, flag: 'w' });
  await chmod(path, PRIVATE_FILE_MODE);
}

/** Narrow a file we created with a 0600 stream (`createWriteStream(path, { mode: 0o600 })`) to exactly 0600. */
export async function settlePrivateFile(path: string): Promise<void> {
  await chmod(path, PRIVATE_FILE_MODE);
}

/**
 * Make sure `path` exists as a 0600 file without touching its contents: created empty if missing
 * (before a library such as SQLite creates it with 0644 less the umask), narrowed if it exists with
 * any other mode. A file owned by someone else cannot be narrowed and throws EPERM.
 */
export function ensurePrivateFileSync(path: string): 'created' | 'narrowed' | 'private' {
  try {
    closeSync(openSync(path, 'wx', PRIVATE_FILE_MODE));
    chmodSync(path, PRIVATE_FILE_MODE);
    return 'created';
  } catch (e) {
    if (errno(e) !== 'EEXIST') throw e;
  }
  return narrowSync(path) ? 'narrowed' : 'private';
}

/** Narrow an existing file to 0600 (nothing when it does not exist); returns whether it changed. */
export function narrowSync(path: string): boolean {
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch (e) {
    if (errno(e) === 'ENOENT') return false;
    throw e;
  }
  if (mode === PRIVATE_FILE_MODE) return false;
  chmodSync(path, PRIVATE_FILE_MODE);
  return true;
}
