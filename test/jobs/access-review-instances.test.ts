import { WebClient } from '@slack/web-api';
import { REVIEW_JOB_PREFIX, reviewSchedule, startAccessReviewScheduler, type ReviewScheduler } from '../../src/jobs/access-review';
import { REVIEW_EVENT_TYPE, SlackReviewPublisher } from '../../src/slack/access-review-publisher';
import { SlackStandIn } from '../../src/standin';
import { AuditEvent, JobSlot } from '../../src/store/models';
import { DIALECTS } from '../support/db';
import { makeUser, testEnv, type TestEnv } from '../support/fixtures';

const ACME = 'C0ACMESEC';
const BETA = 'C0BETASEC';

/** Issue 20 §4: the scheduled review, posted once per organization per slot however many schedulers run. */
describe.each(DIALECTS)('scheduled access review on %s', (dialect) => {
  let env: TestEnv & { clock: { now: Date } };
  const standIn = new SlackStandIn();
  const schedulers: ReviewScheduler[] = [];

  beforeAll(async () => {
    await standIn.start();
    standIn.addChannel({ id: ACME, name: 'acme-security', botIsMember: true });
    standIn.addChannel({ id: BETA, name: 'beta-security', botIsMember: true });
    // The clock stands on Monday 2 November 2026, 10:00 UTC: the first Monday of the month.
    env = await testEnv(dialect, { ACCESS_REVIEW_CHANNELS: `acme=${ACME},beta=${BETA}`, DIGEST_TZ: 'UTC' });
    await makeUser({ username: 'ana', orgs: { acme: ['administrator'] } });
    await makeUser({ username: 'bea', orgs: { beta: ['administrator', 'security'] } });
    await makeUser({ username: 'gus', orgs: { gamma: ['administrator'] } });
    for (const id of ['one', 'two']) {
      const client = new WebClient(standIn.botToken, { slackApiUrl: standIn.apiUrl });
      schedulers.push(startAccessReviewScheduler(env.rt, new SlackReviewPublisher(client), { instanceId: id })!);
    }
  });
  afterAll(async () => {
    await Promise.all(schedulers.map((s) => s.stop()));
    await env.close();
    await standIn.stop();
  });

  /** Review messages per channel and slot, from the metadata each carries. */
  function posts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const c of standIn.callsTo('chat.postMessage')) {
      const meta = c.args.metadata as { event_type?: string; event_payload?: { slot?: string } } | undefined;
      if (c.error || meta?.event_type !== REVIEW_EVENT_TYPE) continue;
      const key = `${String(c.args.channel)} ${meta.event_payload!.slot!}`;
      out.set(key, (out.get(key) ?? 0) + 1);
    }
    return out;
  }

  test('“first Monday” is the day-of-week tick plus the day-of-month check', () => {
    expect(reviewSchedule('0 9 1-7 * 1')).toEqual({ tick: '0 9 * * 1', daysOfMonth: new Set([1, 2, 3, 4, 5, 6, 7]) });
    expect(reviewSchedule('0 9 * * 1')).toEqual({ tick: '0 9 * * 1', daysOfMonth: null });
  });

  test('two schedulers on one database: each organization with a channel gets the slot’s review once; others are skipped', async () => {
    const at = new Date('2026-11-02T09:00:00Z');
    const runs = await Promise.all([...schedulers, ...schedulers].map((s) => s.runSlot(at)));
    expect(runs.flatMap((r) => r!.posted).sort()).toEqual(['acme', 'beta']);
    expect(runs.every((r) => r!.skipped.includes('gamma') && r!.failed.length === 0)).toBe(true);
    expect(posts()).toEqual(
      new Map([
        [`${ACME} 2026-11-02T09:00:00.000Z`, 1],
        [`${BETA} 2026-11-02T09:00:00.000Z`, 1],
      ]),
    );
    // The CSV went into each message's thread in its own channel.
    const files = standIn.files.filter((f) => f.completed);
    expect(files.map((f) => f.channelId).sort()).toEqual([ACME, BETA]);
    expect(files.find((f) => f.channelId === BETA)!.bytes.toString()).toContain('beta,security,bea,');
    expect(files.find((f) => f.channelId === ACME)!.bytes.toString()).not.toContain('bea');
    const audits = await AuditEvent.findAll({ where: { action: 'access_review_posted' } });
    expect(audits.map((a) => JSON.parse(a.details!).organization).sort()).toEqual(['acme', 'beta']);
    expect(audits.every((a) => a.actorLabel === 'access review (schedule)')).toBe(true);
  });

  test('the second Monday of the month is not a review day; a later first Monday is a new slot', async () => {
    const before = posts().size;
    const second = await Promise.all(schedulers.map((s) => s.runSlot(new Date('2026-11-09T09:00:00Z'))));
    expect(second).toEqual([null, null]);
    expect(posts().size).toBe(before);
    env.clock.now = new Date('2026-12-07T09:00:05Z');
    const next = await Promise.all(schedulers.map((s) => s.runSlot(new Date('2026-12-07T09:00:00Z'))));
    expect(next.flatMap((r) => r!.posted).sort()).toEqual(['acme', 'beta']);
    expect(next.flatMap((r) => r!.taken).sort()).toEqual(['acme', 'beta']);
    expect(posts().get(`${ACME} 2026-12-07T09:00:00.000Z`)).toBe(1);
    const slots = await JobSlot.findAll();
    expect(slots.filter((s) => s.name.startsWith(REVIEW_JOB_PREFIX))).toHaveLength(4);
  });

  test('at start, a review day every instance missed is posted once (after a review was ever posted)', async () => {
    // Monday 4 January 2027 is the month's first Monday; nobody was running at 09:00.
    env.clock.now = new Date('2027-01-04T10:00:00Z');
    const client = new WebClient(standIn.botToken, { slackApiUrl: standIn.apiUrl });
    const late = ['three', 'four'].map((id) => startAccessReviewScheduler(env.rt, new SlackReviewPublisher(client), { instanceId: id })!);
    schedulers.push(...late);
    const runs = await Promise.all(late.map((s) => s.started));
    expect(runs.flatMap((r) => r?.posted ?? []).sort()).toEqual(['acme', 'beta']);
    expect(posts().get(`${ACME} 2027-01-04T09:00:00.000Z`)).toBe(1);
    expect(posts().get(`${BETA} 2027-01-04T09:00:00.000Z`)).toBe(1);
  });
});
