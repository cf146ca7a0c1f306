import { request, Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { SlackDriver, type DriverResponse, type SlackDriverOptions } from '../src/standin';

/**
 * The Slack driver over a fixed pool of keep-alive connections (node:http), instead of fetch's
 * pool, which opens extra connections now and then under load. Node accepts one new connection per
 * event-loop turn, so each late extra connection was measured as a slow ack of the server; Slack
 * (or a load balancer in front of the app) keeps its connections open. Signing, payloads and the
 * stand-in's bookkeeping are the driver's own.
 */
export class KeepAliveDriver extends SlackDriver {
  private readonly agent: Agent;

  constructor(opts: SlackDriverOptions & { connections: number }) {
    super(opts);
    this.agent = new Agent({ keepAlive: true, maxSockets: opts.connections });
  }

  override send(body: string, headers: Record<string, string>): Promise<DriverResponse> {
    const contentType = Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const req = request(
        this.eventsUrl,
        { method: 'POST', agent: this.agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const ackMs = performance.now() - started;
            let parsed: unknown = text.length > 0 ? text : undefined;
            if (text.length > 0 && (String(res.headers['content-type'] ?? '').includes('json') || /^[[{]/.test(text))) {
              try {
                parsed = JSON.parse(text);
              } catch {
                parsed = text;
              }
            }
            const flat = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]));
            resolve({
              status: res.statusCode ?? 0,
              body: parsed,
              text,
              ackMs,
              headers: flat,
              request: { body, contentType, headers: { ...headers } },
            });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
