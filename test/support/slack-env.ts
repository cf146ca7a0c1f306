import { createServer, type AddressInfo } from 'node:net';
import type { Role } from '../../src/domain/permissions';
import type { NoticeSenderOptions } from '../../src/jobs/notice-sender';
import { startServer, type ServerHandle, type ServerOptions } from '../../src/server/server';
import { SlackDriver, SlackStandIn, type StandInMessage, type StandInView } from '../../src/standin';
import type { User } from '../../src/store/models';
import type { TestDialect } from './db';
import { makeUser, testEnv, type TestEnv, type UserSpec } from './fixtures';
import { startSmtpCapture, type SmtpCapture } from './smtp';

export const SIGNING_SECRET = 'test-signing-secret-0123456789';

export interface SlackTestEnv extends TestEnv {
  clock: { now: Date };
  standIn: SlackStandIn;
  driver: SlackDriver;
  server: ServerHandle;
  smtp: SmtpCapture | null;
  /** A directory user who is also a Slack user (email matches), e.g. `person('U0ANA0001', {username:'ana', orgs:{acme:['administrator']}})`. */
  person(slackId: string, spec: UserSpec): Promise<User>;
  /** Run a command and wait for the first reply the app sends to its response_url. */
  run(
    slackId: string,
    text: string,
    opts?: { channelId?: string },
  ): Promise<{ reply: StandInMessage; ackMs: number; status: number; responseUrl: string }>;
}

export interface SlackEnvOptions {
  env?: Record<string, string>;
  smtp?: boolean;
  /** Test knobs for the background workers. */
  mailBaseDelayMs?: number;
  /** Test knobs for the digest scheduler and the audit mirror. */
  background?: ServerOptions['background'];
  /** Test knobs for the owner-notice sender (default: retries after 50 ms, polling every 200 ms). */
  notices?: NoticeSenderOptions;
  /** Slack retry policy; tests back off for tens of milliseconds (Retry-After is still honoured in whole seconds). */
  delivery?: ServerOptions['delivery'];
}

/** The backoff tests run with: the same attempts as production, shorter waits. */
export const TEST_DELIVERY: NonNullable<ServerOptions['delivery']> = { baseDelayMs: 20, maxDelayMs: 100 };

/** The real server with Bolt at /slack/events, the Slack stand-in, an optional SMTP capture, a fresh database. */
export async function slackTestEnv(dialect: TestDialect, opts: SlackEnvOptions = {}): Promise<SlackTestEnv> {
  const standIn = new SlackStandIn();
  await standIn.start();
  const smtp = opts.smtp ? await startSmtpCapture() : null;
  // The port is chosen first so PUBLIC_URL (and so the links in reset mails) point at this server.
  const port = await freePort();
  const base = await testEnv(dialect, {
    SLACK_BOT_TOKEN: standIn.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: standIn.apiUrl,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    ...(smtp ? { SMTP_URL: smtp.url } : {}),
    ...(opts.env ?? {}),
  });
  const server = await startServer(base.rt, {
    port,
    host: '127.0.0.1',
    workers: {
      mail: { baseDelayMs: opts.mailBaseDelayMs ?? 50, pollMs: 200 },
      jobs: { pollMs: 200 },
      notices: { baseDelayMs: 50, maxDelayMs: 200, pollMs: 200, ...opts.notices },
    },
    background: opts.background,
    delivery: { ...TEST_DELIVERY, ...opts.delivery },
  });
  const driver = new SlackDriver({
    eventsUrl: `${server.url}/slack/events`,
    signingSecret: SIGNING_SECRET,
    standIn,
    command: base.rt.config.SLACK_COMMAND,
  });
  const env: SlackTestEnv = {
    ...base,
    standIn,
    driver,
    server,
    smtp,
    person: async (slackId, spec) => {
      const u = await makeUser(spec);
      standIn.addUser({ id: slackId, name: spec.username, email: u.email, realName: `${u.firstName} ${u.lastName}` });
      return u;
    },
    run: async (slackId, text, o = {}) => {
      const before = standIn.messages.length;
      const res = await driver.command(slackId, text, { channelId: o.channelId });
      const reply = await standIn.waitFor(
        () =>
          standIn.messages.slice(before).find((m) => m.source === 'response_url' && m.visibleTo === slackId) ??
          standIn.messages.slice(before).find((m) => m.source === 'response_url'),
        5000,
        `a reply to "${text}"`,
      );
      return { reply, ackMs: res.ackMs, status: res.status, responseUrl: res.responseUrl };
    },
    close: async () => {
      await server.stop();
      await base.close();
      await standIn.stop();
      await smtp?.stop();
    },
  };
  return env;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export type Roles = Record<string, Role[]>;

/** Plain text of a message, for assertions. */
export function textOf(m: { text?: string; blocks?: unknown[] }): string {
  return `${m.text ?? ''}\n${JSON.stringify(m.blocks ?? [])}`;
}

/** `/users bulk-reset` through `driver`, then the new form once it is filled (drivers of several instances may share one stand-in). */
export async function openBulkResetForm(driver: SlackDriver, standIn: SlackStandIn, userId: string): Promise<StandInView> {
  const before = new Set(standIn.views.keys());
  await driver.command(userId, 'bulk-reset');
  return standIn.waitFor(
    () => {
      const v = [...standIn.views.values()].find((x) => !before.has(x.id) && x.userId === userId);
      return v && JSON.stringify(v.view).includes('Choose an action and who it applies to') ? v : undefined;
    },
    8000,
    'the new bulk form',
  );
}

/** The newest open modal of `userId` once it shows `text`. */
export function modalShowing(standIn: SlackStandIn, userId: string, text: string, timeoutMs = 8000): Promise<StandInView> {
  return standIn.waitFor(
    () => {
      const v = [...standIn.views.values()].filter((x) => x.kind === 'modal' && x.userId === userId && !x.closed).pop();
      return v && JSON.stringify(v.view).includes(text) ? v : undefined;
    },
    timeoutMs,
    `a modal showing "${text}"`,
  );
}
