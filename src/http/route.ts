import type { NextFunction, Request, Response } from 'express';

type AsyncHandler = (req: Request, res: Response) => Promise<void>;

/** Express 5 forwards rejected promises to the error handler; this keeps the types honest. */
export function route(fn: AsyncHandler) {
  return (req: Request, res: Response, next: NextFunction) => fn(req, res).catch(next);
}
