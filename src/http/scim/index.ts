import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Runtime } from '../../app/runtime';
import { route } from '../route';
import { scimAuth } from './auth';
import { scimBody } from './body';
import { resourceTypesRoute, schemasRoute, serviceProviderConfigRoute } from './discovery';
import { fixedGroupsRoute, getGroupRoute, listGroupsRoute, patchGroupRoute } from './groups';
import { sendScimError } from './respond';
import { createUserRoute, deleteUserRoute, getUserRoute, listUsersRoute, patchUserRoute, replaceUserRoute } from './users';

/**
 * SCIM 2.0 (RFC 7644) under /scim/v2 for identity providers: a thin adapter over
 * src/services/scim-*.ts. Every route needs an organization's SCIM token, checked before a body is
 * read; every answer, refusals included, is `application/scim+json`. Paths are written in full, as
 * in the REST API, so the route table reads as written.
 */
export function scimRoutes(rt: Runtime): Router {
  const router = express.Router();
  const auth = scimAuth(rt);
  const body = scimBody();
  const B = '/scim/v2';
  router.get(`${B}/ServiceProviderConfig`, auth, route(serviceProviderConfigRoute(rt)));
  router.get(`${B}/ResourceTypes`, auth, route(resourceTypesRoute(rt)));
  router.get(`${B}/ResourceTypes/:id`, auth, route(resourceTypesRoute(rt)));
  router.get(`${B}/Schemas`, auth, route(schemasRoute(rt)));
  router.get(`${B}/Schemas/:id`, auth, route(schemasRoute(rt)));
  router.get(`${B}/Users`, auth, route(listUsersRoute(rt)));
  router.post(`${B}/Users`, auth, ...body, route(createUserRoute(rt)));
  router.get(`${B}/Users/:id`, auth, route(getUserRoute(rt)));
  router.put(`${B}/Users/:id`, auth, ...body, route(replaceUserRoute(rt)));
  router.patch(`${B}/Users/:id`, auth, ...body, route(patchUserRoute(rt)));
  router.delete(`${B}/Users/:id`, auth, route(deleteUserRoute(rt)));
  router.get(`${B}/Groups`, auth, route(listGroupsRoute(rt)));
  router.post(`${B}/Groups`, auth, route(fixedGroupsRoute()));
  router.get(`${B}/Groups/:id`, auth, route(getGroupRoute(rt)));
  router.patch(`${B}/Groups/:id`, auth, ...body, route(patchGroupRoute(rt)));
  router.put(`${B}/Groups/:id`, auth, route(fixedGroupsRoute()));
  router.delete(`${B}/Groups/:id`, auth, route(fixedGroupsRoute()));
  // A path under /scim/v2 that is not served: a SCIM 404, not the HTML of express.
  router.use(B, (_req: Request, res: Response) => sendScimError(res, 404, 'No such SCIM endpoint.'));
  // Anything thrown under /scim/v2 (a bug or an outage) still answers in SCIM's shape, without the error's text.
  router.use(B, (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    rt.logger.error('SCIM request failed', { error: err instanceof Error ? err.message : String(err) });
    sendScimError(res, 500, 'The server could not answer this request; try again.');
  });
  return router;
}
