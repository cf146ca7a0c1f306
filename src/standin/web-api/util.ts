/** Small helpers the stand-in's modules share: Slack-style ids, argument coercion, gates. */
import { randomBytes } from 'node:crypto';

import { isObject } from '../blocks';

/** How long a held request waits for its gate to be released (see SlackStandIn.expectAck). */
const GATE_MAX_MS = 5_000;

export interface Gate {
  promise: Promise<void>;
  release: () => void;
}

export function alnum(n: number): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const bytes = randomBytes(n);
  let out = '';
  for (const b of bytes) out += chars[b % chars.length];
  return out;
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function truthy(value: unknown): boolean {
  return value === true || value === 'true' || value === '1';
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}

/**
 * Slack stores every block with a block_id and every interactive element with an action_id,
 * inventing random ones when the app sent none; the driver needs them to build payloads.
 */
export function withSlackIds(blocks: unknown[]): unknown[] {
  const copy = clone(blocks);
  for (const block of copy) {
    if (!isObject(block)) continue;
    if (typeof block.block_id !== 'string') block.block_id = alnum(5);
    const elements: unknown[] = [];
    if (block.type === 'section') elements.push(block.accessory);
    if (block.type === 'actions' && Array.isArray(block.elements)) elements.push(...block.elements);
    if (block.type === 'input') elements.push(block.element);
    for (const element of elements) {
      if (isObject(element) && element.type !== 'image' && typeof element.action_id !== 'string') {
        element.action_id = alnum(5);
      }
    }
  }
  return copy;
}

/** A gate that opens when released, or by itself after GATE_MAX_MS so nothing waits forever. */
export function openGate(): Gate {
  let release = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, GATE_MAX_MS);
    timer.unref();
    release = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { promise, release };
}
