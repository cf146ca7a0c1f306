import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

export interface Child {
  proc: ChildProcess;
  out: string[];
  /** Resolve with the first output line matching; reject on exit or timeout. */
  waitForLine(re: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Run a compiled entry point of the project (dist/, built by `npm test`'s pretest) as a child process. */
export function runDist(entry: string, args: string[], env: Record<string, string>): Child {
  const proc = spawn(process.execPath, [join(ROOT, 'dist', entry), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  const waiters: Array<{ re: RegExp; resolve: (l: string) => void }> = [];
  const onData = (buf: Buffer) => {
    for (const line of buf.toString('utf8').split('\n').filter(Boolean)) {
      out.push(line);
      for (const w of waiters.filter((x) => x.re.test(line))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    proc,
    out,
    exited,
    waitForLine: (re, timeoutMs = 20_000) =>
      new Promise<string>((resolve, reject) => {
        const hit = out.find((l) => re.test(l));
        if (hit) return resolve(hit);
        const timer = setTimeout(
          () => reject(new Error(`no line matching ${re} within ${timeoutMs} ms; output:\n${out.slice(-20).join('\n')}`)),
          timeoutMs,
        );
        waiters.push({
          re,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`process exited before printing ${re}; output:\n${out.slice(-20).join('\n')}`));
        });
      }),
  };
}
