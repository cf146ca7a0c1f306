import { performance } from 'node:perf_hooks';
import { WebClient } from '@slack/web-api';
import type { Runtime } from '../src/app/runtime';
import type { Actor } from '../src/services/context';
import { homeDashboard } from '../src/services/dashboard';
import { lockoutDigest } from '../src/services/lockout-digest';
import { SlackDigestPublisher } from '../src/slack/digest-publisher';
import { homeView } from '../src/slack/views/home';
import type { SlackStandIn } from '../src/standin';
import { LOCKED_USERS_INDEX } from '../migrations/0014-locked-users-index';
import type { BenchTarget } from './bench-db';
import { openRaw, type Params, type RawDb } from './raw-db';
import { placeholders, sqliteDate } from './raw-bulk';
import { percentile } from './stats';

/**
 * App Home and the lockout digest for an administrator of every organization (issue 22), with the
 * directory's locked users given lockout events first: one each, spread over the last 7 days, those
 * older than the digest's 24-hour window already reported by an earlier digest. Each render is what
 * production does: App Home's `homeDashboard` → `homeView` → `views.publish` to the stand-in; the
 * digest's `lockoutDigest` over the last 24 hours → `digestMessages` → `chat.postMessage` per page
 * (SlackDigestPublisher, to the administrator's DM). Timed N times each, p95.
 *
 * Baselines, the reads each needs as raw SQL on the same database: for App Home the six counts per
 * view in the administrator's organizations (in one pass, as the product counts them), the latest
 * lockouts there and the latest audit events; for the digest the unreported lockouts of the window,
 * the users still locked and their organizations' slugs. What the raw side leaves out is the product's own work: models, the
 * permission checks, building the blocks, and the Web API calls.
 */

const COMMAND = '/users';
/** What the digest reads of a still-locked user, from the partial index of locked users (migration 0014). */
const DIGEST_COLUMNS = 'id, username, first_name, last_name, email, enabled, auth_status, locked_at, locked_until, failed_login_count';
const WINDOW_MS = 24 * 3_600_000;
const SPREAD_MINUTES = 7 * 24 * 60;

export interface HomeDigestMeasure {
  renders: number;
  lockoutEvents: number;
  homeP95: number;
  homeP50: number;
  homeServiceP95: number;
  homeRawP95: number;
  /** App Home as the refresh after an action publishes it: counts taken afresh, every fifth render. */
  homeFreshP95: number;
  homeFreshRenders: number;
  /** Openings whose counts were taken for them (the rest showed counts kept from an earlier one). */
  homeCounted: number;
  digestP95: number;
  digestP50: number;
  digestServiceP95: number;
  digestRawP95: number;
  digestNew: number;
  digestStillLocked: number;
  digestMessages: number;
}

/** One lockout event per locked user (`digest_slot` set on those before the window); how many. */
async function addLockoutEvents(db: RawDb, now: Date): Promise<number> {
  const date = db.dialect === 'sqlite' ? sqliteDate : (d: Date) => d.toISOString();
  const locked = await db.all<{ id: number }>(`SELECT id FROM users WHERE auth_status = 'locked' ORDER BY id`);
  await db.begin();
  for (let i = 0; i < locked.length; i += 500) {
    const batch = locked.slice(i, i + 500);
    await db.run(
      `INSERT INTO lockout_events (user_id, locked_at, failed_count, source_ip, digest_slot) VALUES ${placeholders(batch.length, 5)}`,
      batch.flatMap((u, k): Params => {
        const at = new Date(now.getTime() - (((i + k) * 7919) % SPREAD_MINUTES) * 60_000 - 60_000);
        return [u.id, date(at), 10, `203.0.113.${(u.id % 250) + 1}`, now.getTime() - at.getTime() > WINDOW_MS ? 'bench-earlier' : null];
      }),
    );
  }
  await db.run('COMMIT');
  return locked.length;
}

export async function measureHomeDigest(opts: {
  rt: Runtime;
  target: BenchTarget;
  actor: Actor;
  orgIds: number[];
  standIn: SlackStandIn;
  slackUserId: string;
  renders: number;
}): Promise<HomeDigestMeasure> {
  const { rt, actor } = opts;
  const raw = await openRaw(opts.target.url, { busyTimeoutMs: 15_000 });
  const now = new Date();
  const lockoutEvents = await addLockoutEvents(raw, now);
  const client = new WebClient(opts.standIn.botToken, { slackApiUrl: opts.standIn.apiUrl, retryConfig: { retries: 0 } });
  const publisher = new SlackDigestPublisher(client, {
    DIGEST_CHANNEL: opts.slackUserId,
    DIGEST_SILENT_WHEN_EMPTY: false,
    SLACK_COMMAND: COMMAND,
  });
  const date = raw.dialect === 'sqlite' ? sqliteDate : (d: Date) => d.toISOString();
  const ids = opts.orgIds.map((n) => Math.trunc(n)).join(',');
  const yes = raw.dialect === 'sqlite' ? '1' : 'true';
  const no = raw.dialect === 'sqlite' ? '0' : 'false';
  // The six views as one pass, a conditional sum each, as the product counts them.
  const views = [
    '1=1',
    `u.enabled = ${yes}`,
    `u.enabled = ${no}`,
    `u.auth_status = 'locked'`,
    `u.auth_status = 'password_reset'`,
    `(u.enabled = ${no} OR u.auth_status <> 'active')`,
  ];
  const countSql = `SELECT ${views.map((v, i) => `SUM(CASE WHEN ${v} THEN 1 ELSE 0 END) AS c${i}`).join(', ')} FROM users u
    WHERE u.id IN (SELECT user_id FROM memberships WHERE organization_id IN (${ids}))`;

  let counted = 0;
  const home = async (freshCounts = false) => {
    const t = performance.now();
    const d = await homeDashboard(rt, actor, { freshCounts });
    if (!d.ok) throw new Error(`App Home: ${d.message}`);
    const service = performance.now() - t;
    if (!d.countsReused) counted += 1;
    const r = await client.views.publish({
      user_id: opts.slackUserId,
      view: homeView({ dashboard: d, commandName: COMMAND, updatedAt: rt.now() }),
    });
    if (!r.ok) throw new Error(`views.publish: ${r.error}`);
    return { total: performance.now() - t, service };
  };
  const rawHome = async () => {
    const t = performance.now();
    await raw.all(countSql);
    await raw.all(
      `SELECT * FROM lockout_events e WHERE EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = e.user_id AND m.organization_id IN (${ids}))
        ORDER BY locked_at DESC, id DESC LIMIT 32`,
    );
    await raw.all(`SELECT * FROM audit_events WHERE organization_id IN (${ids}) ORDER BY id DESC LIMIT 9`);
    return performance.now() - t;
  };
  let shape = { fresh: 0, still: 0, messages: 0 };
  const digest = async () => {
    const t = performance.now();
    const until = new Date();
    const d = await lockoutDigest(rt, { since: new Date(until.getTime() - WINDOW_MS), until });
    const service = performance.now() - t;
    const { messages } = await publisher.publish(d, `bench:${until.toISOString()}`);
    shape = { fresh: d.newLockouts.length, still: d.stillLocked.length, messages };
    return { total: performance.now() - t, service };
  };
  const rawDigest = async () => {
    const t = performance.now();
    const until = new Date();
    const events = await raw.all<{ user_id: number }>(
      `SELECT * FROM lockout_events WHERE digest_slot IS NULL AND locked_at > ? AND locked_at <= ? ORDER BY locked_at, id`,
      [date(new Date(until.getTime() - WINDOW_MS - 10 * 60_000)), date(until)],
    );
    const still = await raw.all<{ id: number }>(
      `SELECT ${DIGEST_COLUMNS} FROM users${raw.dialect === 'sqlite' ? ` INDEXED BY ${LOCKED_USERS_INDEX}` : ''}
        WHERE auth_status = 'locked' ORDER BY locked_at, id`,
    );
    const users = [...new Set([...events.map((e) => e.user_id), ...still.map((u) => u.id)])];
    for (let i = 0; i < users.length; i += 500) {
      const some = users.slice(i, i + 500);
      await raw.all(
        `SELECT m.user_id, o.slug FROM memberships m JOIN organizations o ON o.id = m.organization_id
          WHERE m.user_id IN (${some.map(() => '?').join(',')}) ORDER BY m.organization_id`,
        some,
      );
    }
    return performance.now() - t;
  };

  try {
    for (let i = 0; i < 3; i++) {
      await home(true);
      await rawHome();
      await digest();
      await rawDigest();
    }
    counted = 0;
    const h: number[] = [];
    const hf: number[] = [];
    const hs: number[] = [];
    const hr: number[] = [];
    const d: number[] = [];
    const ds: number[] = [];
    const dr: number[] = [];
    // Interleaved, so neither side gets a warmer cache.
    for (let i = 0; i < opts.renders; i++) {
      const a = await home();
      h.push(a.total);
      hs.push(a.service);
      hr.push(await rawHome());
      const b = await digest();
      d.push(b.total);
      ds.push(b.service);
      dr.push(await rawDigest());
      if (i % 5 === 4) hf.push((await home(true)).total);
    }
    return {
      renders: opts.renders,
      lockoutEvents,
      homeP95: percentile(h, 95),
      homeP50: percentile(h, 50),
      homeServiceP95: percentile(hs, 95),
      homeRawP95: percentile(hr, 95),
      homeFreshP95: percentile(hf, 95),
      homeFreshRenders: hf.length,
      homeCounted: counted - hf.length,
      digestP95: percentile(d, 95),
      digestP50: percentile(d, 50),
      digestServiceP95: percentile(ds, 95),
      digestRawP95: percentile(dr, 95),
      digestNew: shape.fresh,
      digestStillLocked: shape.still,
      digestMessages: shape.messages,
    };
  } finally {
    await raw.close();
  }
}
