/**
 * Block Kit as terminal text for the demo. Unlike the stand-in's `renderBlocks` (one surface,
 * buttons and overflows numbered from 1, made for test assertions), this numbers every control of
 * everything shown since the person last typed — select options included — so a typed number is
 * never ambiguous across the several messages one action can produce.
 */
import { isObject, mrkdwnToPlain, optionsOf, textOf, type JsonObject } from '../standin';

export type DemoControl =
  | { kind: 'button'; label: string; blockId: string; actionId: string; value?: string; url?: string; confirm?: unknown }
  | { kind: 'overflow'; label: string; blockId: string; actionId: string; value: string; confirm?: unknown }
  | { kind: 'select'; label: string; blockId: string; actionId: string; value: string };

export interface SurfaceRenderOptions {
  /** The number the first control gets. */
  firstNumber: number;
  userName?: (slackUserId: string) => string | undefined;
  /** Modal state by block and action id (initial values and what was typed), shown for inputs. */
  state?: Record<string, Record<string, unknown>>;
  /** `response_action: errors` by block id, shown under their inputs. */
  errors?: Record<string, string>;
  /** ANSI bold for `*bold*` and headers (only on a terminal). */
  color?: boolean;
  width?: number;
}

export interface RenderedSurface {
  text: string;
  controls: DemoControl[];
}

/** The shortcodes userops uses, and a few common ones; Slack shows them as emoji. */
const EMOJI: Record<string, string> = {
  warning: '⚠️',
  hourglass_flowing_sand: '⏳',
  hourglass: '⌛',
  x: '❌',
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  rotating_light: '🚨',
  outbox_tray: '📤',
  inbox_tray: '📥',
  information_source: 'ℹ️',
  lock: '🔒',
  unlock: '🔓',
  key: '🔑',
  email: '📧',
  envelope: '✉️',
  no_entry: '⛔',
  no_entry_sign: '🚫',
  bust_in_silhouette: '👤',
  busts_in_silhouette: '👥',
  mag: '🔍',
  tada: '🎉',
  bell: '🔔',
  house: '🏠',
  page_facing_up: '📄',
  red_circle: '🔴',
  large_green_circle: '🟢',
  large_yellow_circle: '🟡',
  white_circle: '⚪',
  black_circle: '⚫',
  arrows_counterclockwise: '🔄',
  wastebasket: '🗑️',
  clipboard: '📋',
  chart_with_upwards_trend: '📈',
  question: '❓',
  shield: '🛡️',
};

export function emojify(text: string): string {
  return text.replace(/:([a-z0-9_+-]+):/g, (all, name: string) => EMOJI[name] ?? all);
}

const BOLD = '\u001b[1m';
const DIM = '\u001b[2m';
const RESET = '\u001b[0m';

export function dim(text: string, color: boolean): string {
  return color ? `${DIM}${text}${RESET}` : text;
}

export function bold(text: string, color: boolean): string {
  return color ? `${BOLD}${text}${RESET}` : text;
}

function inline(text: string, opts: SurfaceRenderOptions, mrkdwn = true): string {
  let out = emojify(mrkdwn ? mrkdwnToPlain(text, { userName: opts.userName }) : text);
  if (opts.color && mrkdwn) out = out.replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s).,:;!?])/g, `$1${BOLD}$2${RESET}`);
  return out;
}

function textObject(value: unknown, opts: SurfaceRenderOptions): string {
  if (!isObject(value)) return '';
  return inline(textOf(value), opts, value.type === 'mrkdwn');
}

/** A field written as `*Label*\nvalue` reads best as `Label: value` on one line. */
function fieldText(value: unknown, opts: SurfaceRenderOptions): string {
  const raw = textOf(value);
  const lines = raw.split('\n');
  const label = /^\*([^*]+)\*$/.exec(lines[0] ?? '');
  if (label && lines.length > 1) return `${inline(label[1] ?? '', opts, false)}: ${inline(lines.slice(1).join(', '), opts)}`;
  return isObject(value) && value.type === 'mrkdwn' ? inline(raw, opts) : raw;
}

/** Terminal cells a string takes: ANSI codes and variation selectors take none, emoji take two. */
function visibleLength(s: string): number {
  let cells = 0;
  for (const ch of s.replace(/\u001b\[\d+m/g, '').replace(/\uFE0F/g, '')) cells += /\p{Extended_Pictographic}/u.test(ch) ? 2 : 1;
  return cells;
}

function columns(cells: string[], width: number): string[] {
  const colWidth = Math.min(Math.max(...cells.map(visibleLength), 0) + 4, Math.floor(width / 2));
  const rows: string[] = [];
  for (let i = 0; i < cells.length; i += 2) {
    const left = cells[i] ?? '';
    const right = cells[i + 1];
    if (right === undefined || visibleLength(left) >= colWidth) {
      rows.push(`  ${left}`);
      if (right !== undefined) rows.push(`  ${right}`);
    } else rows.push(`  ${left}${' '.repeat(colWidth - visibleLength(left))}${right}`);
  }
  return rows;
}

const SELECTS = new Set(['static_select', 'external_select', 'users_select', 'conversations_select', 'channels_select']);
const MULTI_SELECTS = new Set([
  'multi_static_select',
  'multi_external_select',
  'multi_users_select',
  'multi_conversations_select',
  'multi_channels_select',
]);

/** What an input currently holds, from its element state (`{type, value}`, `{selected_option}`, …). */
export function describeState(state: unknown): string {
  if (!isObject(state)) return '';
  if (typeof state.value === 'string') return state.value;
  if (isObject(state.selected_option)) return textOf(state.selected_option.text);
  if (Array.isArray(state.selected_options)) {
    return state.selected_options
      .filter(isObject)
      .map((o) => textOf(o.text))
      .join(', ');
  }
  for (const key of ['selected_user', 'selected_conversation', 'selected_channel', 'selected_date', 'selected_time']) {
    if (typeof state[key] === 'string') return state[key];
  }
  for (const key of ['selected_users', 'selected_conversations', 'selected_channels']) {
    const list = state[key];
    if (Array.isArray(list)) return list.map(String).join(', ');
  }
  return '';
}

/** Render blocks, numbering their controls from `opts.firstNumber`. */
export function renderSurface(blocks: unknown, opts: SurfaceRenderOptions): RenderedSurface {
  const width = opts.width ?? 72;
  const lines: string[] = [];
  const controls: DemoControl[] = [];
  const number = (control: DemoControl): string => {
    controls.push(control);
    return `[${opts.firstNumber + controls.length - 1}]`;
  };

  const element = (el: unknown, blockId: string): string => {
    if (!isObject(el)) return '';
    const type = typeof el.type === 'string' ? el.type : '';
    const actionId = typeof el.action_id === 'string' ? el.action_id : '';
    if (type === 'button') {
      const label = textOf(el.text);
      const control: DemoControl = { kind: 'button', label, blockId, actionId };
      if (typeof el.value === 'string') control.value = el.value;
      if (typeof el.url === 'string') control.url = el.url;
      if (el.confirm !== undefined) control.confirm = el.confirm;
      return `${number(control)} ${emojify(label)}${el.style === 'danger' ? ' (!)' : ''}`;
    }
    if (type === 'overflow') {
      const items = optionsOf(el).map((o) => {
        const control: DemoControl = { kind: 'overflow', label: o.text, blockId, actionId, value: o.value };
        if (el.confirm !== undefined) control.confirm = el.confirm;
        return `${number(control)} ${emojify(o.text)}`;
      });
      return `⋯ ${items.join('  ')}`;
    }
    if (SELECTS.has(type) || MULTI_SELECTS.has(type)) {
      const current = isObject(el.initial_option) ? textOf(el.initial_option.text) : textOf(el.placeholder) || 'choose';
      const options = optionsOf(el);
      if (options.length === 0) return `▾ ${current} (${type.replace(/_/g, ' ')})`;
      const items = options.map(
        (o) => `${number({ kind: 'select', label: o.text, blockId, actionId, value: o.value })} ${emojify(o.text)}`,
      );
      return `▾ ${current}: ${items.join('  ')}`;
    }
    if (type === 'image') return `[image: ${typeof el.alt_text === 'string' ? el.alt_text : ''}]`;
    if (type === 'plain_text' || type === 'mrkdwn') return textObject(el, opts);
    if (type === 'checkboxes' || type === 'radio_buttons')
      return optionsOf(el)
        .map((o) => `( ) ${o.text}`)
        .join('  ');
    return `<${type || 'element'}>`;
  };

  const input = (block: JsonObject): void => {
    const el = isObject(block.element) ? block.element : {};
    const blockId = typeof block.block_id === 'string' ? block.block_id : '';
    const actionId = typeof el.action_id === 'string' ? el.action_id : '';
    const state = opts.state?.[blockId]?.[actionId];
    const shown = describeState(state);
    const optional = block.optional === true ? ' (optional)' : '';
    lines.push(`${textOf(block.label)}${optional}: ${shown === '' ? dim('—', opts.color ?? false) : shown.replace(/\n/g, ' ⏎ ')}`);
    if (isObject(block.hint)) lines.push(dim(`  ${textObject(block.hint, opts)}`, opts.color ?? false));
    const error = opts.errors?.[blockId];
    if (error !== undefined) lines.push(`  ⚠️  ${error}`);
  };

  for (const block of Array.isArray(blocks) ? blocks : []) {
    if (!isObject(block)) continue;
    const blockId = typeof block.block_id === 'string' ? block.block_id : '';
    switch (block.type) {
      case 'header': {
        const text = textObject(block.text, opts);
        lines.push(bold(text, opts.color ?? false));
        break;
      }
      case 'divider':
        lines.push(dim('─'.repeat(Math.min(width, 40)), opts.color ?? false));
        break;
      case 'section': {
        if (block.text !== undefined) lines.push(textObject(block.text, opts));
        if (Array.isArray(block.fields))
          lines.push(
            ...columns(
              block.fields.map((f) => fieldText(f, opts)),
              width,
            ),
          );
        if (block.accessory !== undefined) lines.push(`  ${element(block.accessory, blockId)}`);
        break;
      }
      case 'context': {
        const parts = (Array.isArray(block.elements) ? block.elements : []).map((e) => element(e, blockId));
        lines.push(dim(`  › ${parts.join('  ')}`, opts.color ?? false));
        break;
      }
      case 'actions':
        lines.push((Array.isArray(block.elements) ? block.elements : []).map((e) => element(e, blockId)).join('   '));
        break;
      case 'input':
        input(block);
        break;
      case 'image':
        lines.push(`[image: ${typeof block.alt_text === 'string' ? block.alt_text : ''}]`);
        break;
      case 'rich_text':
        lines.push(inline(richText(block), opts, false));
        break;
      default:
        lines.push(`<${typeof block.type === 'string' ? block.type : 'block'}>`);
    }
  }
  return { text: lines.join('\n'), controls };
}

/** The words of a rich_text block, without its styling. */
function richText(block: JsonObject): string {
  const walk = (node: unknown): string => {
    if (!isObject(node)) return '';
    if (typeof node.text === 'string') return node.text;
    if (node.type === 'user' && typeof node.user_id === 'string') return `@${node.user_id}`;
    if (node.type === 'link' && typeof node.url === 'string') return node.url;
    return Array.isArray(node.elements) ? node.elements.map(walk).join(node.type === 'rich_text_list' ? '\n• ' : '') : '';
  };
  return walk(block);
}

/** Plain message text (no blocks) as the terminal shows it. */
export function renderText(text: string, opts: Pick<SurfaceRenderOptions, 'userName' | 'color'>): string {
  return inline(text, { firstNumber: 1, ...opts });
}

/** The links in a mail body: what someone would click. */
export function linksIn(text: string): string[] {
  return [...new Set(text.match(/https?:\/\/[^\s<>"')]+/g) ?? [])];
}
