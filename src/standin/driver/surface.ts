/** What a user interacts with (a message or a view): its blocks, a name for errors, whether they can use it. */
import type { StandInMessage, StandInView } from '../web-api';

export type Surface = StandInMessage | StandInView;

export function isView(surface: Surface): surface is StandInView {
  return 'kind' in surface && 'stack' in surface;
}

export function blocksOf(surface: Surface): unknown[] {
  if (isView(surface)) return Array.isArray(surface.view.blocks) ? surface.view.blocks : [];
  return surface.blocks ?? [];
}

/** Whether visible text matches what a test asked for (trimmed string, or a RegExp). */
export function matches(text: string, wanted: string | RegExp): boolean {
  return typeof wanted === 'string' ? text.trim() === wanted.trim() : wanted.test(text);
}

export function describe(surface: Surface): string {
  return isView(surface)
    ? `view ${surface.id} (${String(surface.view.callback_id ?? '') || surface.kind})`
    : `message ${surface.ts} in ${surface.channel}`;
}

/** Throw when the user could not see or use the surface in Slack. */
export function assertUsable(userId: string, on: Surface): void {
  if (isView(on)) {
    if (on.closed) throw new Error(`${describe(on)} is closed; the user cannot interact with it`);
    if (on.kind === 'modal' && on.stack[on.stack.length - 1] !== on.id) {
      throw new Error(`${describe(on)} is under another view of its stack; only the top view is visible`);
    }
    if (on.userId !== undefined && on.userId !== userId) {
      throw new Error(`${describe(on)} belongs to ${on.userId}; ${userId} cannot see it`);
    }
    return;
  }
  if (on.deleted) throw new Error(`${describe(on)} was deleted`);
  if (on.ephemeral && on.visibleTo !== undefined && on.visibleTo !== userId) {
    throw new Error(`${describe(on)} is ephemeral to ${on.visibleTo}; ${userId} cannot see it`);
  }
}
