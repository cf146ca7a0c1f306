// src/http: the REST API, login, reset page and health routes — thin adapters over src/services.
// Never imports src/store or src/slack; src/server mounts it.
import express, { type Router } from 'express';
import type { Runtime } from '../app/runtime';
import { apiRoutes } from './api';
import { jsonBody } from './body';
import { healthRoute, type SlackHealth } from './health';
import { loginRoute } from './login';
import { resetPageRoutes } from './reset-page';
import { route } from './route';
import { scimRoutes } from './scim';

/** The product's own HTTP routes (everything but /slack/events). */
export function httpRoutes(rt: Runtime, opts: { slackHealth?: () => SlackHealth | null } = {}): Router {
  const router = express.Router();
  router.get('/healthz', route(healthRoute(rt, opts.slackHealth)));
  router.post('/api/v1/auth/login', ...jsonBody('8kb'), route(loginRoute(rt)));
  router.use(apiRoutes(rt));
  router.use(scimRoutes(rt));
  router.use(resetPageRoutes(rt));
  return router;
}
