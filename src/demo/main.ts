// src/demo: `npm run demo`, the real server behind the Slack stand-in with a terminal client. Top of
// the tree: imports anything; nothing imports it.
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createRuntime, type Runtime } from '../app/runtime';
import { digestCommand } from '../cli/digest';
import { manualSlot } from '../jobs/lockout-digest';
import { ConfigError, loadConfig, type Config } from '../lib/config';
import { Logger, type LogLevel } from '../lib/logger';
import { ensurePrivateDir, ensurePrivateDirSync } from '../lib/private-files';
import { createMailTransport } from '../mail/transport';
import { startServer, type ServerHandle } from '../server/server';
import { SlackDriver, SlackStandIn } from '../standin';
import { readlineSource, scriptSource, type LineSource } from './input';
import { reportingTransport } from './mail';
import { dim } from './render';
import { DEMO_PASSWORD, seedDemoData, type SeedResult } from './seed';
import { displayPath, type DemoExtra } from './session';
import { DemoTerminal } from './terminal';

/**
 * `npm run demo`: userops without a Slack workspace. A fresh SQLite file with demo people, the real
 * server on localhost (login API, reset page, Bolt at /slack/events), the local Slack stand-in in
 * place of slack.com, and a terminal where you type `/users …` and press buttons by number.
 */

const USAGE = `npm run demo -- [--script FILE] [--port N] [--data DIR] [--no-color]

  --script FILE   run the lines of FILE instead of asking (# comments; numbers and y/n answers as lines)
  --port N        first port to try for the server (default $PORT or 3000; the next free one is used)
  --data DIR      where the demo database, mail and files go (default data/demo; emptied at start)
  --no-color      plain output`;

const CHANNEL = { id: 'C0GENERAL', name: 'general' };
const DIGEST_CHANNEL = { id: 'C0SECALERT', name: 'security-alerts' };

interface DemoArgs {
  script: string | undefined;
  port: number;
  dataDir: string;
  color: boolean;
}

function parse(argv: string[]): DemoArgs | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      script: { type: 'string' },
      port: { type: 'string' },
      data: { type: 'string' },
      'no-color': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const port = Number(values.port ?? process.env.PORT ?? '3000');
  if (!Number.isSafeInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, not “${values.port}”`);
  return {
    script: values.script,
    port,
    dataDir: resolve(values.data ?? 'data/demo'),
    color: Boolean(process.stdout.isTTY) && !values['no-color'] && process.env.NO_COLOR === undefined,
  };
}

function portIsFree(port: number): Promise<number | null> {
  return new Promise((resolvePort) => {
    const probe = createServer();
    probe.once('error', () => resolvePort(null));
    probe.listen(port, '127.0.0.1', () => {
      const { port: bound } = probe.address() as AddressInfo;
      probe.close(() => resolvePort(bound));
    });
  });
}

/** The wanted port or the next free one; chosen before the config because PUBLIC_URL names it. */
async function choosePort(first: number): Promise<number> {
  for (let port = first; port < first + 50 && port <= 65535; port++) {
    const free = await portIsFree(port);
    if (free !== null) return free;
    if (first === 0) break;
  }
  throw new Error(`no free port from ${first} to ${first + 49}; pass --port`);
}

function demoConfig(standIn: SlackStandIn, port: number, dataDir: string): Config {
  // Built from scratch, not from the environment or .env: the demo must never talk to a real
  // workspace, a real mail server or a production database by accident.
  return loadConfig({
    PORT: String(port),
    DATABASE_URL: `sqlite:${join(dataDir, 'userops-demo.sqlite')}`,
    SLACK_BOT_TOKEN: standIn.botToken,
    SLACK_SIGNING_SECRET: randomBytes(16).toString('hex'),
    SLACK_APP_TOKEN: '',
    SLACK_API_URL: standIn.apiUrl,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    SMTP_URL: '',
    MAIL_FROM: 'userops demo <userops@demo.example>',
    OUTBOX_DIR: join(dataDir, 'outbox'),
    EXPORT_DIR: join(dataDir, 'exports'),
    // Low for a snappy demo; production keeps 12.
    BCRYPT_COST: '10',
    DIGEST_CHANNEL: DIGEST_CHANNEL.id,
    LOG_LEVEL: 'info',
  });
}

function banner(o: { url: string; seed: SeedResult; dataDir: string; config: Config; extras: string[] }): string {
  const rel = displayPath;
  const { seed, url, config } = o;
  const me = seed.identities.find((i) => i.alias === 'admin') ?? seed.identities[0];
  const victim = 'bob';
  const login = (password: string): string =>
    `curl -s -X POST ${url}/api/v1/auth/login -H 'content-type: application/json' -d '{"login":"${victim}","password":"${password}"}'`;
  const others = seed.identities
    .filter((i) => i !== me)
    .map((i) => `    as ${i.alias.padEnd(9)} @${i.username.padEnd(5)} ${i.realName.padEnd(16)} ${i.roles}`);
  const lines = [
    '',
    '  userops demo — a user directory administered from Slack, without a Slack workspace',
    '',
    `  Directory  ${seed.users} people in ${seed.organizations} organizations (acme, globex), fresh in ${rel(join(o.dataDir, 'userops-demo.sqlite'))}`,
    `             locked: ${seed.locked.join(', ')} · disabled: ${seed.disabled.join(', ')} · must reset: ${seed.passwordReset.join(', ')}`,
    `             ${seed.recordOwner} owns records (so deleting ${seed.recordOwner} is refused until you reassign them)`,
    `  Server     ${url} on localhost — the login API, the password-reset page and Slack's /slack/events`,
    `  Slack      a local stand-in; you type, it sends what Slack would send, and shows what the app answers`,
    `  Mail       shown here as it is sent, and kept as .eml files in ${rel(config.OUTBOX_DIR)}/`,
    `  Files      the app's Slack uploads are saved to ${rel(join(o.dataDir, 'files'))}/`,
    `  Log        ${rel(join(o.dataDir, 'userops.log'))}`,
    '',
    `  You are @${me?.username} — ${me?.realName}, ${me?.roles}. Switch with:`,
    ...others,
    `    as admin     back to @${me?.username}`,
    '',
    `  Try: ${config.SLACK_COMMAND} help · ${config.SLACK_COMMAND} list locked · ${config.SLACK_COMMAND} show lou · then type a button's number`,
    '',
    `  Every demo person's password is ${DEMO_PASSWORD}. From another terminal:`,
    `    lock ${victim} out (${config.LOCKOUT_THRESHOLD} wrong passwords; the lockout mail shows up here):`,
    `      for i in $(seq ${config.LOCKOUT_THRESHOLD}); do ${login('wrong-password')} -o /dev/null -w '%{http_code} '; done; echo`,
    `    then ${config.SLACK_COMMAND} list locked → Activate${o.extras.includes('digest') ? ', or type digest to post the lockout digest' : ''}; log in:`,
    `      ${login(DEMO_PASSWORD)}`,
    `    reset a password (${config.SLACK_COMMAND} reset-password ${victim}): open the mailed link, choose a new password, log in with it.`,
    `    roles and people: ${config.SLACK_COMMAND} grant ${victim} helpdesk in acme · ${config.SLACK_COMMAND} add ${victim} to globex ·`,
    `      ${config.SLACK_COMMAND} remove ${victim} from globex · "Roles…" on a card · ${config.SLACK_COMMAND} list admins · ${config.SLACK_COMMAND} list dormant 30`,
    `    invite someone (${config.SLACK_COMMAND} invite new.person@example.com to acme as viewer): the mailed link sets their password;`,
    `      ${config.SLACK_COMMAND} list invited shows who has not accepted yet; ${config.SLACK_COMMAND} invite resend|revoke EMAIL.`,
    `    access review: ${config.SLACK_COMMAND} review acme (admins, security, API keys, dormant, invited; a CSV in your DM;`,
    `      each button opens the bulk form preselected) · ${config.SLACK_COMMAND} export dormant 30 exports one view.`,
    '',
    `  Demo commands: help · as NAME · home${o.extras.map((e) => ` · ${e}`).join('')} · wait · quit (Ctrl-C and Ctrl-D work too)`,
    '',
  ];
  return lines.join('\n');
}

interface Running {
  standIn: SlackStandIn;
  rt: Runtime | null;
  server: ServerHandle | null;
  terminal: DemoTerminal | null;
  input: LineSource | null;
}

async function main(): Promise<number> {
  let args: DemoArgs | 'help';
  try {
    args = parse(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { dataDir, color } = args;
  // A fresh directory every start: the tour always begins from the same story.
  await rm(dataDir, { recursive: true, force: true });
  // Owner-only like every data directory: it holds a database, mails and exported CSVs.
  await ensurePrivateDir(join(dataDir, 'files'));
  const logFile = join(dataDir, 'userops.log');

  const running: Running = { standIn: new SlackStandIn(), rt: null, server: null, terminal: null, input: null };
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      process.stdout.write(`${dim('Stopping the demo…', color)}\n`);
      running.terminal?.stop();
      running.input?.close();
      // Server first (no new requests, workers finish their batch), then the database they use.
      await running.server?.stop().catch(() => undefined);
      await running.rt?.close().catch(() => undefined);
      await running.standIn.stop().catch(() => undefined);
      process.stdout.write('Bye.\n');
    })();
    return stopping;
  };
  // Ctrl-C is how a person ends a demo, not a failure: close everything and exit 0.
  const interrupt = (): void => {
    process.stdout.write('\n');
    void stop().then(() => process.exit(0));
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);

  try {
    const { standIn } = running;
    standIn.addChannel({ ...DIGEST_CHANNEL, botIsMember: true });
    await standIn.start();
    const port = await choosePort(args.port);
    let config: Config;
    try {
      config = demoConfig(standIn, port, dataDir);
    } catch (e) {
      if (e instanceof ConfigError) throw new Error(`demo configuration: ${e.message}`, { cause: e });
      throw e;
    }

    // The terminal is for the conversation; the server's JSON log goes to a file, and only a
    // one-line note for its warnings and errors reaches the screen.
    ensurePrivateDirSync(dataDir);
    const sink = (line: string, level: LogLevel): void => {
      appendFileSync(logFile, `${line}\n`);
      if (level === 'error' || level === 'warn') {
        let msg: string = level;
        try {
          msg = String((JSON.parse(line) as { msg?: unknown }).msg ?? level);
        } catch {
          // keep the level as the message
        }
        running.terminal?.serverProblem(level, msg, logFile);
      }
    };
    const rt = await createRuntime(config, { logger: new Logger(config.LOG_LEVEL, sink) });
    running.rt = rt;
    const seed = await seedDemoData(rt);
    for (const i of seed.identities) standIn.addUser({ id: i.slackId, name: i.username, email: i.email, realName: i.realName });

    const transport = reportingTransport(createMailTransport(config, rt.logger), config.OUTBOX_DIR, (sent) =>
      running.terminal?.mailSent(sent),
    );
    running.server = await startServer(rt, {
      port,
      host: '127.0.0.1',
      workers: { mail: { transport, pollMs: 500, baseDelayMs: 2_000 }, jobs: { pollMs: 500 } },
    });
    const driver = new SlackDriver({
      eventsUrl: `${running.server.url}/slack/events`,
      signingSecret: config.SLACK_SIGNING_SECRET,
      standIn,
      command: config.SLACK_COMMAND,
      channelId: CHANNEL.id,
    });

    const input = args.script ? await scriptSource(args.script) : readlineSource(interrupt);
    running.input = input;
    const extras: Record<string, DemoExtra> = {
      digest: {
        help: `post the lockout digest to #${DIGEST_CHANNEL.name} now (DIGEST_CRON does it on schedule)`,
        // What `userops digest --now` does, in-process against the stand-in.
        run: async () => {
          const said: string[] = [];
          await digestCommand(rt, manualSlot, { out: (l) => said.push(l), err: (l) => said.push(`⚠️  ${l}`) });
          return said.join('\n').split(DIGEST_CHANNEL.id).join(`#${DIGEST_CHANNEL.name}`);
        },
      },
    };
    const terminal = new DemoTerminal({
      rt,
      standIn,
      driver,
      identities: seed.identities,
      input,
      filesDir: join(dataDir, 'files'),
      commandName: config.SLACK_COMMAND,
      color,
      extras,
    });
    running.terminal = terminal;
    process.stdout.write(`${banner({ url: config.PUBLIC_URL, seed, dataDir, config, extras: Object.keys(extras) })}\n`);
    await terminal.run();
    await stop();
    return 0;
  } catch (e) {
    process.stderr.write(`userops demo: ${e instanceof Error ? e.message : String(e)}\n`);
    await stop();
    return 1;
  }
}

main().then(
  (code) => {
    // Everything was closed above; exit explicitly so a forgotten timer cannot keep the demo alive.
    process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`userops demo: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
