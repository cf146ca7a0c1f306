// Block Kit of the App Home tab and its Find modal.
import type { Button, HomeView, KnownBlock, ModalView } from '@slack/types';
import { SAVED_VIEW_LABELS, STATUS_VIEWS } from '../../domain/status';
import type { HomeDashboard } from '../../services/dashboard';
import { ACTION, BLOCK, CALLBACK } from '../constants';
import { auditLine } from './audit';
import { temporaryNote } from './digest';
import { esc, lineSections, plural, slackDate, truncate } from './common';

/** Slack's limit for a Home tab. */
export const MAX_HOME_BLOCKS = 100;

function section(text: string): KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

function button(actionId: string, text: string, value: string, style?: 'primary' | 'danger'): Button {
  return { type: 'button', action_id: actionId, text: { type: 'plain_text', text }, value, ...(style ? { style } : {}) };
}

export interface HomeViewData {
  dashboard: HomeDashboard;
  commandName: string;
  updatedAt: Date;
  /** A line about the last action taken from the tab ("bob: Activated by @ana at 10:42", or why not). */
  notice?: string;
}

/** The dashboard for someone with a role: shortcuts, counts per saved view, latest lockouts and audit events. */
export function homeView(d: HomeViewData): HomeView {
  const { dashboard: h } = d;
  const blocks: KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: 'userops' } }];
  if (d.notice) blocks.push(section(truncate(d.notice, 2900)));
  const shortcuts: Button[] = [button(ACTION.homeFind, '🔎 Find users', 'find')];
  if (h.can.bulkReset) shortcuts.push(button(ACTION.homeOpenBulk, 'Bulk password reset', 'bulk'));
  if (h.can.export) shortcuts.push(button(ACTION.homeExport, 'Export CSV', 'export'));
  blocks.push({ type: 'actions', elements: shortcuts });

  blocks.push({ type: 'divider' }, section('*Users by saved view*'));
  blocks.push({
    type: 'section',
    fields: STATUS_VIEWS.map((v) => ({ type: 'mrkdwn' as const, text: `*${SAVED_VIEW_LABELS[v]}*\n${h.counts[v]}` })),
  });
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text:
          (h.countsReused ? `Counts as of ${slackDate(h.countsAsOf, '{time_secs}')}. ` : '') +
          `List one with \`${d.commandName} list VIEW\`, e.g. \`${d.commandName} list locked\`.`,
      },
    ],
  });

  blocks.push({ type: 'divider' }, section('*Latest lockouts*'));
  if (h.lockouts.length === 0) blocks.push(section('_No lockouts._'));
  for (const l of h.lockouts) {
    const state = l.authStatus === 'locked' ? '🔒' : l.authStatus === 'password_reset' ? '🔑' : '✅';
    const orgs = l.organizations.length > 0 ? ` · ${esc(truncate(l.organizations.join(', '), 100))}` : '';
    const text = `${state} *${esc(truncate(l.name, 80))}* (\`${esc(truncate(l.username, 80))}\`)${orgs}\nLocked ${slackDate(l.lockedAt)} after ${plural(l.failedAttempts, 'failed attempt')}${temporaryNote(l, d.updatedAt)}`;
    blocks.push({
      type: 'section',
      block_id: `${BLOCK.homeLockout}${l.userId}`,
      text: { type: 'mrkdwn', text },
      ...(l.canActivate ? { accessory: button(ACTION.homeActivate, 'Activate', String(l.userId), 'primary') } : {}),
    });
  }

  if (h.audit !== null) {
    blocks.push({ type: 'divider' }, section('*Latest audit events*'));
    if (h.audit.length === 0) blocks.push(section('_No events yet._'));
    else blocks.push(...lineSections(h.audit.map(auditLine)));
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `More with \`${d.commandName} audit [USER]\`.` }] });
  }
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `Updated ${slackDate(d.updatedAt)} · \`${d.commandName} help\` for everything else` }],
  });
  return { type: 'home', blocks: blocks.slice(0, MAX_HOME_BLOCKS) };
}

/** What someone without a role (or without a directory account) sees. */
export function homeNoticeView(text: string): HomeView {
  return {
    type: 'home',
    blocks: [{ type: 'header', text: { type: 'plain_text', text: 'userops' } }, section(text)],
  };
}

export function findModal(): ModalView {
  return {
    type: 'modal',
    callback_id: CALLBACK.findModal,
    title: { type: 'plain_text', text: 'Find users' },
    submit: { type: 'plain_text', text: 'Find' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: BLOCK.findQuery,
        label: { type: 'plain_text', text: 'Username, email or name' },
        element: { type: 'plain_text_input', action_id: 'value', min_length: 1, max_length: 200 },
      },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: 'The results arrive in your messages with userops, with the usual actions.' }],
      },
    ],
  };
}
