import type { Request, Response } from 'express';
import { projectResource } from '../../domain/scim';
import type { Ctx } from '../../services/context';
import { createScimUser, deleteScimUser, getScimUser, listScimUsers, patchScimUser, replaceScimUser } from '../../services/scim-users';
import { scimActor } from './auth';
import { paging } from './paging';
import { projection, sendList, sendScim, sendScimError, sendScimFailure } from './respond';

const idOf = (req: Request) => String(req.params.id);

export function listUsersRoute(ctx: Ctx) {
  return async (req: Request, res: Response): Promise<void> => {
    const page = paging(req.query);
    if (!page.ok) return sendScimError(res, 400, page.detail, 'invalidValue');
    const filter = typeof req.query.filter === 'string' ? req.query.filter : undefined;
    const out = await listScimUsers(ctx, scimActor(res), { filter, startIndex: page.startIndex, count: page.count });
    if (!out.ok) return sendScimFailure(res, out);
    sendList(res, out, projection(req.query));
  };
}

export function getUserRoute(ctx: Ctx) {
  return async (req: Request, res: Response): Promise<void> => {
    const out = await getScimUser(ctx, scimActor(res), idOf(req));
    if (!out.ok) return sendScimFailure(res, out);
    sendScim(res, 200, projectResource(out.resource, projection(req.query)));
  };
}

export function createUserRoute(ctx: Ctx) {
  return async (req: Request, res: Response): Promise<void> => {
    const out = await createScimUser(ctx, scimActor(res), req.body);
    if (!out.ok) return sendScimFailure(res, out);
    sendScim(res, 201, projectResource(out.resource, projection(req.query)), out.resource.meta.location);
  };
}

export function replaceUserRoute(ctx: Ctx) {
  return async (req: Request, res: Response): Promise<void> => {
    const out = await replaceScimUser(ctx, scimActor(res), idOf(req), req.body);
    if (!out.ok) return sendScimFailure(res, out);
    sendScim(res, 200, projectResource(out.resource, projection(req.query)));
  };
}

export function patchUserRoute(ctx: Ctx) {
  return async (req: Request, res: Response): Promise<void> => {
    const out = await patchScimUser(ctx, scimActor(res), idOf(req), req.body);
    if (!out.ok) return sendScimFailure(res, out);
    sendScim(res, 200, projectResource(out.resource, projection(req.query)));
  };
}

export function deleteUserRoute(ctx: Ctx) {
  return async (req: Request, res: Response): Promise<void> => {
    const out = await deleteScimUser(ctx, scimActor(res), idOf(req));
    if (!out.ok) return sendScimFailure(res, out);
    res.status(204).end();
  };
}
