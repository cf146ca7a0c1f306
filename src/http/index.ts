import express, { type Router } from 'express';
import type { Runtime } from '../app/runtime';
import { healthRoute } from './health';

/** The product's own HTTP routes (everything but /slack/events). */
export function httpRoutes(rt: Runtime): Router {
  const router = express.Router();
  router.get('/healthz', healthRoute(rt));
  return router;
}
