import express, { type Router } from 'express';
import type { Runtime } from '../../app/runtime';
import { jsonBody } from '../body';
import { route } from '../route';
import { apiKeyAuth } from './auth';
import { deleteRecordRoute, putRecordRoute } from './records';
import { getUserRoute, listUsersRoute } from './users';

/**
 * The REST API for integrations (API-key auth, scoped to the key's organization). Paths are full,
 * not mounted under a prefix, so /api/v1/auth/login (no key) stays outside the key check and the
 * route table can be read from the router as written (test/http/openapi.test.ts).
 */
export function apiRoutes(rt: Runtime): Router {
  const router = express.Router();
  // The key is checked before the body is read: nobody without a key gets JSON parsed for them.
  const auth = apiKeyAuth(rt);
  router.get('/api/v1/users', auth, route(listUsersRoute(rt)));
  router.get('/api/v1/users/:id', auth, route(getUserRoute(rt)));
  router.put('/api/v1/records/:entity/:id', auth, ...jsonBody('4kb'), route(putRecordRoute(rt)));
  router.delete('/api/v1/records/:entity/:id', auth, route(deleteRecordRoute(rt)));
  return router;
}
