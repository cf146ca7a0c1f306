// Block Kit of a job's progress message and final report.
import type { KnownBlock } from '@slack/types';
import { esc } from './common';
import type { SlackMessage } from './messages';

export function progressBar(fraction: number, width = 20): string {
  const f = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(f * width);
  return `\`${'█'.repeat(filled)}${'░'.repeat(width - filled)}\` ${Math.round(f * 100)}%`;
}

export function jobProgressMessage(title: string, text: string, fraction: number): SlackMessage {
  return {
    text: `${title}: ${text}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${esc(title)}*\n${esc(text)}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: progressBar(fraction) }] },
    ],
  };
}

export function jobFinishedMessage(summary: { title: string; lines: string[]; ok: boolean }): SlackMessage {
  const body = summary.lines.map(esc).join('\n').slice(0, 2900);
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `${summary.ok ? '✅' : '⚠️'} *${esc(summary.title)}*\n${body}` } },
  ];
  return { text: `${summary.title}: ${summary.lines[0] ?? ''}`, blocks };
}
