// Readers of a modal submission's state values.
import type { ViewSubmitAction } from '@slack/bolt';

/**
 * Readers of a view_submission's `state.values`. Slack sends known shapes, but the payload is
 * still input: a missing block, a number where text belongs or an object instead of a list reads
 * as "nothing entered" here, so a handler never throws before it acks. NUL characters (which no
 * Slack client lets anyone type) are dropped: neither database takes them in a text value.
 */

const NUL = /\u0000/g;

export type StateValues = ViewSubmitAction['view']['state']['values'];

function element(values: StateValues | undefined, blockId: string, actionId: string): Record<string, unknown> | null {
  const e: unknown = values?.[blockId]?.[actionId];
  return e !== null && typeof e === 'object' ? (e as Record<string, unknown>) : null;
}

function optionValue(option: unknown): string | null {
  const v = option !== null && typeof option === 'object' ? (option as { value?: unknown }).value : undefined;
  return typeof v === 'string' ? v.replace(NUL, '') : null;
}

/** What was typed in a plain_text_input ('' when nothing, or not text). */
export function inputText(values: StateValues | undefined, blockId: string, actionId = 'value'): string {
  const v = element(values, blockId, actionId)?.value;
  return typeof v === 'string' ? v.replace(NUL, '') : '';
}

/** The value of a static/external select's chosen option, or null. */
export function selectedValue(values: StateValues | undefined, blockId: string, actionId = 'value'): string | null {
  return optionValue(element(values, blockId, actionId)?.selected_option);
}

/** The values of a multi select's or checkboxes' chosen options (those that are text). */
export function selectedValues(values: StateValues | undefined, blockId: string, actionId = 'value'): string[] {
  const options = element(values, blockId, actionId)?.selected_options;
  return Array.isArray(options) ? options.map(optionValue).filter((v): v is string => v !== null) : [];
}
