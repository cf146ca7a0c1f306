// Block Kit of the bulk flow: the form, the preview (as a modal, and as a message for a typed command).
import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { APPROVAL_REASON_TEXT } from '../../../domain/approvals';
import { BULK_DONE_VERB, BULK_PERMISSION, BULK_TITLE, type BulkAction, type SkipReason } from '../../../domain/bulk-actions';
import { PERMISSION_LABELS } from '../../../domain/permissions';
import { SAVED_VIEWS, SAVED_VIEW_LABELS, type NamedView, type SavedView } from '../../../domain/status';
import type { BulkActionPreview } from '../../../services/bulk-actions';
import { ACTION, BLOCK, CALLBACK } from '../../constants';
import { esc, lineSections, plural, truncate } from '../../views/common';
import type { SlackMessage } from '../../views/messages';
import { modal } from '../../views/modals';

const isNamedView = (v: SavedView): v is NamedView => (SAVED_VIEWS as readonly string[]).includes(v);

const option = (text: string, value: string): PlainTextOption => ({ text: { type: 'plain_text', text: truncate(text, 75) }, value });

/** The action select's labels, in the order offered. */
export const BULK_ACTION_LABELS: Record<BulkAction, string> = {
  reset_password: 'Reset password',
  disable: 'Disable',
  enable: 'Enable',
  activate: 'Activate (unlock)',
};

export interface BulkModalData {
  /** The actions the actor may start, in BULK_ACTIONS order; the first is preselected unless `action` is one of them. */
  actions: BulkAction[];
  action?: BulkAction;
  /** Why a requested action is not offered (the service's sentence), shown above the form. */
  notice?: string;
  orgs: Array<{ slug: string; name: string }>;
  initialUsers?: Array<{ id: number; label: string }>;
  initialPasted?: string;
  initialReason?: string;
  /** Preselected in "everyone in a view" (an access review's button). */
  initialView?: SavedView;
  /** Preselected in "only members of", when it is one of `orgs`. */
  initialOrg?: string;
}

export function bulkModal(d: BulkModalData): ModalView {
  const selected = d.action && d.actions.includes(d.action) ? d.action : d.actions[0];
  const initialOrg = d.orgs.slice(0, 100).find((o) => o.slug === d.initialOrg);
  const initialOptions: PlainTextOption[] | undefined = d.initialUsers?.slice(0, 100).map((u) => option(u.label, String(u.id)));
  const intro = [
    d.notice ? `:warning: ${esc(d.notice)}` : '',
    'Choose an action and who it applies to — any mix of users picked, names pasted and a saved view. You will see a preview before anything changes.',
  ].filter((l) => l.length > 0);
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: intro.join('\n') } },
    {
      type: 'input',
      block_id: BLOCK.bulkAction,
      label: { type: 'plain_text', text: 'Action' },
      element: {
        type: 'static_select',
        action_id: 'value',
        options: d.actions.map((a) => option(BULK_ACTION_LABELS[a], a)),
        ...(selected ? { initial_option: option(BULK_ACTION_LABELS[selected], selected) } : {}),
      },
    },
    {
      type: 'input',
      block_id: BLOCK.picked,
      optional: true,
      label: { type: 'plain_text', text: 'Pick users' },
      element: {
        type: 'multi_external_select',
        action_id: ACTION.bulkUserPicker,
        min_query_length: 2,
        placeholder: { type: 'plain_text', text: 'Type a name, username or email' },
        ...(initialOptions && initialOptions.length > 0 ? { initial_options: initialOptions } : {}),
      },
    },
    {
      type: 'input',
      block_id: BLOCK.pasted,
      optional: true,
      label: { type: 'plain_text', text: 'And / or paste usernames / emails' },
      hint: { type: 'plain_text', text: 'One per line (or separated by commas). Unknown entries are listed in the preview.' },
      element: {
        type: 'plain_text_input',
        action_id: 'value',
        multiline: true,
        max_length: 3000,
        ...(d.initialPasted ? { initial_value: truncate(d.initialPasted, 3000) } : {}),
      },
    },
    {
      type: 'input',
      block_id: BLOCK.scopeView,
      optional: true,
      label: { type: 'plain_text', text: 'And / or everyone in a view' },
      element: {
        type: 'static_select',
        action_id: 'value',
        options: SAVED_VIEWS.map((v) => option(SAVED_VIEW_LABELS[v], v)),
        ...(d.initialView && isNamedView(d.initialView) ? { initial_option: option(SAVED_VIEW_LABELS[d.initialView], d.initialView) } : {}),
      },
    },
    {
      type: 'input',
      block_id: BLOCK.scopeOrg,
      optional: true,
      label: { type: 'plain_text', text: 'Only members of (optional)' },
      hint: { type: 'plain_text', text: 'Narrows the users chosen above; never adds anyone.' },
      element: {
        type: 'static_select',
        action_id: 'value',
        options: d.orgs.slice(0, 100).map((o) => option(`${o.name} (${o.slug})`, o.slug)),
        ...(initialOrg ? { initial_option: option(`${initialOrg.name} (${initialOrg.slug})`, initialOrg.slug) } : {}),
      },
    },
    {
      type: 'input',
      block_id: BLOCK.reason,
      label: { type: 'plain_text', text: 'Reason' },
      hint: {
        type: 'plain_text',
        text: 'Recorded in the audit log (and in the email of a reset), e.g. “credentials leaked in incident 4711”.',
      },
      element: {
        type: 'plain_text_input',
        action_id: 'value',
        min_length: 3,
        max_length: 500,
        ...(d.initialReason ? { initial_value: d.initialReason } : {}),
      },
    },
  ];
  return modal('Bulk action', blocks, { callback_id: CALLBACK.bulkForm, submit: { type: 'plain_text', text: 'Preview' } });
}

/** "a, b, c and 12 more": names while they fit in `max` characters, then how many were left out of `total`. */
export function nameList(names: string[], total: number, max = 600): string {
  const shown: string[] = [];
  let size = 0;
  for (const n of names) {
    if (shown.length > 0 && size + n.length + 2 > max) break;
    shown.push(n);
    size += n.length + 2;
  }
  const rest = total - shown.length;
  return `${shown.map(esc).join(', ')}${rest > 0 ? ` and ${rest} more` : ''}`;
}

const ALREADY: Record<BulkAction, string> = {
  reset_password: 'already waiting for a reset',
  disable: 'already disabled',
  enable: 'already enabled',
  activate: 'already active (not locked)',
};

const NOT_APPLICABLE: Record<BulkAction, string> = {
  reset_password: 'disabled (a reset needs an enabled account)',
  disable: 'not applicable',
  enable: 'not applicable',
  activate: 'waiting for a password reset (nothing to unlock)',
};

/** Why users are skipped, as the preview says it. */
export function skipLabel(action: BulkAction, reason: SkipReason, orgSlug: string | null): string {
  switch (reason) {
    case 'self':
      return 'you';
    case 'already':
      return ALREADY[action];
    case 'not_applicable':
      return NOT_APPLICABLE[action];
    case 'outside_org':
      return orgSlug ? `not in ${orgSlug}` : 'not in that organization';
    case 'no_permission':
      return `you may not ${PERMISSION_LABELS[BULK_PERMISSION[action]]} in every organization they belong to`;
    case 'higher_role':
      return 'they hold a higher role than yours';
  }
}

/** "*12 users* will be disabled." (a reset: "will have to choose a new password"). */
export function previewHeadline(p: Pick<BulkActionPreview, 'action' | 'count'>): string {
  const who = `*${plural(p.count, 'user')}*`;
  return p.action === 'reset_password' ? `${who} will have to choose a new password.` : `${who} will be ${BULK_DONE_VERB[p.action]}.`;
}

/** The preview's lines: who changes (the first ten by name), who is not found, who is skipped and why. */
export function previewLines(p: BulkActionPreview, orgSlug: string | null): string[] {
  return [
    previewHeadline(p),
    p.sample.length > 0 ? `First: ${nameList(p.sample, p.count, 2000)}` : '',
    p.notFound.length > 0 ? `❓ Not found (${p.notFoundCount}): ${nameList(p.notFound, p.notFoundCount)}` : '',
    ...p.skipped.map((s) =>
      s.reason === 'self'
        ? '⏭️ Skipped: you'
        : `${s.reason === 'no_permission' || s.reason === 'higher_role' ? '⛔' : '⏭️'} Skipped, ${skipLabel(p.action, s.reason, orgSlug)} (${s.count}): ${nameList(s.names, s.count)}`,
    ),
    `Reason: “${esc(truncate(p.reason, 300))}”`,
  ].filter((l) => l.length > 0);
}

const CONFIRM_VERB: Record<BulkAction, string> = { reset_password: 'Reset', disable: 'Disable', enable: 'Enable', activate: 'Unlock' };
const confirmText = (p: BulkActionPreview) => (p.needsApproval ? 'Request approval' : `${CONFIRM_VERB[p.action]} ${p.count}`);

/** When a second person must approve (APPROVAL_REQUIRED), the preview says so above its button. */
function approvalNote(p: BulkActionPreview): string[] {
  if (!p.needsApproval || p.count === 0) return [];
  return [
    `:lock: This needs a second person's approval (${APPROVAL_REASON_TEXT[p.needsApproval]}). *Request approval* sends this preview to them; nothing changes until one of them approves.`,
  ];
}

/** The preview modal; no confirm button when nobody would change. */
export function bulkPreviewModal(p: BulkActionPreview, orgSlug: string | null): ModalView {
  return modal(BULK_TITLE[p.action], lineSections([...previewLines(p, orgSlug), ...approvalNote(p)]), {
    callback_id: CALLBACK.bulkConfirm,
    private_metadata: JSON.stringify({ jobId: p.jobId, action: p.action, ...(p.needsApproval ? { approval: true } : {}) }),
    ...(p.count > 0 ? { submit: { type: 'plain_text', text: confirmText(p) } } : {}),
  });
}

/** The same preview as a message (a typed command's answer), with a confirm-carrying button when someone would change. */
export function bulkPreviewMessage(p: BulkActionPreview): SlackMessage {
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: `*${esc(BULK_TITLE[p.action])}*` } }];
  blocks.push(...lineSections([...previewLines(p, null), ...approvalNote(p)]));
  if (p.count > 0 && p.needsApproval) {
    blocks.push({
      type: 'actions',
      block_id: `${BLOCK.bulkAction}:${p.action}`,
      elements: [
        {
          type: 'button',
          action_id: ACTION.requestApproval,
          style: 'primary',
          text: { type: 'plain_text', text: confirmText(p) },
          value: String(p.jobId),
        },
        { type: 'button', action_id: ACTION.cancel, text: { type: 'plain_text', text: 'Cancel' }, value: 'cancel' },
      ],
    });
  } else if (p.count > 0) {
    blocks.push({
      type: 'actions',
      // The block id carries the action, so the progress message is titled before the job is read.
      block_id: `${BLOCK.bulkAction}:${p.action}`,
      elements: [
        {
          type: 'button',
          action_id: ACTION.confirmBulk,
          style: 'danger',
          text: { type: 'plain_text', text: confirmText(p) },
          value: String(p.jobId),
          confirm: {
            title: { type: 'plain_text', text: truncate(BULK_TITLE[p.action], 100) },
            text: { type: 'mrkdwn', text: previewHeadline(p) },
            confirm: { type: 'plain_text', text: confirmText(p) },
            deny: { type: 'plain_text', text: 'Cancel' },
            style: 'danger',
          },
        },
        { type: 'button', action_id: ACTION.cancel, text: { type: 'plain_text', text: 'Cancel' }, value: 'cancel' },
      ],
    });
  }
  return { text: `${BULK_TITLE[p.action]}: ${previewHeadline(p).replace(/\*/g, '')}`, blocks: blocks.slice(0, 50) };
}
