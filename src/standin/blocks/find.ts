/**
 * Finding interactive elements in blocks: buttons, overflow menus, selects and inputs with
 * their options, and the state Slack reports for an element nobody has touched yet.
 */
import { asArray, isObject, str, textOf, type JsonObject } from './json';
import { SELECT_TYPES } from './limits';

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
