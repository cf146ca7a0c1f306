/**
 * Pure Block Kit helpers shared by the Slack stand-in, its driver, the demo and tests: finding
 * interactive elements (find.ts), rendering blocks as readable plain text (render.ts), and
 * checking the limits real Slack enforces (limits.ts, check-element.ts, validate.ts).
 *
 * Import from here (or from src/standin): the names below are the public ones. The other
 * exports of this folder's files (asArray, str, checkText, the type sets …) are for each other.
 */
export { isObject, textOf, type JsonObject } from './json';
export {
  findButtons,
  findElements,
  findInputs,
  findOverflows,
  findSelects,
  initialStateOf,
  optionsOf,
  type FoundButton,
  type FoundElement,
  type FoundInput,
  type FoundOption,
  type FoundOverflow,
} from './find';
export { listControls, mrkdwnToPlain, renderBlocks, renderMessage, type Control, type RenderOptions } from './render';
export { LIMITS, type BlockSurface } from './limits';
export { checkMessageContent, validateBlocks, validateView, type ContentProblem } from './validate';
