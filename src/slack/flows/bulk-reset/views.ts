// Block Kit of the bulk-reset flow: the form and the preview (pure functions of plain data).
import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { SAVED_VIEWS, SAVED_VIEW_LABELS } from '../../../domain/status';
import type { BulkPreview } from '../../../services/bulk-reset';
import { ACTION, BLOCK, CALLBACK } from '../../constants';
import { esc, plural, truncate } from '../../views/common';
import { modal } from '../../views/modals';

const option = (text: string, value: string): PlainTextOption => ({ text: { type: 'plain_text', text: truncate(text, 75) }, value });

export interface BulkResetModalData {
  orgs: Array<{ slug: string; name: string }>;
  initialUsers?: Array<{ id: number; label: string }>;
  initialReason?: string;
}

export function bulkResetModal(d: BulkResetModalData): ModalView {
  const initialOptions: PlainTextOption[] | undefined = d.initialUsers?.slice(0, 100).map((u) => option(u.label, String(u.id)));
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: 'Choose who must set a new password — any mix of the three. You will see a preview before anything changes.',
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
      label: { type: 'plain_text', text: 'Or paste usernames / emails' },
      hint: { type: 'plain_text', text: 'One per line. Unknown entries are listed in the preview.' },
      element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 3000 },
    },
    {
      type: 'input',
      block_id: BLOCK.scopeView,
      optional: true,
      label: { type: 'plain_text', text: 'Or everyone in a view' },
      element: { type: 'static_select', action_id: 'value', options: SAVED_VIEWS.map((v) => option(SAVED_VIEW_LABELS[v], v)) },
    },
    {
      type: 'input',
      block_id: BLOCK.scopeOrg,
      optional: true,
      label: { type: 'plain_text', text: 'Limited to organization' },
      element: {
        type: 'static_select',
        action_id: 'value',
        options: d.orgs.slice(0, 100).map((o) => option(`${o.name} (${o.slug})`, o.slug)),
      },
    },
    {
      type: 'input',
      block_id: BLOCK.reason,
      label: { type: 'plain_text', text: 'Reason' },
      hint: {
        type: 'plain_text',
        text: 'Recorded in the audit log and included in the email, e.g. “credentials leaked in incident 4711”.',
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
  return modal('Bulk password reset', blocks, { callback_id: CALLBACK.bulkReset, submit: { type: 'plain_text', text: 'Preview' } });
}

export function bulkPreviewModal(p: BulkPreview, reason: string): ModalView {
  const lines = [
    `*${plural(p.count, 'user')}* will have to choose a new password.`,
    p.sample.length > 0 ? `First: ${p.sample.map((s) => esc(s)).join(', ')}${p.count > p.sample.length ? ', …' : ''}` : '',
    p.unknown.length > 0 ? `❓ Not found (${p.unknown.length}): ${esc(truncate(p.unknown.join(', '), 600))}` : '',
    p.skippedDisabled > 0 ? `⏭️ Skipped: ${plural(p.skippedDisabled, 'disabled user')}` : '',
    p.skippedSelf ? '⏭️ Skipped: you (never reset yourself by accident)' : '',
    p.skippedHigherRole > 0
      ? `⛔ Skipped, they hold a higher role than yours (${p.skippedHigherRole}): ${esc(truncate(p.refusedSample.higherRole.join(', '), 600))}`
      : '',
    p.skippedNoPermission > 0
      ? `⛔ Skipped, you may not run bulk password resets in every organization they belong to (${p.skippedNoPermission}): ${esc(truncate(p.refusedSample.noPermission.join(', '), 600))}`
      : '',
    `Reason: “${esc(truncate(reason, 300))}”`,
  ].filter((l) => l.length > 0);
  return modal('Confirm bulk reset', [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } }], {
    callback_id: CALLBACK.bulkResetConfirm,
    private_metadata: JSON.stringify({ jobId: p.jobId }),
    ...(p.count > 0 ? { submit: { type: 'plain_text', text: truncate(`Reset ${p.count}`, 24) } } : {}),
  });
}
