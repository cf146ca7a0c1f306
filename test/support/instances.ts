import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const REGISTER = join(__dirname, 'ts-register.js');

export interface Instance {
  child: ChildProcess;
  /** Log lines (JSON where the app wrote JSON) from stdout and stderr, in arrival order. */
  lines: string[];
  /** Parsed JSON log records. */
  records(): Array<Record<string, unknown>>;
  exited: Promise<number | null>;
  waitForLog(match: (r: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Start `src/<entry>.ts` in its own Node process (its own Sequelize models, its own connections),
 * the way an operator starts an instance: `npm start` or `userops …`.
 */
export function startInstance(entry: string, args: string[], env: Record<string, string>): Instance {
  const child = spawn(process.execPath, ['-r', REGISTER, join(ROOT, 'src', `${entry}.ts`), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buf += chunk;
      const parts = buf.split('\n');
      buf = parts.pop() ?? '';
      lines.push(...parts.filter((l) => l.length > 0));
    });
  }
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const records = () =>
    lines.flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  return {
    child,
    lines,
    records,
    exited,
    waitForLog: async (match, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = records().find(match);
        if (found) return found;
        if (child.exitCode !== null) throw new Error(`instance exited (${child.exitCode}) before the log line came:\n${lines.join('\n')}`);
        if (Date.now() > deadline) throw new Error(`no such log line within ${timeoutMs} ms:\n${lines.join('\n')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
