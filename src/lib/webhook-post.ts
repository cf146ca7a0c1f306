/**
 * One webhook attempt: POST the body to the URL, connecting only to an address vetted at this
 * moment (src/lib/webhook-target.ts), within a timeout, never following a redirect (a 3xx is a
 * failure: a receiver that moved must be re-registered, and a redirect could point anywhere).
 */
import { Agent as HttpAgent, request as httpRequest, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { resolveVetted } from './webhook-target';

export type PostResult = { ok: true; status: number } | { ok: false; status: number | null; error: string };

/** Body bytes of an answer read before it is dropped: a receiver cannot make the sender hold megabytes. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * Kept-alive connections, one pool per endpoint origin *and vetted address*: a connection is only
 * ever reused for the address it was opened to after a check, and each attempt is checked again
 * first (an answer that now names another address gets a pool of its own). Without them every
 * event paid for a TCP (and TLS) handshake on both sides: a bulk job's thousands of events doubled
 * the sender's CPU. Idle connections close after the timeout and never keep the process alive.
 */
const agents = new Map<string, HttpAgent>();
const AGENTS_MAX = 64;

function agentFor(url: URL, address: string, timeoutMs: number): HttpAgent {
  const key = `${url.protocol}//${url.host}|${address}|${timeoutMs}`;
  let agent = agents.get(key);
  if (!agent) {
    if (agents.size >= AGENTS_MAX) {
      const [oldest, old] = agents.entries().next().value as [string, HttpAgent];
      agents.delete(oldest);
      old.destroy();
    }
    const opts = { keepAlive: true, maxSockets: 16, maxFreeSockets: 16, timeout: timeoutMs, scheduling: 'lifo' as const };
    agent = url.protocol === 'https:' ? new HttpsAgent(opts) : new HttpAgent(opts);
    agents.set(key, agent);
  }
  return agent;
}

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
    agent: agentFor(url, vetted.address, opts.timeoutMs),
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
