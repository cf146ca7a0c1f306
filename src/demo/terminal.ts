/**
 * The demo's conversation loop: what a person types becomes what Slack would send (slash
 * commands, clicks, form submissions through the stand-in's driver), and whatever the app then
 * shows — replies, rewritten messages, DMs, dialogs, files, mails — is printed as it appears.
 * This file holds the loop and the demo's own commands; feed.ts prints, controls.ts numbers and
 * presses, dialog.ts and dialog-fields.ts walk a dialog.
 */
import { ControlNumbers, activate } from './controls';
import { walkDialog } from './dialog';
import { SlackFeed } from './feed';
import type { SentMail } from './mail';
import { bold, dim } from './render';
import type { DemoIdentity } from './seed';
import { EndOfInput, displayPath, sleep, type DemoSession, type DemoTerminalOptions } from './session';

export class DemoTerminal implements DemoSession {
  private current: DemoIdentity;
  private readonly numbers = new ControlNumbers();
  private readonly feed: SlackFeed;
  private busy = false;
  private isStopped = false;
  private ticker: NodeJS.Timeout | null = null;

  constructor(readonly options: DemoTerminalOptions) {
    const admin = options.identities.find((i) => i.alias === 'admin') ?? options.identities[0];
    if (!admin) throw new Error('the demo needs at least one identity');
    this.current = admin;
    this.feed = new SlackFeed(this, this.numbers);
  }

  get me(): DemoIdentity {
    return this.current;
  }

  get stopped(): boolean {
    return this.isStopped;
  }

  // -------------------------------------------------------------------------------------------
  // Output
  // -------------------------------------------------------------------------------------------

  print(text: string): void {
    if (!this.isStopped) this.options.input.print(text);
  }

  readonly userName = (slackUserId: string): string | undefined => this.options.standIn.user(slackUserId)?.name;

  /**
   * A mail the outbox worker just delivered (called from the worker). While an action is being
   * answered it waits, so it is printed after the reply that caused it rather than before.
   */
  mailSent(sent: SentMail): void {
    this.feed.queueMail(sent);
    if (!this.busy) this.feed.flushMail();
  }

  /** The server logged a warning or an error: one line here, the details in the log file. */
  serverProblem(level: string, message: string, logFile: string): void {
    this.print(dim(`(server ${level}: ${message} — see ${displayPath(logFile)})`, this.options.color));
  }

  settle(): Promise<void> {
    return this.feed.settle();
  }

  // -------------------------------------------------------------------------------------------
  // The loop
  // -------------------------------------------------------------------------------------------

  private prompt(): string {
    return this.options.color ? `${bold(`@${this.current.username}`, true)} › ` : `@${this.current.username} › `;
  }

  /** A question in the middle of an action (confirm, dialog field); news may print meanwhile. */
  async ask(prompt: string): Promise<string> {
    const wasBusy = this.busy;
    this.busy = false;
    this.feed.flushMail();
    let line: string | null;
    try {
      line = await this.options.input.next(prompt);
    } finally {
      this.busy = wasBusy;
    }
    if (line === null || this.isStopped) throw new EndOfInput();
    return line;
  }

  /** Read and act on lines until input ends or `quit`. */
  async run(): Promise<void> {
    this.feed.markAllShown();
    // Replies that arrive while the person is typing (job progress, mail) are printed at once.
    this.ticker = setInterval(() => {
      if (!this.busy && !this.isStopped) void this.feed.scan();
    }, 300);
    try {
      for (;;) {
        const line = await this.options.input.next(this.prompt());
        if (line === null || this.isStopped) break;
        this.numbers.newTurn();
        this.busy = true;
        try {
          if (!(await this.handle(line.trim()))) break;
        } catch (e) {
          if (e instanceof EndOfInput) break;
          this.print(`⚠️  ${e instanceof Error ? e.message : String(e)}`);
        } finally {
          this.busy = false;
        }
      }
      // Input ended: let work already started (a mail, an export) show before leaving.
      if (!this.isStopped) await this.settle();
    } finally {
      this.stop();
    }
  }

  stop(): void {
    this.isStopped = true;
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
  }

  /** One typed line; false to end the demo. */
  private async handle(line: string): Promise<boolean> {
    if (line === '') return true;
    if (line.startsWith('/')) {
      const [name = '', ...rest] = line.split(/\s+/);
      if (name !== this.options.commandName) {
        this.print(`${name} is not a valid command here; this workspace has ${this.options.commandName}.`);
        return true;
      }
      await this.slashCommand(rest.join(' '));
      return true;
    }
    if (/^\d+$/.test(line)) {
      await this.press(Number(line));
      return true;
    }
    const [word = '', ...args] = line.split(/\s+/);
    const command = word.toLowerCase();
    const extra = this.options.extras?.[command];
    if (extra) {
      const said = await extra.run();
      if (said) this.print(said);
      await this.settle();
      return true;
    }
    switch (command) {
      case 'as':
        this.switchTo(args[0] ?? '');
        return true;
      case 'home':
        await this.openHome();
        return true;
      case 'modal':
      case 'dialog':
        if (!this.options.standIn.openModal(this.current.slackId)) this.print('No dialog is open.');
        await walkDialog(this);
        return true;
      case 'wait': {
        const seconds = Number(args[0] ?? '0');
        if (Number.isFinite(seconds) && seconds > 0) await sleep(Math.min(seconds, 120) * 1000);
        await this.settle();
        return true;
      }
      case 'who':
      case 'whoami':
        this.print(this.identityList());
        return true;
      case 'help':
      case '?':
        this.print(this.help());
        return true;
      case 'quit':
      case 'exit':
      case 'bye':
        return false;
      default:
        if (`/${command}` === this.options.commandName) {
          await this.slashCommand(args.join(' '));
          return true;
        }
        this.print(`Unknown: “${line}”. Type ${this.options.commandName} help for the app, or help for the demo's own commands.`);
        return true;
    }
  }

  help(): string {
    const extras = Object.entries(this.options.extras ?? {}).map(([name, e]) => `  ${name.padEnd(22)} ${e.help}`);
    return [
      'Type what you would type in Slack, plus a few demo commands:',
      `  ${`${this.options.commandName} …`.padEnd(22)} any sub-command (${this.options.commandName} help lists them)`,
      `  ${'3'.padEnd(22)} press control [3] of the latest output (button, menu item, select option)`,
      `  ${'as NAME'.padEnd(22)} act as admin, security, helpdesk, viewer (or a demo username)`,
      `  ${'home'.padEnd(22)} open userops' App Home tab`,
      ...extras,
      `  ${'modal'.padEnd(22)} come back to a dialog that is still open`,
      `  ${'wait [SECONDS]'.padEnd(22)} wait for background work (jobs, mail) and show what it produced`,
      `  ${'who'.padEnd(22)} the demo identities`,
      `  ${'quit'.padEnd(22)} stop the demo (Ctrl-C or Ctrl-D work too)`,
    ].join('\n');
  }

  identityList(): string {
    return this.options.identities
      .map((i) => {
        const mark = i.slackId === this.current.slackId ? '→' : ' ';
        return `${mark} as ${i.alias.padEnd(9)} @${i.username.padEnd(5)} ${i.realName.padEnd(16)} ${i.roles}`;
      })
      .join('\n');
  }

  private switchTo(name: string): void {
    const wanted = name.replace(/^@/, '').toLowerCase();
    const found = this.options.identities.find((i) => i.alias === wanted || i.username === wanted);
    if (!found) {
      this.print(`No demo identity “${name}”. Choose one of:\n${this.identityList()}`);
      return;
    }
    this.current = found;
    // What the new identity "missed" is not replayed; from now on, its view of Slack is shown.
    this.feed.markAllShown();
    this.numbers.clear();
    this.print(`You are now @${found.username} — ${found.realName}, ${found.roles}.`);
  }

  // -------------------------------------------------------------------------------------------
  // Slack actions
  // -------------------------------------------------------------------------------------------

  private async slashCommand(text: string): Promise<void> {
    const res = await this.options.driver.command(this.current.slackId, text);
    if (res.status !== 200)
      this.print(`⚠️  Slack would show: “${this.options.commandName} failed with the error "dispatch_failed"” (HTTP ${res.status})`);
    await this.afterAction();
  }

  private async afterAction(): Promise<void> {
    await this.settle();
    if (this.options.standIn.openModal(this.current.slackId)) await walkDialog(this);
  }

  private async press(n: number): Promise<void> {
    const entry = this.numbers.get(n);
    if (!entry) {
      this.print(
        this.numbers.count === 0
          ? 'Nothing to press: numbers refer to the buttons and menus of the latest output.'
          : `No control [${n}]; the latest output has [1]–[${this.numbers.count}].`,
      );
      return;
    }
    if (await activate(this, entry)) await this.afterAction();
  }

  private async openHome(): Promise<void> {
    const me = this.current.slackId;
    const before = this.feed.homeVersionShown(me);
    const res = await this.options.driver.appHomeOpened(me);
    await this.settle();
    const home = this.options.standIn.homeView(me);
    if (!home) {
      this.print(
        res.status === 200
          ? 'userops has not published an App Home tab in this build; everything is in /users.'
          : `The app did not take the app_home_opened event (HTTP ${res.status}).`,
      );
      return;
    }
    // Opening Home usually republishes it, which the settle above already printed as an update.
    if (this.feed.homeVersionShown(me) !== home.versions.length || before === home.versions.length) this.feed.printHome(home, false);
  }
}
