import type { Request, Response } from 'express';
import { projectResource } from '../../domain/scim';
import type { Ctx } from '../../services/context';
import { getScimGroup, listScimGroups, patchScimGroup } from '../../services/scim-groups';
import { scimActor } from './auth';
import { paging } from './paging';
import { projection, sendList, sendScim, sendScimError, sendScimFailure } from './respond';

export function listGroupsRoute(ctx: Ctx) {
  return async (req: Request, res: Response): Promise<void> => {
    const page = paging(req.query);
    if (!page.ok) return sendScimError(res, 400, page.detail, 'invalidValue');
    const filter = typeof req.query.filter === 'string' ? req.query.filter : undefined;
    const out = await listScimGroups(ctx, scimActor(res), { filter, startIndex: page.startIndex, count: page.count });
    if (!out.ok) return sendScimFailure(res, out);
    sendList(res, out, projection(req.query));
  };
}

export function getGroupRoute(ctx: Ctx) {
  return async (req: Request, res: Response): Promise<void> => {
    const out = await getScimGroup(ctx, scimActor(res), String(req.params.id));
    if (!out.ok) return sendScimFailure(res, out);
    sendScim(res, 200, projectResource(out.resource, projection(req.query)));
  };
}

export function patchGroupRoute(ctx: Ctx) {
  return async (req: Request, res: Response): Promise<void> => {
    const out = await patchScimGroup(ctx, scimActor(res), String(req.params.id), req.body);
    if (!out.ok) return sendScimFailure(res, out);
    sendScim(res, 200, projectResource(out.resource, projection(req.query)));
  };
}

/** Groups are the organization's roles: they cannot be created, replaced or deleted. */
export function fixedGroupsRoute() {
  return async (_req: Request, res: Response): Promise<void> =>
    sendScimError(
      res,
      405,
      'Groups are the organization’s roles (administrator, security, helpdesk, viewer); change their members with PATCH.',
      'mutability',
    );
}
