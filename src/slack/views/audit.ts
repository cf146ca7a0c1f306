// Block Kit of the audit log message and its paging.
import type { KnownBlock } from '@slack/types';
import type { AuditFilter, AuditRecord } from '../../services/audit-query';
import { ACTION } from '../constants';
import { esc, lineSections, slackDate, truncate } from './common';
import type { SlackMessage } from './messages';

const OUTCOME_ICON: Record<string, string> = { ok: '✅', noop: '➖', skipped: '⏭️', failed: '❌' };

/** One event on one line: outcome, time, action, actor, target, reason. */
export function auditLine(e: AuditRecord): string {
  const target = e.target ? ` → ${esc(truncate(e.target, 80))}` : '';
  const reason = e.reason ? ` — “${esc(truncate(e.reason, 120))}”` : '';
  const outcome = e.outcome !== 'ok' ? ` _(${esc(truncate(e.outcome, 20))})_` : '';
  return `${OUTCOME_ICON[e.outcome] ?? '•'} ${slackDate(e.at)} *${esc(e.action)}* by ${esc(truncate(e.actor, 80))}${target}${outcome}${reason}`;
}

export function auditTitle(f: AuditFilter): string {
  const parts: string[] = [];
  if (f.ref) parts.push(`for “${esc(truncate(f.ref, 60))}”`);
  if (f.action) parts.push(`action *${esc(truncate(f.action, 50))}*`);
  if (f.by) parts.push(`by “${esc(truncate(f.by, 60))}”`);
  return parts.length > 0 ? `Audit log ${parts.join(', ')}` : 'Audit log';
}

/** The Older button carries the filter and where the next page starts. */
export function encodeAuditPage(f: AuditFilter, before: number): string {
  return JSON.stringify({ ref: f.ref ?? '', action: f.action ?? '', by: f.by ?? '', before });
}

export function decodeAuditPage(value: string | undefined): (AuditFilter & { before: number }) | null {
  let v: { ref?: unknown; action?: unknown; by?: unknown; before?: unknown };
  try {
    v = JSON.parse(value ?? '') as typeof v;
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null || typeof v.before !== 'number' || !Number.isSafeInteger(v.before)) return null;
  const str = (x: unknown) => (typeof x === 'string' && x.length > 0 ? x : undefined);
  return { ref: str(v.ref), action: str(v.action), by: str(v.by), before: v.before };
}

export function auditMessage(d: { events: AuditRecord[]; filter: AuditFilter; nextBeforeId: number | null }): SlackMessage {
  const title = auditTitle(d.filter);
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: `*${title}*` } }];
  if (d.events.length === 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: '_No events._' } });
  else blocks.push(...lineSections(d.events.map(auditLine)));
  if (d.nextBeforeId !== null) {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: ACTION.auditMore,
          text: { type: 'plain_text', text: 'Older ▶' },
          value: encodeAuditPage(d.filter, d.nextBeforeId),
        },
      ],
    });
  }
  return { text: `${title.replace(/\*/g, '')}: ${d.events.length} events`, blocks };
}
