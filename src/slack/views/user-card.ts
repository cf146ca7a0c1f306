// Block Kit of a user card with its action buttons.
import type { Button, KnownBlock } from '@slack/types';
import type { UserAction } from '../../domain/actions';
import type { UserDetail } from '../../services/user-shapes';
import { ACTION } from '../constants';
import { esc, lockEnd, plural, slackDate, statusEmoji, statusText, truncate } from './common';

const BUTTON_LABEL: Record<UserAction, string> = {
  enable: 'Enable',
  disable: 'Disable',
  activate: 'Activate',
  reset_password: 'Reset password',
  change_password: 'Change password',
  api_key: 'API key',
  delete: 'Delete',
};

function confirmFor(action: UserAction, u: UserDetail): Button['confirm'] | undefined {
  const who = `${u.username} (${u.email})`;
  switch (action) {
    case 'disable':
      return {
        title: { type: 'plain_text', text: 'Disable this user?' },
        text: { type: 'mrkdwn', text: `${esc(who)} will not be able to log in until enabled again.` },
        confirm: { type: 'plain_text', text: 'Disable' },
        deny: { type: 'plain_text', text: 'Cancel' },
        style: 'danger',
      };
    case 'reset_password':
      return {
        title: { type: 'plain_text', text: 'Reset password?' },
        text: {
          type: 'mrkdwn',
          text: `${esc(who)} will be signed out of password logins and emailed a single-use link to choose a new password.`,
        },
        confirm: { type: 'plain_text', text: 'Reset' },
        deny: { type: 'plain_text', text: 'Cancel' },
        style: 'danger',
      };
    case 'delete':
      return {
        title: { type: 'plain_text', text: 'Delete this user?' },
        text: { type: 'mrkdwn', text: `${esc(who)}, their memberships, API keys and reset links are removed. This cannot be undone.` },
        confirm: { type: 'plain_text', text: 'Delete' },
        deny: { type: 'plain_text', text: 'Cancel' },
        style: 'danger',
      };
    default:
      return undefined;
  }
}

export function actionButton(action: UserAction, u: UserDetail): Button {
  const confirm = confirmFor(action, u);
  return {
    type: 'button',
    action_id: `${ACTION.userActionPrefix}${action}`,
    text: { type: 'plain_text', text: BUTTON_LABEL[action] },
    value: String(u.id),
    ...(action === 'disable' || action === 'delete'
      ? { style: 'danger' as const }
      : action === 'activate' || action === 'enable'
        ? { style: 'primary' as const }
        : {}),
    ...(confirm ? { confirm } : {}),
  };
}

export interface UserCardData {
  user: UserDetail;
  /** e.g. "Disabled by <@U…> at <date>" — the message rewritten to its final state. */
  notice?: string;
  shared?: boolean;
  /** When the card is drawn: decides whether a temporary lock reads "until …" or "expired". */
  now?: Date;
}

/** "enabled, locked until <date>": the status words with how a lock ends. */
function statusLine(u: UserDetail, now: Date): string {
  const end = lockEnd(u, now);
  return `${statusText(u)}${end ? ` ${end}` : ''}`;
}

/** The user card of `show`, with buttons for the permitted actions only. */
export function userCardBlocks(d: UserCardData): KnownBlock[] {
  const u = d.user;
  const now = d.now ?? new Date();
  const name = `${u.firstName} ${u.lastName}`.trim() || u.username;
  const orgs =
    u.organizations.length === 0
      ? '_none_'
      : u.organizations.map((o) => `${esc(o.slug)}${o.roles.length > 0 ? ` (${o.roles.join(', ')})` : ''}`).join('\n');
  const fields = [
    `*Username*\n${esc(u.username)}`,
    `*Email*\n${esc(u.email)}`,
    `*Status*\n${statusEmoji(u)} ${statusLine(u, now)}`,
    `*Failed attempts*\n${u.failedLoginCount}${u.lockedAt ? ` (locked ${slackDate(u.lockedAt)})` : ''}`,
    `*Last login*\n${slackDate(u.lastLoginAt)}`,
    `*Password changed*\n${u.hasPassword ? slackDate(u.passwordChangedAt) : '_no password set_'}`,
    `*Organizations*\n${orgs}`,
    `*Records assigned*\n${u.recordsAssigned}`,
  ];
  if (u.title) fields.push(`*Title*\n${esc(truncate(u.title, 100))}`);
  if (u.phone) fields.push(`*Phone*\n${esc(u.phone)}`);
  if (u.apiKeys.length > 0)
    fields.push(`*API keys*\n${u.apiKeys.map((k) => `${esc(k.organizationSlug)}: \`${k.displayPrefix}…\``).join('\n')}`);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`${statusEmoji(u)} ${name}`, 150) } },
    // A section holds at most 10 fields.
    { type: 'section', block_id: `card:${u.id}`, fields: fields.slice(0, 10).map((text) => ({ type: 'mrkdwn', text })) },
  ];
  if (fields.length > 10) blocks.push({ type: 'section', fields: fields.slice(10).map((text) => ({ type: 'mrkdwn', text })) });
  if (d.notice) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: d.notice }] });
  const buttons: Button[] = u.actions.map((a) => actionButton(a, u));
  if (u.canManageRoles) {
    buttons.push({ type: 'button', action_id: ACTION.rolesOpen, text: { type: 'plain_text', text: 'Roles…' }, value: String(u.id) });
  }
  if (!d.shared && buttons.length > 0) blocks.push({ type: 'actions', block_id: `card_actions:${u.id}`, elements: buttons });
  return blocks;
}

export function userCardText(u: UserDetail, now = new Date()): string {
  return `${u.username} (${u.email}): ${statusLine(u, now)}; ${plural(u.failedLoginCount, 'failed attempt')}`;
}
