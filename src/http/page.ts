import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { constantTimeEqual } from '../domain/tokens';
import type { Ctx } from '../services/context';

/**
 * What every HTML page under /password/ shares: its headers, how it is sent, and the double-submit
 * CSRF check (a random value in a SameSite=Strict cookie scoped to the page's path, and in the form).
 */

const CSRF_COOKIE = 'userops_csrf';

/** Headers for every page: no referrer (a URL may hold a secret), no caching, no framing, nothing external. */
function setPageHeaders(res: Response): void {
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  );
}

/** The one way a page under /password/ is sent. */
export function sendPage(res: Response, status: number, html: string): void {
  setPageHeaders(res);
  res.status(status).type('html').send(html);
}

function readCookie(req: Request, name: string): string | null {
  const header = req.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k !== name) continue;
    try {
      return decodeURIComponent(v.join('='));
    } catch {
      return null; // a cookie we did not write: the CSRF check fails, as for a missing one
    }
  }
  return null;
}

/** A fresh CSRF value, set as the cookie for `path`; the caller puts it in the form. */
export function issueCsrf(ctx: Ctx, res: Response, path: string): string {
  const value = randomBytes(24).toString('base64url');
  const secure = ctx.config.PUBLIC_URL.startsWith('https:') ? '; Secure' : '';
  res.setHeader('Set-Cookie', `${CSRF_COOKIE}=${value}; Path=${path}; HttpOnly; SameSite=Strict; Max-Age=3600${secure}`);
  return value;
}

export function clearCsrf(res: Response, path: string): void {
  res.setHeader('Set-Cookie', `${CSRF_COOKIE}=; Path=${path}; HttpOnly; SameSite=Strict; Max-Age=0`);
}

/** The form's csrf field equals the cookie. */
export function csrfMatches(req: Request, body: Record<string, unknown>): boolean {
  const field = typeof body.csrf === 'string' ? body.csrf : '';
  const cookie = readCookie(req, CSRF_COOKIE);
  return Boolean(cookie && field && constantTimeEqual(cookie, field));
}
