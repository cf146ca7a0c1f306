import type { Request } from 'express';

/** The client address (X-Forwarded-For is honoured only with TRUST_PROXY, through express's trust proxy). */
export function clientAddress(req: Request): string {
  return (req.ip ?? req.socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
}
