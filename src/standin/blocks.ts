/**
 * Pure Block Kit helpers shared by the Slack stand-in, its driver, the demo and tests:
 * finding interactive elements, rendering blocks as readable plain text, and checking the
 * limits real Slack enforces (so a test fails here the way production would fail there).
 *
 * Everything takes `unknown` because the input is whatever an app put on the wire; nothing
 * here trusts the shape until it has looked at it.
 */

export type JsonObject = Record<string, unknown>;

/** Where blocks are shown; the limits differ (50 blocks per message, 100 per view). */
export type BlockSurface = 'message' | 'modal' | 'home';

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The visible string of a text object (`{type:'plain_text'|'mrkdwn', text}`), or '' when absent. */
export function textOf(textObject: unknown): string {
  if (typeof textObject === 'string') return textObject;
  return isObject(textObject) ? (str(textObject.text) ?? '') : '';
}

// ---------------------------------------------------------------------------------------------
// Finding interactive elements
// ---------------------------------------------------------------------------------------------

export interface FoundOption {
  text: string;
  value: string;
  description?: string;
  url?: string;
  /** The option object exactly as the app sent it (Slack echoes it back in `selected_option`). */
  raw: JsonObject;
}

export interface FoundButton {
  text: string;
  actionId: string;
  blockId: string;
  value?: string;
  url?: string;
  style?: string;
  confirm?: unknown;
}

export interface FoundOverflow {
  actionId: string;
  blockId: string;
  options: FoundOption[];
  confirm?: unknown;
}

/** Any interactive element with its location; `inInput` is true inside an `input` block. */
export interface FoundElement {
  type: string;
  actionId: string;
  blockId: string;
  element: JsonObject;
  inInput: boolean;
  /** For elements inside an `input` block: whether a change sends block_actions at once. */
  dispatchAction: boolean;
}

export interface FoundInput {
  blockId: string;
  actionId: string;
  label: string;
  type: string;
  optional: boolean;
  element: JsonObject;
}

/** Every interactive element in document order (section accessories, actions, inputs). */
export function findElements(blocks: unknown): FoundElement[] {
  const found: FoundElement[] = [];
  for (const block of asArray(blocks)) {
    if (!isObject(block)) continue;
    const blockId = str(block.block_id) ?? '';
    const push = (element: unknown, inInput: boolean): void => {
      if (!isObject(element) || typeof element.type !== 'string') return;
      if (element.type === 'image' || element.type === 'plain_text' || element.type === 'mrkdwn') return;
      found.push({
        type: element.type,
        actionId: str(element.action_id) ?? '',
        blockId,
        element,
        inInput,
        dispatchAction: inInput && block.dispatch_action === true,
      });
    };
    switch (block.type) {
      case 'section':
        push(block.accessory, false);
        break;
      case 'actions':
        for (const element of asArray(block.elements)) push(element, false);
        break;
      case 'input':
        push(block.element, true);
        break;
      default:
        break;
    }
  }
  return found;
}

export function findButtons(blocks: unknown): FoundButton[] {
  return findElements(blocks)
    .filter((e) => e.type === 'button')
    .map((e) => {
      const button: FoundButton = { text: textOf(e.element.text), actionId: e.actionId, blockId: e.blockId };
      if (typeof e.element.value === 'string') button.value = e.element.value;
      if (typeof e.element.url === 'string') button.url = e.element.url;
      if (typeof e.element.style === 'string') button.style = e.element.style;
      if (e.element.confirm !== undefined) button.confirm = e.element.confirm;
      return button;
    });
}

function toOption(raw: unknown): FoundOption | undefined {
  if (!isObject(raw)) return undefined;
  const option: FoundOption = { text: textOf(raw.text), value: str(raw.value) ?? '', raw };
  if (raw.description !== undefined) option.description = textOf(raw.description);
  if (typeof raw.url === 'string') option.url = raw.url;
  return option;
}

/** The options of a select/overflow/checkboxes/radio element, option groups flattened. */
export function optionsOf(element: JsonObject): FoundOption[] {
  const flat: unknown[] = [...asArray(element.options)];
  for (const group of asArray(element.option_groups)) {
    if (isObject(group)) flat.push(...asArray(group.options));
  }
  return flat.map(toOption).filter((o): o is FoundOption => o !== undefined);
}

export function findOverflows(blocks: unknown): FoundOverflow[] {
  return findElements(blocks)
    .filter((e) => e.type === 'overflow')
    .map((e) => {
      const overflow: FoundOverflow = { actionId: e.actionId, blockId: e.blockId, options: optionsOf(e.element) };
      if (e.element.confirm !== undefined) overflow.confirm = e.element.confirm;
      return overflow;
    });
}

const SELECT_TYPES = new Set([
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

export function findSelects(blocks: unknown): Array<FoundElement & { options: FoundOption[] }> {
  return findElements(blocks)
    .filter((e) => SELECT_TYPES.has(e.type))
    .map((e) => ({ ...e, options: optionsOf(e.element) }));
}

export function findInputs(blocks: unknown): FoundInput[] {
  const inputs: FoundInput[] = [];
  for (const block of asArray(blocks)) {
    if (!isObject(block) || block.type !== 'input' || !isObject(block.element)) continue;
    inputs.push({
      blockId: str(block.block_id) ?? '',
      actionId: str(block.element.action_id) ?? '',
      label: textOf(block.label),
      type: str(block.element.type) ?? '',
      optional: block.optional === true,
      element: block.element,
    });
  }
  return inputs;
}

/**
 * The element state Slack reports for an untouched element (initial values applied), in the
 * shape of `view.state.values[block_id][action_id]`. Undefined for non-stateful elements.
 */
export function initialStateOf(element: JsonObject): JsonObject | undefined {
  const type = str(element.type) ?? '';
  switch (type) {
    case 'plain_text_input':
    case 'email_text_input':
    case 'url_text_input':
    case 'number_input':
      return { type, value: element.initial_value ?? null };
    case 'static_select':
    case 'external_select':
    case 'radio_buttons':
      return { type, selected_option: element.initial_option ?? null };
    case 'multi_static_select':
    case 'multi_external_select':
    case 'checkboxes':
      return { type, selected_options: element.initial_options ?? [] };
    case 'users_select':
      return { type, selected_user: element.initial_user ?? null };
    case 'multi_users_select':
      return { type, selected_users: element.initial_users ?? [] };
    case 'conversations_select':
      return { type, selected_conversation: element.initial_conversation ?? null };
    case 'multi_conversations_select':
      return { type, selected_conversations: element.initial_conversations ?? [] };
    case 'channels_select':
      return { type, selected_channel: element.initial_channel ?? null };
    case 'multi_channels_select':
      return { type, selected_channels: element.initial_channels ?? [] };
    case 'datepicker':
      return { type, selected_date: element.initial_date ?? null };
    case 'timepicker':
      return { type, selected_time: element.initial_time ?? null };
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

export interface RenderOptions {
  /** Resolve `<@U…>` mentions to a name; defaults to the raw id. */
  userName?: (userId: string) => string | undefined;
  /** Prefix buttons and overflow options with `[n]` in the order of {@link listControls}. */
  numbered?: boolean;
  /** Line width for dividers (default 40). */
  width?: number;
}

/** A clickable control as a person sees it, in display order (buttons, then each overflow option). */
export interface Control {
  kind: 'button' | 'overflow';
  label: string;
  actionId: string;
  blockId: string;
  value?: string;
  confirm?: unknown;
}

/**
 * Buttons and overflow options in the order they are displayed. The demo numbers these;
 * `renderBlocks(…, {numbered:true})` prints the same numbers.
 */
export function listControls(blocks: unknown): Control[] {
  const controls: Control[] = [];
  for (const e of findElements(blocks)) {
    if (e.type === 'button') {
      const control: Control = { kind: 'button', label: textOf(e.element.text), actionId: e.actionId, blockId: e.blockId };
      if (typeof e.element.value === 'string') control.value = e.element.value;
      if (e.element.confirm !== undefined) control.confirm = e.element.confirm;
      controls.push(control);
    } else if (e.type === 'overflow') {
      for (const option of optionsOf(e.element)) {
        const control: Control = {
          kind: 'overflow',
          label: option.text,
          actionId: e.actionId,
          blockId: e.blockId,
          value: option.value,
        };
        if (e.element.confirm !== undefined) control.confirm = e.element.confirm;
        controls.push(control);
      }
    }
  }
  return controls;
}

/** Slack mrkdwn to terminal text: mentions, links, special commands and HTML escapes resolved. */
export function mrkdwnToPlain(text: string, opts: Pick<RenderOptions, 'userName'> = {}): string {
  return text
    .replace(/<([^<>]+)>/g, (_all, inner: string) => {
      const [target, label] = splitOnce(inner, '|');
      if (target.startsWith('@')) {
        const id = target.slice(1);
        return `@${label ?? opts.userName?.(id) ?? id}`;
      }
      if (target.startsWith('#')) return `#${label ?? target.slice(1)}`;
      if (target.startsWith('!subteam^')) return `@${label ?? target.slice(9)}`;
      if (target.startsWith('!date^')) return label ?? target;
      if (target.startsWith('!')) return `@${target.slice(1)}`;
      if (target.startsWith('mailto:')) return label ?? target.slice(7);
      return label !== undefined && label !== target ? `${label} (${target})` : target;
    })
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

function renderText(textObject: unknown, opts: RenderOptions): string {
  if (!isObject(textObject)) return '';
  const text = textOf(textObject);
  return textObject.type === 'mrkdwn' ? mrkdwnToPlain(text, opts) : text;
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');
}

/**
 * Blocks as readable plain text: headers underlined, sections and fields, context lines
 * prefixed with `›`, dividers as a rule, buttons as `[Label]` (or `[n] Label` when numbered),
 * overflow menus as `⋯ a | b`, selects and inputs with their options or initial values.
 */
export function renderBlocks(blocks: unknown, opts: RenderOptions = {}): string {
  const width = opts.width ?? 40;
  const lines: string[] = [];
  let controlNo = 0;
  const label = (text: string): string => (opts.numbered ? `[${++controlNo}] ${text}` : `[${text}]`);
  const renderElement = (element: unknown): string => {
    if (!isObject(element)) return '';
    const type = str(element.type) ?? '';
    if (type === 'button') {
      const style = element.style === 'danger' ? ' (!)' : '';
      return label(textOf(element.text)) + style;
    }
    if (type === 'overflow')
      return `⋯ ${optionsOf(element)
        .map((o) => label(o.text))
        .join(' ')}`;
    if (SELECT_TYPES.has(type)) {
      const initial = isObject(element.initial_option) ? textOf(element.initial_option.text) : undefined;
      const placeholder = textOf(element.placeholder);
      const options = optionsOf(element).map((o) => o.text);
      const shown = initial ?? (placeholder || type);
      return `<${shown} ▾${options.length > 0 ? `: ${options.join(', ')}` : ''}>`;
    }
    if (type === 'image') return `[image: ${str(element.alt_text) ?? ''}]`;
    if (type === 'plain_text' || type === 'mrkdwn') return renderText(element, opts);
    if (type === 'plain_text_input') {
      const value = str(element.initial_value) ?? '';
      return `[${value || textOf(element.placeholder) || '…'}]`;
    }
    if (type === 'checkboxes' || type === 'radio_buttons') {
      return optionsOf(element)
        .map((o) => `( ) ${o.text}`)
        .join('  ');
    }
    return `<${type}>`;
  };

  for (const block of asArray(blocks)) {
    if (!isObject(block)) continue;
    switch (block.type) {
      case 'header': {
        const text = renderText(block.text, opts);
        lines.push(text, '═'.repeat(Math.min(Math.max(text.length, 3), width)));
        break;
      }
      case 'divider':
        lines.push('─'.repeat(width));
        break;
      case 'section': {
        if (block.text !== undefined) lines.push(renderText(block.text, opts));
        const fields = asArray(block.fields).map((f) => renderText(f, opts));
        for (let i = 0; i < fields.length; i += 2) {
          lines.push(indent(fields.slice(i, i + 2).join('    '), '  '));
        }
        if (block.accessory !== undefined) lines.push(`  ${renderElement(block.accessory)}`);
        break;
      }
      case 'context':
        lines.push(`› ${asArray(block.elements).map(renderElement).join('  ')}`);
        break;
      case 'actions':
        lines.push(asArray(block.elements).map(renderElement).join('  '));
        break;
      case 'input': {
        const optional = block.optional === true ? ' (optional)' : '';
        lines.push(`${textOf(block.label)}${optional}: ${renderElement(block.element)}`);
        if (block.hint !== undefined) lines.push(`  ${renderText(block.hint, opts)}`);
        break;
      }
      case 'image':
        lines.push(`[image: ${str(block.alt_text) ?? ''}]`);
        break;
      default:
        lines.push(`<${str(block.type) ?? 'block'}>`);
    }
  }
  return lines.join('\n');
}

/** A message as terminal text: its blocks when it has any, else its (mrkdwn) text. */
export function renderMessage(message: { text?: string; blocks?: unknown[] }, opts: RenderOptions = {}): string {
  if (message.blocks !== undefined && message.blocks.length > 0) return renderBlocks(message.blocks, opts);
  return mrkdwnToPlain(message.text ?? '', opts);
}

// ---------------------------------------------------------------------------------------------
// Validation (Slack's documented limits; error strings imitate Slack's `[json-pointer:…]` form)
// ---------------------------------------------------------------------------------------------

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

type Report = (message: string, path: string) => void;

const BLOCK_TYPES = new Set([
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

const INTERACTIVE_TYPES = new Set([
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

const INPUT_ELEMENT_TYPES = new Set([
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

function checkText(report: Report, value: unknown, path: string, opts: { max: number; plainOnly?: boolean; required?: boolean }): void {
  if (value === undefined) {
    if (opts.required !== false) report('is required', path);
    return;
  }
  if (!isObject(value)) {
    report('must be a text object', path);
    return;
  }
  if (value.type !== 'plain_text' && value.type !== 'mrkdwn') {
    report('must be plain_text or mrkdwn', `${path}/type`);
  } else if (opts.plainOnly && value.type !== 'plain_text') {
    report('must be plain_text', `${path}/type`);
  }
  const text = value.text;
  if (typeof text !== 'string') {
    report('is required', `${path}/text`);
  } else if (text.length === 0) {
    report('must be more than 0 characters', `${path}/text`);
  } else if (text.length > opts.max) {
    report(`must be less than ${opts.max + 1} characters`, `${path}/text`);
  }
}

function checkString(report: Report, value: unknown, path: string, max: number, required = false): void {
  if (value === undefined) {
    if (required) report('is required', path);
    return;
  }
  if (typeof value !== 'string') report('must be a string', path);
  else if (value.length === 0) report('must be more than 0 characters', path);
  else if (value.length > max) report(`must be less than ${max + 1} characters`, path);
}

function checkConfirm(report: Report, confirm: unknown, path: string): void {
  if (confirm === undefined) return;
  if (!isObject(confirm)) {
    report('must be a confirmation object', path);
    return;
  }
  checkText(report, confirm.title, `${path}/title`, { max: LIMITS.confirmTitle, plainOnly: true });
  checkText(report, confirm.text, `${path}/text`, { max: LIMITS.confirmText });
  checkText(report, confirm.confirm, `${path}/confirm`, { max: LIMITS.confirmButton, plainOnly: true });
  checkText(report, confirm.deny, `${path}/deny`, { max: LIMITS.confirmButton, plainOnly: true });
}

function checkOptions(report: Report, element: JsonObject, path: string, range: { min: number; max: number }, allowUrl: boolean): void {
  const hasOptions = element.options !== undefined;
  const hasGroups = element.option_groups !== undefined;
  if (hasOptions && hasGroups) report('must provide either options or option_groups, not both', path);
  const check = (options: unknown, optionsPath: string): void => {
    if (!Array.isArray(options)) {
      report('must be an array', optionsPath);
      return;
    }
    if (options.length < range.min) report(`must contain at least ${range.min} items`, optionsPath);
    if (options.length > range.max) report(`no more than ${range.max} items allowed`, optionsPath);
    options.forEach((option, i) => {
      const p = `${optionsPath}/${i}`;
      if (!isObject(option)) {
        report('must be an option object', p);
        return;
      }
      checkText(report, option.text, `${p}/text`, { max: LIMITS.optionText });
      checkString(report, option.value, `${p}/value`, LIMITS.optionValue, true);
      checkText(report, option.description, `${p}/description`, { max: LIMITS.optionText, required: false });
      if (option.url !== undefined) {
        if (allowUrl) checkString(report, option.url, `${p}/url`, LIMITS.url);
        else report('url is only allowed in overflow menus', `${p}/url`);
      }
    });
  };
  if (hasGroups) {
    const groups = element.option_groups;
    if (!Array.isArray(groups)) report('must be an array', `${path}/option_groups`);
    else {
      if (groups.length > range.max) report(`no more than ${range.max} items allowed`, `${path}/option_groups`);
      groups.forEach((g, i) => {
        const gp = `${path}/option_groups/${i}`;
        if (!isObject(g)) report('must be an option group object', gp);
        else {
          checkText(report, g.label, `${gp}/label`, { max: LIMITS.optionText, plainOnly: true });
          check(g.options, `${gp}/options`);
        }
      });
    }
  } else if (hasOptions) {
    check(element.options, `${path}/options`);
  } else if (range.min > 0) {
    report('is required', `${path}/options`);
  }
}

function checkElement(report: Report, element: unknown, path: string, allowed: Set<string>): void {
  if (!isObject(element)) {
    report('must be an object', path);
    return;
  }
  const type = str(element.type);
  if (type === undefined || !allowed.has(type)) {
    report(`element type ${JSON.stringify(element.type)} is not allowed here`, `${path}/type`);
    return;
  }
  if (type !== 'image') checkString(report, element.action_id, `${path}/action_id`, LIMITS.id);
  checkConfirm(report, element.confirm, `${path}/confirm`);
  if (element.placeholder !== undefined) {
    checkText(report, element.placeholder, `${path}/placeholder`, { max: LIMITS.placeholder, plainOnly: true });
  }
  switch (type) {
    case 'button':
      checkText(report, element.text, `${path}/text`, { max: LIMITS.buttonText, plainOnly: true });
      checkString(report, element.value, `${path}/value`, LIMITS.buttonValue);
      checkString(report, element.url, `${path}/url`, LIMITS.url);
      if (element.style !== undefined && element.style !== 'primary' && element.style !== 'danger') {
        report('must be primary or danger', `${path}/style`);
      }
      break;
    case 'overflow':
      checkOptions(report, element, path, { min: LIMITS.overflowOptionsMin, max: LIMITS.overflowOptionsMax }, true);
      break;
    case 'static_select':
    case 'multi_static_select':
      checkOptions(report, element, path, { min: 1, max: LIMITS.selectOptions }, false);
      if (isObject(element.initial_option)) {
        const initial = element.initial_option;
        const known = optionsOf(element).some((o) => o.value === initial.value && o.text === textOf(initial.text));
        if (!known) report('must match one of the options', `${path}/initial_option`);
      }
      break;
    case 'checkboxes':
    case 'radio_buttons':
      checkOptions(report, element, path, { min: 1, max: LIMITS.choiceOptions }, false);
      break;
    case 'plain_text_input':
      checkString(report, element.initial_value, `${path}/initial_value`, 3000);
      break;
    case 'image':
      checkString(report, element.alt_text, `${path}/alt_text`, 2000, true);
      break;
    default:
      break;
  }
}

/**
 * Check blocks against Slack's documented limits. Returns Slack-style error strings; an
 * empty array means Slack would accept them.
 */
export function validateBlocks(blocks: unknown, surface: BlockSurface, basePath = '/blocks'): string[] {
  const errors: string[] = [];
  const report: Report = (message, path) => errors.push(`${message} [json-pointer:${path}]`);
  if (!Array.isArray(blocks)) {
    report('must be an array', basePath);
    return errors;
  }
  const max = surface === 'message' ? LIMITS.blocksPerMessage : LIMITS.blocksPerView;
  if (blocks.length > max) report(`no more than ${max} items allowed`, basePath);
  const blockIds = new Set<string>();
  blocks.forEach((block, i) => {
    const path = `${basePath}/${i}`;
    if (!isObject(block)) {
      report('must be an object', path);
      return;
    }
    const type = str(block.type);
    if (type === undefined || !BLOCK_TYPES.has(type)) {
      report(`unsupported block type ${JSON.stringify(block.type)}`, `${path}/type`);
      return;
    }
    if (block.block_id !== undefined) {
      checkString(report, block.block_id, `${path}/block_id`, LIMITS.id);
      if (typeof block.block_id === 'string') {
        if (blockIds.has(block.block_id)) report(`duplicate block_id ${JSON.stringify(block.block_id)}`, `${path}/block_id`);
        blockIds.add(block.block_id);
      }
    }
    // Slack wants action_ids unique within their block (state.values is keyed block → action).
    const actionIds = new Set<string>();
    const checkUniqueAction = (element: unknown, elementPath: string): void => {
      if (!isObject(element) || typeof element.action_id !== 'string') return;
      if (actionIds.has(element.action_id)) {
        report(`duplicate action_id ${JSON.stringify(element.action_id)}`, `${elementPath}/action_id`);
      }
      actionIds.add(element.action_id);
    };
    switch (type) {
      case 'section': {
        if (block.text === undefined && block.fields === undefined) {
          report('must provide either text or fields', path);
        }
        if (block.text !== undefined) checkText(report, block.text, `${path}/text`, { max: LIMITS.sectionText });
        if (block.fields !== undefined) {
          if (!Array.isArray(block.fields)) report('must be an array', `${path}/fields`);
          else {
            if (block.fields.length > LIMITS.sectionFields) {
              report(`no more than ${LIMITS.sectionFields} items allowed`, `${path}/fields`);
            }
            block.fields.forEach((f, j) => checkText(report, f, `${path}/fields/${j}`, { max: LIMITS.fieldText }));
          }
        }
        if (block.accessory !== undefined) {
          checkElement(report, block.accessory, `${path}/accessory`, new Set([...INTERACTIVE_TYPES, 'image']));
        }
        break;
      }
      case 'header':
        checkText(report, block.text, `${path}/text`, { max: LIMITS.headerText, plainOnly: true });
        break;
      case 'context': {
        const elements = block.elements;
        if (!Array.isArray(elements) || elements.length === 0) report('must contain at least 1 items', `${path}/elements`);
        else {
          if (elements.length > LIMITS.contextElements) {
            report(`no more than ${LIMITS.contextElements} items allowed`, `${path}/elements`);
          }
          elements.forEach((e, j) => {
            const ep = `${path}/elements/${j}`;
            if (isObject(e) && (e.type === 'plain_text' || e.type === 'mrkdwn')) {
              checkText(report, e, ep, { max: LIMITS.sectionText });
            } else checkElement(report, e, ep, new Set(['image']));
          });
        }
        break;
      }
      case 'actions': {
        const elements = block.elements;
        if (!Array.isArray(elements) || elements.length === 0) report('must contain at least 1 items', `${path}/elements`);
        else {
          if (elements.length > LIMITS.actionsElements) {
            report(`no more than ${LIMITS.actionsElements} items allowed`, `${path}/elements`);
          }
          elements.forEach((e, j) => {
            checkElement(report, e, `${path}/elements/${j}`, INTERACTIVE_TYPES);
            checkUniqueAction(e, `${path}/elements/${j}`);
          });
        }
        break;
      }
      case 'input':
        checkText(report, block.label, `${path}/label`, { max: LIMITS.inputLabel, plainOnly: true });
        checkText(report, block.hint, `${path}/hint`, { max: LIMITS.inputLabel, plainOnly: true, required: false });
        checkElement(report, block.element, `${path}/element`, INPUT_ELEMENT_TYPES);
        break;
      case 'image':
        checkString(report, block.alt_text, `${path}/alt_text`, 2000, true);
        if (block.image_url === undefined && block.slack_file === undefined) report('is required', `${path}/image_url`);
        break;
      default:
        break;
    }
  });
  return errors;
}

/** Check a view object for `views.open/update/push/publish` (title, buttons, blocks, metadata). */
export function validateView(view: unknown, basePath = '/view'): string[] {
  const errors: string[] = [];
  const report: Report = (message, path) => errors.push(`${message} [json-pointer:${path}]`);
  if (!isObject(view)) {
    report('must be an object', basePath);
    return errors;
  }
  const type = view.type;
  if (type !== 'modal' && type !== 'home') {
    report('must be modal or home', `${basePath}/type`);
    return errors;
  }
  if (type === 'modal') {
    checkText(report, view.title, `${basePath}/title`, { max: LIMITS.modalTitle, plainOnly: true });
    checkText(report, view.submit, `${basePath}/submit`, { max: LIMITS.modalButton, plainOnly: true, required: false });
    checkText(report, view.close, `${basePath}/close`, { max: LIMITS.modalButton, plainOnly: true, required: false });
    const hasInput = asArray(view.blocks).some((b) => isObject(b) && b.type === 'input');
    if (hasInput && view.submit === undefined) report('submit is required when the view has input blocks', `${basePath}/submit`);
  }
  checkString(report, view.private_metadata, `${basePath}/private_metadata`, LIMITS.privateMetadata);
  checkString(report, view.callback_id, `${basePath}/callback_id`, LIMITS.id);
  checkString(report, view.external_id, `${basePath}/external_id`, LIMITS.id);
  errors.push(...validateBlocks(view.blocks, type, `${basePath}/blocks`));
  return errors;
}

export interface ContentProblem {
  /** The Slack error code: `no_text`, `invalid_blocks`, `msg_too_long`. */
  error: string;
  errors: string[];
}

/** Check message content (`text`/`blocks`) the way chat.postMessage and response_url do. */
export function checkMessageContent(content: { text?: unknown; blocks?: unknown; attachments?: unknown }): ContentProblem | undefined {
  const hasText = typeof content.text === 'string' && content.text.length > 0;
  const hasBlocks = Array.isArray(content.blocks) && content.blocks.length > 0;
  const hasAttachments = Array.isArray(content.attachments) && content.attachments.length > 0;
  if (!hasText && !hasBlocks && !hasAttachments) return { error: 'no_text', errors: [] };
  if (typeof content.text === 'string' && content.text.length > LIMITS.messageText) return { error: 'msg_too_long', errors: [] };
  if (content.blocks !== undefined) {
    const errors = validateBlocks(content.blocks, 'message');
    if (errors.length > 0) return { error: 'invalid_blocks', errors };
  }
  return undefined;
}
