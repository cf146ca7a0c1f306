/**
 * What Slack accepts: the block and element types it knows, which elements may stand where,
 * and the documented size limits that validate.ts enforces.
 */

/** Where blocks are shown; the limits differ (50 blocks per message, 100 per view). */
export type BlockSurface = 'message' | 'modal' | 'home';

export const LIMITS = {
  blocksPerMessage: 50,
  blocksPerView: 100,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  optionText: 75,
  /** Slack's option object allows 150 characters of `value` (buttons allow 2000). */
  optionValue: 150,
  id: 255,
  overflowOptionsMin: 1,
  overflowOptionsMax: 5,
  selectOptions: 100,
  choiceOptions: 10,
  actionsElements: 25,
  contextElements: 10,
  inputLabel: 2000,
  placeholder: 150,
  modalTitle: 24,
  modalButton: 24,
  privateMetadata: 3000,
  messageText: 40000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
} as const;

export const SELECT_TYPES = new Set([
  'static_select',
  'external_select',
  'users_select',
  'conversations_select',
  'channels_select',
  'multi_static_select',
  'multi_external_select',
  'multi_users_select',
  'multi_conversations_select',
  'multi_channels_select',
]);

export const BLOCK_TYPES = new Set([
  'section',
  'divider',
  'header',
  'context',
  'actions',
  'input',
  'image',
  'rich_text',
  'file',
  'video',
  'markdown',
  'table',
]);

export const INTERACTIVE_TYPES = new Set([
  'button',
  'overflow',
  'datepicker',
  'timepicker',
  'datetimepicker',
  'checkboxes',
  'radio_buttons',
  'workflow_button',
  ...SELECT_TYPES,
]);

export const INPUT_ELEMENT_TYPES = new Set([
  'plain_text_input',
  'email_text_input',
  'url_text_input',
  'number_input',
  'rich_text_input',
  'file_input',
  'datepicker',
  'timepicker',
  'datetimepicker',
  'checkboxes',
  'radio_buttons',
  ...SELECT_TYPES,
]);
