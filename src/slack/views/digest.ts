// Block Kit of the lockout digest posted to DIGEST_CHANNEL.
import type { Button, KnownBlock } from '@slack/types';
import { lockExpired, type AuthStatus } from '../../domain/status';
import type { LockoutDigest, LockoutEntry } from '../../services/lockout-digest';
import { ACTION, BLOCK } from '../constants';
import { esc, lineSections, plural, slackDate, truncate } from './common';
import type { SlackMessage } from './messages';

/** Slack's limit per message. */
export const MAX_BLOCKS_PER_MESSAGE = 50;
/** Rows with their own Activate / Reset buttons; past this, users are listed compactly (attacks lock thousands). */
export const DIGEST_ROWS_WITH_BUTTONS = 100;

export interface DigestViewOptions {
  silentWhenEmpty: boolean;
  commandName: string;
}

/** The state that decides a row's icon and buttons. */
export interface RowState {
  enabled: boolean;
  authStatus: AuthStatus;
}

function icon(s: RowState): string {
  if (s.authStatus === 'locked') return '🔒';
  if (s.authStatus === 'password_reset') return '🔑';
  return '✅';
}

function stateNote(s: RowState): string {
  const parts: string[] = [];
  if (s.authStatus === 'active') parts.push('_unlocked since_');
  if (s.authStatus === 'password_reset') parts.push('_password reset since_');
  if (!s.enabled) parts.push('_disabled_');
  return parts.length > 0 ? ` · ${parts.join(' · ')}` : '';
}

/**
 * A temporary lock (LOCKOUT_MODE=temporary) is marked with its end, so the channel can tell one
 * that ends by itself from a permanent one that waits for Activate (unmarked). `now` is the
 * digest's own time (its window's end). App Home's lockout rows use it too.
 */
export function temporaryNote(e: Pick<LockoutEntry, 'authStatus' | 'lockedUntil'>, now: Date): string {
  if (e.authStatus !== 'locked' || !e.lockedUntil) return '';
  return lockExpired(e, now)
    ? ` · ⏳ _lock expired ${slackDate(e.lockedUntil)}, lifts at the next login_`
    : ` · ⏳ _locked until ${slackDate(e.lockedUntil)}_`;
}

function who(e: LockoutEntry): string {
  const orgs = e.organizations.length > 0 ? ` · ${esc(truncate(e.organizations.join(', '), 200))}` : '';
  return `*${esc(truncate(e.name, 80))}* (\`${esc(truncate(e.username, 80))}\`)${orgs}`;
}

export function digestRowText(e: LockoutEntry, now = new Date()): string {
  const from = e.sourceIp ? ` from ${esc(e.sourceIp)}` : '';
  return `${icon(e)} ${who(e)}\nLocked ${slackDate(e.lockedAt)} after ${plural(e.failedAttempts, 'failed attempt')}${from}${temporaryNote(e, now)}${stateNote(e)}`;
}

/** Activate while locked, Reset password while enabled; everyone in the channel sees the same buttons, the click checks permission. */
export function digestButtons(userId: number, s: RowState): Button[] {
  const buttons: Button[] = [];
  if (s.authStatus === 'locked') {
    buttons.push({
      type: 'button',
      action_id: ACTION.digestActivate,
      style: 'primary',
      text: { type: 'plain_text', text: 'Activate' },
      value: String(userId),
    });
  }
  if (s.enabled) {
    buttons.push({
      type: 'button',
      action_id: ACTION.digestReset,
      text: { type: 'plain_text', text: 'Reset password' },
      value: String(userId),
      confirm: {
        title: { type: 'plain_text', text: 'Reset password?' },
        text: { type: 'mrkdwn', text: 'They get a single-use link by email and cannot log in until they choose a new password.' },
        confirm: { type: 'plain_text', text: 'Reset password' },
        deny: { type: 'plain_text', text: 'Cancel' },
        style: 'danger',
      },
    });
  }
  return buttons;
}

function rowBlocks(e: LockoutEntry, now: Date): KnownBlock[] {
  const blocks: KnownBlock[] = [
    { type: 'section', block_id: `${BLOCK.digestRow}${e.userId}`, text: { type: 'mrkdwn', text: digestRowText(e, now) } },
  ];
  const buttons = digestButtons(e.userId, e);
  if (buttons.length > 0) blocks.push({ type: 'actions', block_id: `${BLOCK.digestActions}${e.userId}`, elements: buttons });
  return blocks;
}

function compactLine(e: LockoutEntry): string {
  const until = e.authStatus === 'locked' && e.lockedUntil ? ` ⏳ until ${slackDate(e.lockedUntil, '{date_short} {time}')}` : '';
  return `${icon(e)} \`${esc(truncate(e.username, 80))}\` ${esc(truncate(e.organizations.join(','), 60))} ${slackDate(e.lockedAt, '{date_short} {time}')} (${e.failedAttempts})${until}`;
}

/** Compact lines in as few sections as fit: one unit (block) each. */
function packLines(lines: string[]): KnownBlock[][] {
  return lineSections(lines).map((b) => [b]);
}

function label(text: string): KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

/**
 * Units of blocks that must stay on one page (a row and its buttons), packed into pages of at
 * most `max` blocks with the head on the first page and one block kept free for the page footer.
 */
export function paginate(head: KnownBlock[], units: KnownBlock[][], max = MAX_BLOCKS_PER_MESSAGE): KnownBlock[][] {
  const budget = max - 1;
  const pages: KnownBlock[][] = [[...head]];
  for (const unit of units) {
    const page = pages[pages.length - 1];
    if (page.length + unit.length > budget && page.length > 0) pages.push([...unit]);
    else page.push(...unit);
  }
  return pages;
}

function spikeBlock(d: LockoutDigest): KnownBlock | null {
  const s = d.spike;
  if (!s) return null;
  return {
    type: 'section',
    text: {
      type: 'mrkdwn',
      text:
        `:rotating_light: *Possible credential-stuffing attack:* ${s.count} lockouts within one hour ` +
        `(${slackDate(s.from)} – ${slackDate(s.to, '{time}')}), more than the threshold of ${d.spikeThreshold}.`,
    },
    accessory: {
      type: 'button',
      action_id: ACTION.digestSpikeBulk,
      style: 'danger',
      text: { type: 'plain_text', text: `Bulk reset these ${s.userIds.length}…` },
      value: JSON.stringify({ from: s.from.toISOString(), to: s.to.toISOString() }),
    },
  };
}

/**
 * The digest as Slack messages: the first goes to the channel, the rest into its thread. Nothing
 * is dropped: past {@link DIGEST_ROWS_WITH_BUTTONS} users are listed compactly, and every page
 * stays within Slack's 50 blocks. No new lockouts → one line, or nothing when configured silent.
 */
export function digestMessages(d: LockoutDigest, opts: DigestViewOptions): SlackMessage[] {
  if (d.newLockouts.length === 0) {
    if (opts.silentWhenEmpty) return [];
    const still =
      d.stillLocked.length > 0
        ? ` ${plural(d.stillLocked.length, 'account is', 'accounts are')} still locked: \`${opts.commandName} list locked\`.`
        : '';
    const text = `✅ Lockout digest: no new lockouts since ${slackDate(d.since)}.${still}`;
    return [{ text: `Lockout digest: no new lockouts.`, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] }];
  }
  const summary =
    `*${plural(d.newLockouts.length, 'user')} locked out* since ${slackDate(d.since)}` +
    (d.lockoutCount > d.newLockouts.length ? ` (${plural(d.lockoutCount, 'lockout')})` : '') +
    (d.stillLocked.length > 0 ? ` · *${d.stillLocked.length} still locked* from before` : '');
  const head: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: '🔒 Lockout digest' } },
    { type: 'section', text: { type: 'mrkdwn', text: summary } },
  ];
  const spike = spikeBlock(d);
  if (spike) head.push(spike);

  const units: KnownBlock[][] = [];
  let detailed = 0;
  const section = (title: string, entries: LockoutEntry[]) => {
    if (entries.length === 0) return;
    const withButtons = entries.slice(0, Math.max(0, DIGEST_ROWS_WITH_BUTTONS - detailed));
    detailed += withButtons.length;
    const rest = entries.slice(withButtons.length);
    const own: KnownBlock[][] = withButtons.map((e) => rowBlocks(e, d.until));
    const compact = packLines(rest.map(compactLine));
    if (compact.length > 0 && own.length > 0) {
      compact[0] = [
        label(
          `_…and ${plural(rest.length, 'more user')} (username, organization, locked at, failed attempts, ⏳ end of a temporary lock):_`,
        ),
        ...compact[0],
      ];
    }
    own.push(...compact);
    // The title travels with the first row, so a page never ends on a lone title.
    own[0] = [label(title), ...own[0]];
    units.push(...own);
  };
  section(`*New lockouts* (${d.newLockouts.length})`, d.newLockouts);
  section(`*Still locked from before* (${d.stillLocked.length})`, d.stillLocked);

  const pages = paginate(head, units);
  const n = pages.length;
  return pages.map((blocks, i) => {
    if (n > 1) {
      const where = i === 0 ? ' — the rest is in this thread' : '';
      blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Page ${i + 1} of ${n}${where}` }] });
    }
    const text =
      i === 0
        ? `Lockout digest: ${plural(d.newLockouts.length, 'new lockout')}, ${d.stillLocked.length} still locked${d.spike ? ' — possible credential-stuffing attack' : ''}`
        : `Lockout digest, page ${i + 1} of ${n}`;
    return { text, blocks };
  });
}

type RawBlock = { type?: string; block_id?: string; text?: { type: string; text: string }; [k: string]: unknown };

/**
 * The digest message after an action on one row: that row's text gains a "what happened" line
 * (replacing an earlier one) and its icon and buttons follow the user's new state; every other
 * row is left exactly as it was.
 */
export function rewriteDigestRow(blocks: unknown[], userId: number, notice: string, state: RowState): KnownBlock[] {
  const rowId = `${BLOCK.digestRow}${userId}`;
  const actId = `${BLOCK.digestActions}${userId}`;
  const out: KnownBlock[] = [];
  for (const raw of blocks as RawBlock[]) {
    if (raw.block_id === actId) continue;
    if (raw.block_id !== rowId || !raw.text) {
      out.push(raw as unknown as KnownBlock);
      continue;
    }
    const lines = raw.text.text.split('\n').filter((l) => !l.startsWith('↳ '));
    lines[0] = lines[0].replace(/^\S+ /, `${icon(state)} `);
    out.push({
      ...(raw as unknown as KnownBlock),
      text: { type: 'mrkdwn', text: truncate([...lines, `↳ ${notice}`].join('\n'), 3000) },
    } as KnownBlock);
    const buttons = digestButtons(userId, state);
    if (buttons.length > 0) out.push({ type: 'actions', block_id: actId, elements: buttons });
  }
  return out;
}
