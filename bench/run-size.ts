import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRuntime } from '../src/app/runtime';
import { loadConfig } from '../src/lib/config';
import type { Actor } from '../src/services/context';
import { SlackStandIn } from '../src/standin';
import { rawCompareRate } from './bcrypt-baseline';
import { measureBulkDisable } from './bulk-disable';
import { measureBulkReset } from './bulk-reset';
import { createBenchDatabase } from './bench-db';
import { measureExport } from './export';
import { measureHomeDigest } from './home-digest';
import { KeepAliveDriver } from './keep-alive-driver';
import { loginFlood } from './login-flood';
import { bulkUsersFor, type Options } from './options';
import { ms, type MeasureRow } from './report';
import {
  ackRow,
  BCRYPT_COST,
  bulkDisableRows,
  bulkResetRows,
  exportRows,
  homeDigestRows,
  loginRows,
  scimRows,
  searchRow,
  webhookRows,
} from './rows';
import { measureScim } from './scim';
import { measureSearch, searchQueries } from './search';
import { buildDirectory } from './seed';
import { serverRss, startServerProcess, stopServerProcess } from './server-process';
import { loginThroughput, runFindCommands, startLoginLoad } from './slack-load';
import { startSmtpSink } from './smtp-sink';
import { percentile } from './stats';
import { measureWebhooks } from './webhooks';

/**
 * The whole bench at one directory size, on a fresh database (a SQLite file in a temporary
 * directory, or a PostgreSQL database created for the run and dropped at the end): the directory
 * is built, the server started in its own process against the local Slack stand-in, and each
 * target measured next to its baseline on the same database. Returns the table's rows.
 */

const SIGNING_SECRET = 'bench-signing-secret-0123456789abcdef';
const PASSWORD = 'Bench-Password-2026!';
const ADMIN_SLACK_ID = 'U0BENCHADM';
/** The server's default bound on logins waiting for a hashing thread (HASH_QUEUE_MAX). */
const HASH_QUEUE_MAX = 100;

export const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`);

async function step<T>(what: string, fn: () => Promise<T>): Promise<T> {
  log(`${what}…`);
  const started = performance.now();
  const value = await fn();
  log(`${what}: ${ms(performance.now() - started)}`);
  return value;
}

export interface SizeResult {
  users: number;
  directory: { users: number; memberships: number; organizations: number; seedMs: number };
  measures: MeasureRow[];
}

export async function runSize(opts: Options, users: number): Promise<SizeResult> {
  const dir = await mkdtemp(join(tmpdir(), 'userops-bench-'));
  const poolSize = Math.max(1, Math.min(4, availableParallelism()));
  const bench = await createBenchDatabase(opts.db, dir);
  const sink = await startSmtpSink();
  const standIn = new SlackStandIn();
  await standIn.start();
  const baseEnv = {
    DATABASE_URL: bench.target.url,
    BCRYPT_COST: String(BCRYPT_COST),
    LOG_LEVEL: 'warn',
    OUTBOX_DIR: join(dir, 'outbox'),
    EXPORT_DIR: join(dir, 'exports'),
    PUBLIC_URL: 'http://127.0.0.1:3000',
    // The login measures run far above a real per-address/per-account rate on purpose.
    LOGIN_MAX_PER_IP: '1000000',
    LOGIN_MAX_PER_ACCOUNT: '100000',
    HASH_QUEUE_MAX: String(HASH_QUEUE_MAX),
  };
  const rows: MeasureRow[] = [];
  let server: ChildProcess | null = null;
  let rt: Awaited<ReturnType<typeof createRuntime>> | null = null;
  try {
    rt = await createRuntime(
      // Webhooks go to a receiver on this machine (bench/webhooks.ts).
      loadConfig({
        ...baseEnv,
        SMTP_URL: sink.url,
        WEBHOOK_SECRET_KEY: 'bench-webhook-secret-key-0123456789abcdef',
        WEBHOOK_ALLOW_PRIVATE: 'true',
      }),
    );
    log(
      `${users.toLocaleString('en')} users on ${opts.db}${opts.quick ? ' (quick)' : ''}, ${cpus().length} cores, temporary directory ${dir}`,
    );
    const passwordHash = await rt.hasher.hash(PASSWORD);
    const seedStarted = performance.now();
    const directory = await step('building the directory', () => buildDirectory(rt!, { users, passwordHash }));
    const seedMs = performance.now() - seedStarted;
    const actor: Actor & { kind: 'user' } = { kind: 'user', userId: directory.admin.id, label: 'bench.admin (bench)', via: 'slack' };
    standIn.addUser({ id: ADMIN_SLACK_ID, name: 'bench.admin', email: directory.admin.email, realName: 'Bench Admin' });

    // --- Slack acks and logins, against the server in its own process -------------------------
    const started = await startServerProcess({
      PATH: process.env.PATH ?? '',
      ...baseEnv,
      SLACK_BOT_TOKEN: standIn.botToken,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: standIn.apiUrl,
    });
    server = started.child;
    const url = started.url;
    const driver = new KeepAliveDriver({
      eventsUrl: `${url}/slack/events`,
      signingSecret: SIGNING_SECRET,
      standIn,
      connections: opts.concurrency,
    });
    const queries = searchQueries(opts.commands, directory.sampleUsernames, 7);
    // Warm-up at the measured concurrency (a quarter of the measured count): the JIT, the users.info
    // cache, the driver's connections, the database's page cache.
    await runFindCommands(
      driver,
      standIn,
      ADMIN_SLACK_ID,
      searchQueries(opts.commands / 4, directory.sampleUsernames, 6),
      opts.concurrency,
    );
    await loginThroughput(url, directory.loginNames, PASSWORD, poolSize * 2, 1);

    const quiet = await step(`${opts.commands} find commands at ${opts.concurrency} concurrent`, () =>
      runFindCommands(driver, standIn, ADMIN_SLACK_ID, queries, opts.concurrency),
    );
    rows.push(ackRow('ack', `ack latency, ${opts.commands} × /users find, ${opts.concurrency} concurrent`, quiet, 100, {}));

    const load = startLoginLoad(url, directory.loginNames, PASSWORD, 20);
    const busy = await step(`${opts.commands} find commands while 20 logins/s run`, () =>
      runFindCommands(driver, standIn, ADMIN_SLACK_ID, searchQueries(opts.commands, directory.sampleUsernames, 8), opts.concurrency),
    );
    const logins = await load.stop();
    rows.push(
      ackRow('ack_with_logins', `the same while 20 logins/s (cost ${BCRYPT_COST}) run`, busy, 200, {
        loginsPerSecond: logins.ratePerSecond,
        loginsOk: logins.ok,
        loginsFailed: logins.failed,
        loginP50: percentile(logins.latencies, 50),
        loginP99: percentile(logins.latencies, 99),
      }),
    );

    const api = await step(`login throughput for ${opts.loginSeconds} s`, () =>
      loginThroughput(url, directory.loginNames, PASSWORD, poolSize * 3, opts.loginSeconds),
    );
    const serverChild = server;
    const flood = await step(`${opts.floodClients} concurrent logins for ${opts.floodSeconds} s`, () =>
      loginFlood({
        url,
        names: directory.loginNames,
        password: PASSWORD,
        concurrency: opts.floodClients,
        seconds: opts.floodSeconds,
        rss: () => serverRss(serverChild),
      }),
    );
    driver.close();
    await stopServerProcess(server);
    server = null;
    const rawCompare = await step(`bcryptjs.compare in ${poolSize} threads for ${opts.loginSeconds} s`, () =>
      rawCompareRate(PASSWORD, passwordHash, poolSize, opts.loginSeconds),
    );

    // --- Search, in this process, service against SQL on the same database --------------------
    const search = await step(`${opts.searchQueries} searches`, () =>
      measureSearch({
        rt: rt!,
        target: bench.target,
        actor,
        orgIds: directory.orgIds,
        queries: searchQueries(opts.searchQueries, directory.sampleUsernames, 9),
      }),
    );
    rows.push(searchRow(search));

    // --- Export, each run in a process of its own ----------------------------------------------
    const exp = await step(`export (${opts.exportRuns} run${opts.exportRuns > 1 ? 's' : ''} each)`, () =>
      measureExport({ target: bench.target, dir, adminId: directory.admin.id, orgIds: directory.orgIds, runs: opts.exportRuns }),
    );
    rows.push(...exportRows(exp, opts.db === 'sqlite' ? 'sqlite3 -csv' : 'psql \\copy csv'));

    // --- Bulk reset, in this process -----------------------------------------------------------
    const n = Math.min(bulkUsersFor(users, opts.quick), Math.floor(directory.resettable.length / 3));
    const r = directory.resettable;
    const sets: [number[], number[], number[]] = [r.slice(0, n), r.slice(n, 2 * n), r.slice(2 * n, 3 * n)];
    const bulk = await step(`bulk reset of ${n.toLocaleString('en')} users (three ways)`, () =>
      measureBulkReset({ rt: rt!, target: bench.target, actor, sets, sink }),
    );
    rows.push(...bulkResetRows(bulk, n));

    // --- Webhooks (issue 18): the reset job again on two of the sets, without and with endpoints ---
    const wh = await step(`bulk reset of ${n.toLocaleString('en')} users with webhooks (twice)`, () =>
      measureWebhooks({ rt: rt!, actor, sets: [sets[0], sets[1]] }),
    );
    rows.push(...webhookRows(wh));

    // --- Bulk disable (issue 15), in this process, on the same three sets (enabled after the reset) ---
    const dis = await step(`bulk disable of ${n.toLocaleString('en')} users (three ways)`, () =>
      measureBulkDisable({ rt: rt!, target: bench.target, actor, sets }),
    );
    rows.push(...bulkDisableRows(dis, n));
    rows.push(
      ...loginRows(api, rawCompare, poolSize, flood, {
        clients: opts.floodClients,
        seconds: opts.floodSeconds,
        hashQueueMax: HASH_QUEUE_MAX,
      }),
    );

    // --- SCIM (issue 17): an organization of every user, as an identity provider reads it --------
    const sc = await step('SCIM filter lookups and a full paged walk', () =>
      measureScim({ rt: rt!, adminId: directory.admin.id, usernames: directory.sampleUsernames, lookups: opts.searchQueries }),
    );
    rows.push(...scimRows(sc));

    // --- App Home and the lockout digest (issue 22), for the administrator of every organization ---
    const hd = await step(`App Home and lockout digest, ${opts.homeRenders} renders each`, () =>
      measureHomeDigest({
        rt: rt!,
        target: bench.target,
        actor,
        orgIds: [...directory.orgIds, sc.organizationId],
        standIn,
        slackUserId: ADMIN_SLACK_ID,
        renders: opts.homeRenders,
      }),
    );
    rows.push(...homeDigestRows(hd));
    return {
      users,
      directory: { users: directory.users, memberships: directory.memberships, organizations: directory.orgIds.length, seedMs },
      measures: rows,
    };
  } finally {
    if (server) await stopServerProcess(server);
    if (rt) await rt.close();
    await standIn.stop();
    await sink.stop();
    await bench.drop();
    await rm(dir, { recursive: true, force: true });
  }
}
