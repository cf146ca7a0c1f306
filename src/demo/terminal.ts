import { basename, isAbsolute, join, relative } from 'node:path';
import { Op } from 'sequelize';
import type { Runtime } from '../app/runtime';
import { ensurePrivateDir, writePrivateFile } from '../lib/private-files';
import { formatBytes } from '../mail/templates';
import {
  findInputs,
  isObject,
  isView,
  listControls,
  optionsOf,
  textOf,
  type FoundInput,
  type JsonObject,
  type SlackDriver,
  type SlackStandIn,
  type StandInMessage,
  type StandInView,
  type Surface,
} from '../standin';
import { Job, MailMessage } from '../store/models';
import type { LineSource } from './input';
import type { SentMail } from './mail';
import { bold, describeState, dim, linksIn, renderSurface, renderText, type DemoControl } from './render';
import type { DemoIdentity } from './seed';

/**
 * The demo's conversation loop: what a person types becomes what Slack would send (slash
 * commands, clicks, form submissions through the stand-in's driver), and whatever the app then
 * shows — replies, rewritten messages, DMs, dialogs, files, mails — is printed as it appears.
 */

export interface DemoExtra {
  /** One line for `help`. */
  help: string;
  run(): Promise<string | void>;
}

export interface DemoTerminalOptions {
  rt: Runtime;
  standIn: SlackStandIn;
  driver: SlackDriver;
  identities: DemoIdentity[];
  input: LineSource;
  /** Where files the app uploads to Slack are saved. */
  filesDir: string;
  /** The slash command (`/users`). */
  commandName: string;
  color: boolean;
  /** In-process commands this build can offer (e.g. `digest`). */
  extras?: Record<string, DemoExtra>;
}

type SurfaceRef = { kind: 'message'; id: string } | { kind: 'view'; id: string };

interface Numbered {
  control: DemoControl;
  on: SurfaceRef;
}

/** Thrown when input ends in the middle of a question: unwinds to the main loop, which exits. */
class EndOfInput extends Error {}

const LOADING = /Working…/;
const SETTLE = { minMs: 150, quietMs: 350, maxMs: 20_000, pollMs: 50 };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function blocksOf(surface: Surface): unknown[] {
  if (isView(surface)) return Array.isArray(surface.view.blocks) ? surface.view.blocks : [];
  return surface.blocks ?? [];
}

/** A path as short as it can be said: relative to the working directory when inside it. */
export function displayPath(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? p : rel;
}

function isNumberList(text: string): boolean {
  return /^\d+(\s*,\s*\d+)*$/.test(text.trim());
}

function numbersIn(text: string): number[] {
  return text
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isSafeInteger(n));
}

function yes(answer: string, confirmLabel = ''): boolean {
  const a = answer.trim().toLowerCase();
  return a === 'y' || a === 'yes' || (confirmLabel !== '' && a === confirmLabel.toLowerCase());
}

export class DemoTerminal {
  private me: DemoIdentity;
  private numbered: Numbered[] = [];
  /** Increases with every line typed at the main prompt; numbers restart at 1 after it. */
  private turn = 0;
  private numberedTurn = -1;
  private readonly shownVersions = new Map<string, number>();
  private readonly shownDeleted = new Set<string>();
  private readonly savedFiles = new Map<string, string>();
  private readonly homeVersions = new Map<string, number>();
  private mailsShown = 0;
  private readonly pendingMail: SentMail[] = [];
  private busy = false;
  private stopped = false;
  private ticker: NodeJS.Timeout | null = null;
  private scanning = false;

  constructor(private readonly o: DemoTerminalOptions) {
    const admin = o.identities.find((i) => i.alias === 'admin') ?? o.identities[0];
    if (!admin) throw new Error('the demo needs at least one identity');
    this.me = admin;
  }

  // -------------------------------------------------------------------------------------------
  // Output
  // -------------------------------------------------------------------------------------------

  print(text: string): void {
    if (!this.stopped) this.o.input.print(text);
  }

  private userName = (slackUserId: string): string | undefined => this.o.standIn.user(slackUserId)?.name;

  /** The number the next control gets; the first output after a typed line starts again at 1. */
  private nextNumber(): number {
    if (this.numberedTurn !== this.turn) {
      this.numbered = [];
      this.numberedTurn = this.turn;
    }
    return this.numbered.length + 1;
  }

  private render(blocks: unknown, on: SurfaceRef): string {
    const rendered = renderSurface(blocks, { firstNumber: this.nextNumber(), userName: this.userName, color: this.o.color });
    for (const control of rendered.controls) this.numbered.push({ control, on });
    return rendered.text;
  }

  /**
   * A mail the outbox worker just delivered (called from the worker). While an action is being
   * answered it waits, so it is printed after the reply that caused it rather than before.
   */
  mailSent(sent: SentMail): void {
    this.mailsShown += 1;
    this.pendingMail.push(sent);
    if (!this.busy) this.flushMail();
  }

  private flushMail(): void {
    for (const sent of this.pendingMail.splice(0)) this.printMail(sent);
  }

  private printMail(sent: SentMail): void {
    const { mail } = sent;
    const lines = [`📧 Mail to ${mail.to} — “${mail.subject}”`];
    for (const link of linksIn(mail.text)) lines.push(`   🔗 ${link}`);
    for (const a of mail.attachments ?? []) lines.push(`   📎 ${a.filename} (${formatBytes(a.content.length)})`);
    if (sent.file) lines.push(dim(`   saved as ${displayPath(sent.file)}`, this.o.color));
    this.print(lines.join('\n'));
  }

  /** The server logged a warning or an error: one line here, the details in the log file. */
  serverProblem(level: string, message: string, logFile: string): void {
    this.print(dim(`(server ${level}: ${message} — see ${displayPath(logFile)})`, this.o.color));
  }

  // -------------------------------------------------------------------------------------------
  // What the current identity can see
  // -------------------------------------------------------------------------------------------

  private canSee(m: StandInMessage): boolean {
    if (m.ephemeral) return m.visibleTo === this.me.slackId;
    if (m.channel.startsWith('D')) return m.channel === this.o.standIn.dmChannelFor(this.me.slackId);
    return true;
  }

  private where(m: StandInMessage): string {
    if (m.channel.startsWith('D')) return m.channel === this.o.standIn.dmChannelFor(this.me.slackId) ? 'DM from userops' : 'a DM';
    return `#${this.o.standIn.channelName(m.channel)}`;
  }

  /** Mark everything that exists as shown (the start, and after switching identity). */
  private markAllShown(): void {
    for (const m of this.o.standIn.messages) {
      this.shownVersions.set(m.id, m.versions.length);
      if (m.deleted) this.shownDeleted.add(m.id);
    }
  }

  /** Print every message (new or changed) the current identity can see, and a changed App Home. */
  private async scan(): Promise<void> {
    if (this.scanning) return;
    this.scanning = true;
    try {
      for (const m of this.o.standIn.messages) {
        const shown = this.shownVersions.get(m.id) ?? 0;
        if (m.deleted) {
          if (!this.shownDeleted.has(m.id)) {
            this.shownDeleted.add(m.id);
            if (shown > 0 && this.canSee(m)) this.print(dim(`┄┄ ${this.where(m)} · a message was deleted ┄┄`, this.o.color));
          }
          continue;
        }
        if (m.versions.length === shown) continue;
        this.shownVersions.set(m.id, m.versions.length);
        if (!this.canSee(m)) continue;
        await this.printMessage(m, shown > 0);
      }
      const home = this.o.standIn.homeView(this.me.slackId);
      const homeShown = this.homeVersions.get(this.me.slackId);
      if (home && homeShown !== undefined && home.versions.length > homeShown) this.printHome(home, true);
      this.flushMail();
    } finally {
      this.scanning = false;
    }
  }

  private async printMessage(m: StandInMessage, updated: boolean): Promise<void> {
    const tags = [this.where(m), ...(m.ephemeral ? ['only visible to you'] : []), ...(updated ? ['updated'] : [])];
    const body =
      m.blocks && m.blocks.length > 0
        ? this.render(m.blocks, { kind: 'message', id: m.id })
        : renderText(m.text ?? '', { userName: this.userName, color: this.o.color });
    const lines = [dim(`┄┄ ${tags.join(' · ')} ┄┄`, this.o.color)];
    if (body.trim() !== '') lines.push(body);
    for (const fileId of m.files ?? []) lines.push(...(await this.saveFile(fileId)));
    this.print(lines.join('\n'));
  }

  /** Save a file the app uploaded, and say where it is with a glimpse of its first lines. */
  private async saveFile(fileId: string): Promise<string[]> {
    const file = this.o.standIn.files.find((f) => f.id === fileId);
    if (!file) return [`📎 (file ${fileId} is not in the stand-in)`];
    let target = this.savedFiles.get(fileId);
    if (target === undefined) {
      const name = basename(file.filename) || `${file.id}.bin`;
      const taken = [...this.savedFiles.values()].some((p) => basename(p) === name);
      target = join(this.o.filesDir, taken ? `${file.id}-${name}` : name);
      await ensurePrivateDir(this.o.filesDir);
      await writePrivateFile(target, file.bytes);
      this.savedFiles.set(fileId, target);
    }
    const lines = [`📎 ${file.title ?? file.filename} (${formatBytes(file.bytes.length)}) saved to ${displayPath(target)}`];
    const text = file.bytes.subarray(0, 4000).toString('utf8');
    if (/\.(csv|txt|json)$/i.test(file.filename) && !text.includes('\u0000')) {
      const head = text.split(/\r?\n/).slice(0, 3);
      lines.push(...head.map((l) => dim(`   │ ${l.length > 100 ? `${l.slice(0, 99)}…` : l}`, this.o.color)));
    }
    return lines;
  }

  private printHome(home: StandInView, updated: boolean): void {
    this.homeVersions.set(this.me.slackId, home.versions.length);
    const header = dim(`┄┄ App Home of userops${updated ? ' · updated' : ''} ┄┄`, this.o.color);
    this.print(`${header}\n${this.render(home.view.blocks, { kind: 'view', id: home.id })}`);
  }

  // -------------------------------------------------------------------------------------------
  // Waiting for the app
  // -------------------------------------------------------------------------------------------

  private signature(): string {
    const s = this.o.standIn;
    let versions = 0;
    for (const m of s.messages) versions += m.versions.length + (m.deleted ? 1 : 0);
    for (const v of s.views.values()) versions += v.versions.length + (v.closed ? 1 : 0);
    return `${s.calls.length}:${s.messages.length}:${versions}:${s.views.size}:${s.files.length}:${this.mailsShown}`;
  }

  /** Work the app still has to finish: due mail, queued or running jobs, a dialog still loading. */
  private async pendingWork(): Promise<boolean> {
    const modal = this.o.standIn.openModal(this.me.slackId);
    if (modal && LOADING.test(JSON.stringify(modal.view.blocks ?? []))) return true;
    const mails = await MailMessage.count({ where: { status: ['pending', 'sending'], nextAttemptAt: { [Op.lte]: this.o.rt.now() } } });
    if (mails > 0) return true;
    return (await Job.count({ where: { status: ['queued', 'running'] } })) > 0;
  }

  /** Wait until the app has gone quiet (nothing new for a moment and no work pending), then print. */
  private async settle(): Promise<void> {
    const start = Date.now();
    let last = this.signature();
    let changedAt = start;
    // Bounded: a long job keeps changing things, and its later news is printed by the ticker.
    while (!this.stopped && Date.now() - start < SETTLE.maxMs) {
      await sleep(SETTLE.pollMs);
      const now = Date.now();
      const sig = this.signature();
      if (sig !== last) {
        last = sig;
        changedAt = now;
        continue;
      }
      if (now - changedAt < SETTLE.quietMs || now - start < SETTLE.minMs) continue;
      if (!(await this.pendingWork().catch(() => false))) break;
    }
    await this.scan();
  }

  // -------------------------------------------------------------------------------------------
  // The loop
  // -------------------------------------------------------------------------------------------

  private prompt(): string {
    return this.o.color ? `${bold(`@${this.me.username}`, true)} › ` : `@${this.me.username} › `;
  }

  /** A question in the middle of an action (confirm, dialog field); news may print meanwhile. */
  private async ask(prompt: string): Promise<string> {
    const wasBusy = this.busy;
    this.busy = false;
    this.flushMail();
    let line: string | null;
    try {
      line = await this.o.input.next(prompt);
    } finally {
      this.busy = wasBusy;
    }
    if (line === null || this.stopped) throw new EndOfInput();
    return line;
  }

  /** Read and act on lines until input ends or `quit`. */
  async run(): Promise<void> {
    this.markAllShown();
    // Replies that arrive while the person is typing (job progress, mail) are printed at once.
    this.ticker = setInterval(() => {
      if (!this.busy && !this.stopped) void this.scan();
    }, 300);
    try {
      for (;;) {
        const line = await this.o.input.next(this.prompt());
        if (line === null || this.stopped) break;
        this.turn += 1;
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
      if (!this.stopped) await this.settle();
    } finally {
      this.stop();
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
  }

  /** One typed line; false to end the demo. */
  private async handle(line: string): Promise<boolean> {
    if (line === '') return true;
    if (line.startsWith('/')) {
      const [name = '', ...rest] = line.split(/\s+/);
      if (name !== this.o.commandName) {
        this.print(`${name} is not a valid command here; this workspace has ${this.o.commandName}.`);
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
    const extra = this.o.extras?.[command];
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
        if (!this.o.standIn.openModal(this.me.slackId)) this.print('No dialog is open.');
        await this.modalFlow();
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
        if (`/${command}` === this.o.commandName) {
          await this.slashCommand(args.join(' '));
          return true;
        }
        this.print(`Unknown: “${line}”. Type ${this.o.commandName} help for the app, or help for the demo's own commands.`);
        return true;
    }
  }

  help(): string {
    const extras = Object.entries(this.o.extras ?? {}).map(([name, e]) => `  ${name.padEnd(22)} ${e.help}`);
    return [
      'Type what you would type in Slack, plus a few demo commands:',
      `  ${`${this.o.commandName} …`.padEnd(22)} any sub-command (${this.o.commandName} help lists them)`,
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
    return this.o.identities
      .map((i) => {
        const mark = i.slackId === this.me.slackId ? '→' : ' ';
        return `${mark} as ${i.alias.padEnd(9)} @${i.username.padEnd(5)} ${i.realName.padEnd(16)} ${i.roles}`;
      })
      .join('\n');
  }

  private switchTo(name: string): void {
    const wanted = name.replace(/^@/, '').toLowerCase();
    const found = this.o.identities.find((i) => i.alias === wanted || i.username === wanted);
    if (!found) {
      this.print(`No demo identity “${name}”. Choose one of:\n${this.identityList()}`);
      return;
    }
    this.me = found;
    // What the new identity "missed" is not replayed; from now on, its view of Slack is shown.
    this.markAllShown();
    this.numbered = [];
    this.print(`You are now @${found.username} — ${found.realName}, ${found.roles}.`);
  }

  // -------------------------------------------------------------------------------------------
  // Slack actions
  // -------------------------------------------------------------------------------------------

  private async slashCommand(text: string): Promise<void> {
    const res = await this.o.driver.command(this.me.slackId, text);
    if (res.status !== 200)
      this.print(`⚠️  Slack would show: “${this.o.commandName} failed with the error "dispatch_failed"” (HTTP ${res.status})`);
    await this.afterAction();
  }

  private async afterAction(): Promise<void> {
    await this.settle();
    if (this.o.standIn.openModal(this.me.slackId)) await this.modalFlow();
  }

  private resolve(ref: SurfaceRef): Surface | undefined {
    if (ref.kind === 'view') {
      const view = this.o.standIn.views.get(ref.id);
      return view && !view.closed ? view : undefined;
    }
    const message = this.o.standIn.messages.find((m) => m.id === ref.id);
    return message && !message.deleted ? message : undefined;
  }

  private async press(n: number): Promise<void> {
    const entry = this.numbered[n - 1];
    if (!entry) {
      this.print(
        this.numbered.length === 0
          ? 'Nothing to press: numbers refer to the buttons and menus of the latest output.'
          : `No control [${n}]; the latest output has [1]–[${this.numbered.length}].`,
      );
      return;
    }
    if (await this.activate(entry)) await this.afterAction();
  }

  /** Ask a control's confirm dialog, then send the click; false if nothing was sent. */
  private async activate(entry: Numbered): Promise<boolean> {
    const { control } = entry;
    const surface = this.resolve(entry.on);
    if (!surface) {
      this.print('That message or view is gone.');
      return false;
    }
    if (control.kind !== 'select' && control.confirm !== undefined && !(await this.confirm(control.confirm))) {
      this.print(dim('Cancelled; nothing was sent.', this.o.color));
      return false;
    }
    if (control.kind === 'button' && control.url) this.print(`(Slack opens ${control.url} in the browser)`);
    if (control.kind === 'select') {
      await this.o.driver.selectOption(this.me.slackId, surface, control.actionId, control.value);
      return true;
    }
    const index = listControls(blocksOf(surface)).findIndex(
      (c) =>
        c.kind === control.kind &&
        c.blockId === control.blockId &&
        c.actionId === control.actionId &&
        c.label === control.label &&
        (c.value ?? '') === (control.value ?? ''),
    );
    if (index < 0) {
      this.print(`“${control.label}” is no longer there; the message changed (see its new numbers above).`);
      return false;
    }
    await this.o.driver.pressControl(this.me.slackId, surface, index + 1);
    return true;
  }

  /** A Block Kit `confirm` object as a y/n question, as the Slack client asks before sending. */
  private async confirm(confirm: unknown): Promise<boolean> {
    const c: JsonObject = isObject(confirm) ? confirm : {};
    const title = textOf(c.title) || 'Are you sure?';
    const text = renderText(textOf(c.text), { userName: this.userName, color: this.o.color });
    const ok = textOf(c.confirm) || 'Yes';
    const deny = textOf(c.deny) || 'Cancel';
    this.print(`❔ ${bold(title, this.o.color)}${text ? `\n   ${text}` : ''}`);
    return yes(await this.ask(`   ${ok} (y) or ${deny} (n)? `), ok);
  }

  private async openHome(): Promise<void> {
    const before = this.homeVersions.get(this.me.slackId);
    const res = await this.o.driver.appHomeOpened(this.me.slackId);
    await this.settle();
    const home = this.o.standIn.homeView(this.me.slackId);
    if (!home) {
      this.print(
        res.status === 200
          ? 'userops has not published an App Home tab in this build; everything is in /users.'
          : `The app did not take the app_home_opened event (HTTP ${res.status}).`,
      );
      return;
    }
    // Opening Home usually republishes it, which the settle above already printed as an update.
    if (this.homeVersions.get(this.me.slackId) !== home.versions.length || before === home.versions.length) this.printHome(home, false);
  }

  // -------------------------------------------------------------------------------------------
  // Dialogs (modals)
  // -------------------------------------------------------------------------------------------

  /** Walk the open dialog: buttons, then one prompt per input, then submit; repeat while it stays open. */
  private async modalFlow(): Promise<void> {
    let errorsOnly = false;
    for (let round = 0; round < 100 && !this.stopped; round++) {
      const view = this.o.standIn.openModal(this.me.slackId);
      if (!view) return;
      const state = this.o.standIn.submittedState(view.id);
      const errors = view.errors ?? {};
      const rendered = renderSurface(view.view.blocks, { firstNumber: 1, userName: this.userName, state, errors, color: this.o.color });
      const title = textOf(view.view.title) || 'Dialog';
      const submit = textOf(view.view.submit);
      const inputs = findInputs(view.view.blocks);
      this.print(`${dim('┏━━', this.o.color)} ${bold(title, this.o.color)} ${dim('(dialog)', this.o.color)}\n${rendered.text}`);
      if (LOADING.test(rendered.text)) {
        this.print(dim('(still working; type modal to come back to this dialog)', this.o.color));
        return;
      }
      const controls = rendered.controls.map((control) => ({ control, on: { kind: 'view', id: view.id } as SurfaceRef }));
      if (inputs.length === 0 && submit === '' && controls.length === 0) {
        await this.o.driver.closeView(this.me.slackId, view);
        this.print(dim('┗━━ (dialog closed)', this.o.color));
        await this.settle();
        return;
      }
      // After `response_action: errors` the fields in error are asked again straight away.
      if (controls.length > 0 && !errorsOnly) {
        const then = inputs.length > 0 ? 'fill in the form' : submit ? 'go on' : 'close it';
        const answer = (await this.ask(`Dialog: a number presses that button, Enter to ${then}, “close” to close: `)).trim();
        if (/^(close|cancel)$/i.test(answer) || (answer === '' && inputs.length === 0 && !submit)) {
          await this.closeDialog(view);
          return;
        }
        if (/^\d+$/.test(answer)) {
          const entry = controls[Number(answer) - 1];
          if (!entry) this.print(`No button [${answer}] in this dialog.`);
          else if (await this.activate(entry)) await this.settle();
          continue;
        }
        if (answer !== '') {
          this.print(`   Type a button's number, press Enter, or type close.`);
          continue;
        }
      }
      const errored = inputs.filter((i) => errors[i.blockId] !== undefined);
      const toAsk = errorsOnly && errored.length > 0 ? errored : inputs;
      const values: Record<string, Record<string, unknown>> = {};
      for (const input of toAsk) {
        const value = await this.askInput(view, input, state[input.blockId]?.[input.actionId]);
        if (value !== undefined) values[input.blockId] = { ...(values[input.blockId] ?? {}), [input.actionId]: value };
      }
      if (!submit) {
        await this.closeDialog(view);
        return;
      }
      if (/^n/i.test((await this.ask(`Submit “${submit}”? [Y/n] `)).trim())) {
        await this.closeDialog(view);
        return;
      }
      const res = await this.o.driver.submitView(this.me.slackId, view, values);
      for (const problem of res.answerProblems) this.print(`⚠️  Slack would reject the app's answer: ${problem}`);
      if (res.status !== 200) this.print(`⚠️  Slack would show “We had some trouble connecting” (HTTP ${res.status}).`);
      await this.settle();
      const after = this.o.standIn.views.get(view.id);
      errorsOnly = Boolean(after && !after.closed && after.errors && Object.keys(after.errors).length > 0);
      if (!after || after.closed) this.print(dim('┗━━ (dialog closed)', this.o.color));
    }
  }

  private async closeDialog(view: StandInView): Promise<void> {
    await this.o.driver.closeView(this.me.slackId, view);
    this.print(dim('┗━━ (dialog closed)', this.o.color));
    await this.settle();
  }

  /** Ask for one input; the element state to submit, or undefined to keep what it holds. */
  private async askInput(view: StandInView, input: FoundInput, current: unknown): Promise<JsonObject | undefined> {
    const type = input.type;
    const label = `${input.label}${input.optional ? ' (optional)' : ''}`;
    const shown = describeState(current);
    switch (type) {
      case 'plain_text_input':
      case 'email_text_input':
      case 'url_text_input':
      case 'number_input':
        return this.askText(input, label, shown);
      case 'static_select':
      case 'radio_buttons':
      case 'multi_static_select':
      case 'checkboxes':
        return this.askChoice(input, label, shown);
      case 'external_select':
      case 'multi_external_select':
        return this.askExternal(view, input, label, current);
      case 'users_select':
      case 'multi_users_select': {
        const ids = this.o.identities.map((i) => `${i.slackId} (@${i.username})`).join(', ');
        const answer = (await this.ask(`${label} — a Slack user id (${ids})${shown ? ` [${shown}]` : ''}: `)).trim();
        if (answer === '') return undefined;
        const users = answer.split(',').map((s) => s.trim());
        return type === 'users_select' ? { type, selected_user: users[0] } : { type, selected_users: users };
      }
      case 'datepicker': {
        const answer = (await this.ask(`${label} (YYYY-MM-DD)${shown ? ` [${shown}]` : ''}: `)).trim();
        return answer === '' ? undefined : { type, selected_date: answer };
      }
      case 'timepicker': {
        const answer = (await this.ask(`${label} (HH:MM)${shown ? ` [${shown}]` : ''}: `)).trim();
        return answer === '' ? undefined : { type, selected_time: answer };
      }
      default:
        this.print(dim(`(${label}: a ${type} cannot be filled in here; left as it is)`, this.o.color));
        return undefined;
    }
  }

  private async askText(input: FoundInput, label: string, shown: string): Promise<JsonObject | undefined> {
    const el = input.element;
    const min = typeof el.min_length === 'number' ? el.min_length : 0;
    const max = typeof el.max_length === 'number' ? el.max_length : 3000;
    for (;;) {
      let value: string;
      if (el.multiline === true) {
        const first = await this.ask(
          `${label} — several lines, end with a line holding only “.”${shown ? '; Enter keeps what is there' : ''}: `,
        );
        if (first === '') value = shown;
        else {
          const lines = [first];
          for (;;) {
            const next = await this.ask('… ');
            if (next === '.') break;
            lines.push(next);
          }
          value = lines.join('\n');
        }
      } else {
        const answer = await this.ask(`${label}${shown ? ` [Enter keeps “${shown}”]` : ''}: `);
        value = answer === '' ? shown : answer;
      }
      // The Slack client checks these before it sends anything.
      if (value === '' && !input.optional) {
        this.print('   Please fill out this field.');
        continue;
      }
      if (value !== '' && value.length < min) {
        this.print(`   Please lengthen this text to ${min} characters or more.`);
        continue;
      }
      if (value.length > max) {
        this.print(`   Please shorten this text to ${max} characters or fewer.`);
        continue;
      }
      return { type: input.type, value: value === '' ? null : value };
    }
  }

  private async askChoice(input: FoundInput, label: string, shown: string): Promise<JsonObject | undefined> {
    const options = optionsOf(input.element);
    const multi = input.type === 'multi_static_select' || input.type === 'checkboxes';
    this.print(`${label}:\n${options.map((o, i) => `   [${i + 1}] ${o.text}`).join('\n')}`);
    // Optional choices that already hold something can be emptied with "-".
    const clearable = shown !== '' && (input.optional || (multi && input.type === 'checkboxes'));
    for (;;) {
      const keep = shown ? `Enter keeps “${shown}”${clearable ? ', - for none' : ''}` : input.optional ? 'Enter for none' : '';
      const answer = (await this.ask(`   ${multi ? 'Numbers (e.g. 1,3)' : 'Number'}${keep ? `, ${keep}` : ''}: `)).trim();
      if (answer === '') {
        if (shown || input.optional) return undefined;
        this.print('   Please select an item in the list.');
        continue;
      }
      if (answer === '-' && clearable)
        return multi ? { type: input.type, selected_options: [] } : { type: input.type, selected_option: null };
      const picked = isNumberList(answer) ? numbersIn(answer).map((n) => options[n - 1]) : [];
      if (picked.length === 0 || picked.some((o) => o === undefined) || (!multi && picked.length > 1)) {
        this.print(`   Choose ${multi ? 'numbers' : 'a number'} between 1 and ${options.length}.`);
        continue;
      }
      const raws = picked.map((o) => structuredClone(o!.raw));
      return multi ? { type: input.type, selected_options: raws } : { type: input.type, selected_option: raws[0] };
    }
  }

  /** An external select: what is typed goes to the app as block_suggestion; its options are numbered. */
  private async askExternal(view: StandInView, input: FoundInput, label: string, current: unknown): Promise<JsonObject | undefined> {
    const multi = input.type === 'multi_external_select';
    const minQuery = typeof input.element.min_query_length === 'number' ? input.element.min_query_length : 3;
    const picked: unknown[] =
      isObject(current) && Array.isArray(current.selected_options)
        ? [...current.selected_options]
        : isObject(current) && isObject(current.selected_option)
          ? [current.selected_option]
          : [];
    let changed = false;
    for (;;) {
      const chosen = picked.map((o) => (isObject(o) ? textOf(o.text) : '')).join('; ');
      const query = (await this.ask(`${label}: type to search${chosen ? ` (chosen: ${chosen})` : ''}, Enter when done: `)).trim();
      if (query === '') break;
      if (query.length < minQuery) {
        this.print(`   Type at least ${minQuery} characters.`);
        continue;
      }
      const res = await this.o.driver.suggest(this.me.slackId, view, input.actionId, query);
      const body = isObject(res.body) ? res.body : {};
      const options = optionsOf(body);
      if (options.length === 0) {
        this.print('   No matches.');
        continue;
      }
      this.print(options.map((o, i) => `   [${i + 1}] ${o.text}`).join('\n'));
      const answer = (await this.ask(`   ${multi ? 'Numbers (e.g. 1,3)' : 'Number'}, Enter for none: `)).trim();
      if (!isNumberList(answer)) continue;
      for (const n of numbersIn(answer)) {
        const option = options[n - 1];
        if (!option) continue;
        if (!multi) picked.splice(0, picked.length);
        if (!picked.some((p) => isObject(p) && p.value === option.value)) picked.push(structuredClone(option.raw));
        changed = true;
      }
      if (!multi && picked.length > 0) break;
    }
    if (!changed) return undefined;
    return multi ? { type: input.type, selected_options: picked } : { type: input.type, selected_option: picked[0] ?? null };
  }
}
