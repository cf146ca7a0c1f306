import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Ctx } from '../../services/context';
import { registerRecord, unregisterRecord } from '../../services/records';
import { hasNoNul, NO_NUL } from '../text';
import { apiIdentity } from './auth';
import { sendFailure, sendInvalid } from './respond';

const RecordParams = z.object({
  entity: z.string().max(100, { error: 'must be at most 100 characters' }),
  id: z.string().max(200, { error: 'must be at most 200 characters' }),
});

const OWNER_RULE = 'a username, an email or a user id';

const RecordBody = z.strictObject(
  {
    owner: z.union([z.string().trim().min(1).max(254).refine(hasNoNul, NO_NUL), z.number().int().positive().transform(String)], {
      error: (iss) => (iss.input === undefined ? `is required: ${OWNER_RULE}` : `must be ${OWNER_RULE}`),
    }),
  },
  {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `unknown field ${iss.keys.join(', ')}; the only field is owner`
        : iss.code === 'invalid_type'
          ? 'must be a JSON object such as {"owner": "ana"}'
          : undefined,
  },
);

/** PUT /api/v1/records/:entity/:id {owner} — 201 created, 200 moved or unchanged. */
export function putRecordRoute(ctx: Ctx) {
  return async (req: Request, res: Response): Promise<void> => {
    const params = RecordParams.safeParse(req.params);
    if (!params.success) return sendInvalid(res, params.error.issues, 'path');
    const body = RecordBody.safeParse(req.body);
    if (!body.success) return sendInvalid(res, body.error.issues, 'body');
    const done = await registerRecord(ctx, apiIdentity(res).actor, {
      entity: params.data.entity,
      entityId: params.data.id,
      owner: body.data.owner,
    });
    if (!done.ok) return sendFailure(res, done);
    res.status(done.created ? 201 : 200).json({ record: done.record, changed: done.changed });
  };
}

/** DELETE /api/v1/records/:entity/:id — 204, or 404 when it was not registered. */
export function deleteRecordRoute(ctx: Ctx) {
  return async (req: Request, res: Response): Promise<void> => {
    const params = RecordParams.safeParse(req.params);
    if (!params.success) return sendInvalid(res, params.error.issues, 'path');
    const done = await unregisterRecord(ctx, apiIdentity(res).actor, { entity: params.data.entity, entityId: params.data.id });
    if (!done.ok) return sendFailure(res, done);
    res.status(204).end();
  };
}
