import { performance } from 'node:perf_hooks';
import type { SlackDriver, SlackStandIn } from '../src/standin';
import { pool, sleep } from './stats';

/** Signed `/users find …` commands at a fixed concurrency, as Slack would deliver them. */

/** How long a find phase waits for its answers at most (Slack's response_url takes them for 30 minutes). */
const REPLY_WAIT_MS = 30 * 60_000;

export interface CommandRun {
  acks: number[];
  /** Non-200 answers or failed requests. */
  errors: number;
  wallMs: number;
  /** response_url replies the app posted for these commands (each find answers once). */
  replies: number;
  /** From the first command to the last reply. */
  answeredMs: number;
}

export async function runFindCommands(
  driver: SlackDriver,
  standIn: SlackStandIn,
  slackUserId: string,
  queries: string[],
  concurrency: number,
): Promise<CommandRun> {
  const acks: number[] = [];
  let errors = 0;
  const firstMessage = standIn.messages.length;
  const started = performance.now();
  await pool(queries.length, concurrency, async (i) => {
    try {
      const res = await driver.command(slackUserId, `find ${queries[i]}`);
      if (res.status === 200) acks.push(res.ackMs);
      else errors++;
    } catch {
      errors++;
    }
  });
  const wallMs = performance.now() - started;
  const expected = acks.length;
  const replies = () => {
    let n = 0;
    for (let i = firstMessage; i < standIn.messages.length; i++) if (standIn.messages[i].source === 'response_url') n++;
    return n;
  };
  // Every answer, before the next measure starts: a backlog of searches still running would be
  // measured with it (PostgreSQL at 1M, 5c8edd4: 902 of 2,000 answered after the 300 s this waited
  // then, and the login throughput measured beside the rest read 0.10×).
  const deadline = Date.now() + REPLY_WAIT_MS;
  while (replies() < expected && Date.now() < deadline) await sleep(20);
  return { acks, errors, wallMs, replies: replies(), answeredMs: performance.now() - started };
}

export interface LoginStats {
  sent: number;
  ok: number;
  /** Other statuses (401, 429, …) and failed requests. */
  failed: number;
  latencies: number[];
  ratePerSecond: number;
}

export interface LoginLoad {
  stop(): Promise<LoginStats>;
}

export async function postLogin(url: string, login: string, password: string): Promise<number> {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password }),
  });
  await res.arrayBuffer();
  return res.status;
}

/**
 * Logins at a steady `perSecond` through the login API (open loop: the schedule does not wait for
 * answers, as independent applications would not), round-robin over `names`.
 */
export function startLoginLoad(url: string, names: string[], password: string, perSecond: number): LoginLoad {
  const stats: LoginStats = { sent: 0, ok: 0, failed: 0, latencies: [], ratePerSecond: 0 };
  const inflight = new Set<Promise<void>>();
  const started = performance.now();
  const fire = () => {
    const name = names[stats.sent % names.length];
    stats.sent++;
    const t0 = performance.now();
    const p = postLogin(url, name, password)
      .then((status) => {
        if (status === 200) {
          stats.ok++;
          stats.latencies.push(performance.now() - t0);
        } else stats.failed++;
      })
      .catch(() => {
        stats.failed++;
      })
      .finally(() => inflight.delete(p));
    inflight.add(p);
  };
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) / 1000) * perSecond);
    while (stats.sent < due) fire();
  }, 10);
  return {
    stop: async () => {
      clearInterval(timer);
      const elapsed = (performance.now() - started) / 1000;
      await Promise.all([...inflight]);
      stats.ratePerSecond = stats.sent / elapsed;
      return stats;
    },
  };
}

/** Closed loop: `concurrency` clients log in back to back for `seconds`; successful logins per second. */
export async function loginThroughput(
  url: string,
  names: string[],
  password: string,
  concurrency: number,
  seconds: number,
): Promise<{ perSecond: number; ok: number; failed: number }> {
  let ok = 0;
  let failed = 0;
  let next = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const status = await postLogin(url, names[next++ % names.length], password).catch(() => 0);
        if (status === 200) ok++;
        else failed++;
      }
    }),
  );
  return { perSecond: ok / ((performance.now() - started) / 1000), ok, failed };
}
