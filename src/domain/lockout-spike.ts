/**
 * Credential-stuffing shows up as many lockouts close together. Pure: the densest one-hour stretch
 * of a list of lockout times, flagged when it holds more than `threshold` lockouts.
 */

export const SPIKE_WINDOW_MS = 3_600_000;

export interface LockoutTime {
  userId: number;
  at: Date;
}

export interface Spike {
  /** Lockouts inside [from, to). */
  count: number;
  from: Date;
  to: Date;
  /** Distinct users locked in that hour, in the order they were locked. */
  userIds: number[];
}

/**
 * The one-hour window [t, t + 1 h) starting at some lockout that holds the most lockouts (the
 * earliest such window on a tie). `null` when even that one holds `threshold` or fewer.
 */
export function findSpike(lockouts: readonly LockoutTime[], threshold: number): Spike | null {
  const sorted = [...lockouts].sort((a, b) => a.at.getTime() - b.at.getTime());
  let best = { start: 0, end: 0 };
  let end = 0;
  for (let start = 0; start < sorted.length; start++) {
    const limit = sorted[start].at.getTime() + SPIKE_WINDOW_MS;
    if (end < start) end = start;
    while (end < sorted.length && sorted[end].at.getTime() < limit) end++;
    if (end - start > best.end - best.start) best = { start, end };
  }
  const count = best.end - best.start;
  if (count === 0 || count <= threshold) return null;
  const inWindow = sorted.slice(best.start, best.end);
  const from = inWindow[0].at;
  return {
    count,
    from,
    to: new Date(from.getTime() + SPIKE_WINDOW_MS),
    userIds: [...new Set(inWindow.map((l) => l.userId))],
  };
}
