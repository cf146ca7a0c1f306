import type { Request } from 'express';

/**
 * The client address: the one place a request's address is derived (login throttle, audit,
 * lockout digest). X-Forwarded-For counts only through express's 'trust proxy', set from
 * TRUST_PROXY: unset, the socket address; a hop count, the address that many hops back; a list,
 * the nearest address that is not a listed proxy. A client's own X-Forwarded-For entries count
 * only if TRUST_PROXY claims more hops than there are, or lists every address (warned at start).
 */
export function clientAddress(req: Request): string {
  return (req.ip ?? req.socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
}
