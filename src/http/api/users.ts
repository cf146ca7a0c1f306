import type { Request, Response } from 'express';
import { z } from 'zod';
import { isSavedView, SAVED_VIEWS, type SavedView } from '../../domain/status';
import { sha256Hex } from '../../domain/tokens';
import type { Ctx } from '../../services/context';
import { getUser, MAX_PAGE_SIZE, pageUsers } from '../../services/directory';
import { sendError } from '../errors';
import { hasNoNul, NO_NUL } from '../text';
import { apiIdentity } from './auth';
import { sendFailure, sendInvalid } from './respond';

export const DEFAULT_PAGE_SIZE = 50;
const LIMIT_RULE = `must be a whole number from 1 to ${MAX_PAGE_SIZE}`;

const ListQuery = z.strictObject(
  {
    view: z
      .string({ error: 'must be given once, as text' })
      .refine((v): v is SavedView => isSavedView(v), { error: `must be one of ${SAVED_VIEWS.join(', ')} or dormant-DAYS` })
      .transform((v) => v as SavedView)
      .optional(),
    q: z
      .string({ error: 'must be given once, as text' })
      .max(200, { error: 'must be at most 200 characters' })
      .refine(hasNoNul, NO_NUL)
      .optional(),
    limit: z.coerce
      .number({ error: LIMIT_RULE })
      .int({ error: LIMIT_RULE })
      .min(1, { error: LIMIT_RULE })
      .max(MAX_PAGE_SIZE, { error: LIMIT_RULE })
      .optional(),
    cursor: z.string({ error: 'must be given once' }).max(200, { error: 'is not a cursor this API returned' }).optional(),
  },
  {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `unknown parameter ${iss.keys.join(', ')}; the parameters are view, q, limit and cursor`
        : undefined,
  },
);

const UserIdParam = z.object({ id: z.string().regex(/^[1-9]\d{0,14}$/, { error: 'must be a user id (a positive whole number)' }) });

/**
 * Cursors are opaque to clients: the last id of the page and a fingerprint of the filters, so a
 * cursor reused with another view or search is refused instead of silently skipping users.
 */
function filterPrint(view: SavedView, q: string): string {
  return sha256Hex(`${view}\u0000${q}`).slice(0, 12);
}

export function encodeCursor(lastId: number, view: SavedView, q: string): string {
  return Buffer.from(JSON.stringify({ a: lastId, f: filterPrint(view, q) }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, view: SavedView, q: string): number | 'invalid' | 'other_filters' {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { a?: unknown; f?: unknown };
    if (!Number.isSafeInteger(v.a) || (v.a as number) < 0 || typeof v.f !== 'string') return 'invalid';
    return v.f === filterPrint(view, q) ? (v.a as number) : 'other_filters';
  } catch {
    return 'invalid';
  }
}

/** GET /api/v1/users?view=&q=&limit=&cursor= — users of the key's organization, in id order. */
export function listUsersRoute(ctx: Ctx) {
  return async (req: Request, res: Response): Promise<void> => {
    const parsed = ListQuery.safeParse(req.query);
    if (!parsed.success) return sendInvalid(res, parsed.error.issues, 'query');
    const view = parsed.data.view ?? 'all';
    const q = (parsed.data.q ?? '').trim();
    let afterId: number | undefined;
    if (parsed.data.cursor !== undefined) {
      const decoded = decodeCursor(parsed.data.cursor, view, q);
      if (decoded === 'invalid') return sendError(res, 400, 'invalid_cursor', 'cursor: is not a cursor this API returned.');
      if (decoded === 'other_filters') {
        return sendError(
          res,
          400,
          'invalid_cursor',
          'cursor: was returned for another view or search; keep view and q the same while paging.',
        );
      }
      afterId = decoded;
    }
    const page = await pageUsers(ctx, apiIdentity(res).actor, { view, text: q, afterId, limit: parsed.data.limit ?? DEFAULT_PAGE_SIZE });
    if (!page.ok) return sendFailure(res, page);
    res.status(200).json({ users: page.users, nextCursor: page.lastId === null ? null : encodeCursor(page.lastId, view, q) });
  };
}

/** GET /api/v1/users/:id — one user of the key's organization; 404 for everyone else. */
export function getUserRoute(ctx: Ctx) {
  return async (req: Request, res: Response): Promise<void> => {
    const parsed = UserIdParam.safeParse(req.params);
    if (!parsed.success) return sendInvalid(res, parsed.error.issues, 'path');
    const found = await getUser(ctx, apiIdentity(res).actor, { id: Number(parsed.data.id) });
    if (!found.ok) return sendFailure(res, found);
    res.status(200).json({ user: found.user });
  };
}
