// Modal frames every flow shares (notice, warning, loading) and the user option label of pickers.
import type { KnownBlock, ModalView } from '@slack/types';
import { esc, truncate } from './common';

/** The frame every modal shares: a title cut to Slack's 24 characters, and Close. */
export function modal(title: string, blocks: KnownBlock[], extra: Partial<ModalView> = {}): ModalView {
  return {
    type: 'modal',
    title: { type: 'plain_text', text: truncate(title, 24) },
    close: { type: 'plain_text', text: 'Close' },
    blocks,
    ...extra,
  };
}

/** One section; its text is cut at Slack's 3,000 characters (an echoed input must not make Slack refuse the view). */
export function noticeModal(title: string, text: string): ModalView {
  return modal(title, [{ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 3000) } }]);
}

/** A refusal or failure shown in place of a modal: the message escaped, behind a warning sign. */
export function warningModal(title: string, message: string): ModalView {
  return noticeModal(title, `:warning: ${esc(message)}`);
}

export function loadingModal(title = 'userops'): ModalView {
  return noticeModal(title, ':hourglass_flowing_sand: Working…');
}

export function userOptionLabel(u: { username: string; firstName: string; lastName: string; email: string }): string {
  const name = `${u.firstName} ${u.lastName}`.trim();
  return truncate(`${u.username}${name ? ` — ${name}` : ''} (${u.email})`, 75);
}
