/**
 * Blocks as readable plain text, and the clickable controls in the order they are displayed:
 * the numbering the driver presses by and the demo's terminal shows.
 */
import { findElements, optionsOf } from './find';
import { asArray, isObject, str, textOf } from './json';
import { SELECT_TYPES } from './limits';

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
