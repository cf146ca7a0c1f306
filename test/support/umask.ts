import { statSync } from 'node:fs';

/**
 * Run `fn` with the process umask set to `mask` and put the old one back afterwards. `0o000` is the
 * most permissive umask there is: whatever comes out owner-only then does so by its own doing.
 */
export async function withUmask<T>(mask: number, fn: () => Promise<T>): Promise<T> {
  const previous = process.umask(mask);
  try {
    return await fn();
  } finally {
    process.umask(previous);
  }
}

/** Permission bits of a file or directory in octal, e.g. '600'. */
export function modeOf(path: string): string {
  return (statSync(path).mode & 0o777).toString(8);
}
