/**
 * Blocks, views and message content checked the way Slack checks them, so that a test fails
 * here the way production would fail there. Errors imitate Slack's `[json-pointer:…]` form.
 */
import { checkElement, checkString, checkText, type Report } from './check-element';
import { asArray, isObject, str } from './json';
import { BLOCK_TYPES, INPUT_ELEMENT_TYPES, INTERACTIVE_TYPES, LIMITS, type BlockSurface } from './limits';

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
