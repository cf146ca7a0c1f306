import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * `npm run demo` as a person uses it: the built demo in a child process, driven by a script and by
 * lines typed into its stdin, with curl-like HTTP calls from "another terminal" in between.
 */

const ROOT = resolve(__dirname, '../..');
// Its own output directory, so this build never races `npm run build` writing dist/.
const OUT = join(ROOT, 'dist', 'demo-test');
const MAIN = join(OUT, 'src', 'demo', 'main.js');
const PASSWORD = 'Tulip-Harbor-2187';

class Demo {
  out = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcessWithoutNullStreams;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [MAIN, '--port', '0', ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout.setEncoding('utf8').on('data', (s: string) => (this.out += s));
    this.child.stderr.setEncoding('utf8').on('data', (s: string) => (this.out += s));
    this.exited = new Promise((done) => this.child.on('exit', (code, signal) => done({ code, signal })));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Wait until the output (from `from` on) matches; the match. */
  async waitFor(re: RegExp, timeoutMs = 30_000, from = 0): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = re.exec(this.out.slice(from));
      if (m) return m;
      if (Date.now() > deadline) throw new Error(`demo output never matched ${re}; output:\n${this.out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  type(line: string): number {
    const at = this.out.length;
    this.child.stdin.write(`${line}\n`);
    return at;
  }

  /** Ctrl-D: the end of stdin. */
  endInput(): void {
    this.child.stdin.end();
  }

  interrupt(): void {
    this.child.kill('SIGINT');
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }

  async port(): Promise<number> {
    return Number((await this.waitFor(/Server +http:\/\/127\.0\.0\.1:(\d+)/))[1]);
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

function processAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function login(port: number, user: string, password: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: user, password }),
  });
  await res.arrayBuffer();
  return res.status;
}

/** What a browser does with a reset link: load the form, post the new password with its CSRF pair. */
async function completeReset(link: string, password: string): Promise<number> {
  const page = await fetch(link);
  const html = await page.text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0];
  expect(csrf).toBeDefined();
  const res = await fetch(link, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ csrf: csrf ?? '', password, confirm: password }).toString(),
    redirect: 'manual',
  });
  await res.arrayBuffer();
  return res.status;
}

describe('npm run demo', () => {
  let dir: string;
  const running: Demo[] = [];

  beforeAll(async () => {
    // Emit only: type errors are `npm run typecheck`'s to report, and skipping the check makes
    // this build a few seconds instead of half a minute.
    const tsc = spawnSync(
      process.execPath,
      [
        require.resolve('typescript/bin/tsc'),
        ...['-p', 'tsconfig.build.json', '--noCheck', '--outDir', OUT, '--tsBuildInfoFile', join(OUT, '.tsbuildinfo')],
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    if (!existsSync(MAIN)) throw new Error(`the demo was not built:\n${tsc.stdout}${tsc.stderr}`);
    dir = await mkdtemp(join(tmpdir(), 'userops-demo-'));
  }, 240_000);

  afterEach(() => {
    for (const d of running.splice(0)) d.kill();
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function start(args: string[]): Demo {
    const demo = new Demo(args);
    running.push(demo);
    return demo;
  }

  test('a script finds, disables, activates, resets and exports, then the demo exits 0 and leaves nothing running', async () => {
    const script = join(dir, 'tour.txt');
    await writeFile(
      script,
      [
        '# find',
        '/users find bob',
        '# the card: [1] is Disable, which asks first',
        '/users show bob',
        '1',
        'y',
        '# unlock a locked user',
        '/users activate lou',
        '# reset: the mail shows up with its link',
        '/users reset-password carol',
        '# roles (issue 20): grant one, then the admins view',
        '/users grant carol helpdesk in acme',
        '/users list admins',
        '# the access review of acme (issue 20): sections, buttons, a CSV in the DM',
        '/users review acme',
        '# export: the CSV is uploaded to Slack, saved here, and mailed',
        '/users export',
        '',
      ].join('\n'),
    );
    const data = join(dir, 'scripted');
    const demo = start(['--script', script, '--data', data]);
    const port = await demo.port();
    const { code } = await demo.exited;
    const out = demo.out;
    expect(code).toBe(0);

    expect(out).toContain('@ana › /users find bob');
    expect(out).toMatch(/\*1 user\* matching “bob”/);
    expect(out).toMatch(/\*bob\* · Bob Marsh · bob@acme\.example\n {2}⋯ \[\d+\] Show card/);

    expect(out).toMatch(/\[1\] Disable \(!\) {3}\[2\] Reset password/);
    expect(out).toContain('❔ Disable this user?');
    expect(out).toMatch(/#general · only visible to you · updated ┄┄\n⛔ Bob Marsh[\s\S]*Disabled by @ana/);

    expect(out).toMatch(/Activated by @ana/);
    expect(out).toContain('@ana › /users review acme');
    expect(out).toMatch(/Access review of .*\(acme\)/);

    expect(out).toMatch(/✅ carol: reset link sent to carol@acme\.example/);
    const link = new RegExp(
      `📧 Mail to carol@acme\\.example — “Set a new password for your account”\\n {3}🔗 (http://127\\.0\\.0\\.1:${port}/password/reset/[\\w-]+)`,
    );
    expect(out).toMatch(link);

    expect(out).toContain('✅ carol now has helpdesk in acme.');
    expect(out).toMatch(/\*\d+ users?\* in \*Administrators\*/);

    const saved = /📎 User export #\d+ \([\d.]+ kB\) saved to (\S+\.csv)/.exec(out);
    expect(saved).not.toBeNull();
    const csv = await readFile(resolve(ROOT, saved?.[1] ?? ''), 'utf8');
    expect(csv.split('\n')[0]).toMatch(/^username,email,first_name,last_name,organization,roles,password,enabled/);
    expect(csv).toContain('bob,bob@acme.example,Bob,Marsh,acme');
    expect(out).toMatch(/📧 Mail to ana@acme\.example — “User export: \d+ users”\n {3}📎 users-export-[\w-]+\.csv/);

    expect(out).toMatch(/Stopping the demo…\nBye\.\n$/);
    expect(out).not.toMatch(/server (warn|error)/);
    expect(processAlive(demo.pid)).toBe(false);
    expect(await listening(port)).toBe(false);
    expect(existsSync(join(data, 'userops-demo.sqlite'))).toBe(true);
  }, 60_000);

  test('typed lines and another terminal walk lockout → digest → activate and reset → mail → page → login; Ctrl-C exits 0', async () => {
    const demo = start(['--data', join(dir, 'typed')]);
    const port = await demo.port();
    await demo.waitFor(/Demo commands: .*digest/);

    // Another terminal: the banner's curl loop, ten wrong passwords.
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push(await login(port, 'bob', 'wrong-password'));
    expect(statuses.every((s) => s === 401)).toBe(true);
    expect(await login(port, 'bob', PASSWORD)).toBe(401); // locked: the same answer as a wrong password
    await demo.waitFor(/📧 Mail to bob@acme\.example — “Your account was locked”/);

    let from = demo.type('digest');
    const activate = await demo.waitFor(/🔒 \*Bob Marsh\* \(`bob`\)[^[]*\[(\d+)\] Activate/, 15_000, from);
    from = demo.type(activate[1] ?? '');
    await demo.waitFor(/#security-alerts · updated ┄┄/, 15_000, from);
    expect(await login(port, 'bob', PASSWORD)).toBe(200);

    from = demo.type('/users reset-password bob');
    const mail = await demo.waitFor(/📧 Mail to bob@acme\.example — “Set a new password for your account”\n {3}🔗 (\S+)/, 15_000, from);
    expect(await login(port, 'bob', PASSWORD)).toBe(401); // reset pending: likewise
    expect(await completeReset(mail[1] ?? '', 'Fresh-Meadow-Lantern-93')).toBe(200);
    expect(await login(port, 'bob', 'Fresh-Meadow-Lantern-93')).toBe(200);
    await demo.waitFor(/📧 Mail to bob@acme\.example — “Your password was changed”/, 15_000, from);

    from = demo.type('as helpdesk');
    await demo.waitFor(/You are now @hal/, 5_000, from);
    from = demo.type('/users show kira');
    await demo.waitFor(/\[1\] Activate {3}\[2\] Reset password\n/, 15_000, from);

    demo.interrupt();
    const { code } = await demo.exited;
    expect(code).toBe(0);
    expect(demo.out).toMatch(/Stopping the demo…\nBye\.\n$/);
    expect(processAlive(demo.pid)).toBe(false);
    expect(await listening(port)).toBe(false);
  }, 90_000);

  test('end of input exits 0 too, and a dialog is a prompt per field with errors asked again', async () => {
    const demo = start(['--data', join(dir, 'piped')]);
    const port = await demo.port();
    await demo.waitFor(/Demo commands:/);
    for (const line of ['/users change-password erin', '', 'short', 'y', 'a-much-better-Passw0rd-here', 'y']) demo.type(line);
    await demo.waitFor(/┗━━ \(dialog closed\)/);
    demo.type('wait');
    await demo.waitFor(/📧 Mail to erin@acme\.example — “Your password was changed”/);
    demo.endInput();
    const { code } = await demo.exited;
    expect(code).toBe(0);
    const out = demo.out;
    expect(out).toContain('┏━━ Change password (dialog)');
    expect(out).toContain('New password: short');
    expect(out).toMatch(/ {2}⚠️ {2}Use at least 12 characters/);
    expect(out).toContain('The password of *erin* was changed');
    expect(out).toMatch(/Stopping the demo…\nBye\.\n$/);
    expect(await listening(port)).toBe(false);
  }, 60_000);
});
