// The state a list message carries in its block ids, so its buttons re-run the same query.
import { isSavedView, type SavedView } from '../../domain/status';

/** Where a list message came from, so buttons on it can re-run the same query. */
export interface ListState {
  text: string;
  view: SavedView;
  offset: number;
}

const MAX_ENCODED = 200;

/** Compact, block_id-safe encoding (block ids are limited to 255 characters). */
export function encodeListState(s: ListState): string {
  let text = s.text;
  let q = Buffer.from(text, 'utf8').toString('base64url');
  while (q.length > MAX_ENCODED - 30 && text.length > 0) {
    text = text.slice(0, -1);
    q = Buffer.from(text, 'utf8').toString('base64url');
  }
  return `${s.view}.${Math.max(0, Math.trunc(s.offset))}.${q}`;
}

export function decodeListState(encoded: string): ListState | null {
  const m = /^([a-z0-9-]+)\.(\d{1,9})\.([A-Za-z0-9_-]*)$/.exec(encoded);
  if (!m || !isSavedView(m[1])) return null;
  return { view: m[1], offset: Number(m[2]), text: Buffer.from(m[3], 'base64url').toString('utf8') };
}
