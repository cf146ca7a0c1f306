import type { RecordedCall, StandInView } from '../../src/standin';
import { Job } from '../../src/store/models';
import { recordFigures, recordUnhandledRejections } from '../support/figures';
import { openBulkResetForm, slackTestEnv, textOf, type SlackTestEnv } from '../support/slack-env';
import { until } from '../support/wait';

/**
 * Slack misbehaving under the app: the stand-in answers 429 with Retry-After and 500 on
 * chat.postMessage, views.update and the file upload. The app's WebClient retries as its policy
 * says (src/slack/delivery.ts, as the WebClient's retryConfig: 3 retries, backing off with jitter; a 429 waits Retry-After),
 * a call that finally fails is told to the person who was waiting for it, the server stays
 * healthy, and this process (where the server runs) sees no unhandled rejection.
 */

const SEC = 'U0SEC0001'; // security of acme: bulk reset, export
const RETRIES = 3;

describe('Slack faults', () => {
  let env: SlackTestEnv;
  let rejections: ReturnType<typeof recordUnhandledRejections>;
  let scenarios = 0;

  beforeAll(async () => {
    rejections = recordUnhandledRejections();
    env = await slackTestEnv('sqlite');
    await env.person(SEC, { username: 'sec', orgs: { acme: ['security'] } });
    for (let i = 0; i < 6; i++) await env.person(`U0USR${String(i).padStart(4, '0')}`, { username: `user${i}`, orgs: { acme: [] } });
  });
  afterEach(async () => {
    env.standIn.clearFailures();
    // Never down: the health check answers through every fault.
    expect((await fetch(`${env.server.url}/healthz`)).status).toBe(200);
    scenarios++;
  });
  afterAll(async () => {
    await env.close();
    rejections.stop();
    expect(rejections.reasons).toEqual([]);
    const faults = env.standIn.calls.filter((c) => c.status === 429 || c.status === 500);
    recordFigures('slack-faults', {
      scenarios,
      faultsInjected: faults.length,
      faultsByKind: Object.fromEntries(
        ['chat.postMessage', 'views.update', 'upload'].flatMap((m) =>
          [429, 500].map((s) => [`${m} ${s}`, faults.filter((c) => c.method === m && c.status === s).length]),
        ),
      ),
      unhandledRejections: rejections.reasons.length,
    });
  });

  const dm = () => env.standIn.dmChannelFor(SEC);
  const text = (v: string) => ({ value: { type: 'plain_text_input', value: v } });

  /** Calls of `method` made after `from`, with what the stand-in answered. */
  const callsSince = (method: string, from: number): RecordedCall[] => env.standIn.calls.slice(from).filter((c) => c.method === method);
  /** chat.postMessage calls meant for the requester (the reset users' own notices go to them, not here). */
  const postsToRequester = (from: number): RecordedCall[] =>
    callsSince('chat.postMessage', from).filter((c) => c.args.channel === dm() || c.args.channel === SEC);

  const bulkForm = () => openBulkResetForm(env.driver, env.standIn, SEC);

  const modalShowing = (view: StandInView, what: string | RegExp) =>
    env.standIn.waitFor(
      () => {
        const t = JSON.stringify(env.standIn.views.get(view.id)!.view);
        return (typeof what === 'string' ? t.includes(what) : what.test(t)) ? env.standIn.views.get(view.id) : undefined;
      },
      15_000,
      `the modal to show ${String(what)}`,
    );

  async function preview(users: string): Promise<StandInView> {
    const form = await bulkForm();
    await env.driver.submitView(SEC, form, { pasted: text(users), reason: text('slack fault drill') });
    return modalShowing(form, 'will have to choose a new password');
  }

  /** Gaps between consecutive calls, in ms. */
  const gaps = (calls: RecordedCall[]) => calls.slice(1).map((c, i) => c.at - calls[i].at);

  test('chat.postMessage answers 429 (Retry-After: 1) once: the progress message is posted after the wait and the job reports in it', async () => {
    const p = await preview('user0');
    const from = env.standIn.calls.length;
    env.standIn.fail('chat.postMessage', { status: 429, retryAfterSec: 1, times: 1 });
    await env.driver.submitView(SEC, p, {});
    const final = await env.standIn.waitForMessage({ channel: dm(), text: /Bulk password reset #\d+ finished/ }, 15_000);
    const posts = postsToRequester(from);
    expect(posts.map((c) => c.status)).toEqual([429, 200]);
    expect(gaps(posts)[0]).toBeGreaterThanOrEqual(950);
    expect(textOf(final)).toContain('1 reset, 0 skipped, 0 refused (of 1)');
  });

  test('chat.postMessage answers 500 every time: 1 + 3 retries, the job still runs, and the requester is told its progress cannot be shown', async () => {
    const p = await preview('user1');
    const from = env.standIn.calls.length;
    const jobsDone = await Job.count({ where: { kind: 'bulk_reset', status: 'done' } });
    env.standIn.fail('chat.postMessage', { status: 500, times: Infinity });
    await env.driver.submitView(SEC, p, {});
    const told = await modalShowing(p, /could not post its progress.*HTTP 500/);
    // The progress message: 1 + 3 attempts. (The job's final report, later, tries a new DM the same way, then email.)
    expect(
      postsToRequester(from)
        .slice(0, RETRIES + 1)
        .map((c) => c.status),
    ).toEqual(Array(RETRIES + 1).fill(500));
    expect(JSON.stringify(told.view)).toContain('/users audit');
    await until(async () => (await Job.count({ where: { kind: 'bulk_reset', status: 'done' } })) > jobsDone, 'the job to finish');
    await until(() => postsToRequester(from).length === 2 * (RETRIES + 1), 'the final report to try a new DM');
    expect(postsToRequester(from).every((c) => c.status === 500)).toBe(true);
  });

  test('views.update answers 429 (Retry-After: 1) once: the preview appears after the wait', async () => {
    const form = await bulkForm();
    const from = env.standIn.calls.length;
    env.standIn.fail('views.update', { status: 429, retryAfterSec: 1, times: 1 });
    await env.driver.submitView(SEC, form, { pasted: text('user2'), reason: text('slack fault drill') });
    await modalShowing(form, 'will have to choose a new password');
    const updates = callsSince('views.update', from);
    expect(updates.map((c) => c.status)).toEqual([429, 200]);
    expect(gaps(updates)[0]).toBeGreaterThanOrEqual(950);
  });

  test('views.update answers 500 every time: 1 + 3 retries, then the requester gets a direct message saying what failed', async () => {
    const form = await bulkForm();
    const from = env.standIn.calls.length;
    const dmBefore = env.standIn.findMessages({ channel: dm() }).length;
    env.standIn.fail('views.update', { status: 500, times: Infinity });
    await env.driver.submitView(SEC, form, { pasted: text('user3'), reason: text('slack fault drill') });
    const note = await env.standIn.waitFor(
      () => env.standIn.findMessages({ channel: dm() }).slice(dmBefore)[0],
      15_000,
      'a direct message about the failure',
    );
    expect(textOf(note)).toContain('Slack answered HTTP 500 after several attempts');
    // The preview's update, then the attempt to say so in the modal: each the full retry policy.
    const updates = callsSince('views.update', from);
    expect(updates.length).toBe(2 * (RETRIES + 1));
    expect(updates.every((c) => c.status === 500)).toBe(true);
  });

  test('App Home Find with chat.postMessage answering 500 every time: the modal says the results could not be posted', async () => {
    await env.driver.appHomeOpened(SEC);
    const home = await env.standIn.waitFor(() => env.standIn.homeView(SEC), 5000, 'the Home tab');
    const before = new Set(env.standIn.views.keys());
    await env.driver.clickButton(SEC, home, '🔎 Find users');
    const modal = await env.standIn.waitFor(
      () => [...env.standIn.views.values()].find((v) => !before.has(v.id) && v.kind === 'modal' && v.userId === SEC),
      5000,
      'the find modal',
    );
    const from = env.standIn.calls.length;
    env.standIn.fail('chat.postMessage', { status: 500, times: Infinity });
    await env.driver.submitView(SEC, modal, { find_query: text('user') });
    await modalShowing(modal, /HTTP 500/);
    expect(callsSince('chat.postMessage', from).map((c) => c.status)).toEqual(Array(RETRIES + 1).fill(500));
  });

  /** `/users export` and the final message of that job in the DM. */
  async function exportFinal(): Promise<string> {
    const r = await env.run(SEC, 'export');
    const jobId = Number(/Export #(\d+)/.exec(textOf(r.reply))?.[1]);
    expect(jobId).toBeGreaterThan(0);
    return textOf(await env.standIn.waitForMessage({ channel: dm(), text: `Export #${jobId} finished` }, 20_000));
  }

  test('the file upload answers 500 twice, then takes the bytes: the CSV arrives after two retries', async () => {
    const from = env.standIn.calls.length;
    const files = env.standIn.files.length;
    env.standIn.fail('upload', { status: 500, times: 2 });
    const final = await exportFinal();
    expect(callsSince('upload', from).map((c) => c.status)).toEqual([500, 500, 200]);
    expect(env.standIn.files.slice(files).filter((f) => f.completed)).toHaveLength(1);
    expect(final).not.toContain('upload failed');
  });

  test('the file upload answers 429 (Retry-After: 1) once: the CSV arrives after the wait', async () => {
    const from = env.standIn.calls.length;
    env.standIn.fail('upload', { status: 429, retryAfterSec: 1, times: 1 });
    await exportFinal();
    const uploads = callsSince('upload', from);
    expect(uploads.map((c) => c.status)).toEqual([429, 200]);
    expect(gaps(uploads)[0]).toBeGreaterThanOrEqual(950);
  });

  test('the file upload answers 500 every time: 1 + 3 retries, then the final message says the upload failed', async () => {
    const from = env.standIn.calls.length;
    env.standIn.fail('upload', { status: 500, times: Infinity });
    const final = await exportFinal();
    expect(callsSince('upload', from).map((c) => c.status)).toEqual(Array(RETRIES + 1).fill(500));
    expect(final).toContain('The Slack upload failed (Slack answered HTTP 500 after several attempts)');
  });
});
