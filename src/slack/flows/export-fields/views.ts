// Block Kit of the export-fields flow: the checkboxes modal and the line saying what changed.
import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { EXPORT_FIELD_GROUPS, type ExportFieldGroup, type ExportFieldList } from '../../../services/export-fields';
import { BLOCK, CALLBACK } from '../../constants';

const GROUP_LABELS: Record<ExportFieldGroup, string> = {
  profile: 'Profile and status',
  timestamps: 'Timestamps',
  secret: 'Secrets',
};

const DESCRIPTIONS: Partial<Record<string, string>> = {
  password_hash: 'Only the bcrypt hash, in the password column. Slack files travel far.',
};

/** One checkbox group per block (a checkboxes element holds at most 10 options). */
export function exportFieldsBlockId(group: ExportFieldGroup): string {
  return `${BLOCK.exportFields}:${group}`;
}

export function exportFieldsModal(list: ExportFieldList): ModalView {
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `Choose what \`/users export\` carries. Always exported, so that an export imports again: ${list.always.map((c) => `\`${c}\``).join(', ')}.`,
      },
    },
  ];
  for (const group of EXPORT_FIELD_GROUPS) {
    const fields = list.fields.filter((f) => f.group === group);
    if (fields.length === 0) continue;
    const option = (f: (typeof fields)[number]): PlainTextOption => ({
      text: { type: 'plain_text', text: `${f.label} (${f.field})` },
      value: f.field,
      ...(DESCRIPTIONS[f.field] ? { description: { type: 'plain_text', text: DESCRIPTIONS[f.field]! } } : {}),
    });
    const on = fields.filter((f) => f.enabled).map(option);
    blocks.push({
      type: 'input',
      block_id: exportFieldsBlockId(group),
      optional: true,
      label: { type: 'plain_text', text: GROUP_LABELS[group] },
      element: { type: 'checkboxes', action_id: 'value', options: fields.map(option), ...(on.length > 0 ? { initial_options: on } : {}) },
    });
  }
  const never = list.passwordHashAllowed
    ? 'API keys and password reset tokens are never exportable.'
    : 'API keys and password reset tokens are never exportable; password hashes are not exportable on this deployment.';
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: never }] });
  return {
    type: 'modal',
    callback_id: CALLBACK.exportFields,
    title: { type: 'plain_text', text: 'Export fields' },
    submit: { type: 'plain_text', text: 'Save' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

export function exportFieldsSavedText(r: { enabled: string[]; disabled: string[] }): string {
  if (r.enabled.length + r.disabled.length === 0) return 'Nothing changed.';
  const parts = [
    r.enabled.length > 0 ? `Switched on: ${r.enabled.map((f) => `\`${f}\``).join(', ')}.` : '',
    r.disabled.length > 0 ? `Switched off: ${r.disabled.map((f) => `\`${f}\``).join(', ')}.` : '',
  ].filter(Boolean);
  return `:white_check_mark: Saved. ${parts.join(' ')} The next export uses these columns.`;
}
