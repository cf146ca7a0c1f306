/**
 * Numbered controls: the numbers the demo gives the buttons, menu items and select options it
 * shows, and pressing one (its confirm dialog asked first), as the Slack client would send it.
 */
import { isObject, isView, listControls, textOf, type JsonObject, type Surface } from '../standin';
import { bold, dim, renderText, type DemoControl } from './render';
import type { DemoSession } from './session';

export type SurfaceRef = { kind: 'message'; id: string } | { kind: 'view'; id: string };

export interface Numbered {
  control: DemoControl;
  on: SurfaceRef;
}

/** The controls of the latest output, numbered from 1 across every message and view it showed. */
export class ControlNumbers {
  private numbered: Numbered[] = [];
  /** Increases with every line typed at the main prompt; numbers restart at 1 after it. */
  private turn = 0;
  private numberedTurn = -1;

  /** A line was typed at the main prompt: the next output numbers its controls from 1 again. */
  newTurn(): void {
    this.turn += 1;
  }

  /** The number the next control gets; the first output after a typed line starts again at 1. */
  next(): number {
    if (this.numberedTurn !== this.turn) {
      this.numbered = [];
      this.numberedTurn = this.turn;
    }
    return this.numbered.length + 1;
  }

  add(controls: DemoControl[], on: SurfaceRef): void {
    for (const control of controls) this.numbered.push({ control, on });
  }

  /** Control number `n` (1-based), if the latest output has it. */
  get(n: number): Numbered | undefined {
    return this.numbered[n - 1];
  }

  get count(): number {
    return this.numbered.length;
  }

  clear(): void {
    this.numbered = [];
  }
}

function blocksOf(surface: Surface): unknown[] {
  if (isView(surface)) return Array.isArray(surface.view.blocks) ? surface.view.blocks : [];
  return surface.blocks ?? [];
}

function yes(answer: string, confirmLabel = ''): boolean {
  const a = answer.trim().toLowerCase();
  return a === 'y' || a === 'yes' || (confirmLabel !== '' && a === confirmLabel.toLowerCase());
}

function resolve(session: DemoSession, ref: SurfaceRef): Surface | undefined {
  const { standIn } = session.options;
  if (ref.kind === 'view') {
    const view = standIn.views.get(ref.id);
    return view && !view.closed ? view : undefined;
  }
  const message = standIn.messages.find((m) => m.id === ref.id);
  return message && !message.deleted ? message : undefined;
}

/** Ask a control's confirm dialog, then send the click; false if nothing was sent. */
export async function activate(session: DemoSession, entry: Numbered): Promise<boolean> {
  const { control } = entry;
  const { driver, color } = session.options;
  const surface = resolve(session, entry.on);
  if (!surface) {
    session.print('That message or view is gone.');
    return false;
  }
  if (control.kind !== 'select' && control.confirm !== undefined && !(await askConfirm(session, control.confirm))) {
    session.print(dim('Cancelled; nothing was sent.', color));
    return false;
  }
  if (control.kind === 'button' && control.url) session.print(`(Slack opens ${control.url} in the browser)`);
  if (control.kind === 'select') {
    await driver.selectOption(session.me.slackId, surface, control.actionId, control.value);
    return true;
  }
  const index = listControls(blocksOf(surface)).findIndex(
    (c) =>
      c.kind === control.kind &&
      c.blockId === control.blockId &&
      c.actionId === control.actionId &&
      c.label === control.label &&
      (c.value ?? '') === (control.value ?? ''),
  );
  if (index < 0) {
    session.print(`“${control.label}” is no longer there; the message changed (see its new numbers above).`);
    return false;
  }
  await driver.pressControl(session.me.slackId, surface, index + 1);
  return true;
}

/** A Block Kit `confirm` object as a y/n question, as the Slack client asks before sending. */
async function askConfirm(session: DemoSession, confirm: unknown): Promise<boolean> {
  const { color } = session.options;
  const c: JsonObject = isObject(confirm) ? confirm : {};
  const title = textOf(c.title) || 'Are you sure?';
  const text = renderText(textOf(c.text), { userName: session.userName, color });
  const ok = textOf(c.confirm) || 'Yes';
  const deny = textOf(c.deny) || 'Cancel';
  session.print(`❔ ${bold(title, color)}${text ? `\n   ${text}` : ''}`);
  return yes(await session.ask(`   ${ok} (y) or ${deny} (n)? `), ok);
}
