// Block Kit of a user list (find/list): rows, row menus, paging, the saved-view picker.
import type { KnownBlock, PlainTextOption } from '@slack/types';
import type { UserAction } from '../../domain/actions';
import { SAVED_VIEWS, savedViewLabel } from '../../domain/status';
import type { UserSummary } from '../../services/user-shapes';
import { ACTION, BLOCK, ROW_MENU_ACTIONS } from '../constants';
import { esc, plural, statusEmoji, truncate } from './common';
import { encodeListState, type ListState } from './list-state';

export interface UserListData {
  state: ListState;
  users: UserSummary[];
  total: number;
  /** More than `total` match (the search stops counting there): shown as "10,000+". */
  capped?: boolean;
  limit: number;
  /** One line above the list, e.g. the result of an action taken from it. */
  notice?: string;
  /** Shared in a channel: no controls. */
  shared?: boolean;
}

const MENU_LABEL: Record<(typeof ROW_MENU_ACTIONS)[number], string> = {
  show: 'Show card',
  enable: 'Enable',
  disable: 'Disable',
  activate: 'Activate',
  reset_password: 'Reset password…',
  delete: 'Delete…',
};

export function rowMenuOptions(u: UserSummary): PlainTextOption[] {
  const allowed = new Set<string>(['show', ...u.actions]);
  return ROW_MENU_ACTIONS.filter((a) => allowed.has(a))
    .slice(0, 5)
    .map((a) => ({ text: { type: 'plain_text', text: MENU_LABEL[a] }, value: `${a}:${u.id}` }));
}

export function parseRowMenuValue(value: string): { action: UserAction | 'show'; userId: number } | null {
  const m = /^([a-z_]+):(\d{1,12})$/.exec(value);
  if (!m || !(ROW_MENU_ACTIONS as readonly string[]).includes(m[1])) return null;
  return { action: m[1] as UserAction | 'show', userId: Number(m[2]) };
}

export function userLine(u: UserSummary): string {
  const name = `${u.firstName} ${u.lastName}`.trim();
  const parts = [`${statusEmoji(u)} *${esc(u.username)}*`, name ? esc(truncate(name, 60)) : '', esc(u.email)].filter(Boolean);
  let line = parts.join(' · ');
  if (u.authStatus === 'locked') line += ` · locked after ${plural(u.failedLoginCount, 'attempt')}`;
  if (u.authStatus === 'password_reset') line += ' · waiting for password reset';
  if (!u.enabled) line += ' · disabled';
  return line;
}

function describeQuery(s: ListState): string {
  const view = s.view === 'all' ? '' : ` in *${savedViewLabel(s.view)}*`;
  return s.text ? `matching “${esc(truncate(s.text, 80))}”${view}` : view ? view.trim() : 'in all users';
}

/** The compact result list of `find` and `list`. */
export function userListBlocks(d: UserListData): KnownBlock[] {
  const { state, users, total, limit } = d;
  const capped = d.capped === true;
  const blocks: KnownBlock[] = [];
  const from = total === 0 ? 0 : state.offset + 1;
  const to = state.offset + users.length;
  const stateKey = encodeListState(state);
  blocks.push({
    type: 'section',
    block_id: `${BLOCK.listState}:${stateKey}`,
    text: {
      type: 'mrkdwn',
      text: total === 0 ? `No users ${describeQuery(state)}.` : `*${howMany(d)}* ${describeQuery(state)} — showing ${from}–${to}`,
    },
    ...(d.shared
      ? {}
      : {
          accessory: {
            type: 'static_select',
            action_id: ACTION.viewPicker,
            placeholder: { type: 'plain_text', text: 'Saved view' },
            initial_option: { text: { type: 'plain_text', text: savedViewLabel(state.view) }, value: state.view },
            // `dormant-30` is offered beside the named views, so the picker can show it as chosen.
            options: [...SAVED_VIEWS, ...((SAVED_VIEWS as readonly string[]).includes(state.view) ? [] : [state.view])].map((v) => ({
              text: { type: 'plain_text', text: savedViewLabel(v) },
              value: v,
            })),
          },
        }),
  });
  if (d.notice) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: d.notice }] });
  for (const u of users) {
    const options = d.shared ? [] : rowMenuOptions(u);
    blocks.push({
      type: 'section',
      block_id: `${BLOCK.rowPrefix}${u.id}:${stateKey}`,
      text: { type: 'mrkdwn', text: userLine(u) },
      ...(options.length > 0 ? { accessory: { type: 'overflow', action_id: ACTION.rowMenu, options } } : {}),
    });
  }
  const hasPrev = state.offset > 0;
  // Past the cap the count is unknown: a full page may have a next one.
  const hasNext = to < total || (capped && users.length === limit);
  if (!d.shared && (hasPrev || hasNext)) {
    blocks.push({
      type: 'actions',
      block_id: 'list_nav',
      elements: [
        ...(hasPrev
          ? [
              {
                type: 'button' as const,
                action_id: ACTION.pagePrev,
                text: { type: 'plain_text' as const, text: '◀ Previous' },
                value: encodeListState({ ...state, offset: Math.max(0, state.offset - limit) }),
              },
            ]
          : []),
        ...(hasNext
          ? [
              {
                type: 'button' as const,
                action_id: ACTION.pageNext,
                text: { type: 'plain_text' as const, text: 'Next ▶' },
                value: encodeListState({ ...state, offset: state.offset + limit }),
              },
            ]
          : []),
      ],
    });
  }
  return blocks;
}

/** "1 user", "254 users", or "10,000+ users" when the count stopped at its cap. */
function howMany(d: Pick<UserListData, 'total' | 'capped'>): string {
  return d.capped ? `${d.total.toLocaleString('en-US')}+ users` : plural(d.total, 'user');
}

export function userListText(d: UserListData): string {
  return d.total === 0 ? 'No users found.' : `${howMany(d)} found`;
}
