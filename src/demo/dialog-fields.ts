/**
 * One prompt per dialog field: text (one line or several), choices by number, external selects
 * searched through the app, users, dates and times; checked the way the Slack client checks them
 * before it sends anything. Each answer is the element state `view_submission` carries.
 */
import { isObject, optionsOf, textOf, type FoundInput, type JsonObject, type StandInView } from '../standin';
import { describeState, dim } from './render';
import type { DemoSession } from './session';

function isNumberList(text: string): boolean {
  return /^\d+(\s*,\s*\d+)*$/.test(text.trim());
}

function numbersIn(text: string): number[] {
  return text
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isSafeInteger(n));
}

/** Ask for one input; the element state to submit, or undefined to keep what it holds. */
export async function askInput(
  session: DemoSession,
  view: StandInView,
  input: FoundInput,
  current: unknown,
): Promise<JsonObject | undefined> {
  const type = input.type;
  const label = `${input.label}${input.optional ? ' (optional)' : ''}`;
  const shown = describeState(current);
  switch (type) {
    case 'plain_text_input':
    case 'email_text_input':
    case 'url_text_input':
    case 'number_input':
      return askText(session, input, label, shown);
    case 'static_select':
    case 'radio_buttons':
    case 'multi_static_select':
    case 'checkboxes':
      return askChoice(session, input, label, shown);
    case 'external_select':
    case 'multi_external_select':
      return askExternal(session, view, input, label, current);
    case 'users_select':
    case 'multi_users_select': {
      const ids = session.options.identities.map((i) => `${i.slackId} (@${i.username})`).join(', ');
      const answer = (await session.ask(`${label} — a Slack user id (${ids})${shown ? ` [${shown}]` : ''}: `)).trim();
      if (answer === '') return undefined;
      const users = answer.split(',').map((s) => s.trim());
      return type === 'users_select' ? { type, selected_user: users[0] } : { type, selected_users: users };
    }
    case 'datepicker': {
      const answer = (await session.ask(`${label} (YYYY-MM-DD)${shown ? ` [${shown}]` : ''}: `)).trim();
      return answer === '' ? undefined : { type, selected_date: answer };
    }
    case 'timepicker': {
      const answer = (await session.ask(`${label} (HH:MM)${shown ? ` [${shown}]` : ''}: `)).trim();
      return answer === '' ? undefined : { type, selected_time: answer };
    }
    default:
      session.print(dim(`(${label}: a ${type} cannot be filled in here; left as it is)`, session.options.color));
      return undefined;
  }
}

async function askText(session: DemoSession, input: FoundInput, label: string, shown: string): Promise<JsonObject | undefined> {
  const el = input.element;
  const min = typeof el.min_length === 'number' ? el.min_length : 0;
  const max = typeof el.max_length === 'number' ? el.max_length : 3000;
  for (;;) {
    let value: string;
    if (el.multiline === true) {
      const first = await session.ask(
        `${label} — several lines, end with a line holding only “.”${shown ? '; Enter keeps what is there' : ''}: `,
      );
      if (first === '') value = shown;
      else {
        const lines = [first];
        for (;;) {
          const next = await session.ask('… ');
          if (next === '.') break;
          lines.push(next);
        }
        value = lines.join('\n');
      }
    } else {
      const answer = await session.ask(`${label}${shown ? ` [Enter keeps “${shown}”]` : ''}: `);
      value = answer === '' ? shown : answer;
    }
    // The Slack client checks these before it sends anything.
    if (value === '' && !input.optional) {
      session.print('   Please fill out this field.');
      continue;
    }
    if (value !== '' && value.length < min) {
      session.print(`   Please lengthen this text to ${min} characters or more.`);
      continue;
    }
    if (value.length > max) {
      session.print(`   Please shorten this text to ${max} characters or fewer.`);
      continue;
    }
    return { type: input.type, value: value === '' ? null : value };
  }
}

async function askChoice(session: DemoSession, input: FoundInput, label: string, shown: string): Promise<JsonObject | undefined> {
  const options = optionsOf(input.element);
  const multi = input.type === 'multi_static_select' || input.type === 'checkboxes';
  session.print(`${label}:\n${options.map((o, i) => `   [${i + 1}] ${o.text}`).join('\n')}`);
  // Optional choices that already hold something can be emptied with "-".
  const clearable = shown !== '' && (input.optional || (multi && input.type === 'checkboxes'));
  for (;;) {
    const keep = shown ? `Enter keeps “${shown}”${clearable ? ', - for none' : ''}` : input.optional ? 'Enter for none' : '';
    const answer = (await session.ask(`   ${multi ? 'Numbers (e.g. 1,3)' : 'Number'}${keep ? `, ${keep}` : ''}: `)).trim();
    if (answer === '') {
      if (shown || input.optional) return undefined;
      session.print('   Please select an item in the list.');
      continue;
    }
    if (answer === '-' && clearable)
      return multi ? { type: input.type, selected_options: [] } : { type: input.type, selected_option: null };
    const picked = isNumberList(answer) ? numbersIn(answer).map((n) => options[n - 1]) : [];
    if (picked.length === 0 || picked.some((o) => o === undefined) || (!multi && picked.length > 1)) {
      session.print(`   Choose ${multi ? 'numbers' : 'a number'} between 1 and ${options.length}.`);
      continue;
    }
    const raws = picked.map((o) => structuredClone(o!.raw));
    return multi ? { type: input.type, selected_options: raws } : { type: input.type, selected_option: raws[0] };
  }
}

/** An external select: what is typed goes to the app as block_suggestion; its options are numbered. */
async function askExternal(
  session: DemoSession,
  view: StandInView,
  input: FoundInput,
  label: string,
  current: unknown,
): Promise<JsonObject | undefined> {
  const multi = input.type === 'multi_external_select';
  const minQuery = typeof input.element.min_query_length === 'number' ? input.element.min_query_length : 3;
  const picked: unknown[] =
    isObject(current) && Array.isArray(current.selected_options)
      ? [...current.selected_options]
      : isObject(current) && isObject(current.selected_option)
        ? [current.selected_option]
        : [];
  let changed = false;
  for (;;) {
    const chosen = picked.map((o) => (isObject(o) ? textOf(o.text) : '')).join('; ');
    const query = (await session.ask(`${label}: type to search${chosen ? ` (chosen: ${chosen})` : ''}, Enter when done: `)).trim();
    if (query === '') break;
    if (query.length < minQuery) {
      session.print(`   Type at least ${minQuery} characters.`);
      continue;
    }
    const res = await session.options.driver.suggest(session.me.slackId, view, input.actionId, query);
    const body = isObject(res.body) ? res.body : {};
    const options = optionsOf(body);
    if (options.length === 0) {
      session.print('   No matches.');
      continue;
    }
    session.print(options.map((o, i) => `   [${i + 1}] ${o.text}`).join('\n'));
    const answer = (await session.ask(`   ${multi ? 'Numbers (e.g. 1,3)' : 'Number'}, Enter for none: `)).trim();
    if (!isNumberList(answer)) continue;
    for (const n of numbersIn(answer)) {
      const option = options[n - 1];
      if (!option) continue;
      if (!multi) picked.splice(0, picked.length);
      if (!picked.some((p) => isObject(p) && p.value === option.value)) picked.push(structuredClone(option.raw));
      changed = true;
    }
    if (!multi && picked.length > 0) break;
  }
  if (!changed) return undefined;
  return multi ? { type: input.type, selected_options: picked } : { type: input.type, selected_option: picked[0] ?? null };
}
