/**
 * Checks of one element, and of the text objects, strings, confirmation dialogs and options in
 * it, against Slack's limits. validate.ts walks the blocks and calls these; each problem is
 * reported the way Slack words it, with a `[json-pointer:…]` to where it is.
 */
import { optionsOf } from './find';
import { isObject, str, textOf, type JsonObject } from './json';
import { LIMITS } from './limits';

export type Report = (message: string, path: string) => void;

export function checkText(
  report: Report,
  value: unknown,
  path: string,
  opts: { max: number; plainOnly?: boolean; required?: boolean },
): void {
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

export function checkString(report: Report, value: unknown, path: string, max: number, required = false): void {
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

export function checkElement(report: Report, element: unknown, path: string, allowed: Set<string>): void {
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
      if (
        typeof element.initial_value === 'string' &&
        typeof element.max_length === 'number' &&
        element.initial_value.length > element.max_length
      ) {
        report('must not be longer than max_length', `${path}/initial_value`);
      }
      break;
    case 'image':
      checkString(report, element.alt_text, `${path}/alt_text`, 2000, true);
      break;
    default:
      break;
  }
}
