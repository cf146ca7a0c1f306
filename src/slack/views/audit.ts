import type { KnownBlock } from '@slack/types';
import type { AuditRecord } from '../../services/audit-query';
import { ACTION } from '../constants';
import { esc, slackDate, truncate } from './common';
import type { SlackMessage } from './messages';

const OUTCOME_ICON: Record<string, string> = { ok: '✅', noop: '➖', skipped: '⏭️', failed: '❌' };

export function auditLine(e: AuditRecord): string {
  const target = e.target ? ` → ${esc(truncate(e.target, 80))}` : '';
  const reason = e.reason ? ` — “${esc(truncate(e.reason, 120))}”` : '';
  return `${OUTCOME_ICON[e.outcome] ?? '•'} ${slackDate(e.at)} *${esc(e.action)}* by ${esc(truncate(e.actor, 80))}${target}${reason}`;
}

export function auditMessage(d: { events: AuditRecord[]; ref?: string; nextBeforeId: number | null }): SlackMessage {
  const title = d.ref ? `Audit log for “${esc(truncate(d.ref, 60))}”` : 'Audit log';
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: `*${title}*` } }];
  if (d.events.length === 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: '_No events._' } });
  else blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(d.events.map(auditLine).join('\n'), 3000) } });
  if (d.nextBeforeId !== null) {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: ACTION.auditMore,
          text: { type: 'plain_text', text: 'Older ▶' },
          value: JSON.stringify({ ref: d.ref ?? '', before: d.nextBeforeId }).slice(0, 2000),
        },
      ],
    });
  }
  return { text: `${title}: ${d.events.length} events`, blocks };
}
