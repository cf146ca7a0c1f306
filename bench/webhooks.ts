import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Op } from 'sequelize';
import type { Runtime } from '../src/app/runtime';
import { startWorkers } from '../src/app/workers';
import { SYSTEM_ACTOR, type Actor } from '../src/services/context';
import { addWebhookEndpoint, removeWebhookEndpoint } from '../src/services/webhooks';
import { MailMessage, Organization } from '../src/store/models';
import { WebhookDelivery } from '../src/store/webhook-models';
import { bulkPreview, confirmAndWait } from './bulk-phases';

/**
 * Webhooks (issue 18) on the bulk reset: the whole job (confirm → runner → done, workers running)
 * on one set with no endpoint, then on a set of the same size with an endpoint subscribed to every
 * event in every organization (the webhook sender delivering to a local receiver meanwhile); and
 * how fast the sender drains those events, against plain HTTP POSTs of the same bodies at the same
 * concurrency. Both sets had been reset once before, so each job does the same writes.
 */

const REASON = 'bench: webhooks';
/** The sender's default parallel requests. */
const CONCURRENCY = 10;

export interface WebhookMeasure {
  users: number;
  jobWithoutMs: number;
  jobWithMs: number;
  deliveries: number;
  /** From the job's confirmation to the last delivery. */
  drainMs: number;
  rawPostsPerSecond: number;
  duplicates: number;
}

interface Receiver {
  url: string;
  ids(): Promise<string[]>;
  stop(): Promise<void>;
}

/** The receiver in its own process (bench/webhook-receiver-child.ts). */
function receiver(): Promise<Receiver> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, 'webhook-receiver-child.js'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const ask = <T>(what: string, pick: (m: Record<string, unknown>) => T | undefined): Promise<T> =>
      new Promise((res) => {
        const on = (m: Record<string, unknown>) => {
          const v = pick(m);
          if (v === undefined) return;
          child.off('message', on);
          res(v);
        };
        child.on('message', on);
        child.send(what);
      });
    child.once('error', reject);
    child.once('message', (m: { url?: string }) => {
      if (!m.url) return reject(new Error('the webhook receiver did not start'));
      resolve({
        url: m.url,
        ids: () => ask('ids', (x) => (Array.isArray(x.ids) ? (x.ids as string[]) : undefined)),
        stop: () =>
          new Promise<void>((res) => {
            child.once('exit', () => res());
            child.send('stop');
          }),
      });
    });
  });
}

/** `count` POSTs of `body`, `CONCURRENCY` at a time, on kept-alive connections as the sender makes them. */
async function rawPosts(url: string, body: string, count: number): Promise<number> {
  const u = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const started = performance.now();
  let next = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        { host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < count) await one();
    }),
  );
  const perSecond = count / ((performance.now() - started) / 1000);
  agent.destroy();
  return perSecond;
}

export async function measureWebhooks(opts: {
  rt: Runtime;
  actor: Actor & { kind: 'user' };
  sets: [number[], number[]];
}): Promise<WebhookMeasure> {
  const { rt, actor } = opts;
  const [without, withSet] = opts.sets;
  const recv = await receiver();
  const workers = startWorkers(rt);
  const jobs: number[] = [];
  try {
    const a = await bulkPreview(rt, actor, 'reset_password', without, REASON);
    jobs.push(a);
    const { jobMs: jobWithoutMs } = await confirmAndWait(rt, actor, a);

    const endpoints: number[] = [];
    for (const o of await Organization.findAll()) {
      const added = await addWebhookEndpoint(rt, SYSTEM_ACTOR, { org: o.slug, url: recv.url });
      if (!added.ok) throw new Error(added.message);
      endpoints.push(added.id);
    }
    const b = await bulkPreview(rt, actor, 'reset_password', withSet, REASON);
    jobs.push(b);
    const { startedAt, jobMs: jobWithMs } = await confirmAndWait(rt, actor, b);
    const where = { endpointId: { [Op.in]: endpoints } };
    for (;;) {
      if ((await WebhookDelivery.count({ where: { ...where, status: { [Op.ne]: 'delivered' } } })) === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const drainMs = performance.now() - startedAt;
    const deliveries = await WebhookDelivery.count({ where });
    const sample = (await WebhookDelivery.findOne({ where }))?.payload ?? '{}';
    const rawPostsPerSecond = await rawPosts(recv.url, sample, deliveries);
    for (const id of endpoints) await removeWebhookEndpoint(rt, SYSTEM_ACTOR, { id });
    const ids = await recv.ids();
    const duplicates = ids.length - new Set(ids).size;
    return { users: withSet.length, jobWithoutMs, jobWithMs, deliveries, drainMs, rawPostsPerSecond, duplicates };
  } finally {
    await workers.stop();
    await recv.stop();
    // The two jobs' reset mails not sent yet (at 1,000,000 users, ~100,000 of their 200,000) would
    // otherwise drain during the next measure, the bulk disable's whole job, and be timed with it
    // (87 s against 12 s from a fresh directory; bench/README.md). The mail drain has its own line.
    if (jobs.length > 0) await MailMessage.destroy({ where: { jobId: { [Op.in]: jobs } } });
  }
}
