// Small Block Kit helpers every view uses: escaping, status words, plurals, dates.
import type { KnownBlock } from '@slack/types';
import { lockExpired, type AuthStatus } from '../../domain/status';

/** Slack mrkdwn treats & < > as control characters; user-supplied text must not become a mention or link. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function statusEmoji(u: { enabled: boolean; authStatus: AuthStatus }): string {
  if (!u.enabled) return '⛔';
  if (u.authStatus === 'locked') return '🔒';
  if (u.authStatus === 'password_reset') return '🔑';
  return '🟢';
}

export function statusText(u: { enabled: boolean; authStatus: AuthStatus }): string {
  const auth = u.authStatus === 'active' ? 'active' : u.authStatus === 'locked' ? 'locked' : 'password reset required';
  return `${u.enabled ? 'enabled' : 'disabled'}, ${auth}`;
}

/**
 * How a locked account's lock ends: by itself at `lockedUntil` (a temporary lock), or only through
 * an admin's Activate (null). A temporary lock whose time has passed still reads locked until the
 * next login attempt lifts it, so it says so. Empty for an account that is not locked.
 */
export function lockEnd(
  u: { authStatus: AuthStatus; lockedUntil?: Date | null },
  now: Date,
  format = '{date_short_pretty} {time}',
): string {
  if (u.authStatus !== 'locked') return '';
  if (!u.lockedUntil) return 'until activated';
  if (lockExpired(u, now)) return `(expired ${slackDate(u.lockedUntil, format)}; lifts at the next login)`;
  return `until ${slackDate(u.lockedUntil, format)}`;
}

/** A date Slack renders in the reader's time zone, with a UTC fallback for clients that cannot. */
export function slackDate(d: Date | null | undefined, format = '{date_short_pretty} {time}'): string {
  if (!d) return 'never';
  const unix = Math.floor(d.getTime() / 1000);
  const fallback = `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${unix}^${format}|${fallback}>`;
}

export function mention(slackUserId: string): string {
  return `<@${slackUserId}>`;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Lines packed into mrkdwn sections of at most `max` characters (Slack allows 3,000): split, never cut. */
export function lineSections(lines: string[], max = 2900): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  let chunk: string[] = [];
  let size = 0;
  for (const raw of lines) {
    const line = truncate(raw, max);
    if (chunk.length > 0 && size + line.length + 1 > max) {
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: chunk.join('\n') } });
      chunk = [];
      size = 0;
    }
    chunk.push(line);
    size += line.length + 1;
  }
  if (chunk.length > 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: chunk.join('\n') } });
  return blocks;
}
