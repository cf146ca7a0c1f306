import express, { type Router } from 'express';
import type { Runtime } from '../app/runtime';
import { apiRoutes } from './api';
import { formBody, jsonBody } from './body';
import { healthRoute, type SlackHealth } from './health';
import { loginRoute } from './login';
import { resetForm, resetPageHeaders, resetSubmit } from './reset-page';
import { route } from './route';

/** The product's own HTTP routes (everything but /slack/events). */
export function httpRoutes(rt: Runtime, opts: { slackHealth?: () => SlackHealth | null } = {}): Router {
  const router = express.Router();
  router.get('/healthz', route(healthRoute(rt, opts.slackHealth)));
  router.post('/api/v1/auth/login', ...jsonBody('8kb'), route(loginRoute(rt)));
  router.use(apiRoutes(rt));
  router.get('/password/reset/:token', resetPageHeaders, route(resetForm(rt)));
  router.post('/password/reset/:token', resetPageHeaders, formBody('8kb'), route(resetSubmit(rt)));
  return router;
}
