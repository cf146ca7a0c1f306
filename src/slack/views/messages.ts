// Block Kit of plain messages every handler sends: text, errors, results, confirmations.
import type { KnownBlock } from '@slack/types';
import type { PerUserResult } from '../../services/account-status';
import { ACTION } from '../constants';
import { esc, lineSections, truncate } from './common';

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** One section; its text is cut at Slack's 3,000 characters (beyond that Slack refuses the whole message). */
export function textMessage(text: string): SlackMessage {
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 3000) } }] };
}

export function errorMessage(sentence: string): SlackMessage {
  return textMessage(`:warning: ${sentence}`);
}

export function unexpectedErrorMessage(correlationId: string): SlackMessage {
  return textMessage(
    `:x: Something went wrong on our side. It has been logged with reference \`${correlationId}\` — quote it if you ask for help.`,
  );
}

/** Slack refused a call userops made for the person (after the WebClient's retries). */
export function slackFailureMessage(reason: string, correlationId: string, commandName: string): SlackMessage {
  return textMessage(
    `:warning: Slack did not take what userops tried to show you: ${esc(reason)}. Anything you had already confirmed may be done; check with \`${commandName} audit\` before trying again (reference \`${correlationId}\`).`,
  );
}

const RESULT_ICON: Record<PerUserResult['status'], string> = {
  done: '✅',
  noop: '➖',
  skipped: '⏭️',
  refused: '⛔',
  not_found: '❓',
};

/** Per-user result summary of a mass action; an Undo button when something changed and undo makes sense. */
export function resultsMessage(title: string, results: PerUserResult[], undo?: { label: string; value: string }): SlackMessage {
  const counts = new Map<string, number>();
  for (const r of results) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const lines = results.map((r) => `${RESULT_ICON[r.status]} ${esc(r.message)}`);
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: `*${esc(title)}*` } }];
  // Sections hold 3,000 characters; split long summaries rather than truncating them.
  blocks.push(...lineSections(lines));
  if (undo) {
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', action_id: ACTION.undo, text: { type: 'plain_text', text: undo.label }, value: undo.value }],
    });
  }
  const summary = [...counts.entries()].map(([k, v]) => `${v} ${k.replace('_', ' ')}`).join(', ');
  return { text: `${title}: ${summary}`, blocks: blocks.slice(0, 50) };
}

/** A question with a confirm-carrying button and Cancel. */
export function confirmMessage(opts: {
  question: string;
  details?: string;
  actionId: string;
  buttonText: string;
  value: string;
  confirmTitle: string;
  confirmText: string;
}): SlackMessage {
  return {
    text: opts.question,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${opts.question}*${opts.details ? `\n${opts.details}` : ''}` } },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            action_id: opts.actionId,
            style: 'danger',
            text: { type: 'plain_text', text: opts.buttonText },
            value: opts.value,
            confirm: {
              title: { type: 'plain_text', text: opts.confirmTitle },
              text: { type: 'mrkdwn', text: opts.confirmText },
              confirm: { type: 'plain_text', text: opts.buttonText },
              deny: { type: 'plain_text', text: 'Cancel' },
              style: 'danger',
            },
          },
          { type: 'button', action_id: ACTION.cancel, text: { type: 'plain_text', text: 'Cancel' }, value: 'cancel' },
        ],
      },
    ],
  };
}
