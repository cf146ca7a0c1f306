/**
 * One webhook attempt: POST the body to the URL, connecting only to an address vetted at this
 * moment (src/lib/webhook-target.ts), within a timeout, never following a redirect (a 3xx is a
 * failure: a receiver that moved must be re-registered, and a redirect could point anywhere).
 */
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { resolveVetted } from './webhook-target';

export type PostResult = { ok: true; status: number } | { ok: false; status: number | null; error: string };

/** Body bytes of an answer read before it is dropped: a receiver cannot make the sender hold megabytes. */
const MAX_ANSWER_BYTES = 64 * 1024;

export async function postWebhook(
  target: string,
  headers: Record<string, string>,
  body: string,
  opts: { timeoutMs: number; allowPrivate: boolean },
): Promise<PostResult> {
  const url = new URL(target);
  const vetted = await resolveVetted(url, opts.allowPrivate);
  if ('error' in vetted) return { ok: false, status: null, error: vetted.error };
  // The connection goes to the checked address whatever the resolver would say now (TLS still checks the name).
  const pinned: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all) callback(null, [{ address: vetted.address, family: vetted.family }]);
    else callback(null, vetted.address, vetted.family);
  };
  const options: RequestOptions = {
    method: 'POST',
    headers: {
      ...headers,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'userops-webhooks/1',
    },
    lookup: pinned,
    timeout: opts.timeoutMs,
    agent: false,
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<PostResult>((resolve) => {
    let settled = false;
    const done = (r: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(overall);
      resolve(r);
    };
    const req = send(url, options, (res) => {
      const status = res.statusCode ?? 0;
      let seen = 0;
      res.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (seen > MAX_ANSWER_BYTES) res.destroy();
      });
      res.on('error', () => undefined);
      res.on('close', () => {
        if (status >= 200 && status < 300) done({ ok: true, status });
        else if (status >= 300 && status < 400) done({ ok: false, status, error: `answered ${status} (redirects are not followed)` });
        else done({ ok: false, status, error: `answered ${status}` });
      });
    });
    // The socket timeout covers idle gaps; this covers a receiver that trickles its answer.
    const overall = setTimeout(() => {
      req.destroy();
      done({ ok: false, status: null, error: `no answer within ${Math.round(opts.timeoutMs / 100) / 10} s` });
    }, opts.timeoutMs);
    req.on('timeout', () => {
      req.destroy();
      done({ ok: false, status: null, error: `no answer within ${Math.round(opts.timeoutMs / 100) / 10} s` });
    });
    req.on('error', (e: NodeJS.ErrnoException) => done({ ok: false, status: null, error: `could not connect (${e.code ?? e.message})` }));
    req.end(body);
  });
}
