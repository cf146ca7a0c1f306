import { startServer, type ServerHandle, type ServerOptions } from '../../src/server/server';
import type { TestDialect } from './db';
import { testEnv, type TestEnv } from './fixtures';

export interface HttpTestEnv extends TestEnv {
  server: ServerHandle;
  clock: { now: Date };
  /** fetch against the server, JSON in and out. */
  json(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }>;
}

/** The real server (HTTP routes, no Slack) on a random port over a fresh database. */
export async function httpTestEnv(
  dialect: TestDialect,
  overrides: Record<string, string> = {},
  serverOptions: Pick<ServerOptions, 'workers'> = {},
): Promise<HttpTestEnv> {
  const env = await testEnv(dialect, { PUBLIC_URL: 'http://127.0.0.1:9', ...overrides });
  const server = await startServer(env.rt, { port: 0, host: '127.0.0.1', ...serverOptions });
  return {
    ...env,
    server,
    json: async (method, path, body, headers = {}) => {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(text) as Record<string, unknown>;
      } catch {
        parsed = { raw: text };
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    close: async () => {
      await server.stop();
      await env.close();
    },
  };
}
