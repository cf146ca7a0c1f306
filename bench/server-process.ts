import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** The server under test in a process of its own (bench/server-child.ts): start, ask its RSS, stop. */

export function startServerProcess(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = fork(join(__dirname, 'server-child.js'), [], { env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    child.once('message', (m: { url?: string }) => (m.url ? resolvePromise({ child, url: m.url }) : reject(new Error('no url'))));
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code} before it was ready`)));
  });
}

/** The server process's resident set size, asked over IPC. */
export function serverRss(child: ChildProcess): Promise<number> {
  return new Promise((resolvePromise) => {
    const onMessage = (m: { rss?: number }) => {
      if (typeof m.rss !== 'number') return;
      child.off('message', onMessage);
      resolvePromise(m.rss);
    };
    child.on('message', onMessage);
    child.send('rss');
  });
}

export function stopServerProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolvePromise) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.removeAllListeners('exit');
    child.once('exit', () => {
      clearTimeout(timer);
      resolvePromise();
    });
    child.send('stop');
  });
}
