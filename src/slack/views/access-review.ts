// Block Kit of an access review (issue 20 §4): one section per question, each with a button into the bulk flow.
import type { Button, KnownBlock } from '@slack/types';
import { isBulkAction, type BulkAction } from '../../domain/bulk-actions';
import type { AccessReview, ReviewSection, ReviewSectionKey } from '../../services/access-review';
import { ACTION } from '../constants';
import { esc, plural, slackDate, truncate } from './common';
import type { SlackMessage } from './messages';

/** Names shown per section; the CSV has everyone. */
export const REVIEW_NAMES_SHOWN = 10;

export const REVIEW_TITLE: Record<ReviewSectionKey, string> = {
  administrators: 'Administrators',
  security: 'Security role',
  api_keys: 'API keys',
  dormant: 'Dormant users',
  invited: 'Pending invitations',
};

/** What each section's button starts in the bulk flow. */
export const REVIEW_ACTION: Record<ReviewSectionKey, BulkAction> = {
  administrators: 'reset_password',
  security: 'reset_password',
  api_keys: 'disable',
  dormant: 'disable',
  invited: 'disable',
};

/** What a section's button value carries (short keys: Slack allows 2,000 characters). */
export interface ReviewButtonValue {
  a: BulkAction;
  s: ReviewSectionKey;
  o: string;
}

function who(n: number, key: ReviewSectionKey, dormantDays: number): string {
  switch (key) {
    case 'administrators':
      return plural(n, 'administrator');
    case 'security':
      return plural(n, 'holder of the security role', 'holders of the security role');
    case 'api_keys':
      return plural(n, 'user with API keys', 'users with API keys');
    case 'dormant':
      return `${plural(n, 'dormant user')} (no login for ${dormantDays} days)`;
    case 'invited':
      return plural(n, 'pending invitation');
  }
}

const VERB: Record<BulkAction, string> = {
  reset_password: 'Reset passwords of',
  disable: 'Disable',
  enable: 'Enable',
  activate: 'Activate',
};

/** "Disable the 12 dormant users…" */
export function reviewButtonText(action: BulkAction, key: ReviewSectionKey, n: number): string {
  const noun = {
    administrators: n === 1 ? 'administrator' : 'administrators',
    security: n === 1 ? 'security role holder' : 'security role holders',
    api_keys: n === 1 ? 'user with API keys' : 'users with API keys',
    dormant: n === 1 ? 'dormant user' : 'dormant users',
    invited: n === 1 ? 'invited user' : 'invited users',
  }[key];
  return truncate(`${VERB[action]} the ${n} ${noun}…`, 75);
}

function names(s: ReviewSection): string {
  const shown = s.rows.slice(0, REVIEW_NAMES_SHOWN).map((r) => `\`${esc(truncate(r.username, 60))}\``);
  const more = s.rows.length - shown.length;
  return shown.join(', ') + (more > 0 ? ` and ${more} more (see the CSV)` : '');
}

function sectionBlocks(review: AccessReview, s: ReviewSection): KnownBlock[] {
  const n = s.rows.length;
  const text = `*${REVIEW_TITLE[s.key]}: ${n}*\n${n === 0 ? '_Nobody._' : `${who(n, s.key, review.dormantDays)}: ${names(s)}`}`;
  const blocks: KnownBlock[] = [{ type: 'section', block_id: `review:${s.key}`, text: { type: 'mrkdwn', text: truncate(text, 2900) } }];
  if (n > 0) {
    const action = REVIEW_ACTION[s.key];
    const value: ReviewButtonValue = { a: action, s: s.key, o: review.organization.slug };
    const button: Button = {
      type: 'button',
      action_id: ACTION.reviewBulk,
      text: { type: 'plain_text', text: reviewButtonText(action, s.key, n) },
      value: JSON.stringify(value),
    };
    blocks.push({ type: 'actions', block_id: `review_actions:${s.key}`, elements: [button] });
  }
  return blocks;
}

/** The review as one message: a header, one section per question with its button, and where the CSV is. */
export function accessReviewMessage(review: AccessReview, opts: { scheduled: boolean }): SlackMessage {
  const org = review.organization;
  const title = `Access review of ${org.name} (${org.slug})`;
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(title, 150) } },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `${opts.scheduled ? 'Scheduled review' : 'On request'} · ${slackDate(review.at)} · the buttons open the bulk form preselected (you still see a preview and give a reason); the CSV lists everyone.`,
        },
      ],
    },
    ...review.sections.flatMap((s) => sectionBlocks(review, s)),
  ];
  const counts = review.sections.map((s) => `${REVIEW_TITLE[s.key]} ${s.rows.length}`).join(', ');
  return { text: `${title}: ${counts}`, blocks };
}

/** Parses a section button's value; null for anything else. */
export function parseReviewButton(raw: string | undefined): ReviewButtonValue | null {
  try {
    const v = JSON.parse(raw ?? '') as Partial<ReviewButtonValue>;
    if (typeof v.a !== 'string' || typeof v.s !== 'string' || typeof v.o !== 'string') return null;
    if (!isBulkAction(v.a) || !Object.hasOwn(REVIEW_TITLE, v.s) || v.o.length === 0 || v.o.length > 63) return null;
    return { a: v.a, s: v.s as ReviewSectionKey, o: v.o };
  } catch {
    return null;
  }
}
