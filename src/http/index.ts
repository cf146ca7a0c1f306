import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Runtime } from '../app/runtime';
import { apiRoutes } from './api';
import { formBody, jsonBody } from './body';
import { healthRoute } from './health';
import { loginRoute } from './login';
import { resetForm, resetPageHeaders, resetSubmit } from './reset-page';

type AsyncHandler = (req: Request, res: Response) => Promise<void>;

/** Express 5 forwards rejected promises to the error handler; this keeps the types honest. */
export function route(fn: AsyncHandler) {
  return (req: Request, res: Response, next: NextFunction) => fn(req, res).catch(next);
}

/** The product's own HTTP routes (everything but /slack/events). */
export function httpRoutes(rt: Runtime): Router {
  const router = express.Router();
  router.get('/healthz', route(healthRoute(rt)));
  router.post('/api/v1/auth/login', ...jsonBody('8kb'), route(loginRoute(rt)));
  router.use(apiRoutes(rt));
  router.get('/password/reset/:token', resetPageHeaders, route(resetForm(rt)));
  router.post('/password/reset/:token', resetPageHeaders, formBody('8kb'), route(resetSubmit(rt)));
  return router;
}
