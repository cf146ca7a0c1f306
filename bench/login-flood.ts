import { performance } from 'node:perf_hooks';
import { postLogin } from './slack-load';

export interface LoginFlood {
  /** The server's RSS before, at its highest and at the end (sampled every `sampleMs`). */
  startRssBytes: number;
  peakRssBytes: number;
  endRssBytes: number;
  samples: number;
  /** Answers by kind: 200, 401, 503 (hashing pool full), anything else (a 5xx but 503, a reset connection). */
  ok: number;
  refused: number;
  busy: number;
  other: number;
  seconds: number;
}

/**
 * `concurrency` clients log in back to back for `seconds`, ignoring Retry-After (a flood does not
 * wait), while the server's RSS is sampled. With the hashing pool's waiting line bounded
 * (HASH_QUEUE_MAX), the logins past it are answered 503 at once instead of held in memory, so the
 * RSS should stay flat however long the flood lasts.
 */
export async function loginFlood(opts: {
  url: string;
  names: string[];
  password: string;
  concurrency: number;
  seconds: number;
  rss: () => Promise<number>;
  sampleMs?: number;
}): Promise<LoginFlood> {
  const startRssBytes = await opts.rss();
  let peakRssBytes = startRssBytes;
  let samples = 1;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      await new Promise((r) => setTimeout(r, opts.sampleMs ?? 250));
      const rss = await opts.rss();
      peakRssBytes = Math.max(peakRssBytes, rss);
      samples++;
    }
  })();
  const counts = { ok: 0, refused: 0, busy: 0, other: 0 };
  let next = 0;
  const started = performance.now();
  const deadline = started + opts.seconds * 1000;
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (performance.now() < deadline) {
        const status = await postLogin(opts.url, opts.names[next++ % opts.names.length], opts.password).catch(() => 0);
        if (status === 200) counts.ok++;
        else if (status === 401) counts.refused++;
        else if (status === 503) counts.busy++;
        else counts.other++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  sampling = false;
  await sampler;
  const endRssBytes = await opts.rss();
  peakRssBytes = Math.max(peakRssBytes, endRssBytes);
  return { startRssBytes, peakRssBytes, endRssBytes, samples: samples + 1, ...counts, seconds };
}
