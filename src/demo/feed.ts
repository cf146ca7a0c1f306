/**
 * What the current identity sees of Slack, printed as it appears: new and rewritten messages
 * (with the files they carry saved to disk), App Home, and the mails the app sent; and waiting
 * until the app has gone quiet before printing, so a reply comes out whole.
 */
import { basename, join } from 'node:path';
import { Op } from 'sequelize';
import { formatBytes } from '../mail/templates';
import type { StandInMessage, StandInView } from '../standin';
import { Job, MailMessage } from '../store/models';
import type { ControlNumbers, SurfaceRef } from './controls';
import type { SentMail } from './mail';
import { dim, linksIn, renderSurface, renderText } from './render';
import { displayPath, LOADING, sleep, type DemoSession } from './session';
import { ensurePrivateDir, writePrivateFile } from '../lib/private-files';

const SETTLE = { minMs: 150, quietMs: 350, maxMs: 20_000, pollMs: 50 };

export class SlackFeed {
  private readonly shownVersions = new Map<string, number>();
  private readonly shownDeleted = new Set<string>();
  private readonly savedFiles = new Map<string, string>();
  private readonly homeVersions = new Map<string, number>();
  private mailsShown = 0;
  private readonly pendingMail: SentMail[] = [];
  private scanning = false;

  constructor(
    private readonly session: DemoSession,
    private readonly numbers: ControlNumbers,
  ) {}

  private get color(): boolean {
    return this.session.options.color;
  }

  /** Blocks as text, their controls numbered after those already shown since the last typed line. */
  render(blocks: unknown, on: SurfaceRef): string {
    const rendered = renderSurface(blocks, { firstNumber: this.numbers.next(), userName: this.session.userName, color: this.color });
    this.numbers.add(rendered.controls, on);
    return rendered.text;
  }

  // -------------------------------------------------------------------------------------------
  // Mail
  // -------------------------------------------------------------------------------------------

  /** A mail the outbox worker just delivered, held until {@link flushMail} prints it. */
  queueMail(sent: SentMail): void {
    this.mailsShown += 1;
    this.pendingMail.push(sent);
  }

  flushMail(): void {
    for (const sent of this.pendingMail.splice(0)) this.printMail(sent);
  }

  private printMail(sent: SentMail): void {
    const { mail } = sent;
    const lines = [`📧 Mail to ${mail.to} — “${mail.subject}”`];
    for (const link of linksIn(mail.text)) lines.push(`   🔗 ${link}`);
    for (const a of mail.attachments ?? []) lines.push(`   📎 ${a.filename} (${formatBytes(a.content.length)})`);
    if (sent.file) lines.push(dim(`   saved as ${displayPath(sent.file)}`, this.color));
    this.session.print(lines.join('\n'));
  }

  // -------------------------------------------------------------------------------------------
  // What the current identity can see
  // -------------------------------------------------------------------------------------------

  private canSee(m: StandInMessage): boolean {
    const { standIn } = this.session.options;
    if (m.ephemeral) return m.visibleTo === this.session.me.slackId;
    if (m.channel.startsWith('D')) return m.channel === standIn.dmChannelFor(this.session.me.slackId);
    return true;
  }

  private where(m: StandInMessage): string {
    const { standIn } = this.session.options;
    if (m.channel.startsWith('D')) return m.channel === standIn.dmChannelFor(this.session.me.slackId) ? 'DM from userops' : 'a DM';
    return `#${standIn.channelName(m.channel)}`;
  }

  /** Mark everything that exists as shown (the start, and after switching identity). */
  markAllShown(): void {
    for (const m of this.session.options.standIn.messages) {
      this.shownVersions.set(m.id, m.versions.length);
      if (m.deleted) this.shownDeleted.add(m.id);
    }
  }

  /** Print every message (new or changed) the current identity can see, and a changed App Home. */
  async scan(): Promise<void> {
    if (this.scanning) return;
    this.scanning = true;
    try {
      const { standIn } = this.session.options;
      for (const m of standIn.messages) {
        const shown = this.shownVersions.get(m.id) ?? 0;
        if (m.deleted) {
          if (!this.shownDeleted.has(m.id)) {
            this.shownDeleted.add(m.id);
            if (shown > 0 && this.canSee(m)) this.session.print(dim(`┄┄ ${this.where(m)} · a message was deleted ┄┄`, this.color));
          }
          continue;
        }
        if (m.versions.length === shown) continue;
        this.shownVersions.set(m.id, m.versions.length);
        if (!this.canSee(m)) continue;
        await this.printMessage(m, shown > 0);
      }
      const home = standIn.homeView(this.session.me.slackId);
      const homeShown = this.homeVersions.get(this.session.me.slackId);
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
        : renderText(m.text ?? '', { userName: this.session.userName, color: this.color });
    const lines = [dim(`┄┄ ${tags.join(' · ')} ┄┄`, this.color)];
    if (body.trim() !== '') lines.push(body);
    for (const fileId of m.files ?? []) lines.push(...(await this.saveFile(fileId)));
    this.session.print(lines.join('\n'));
  }

  /** Save a file the app uploaded, and say where it is with a glimpse of its first lines. */
  private async saveFile(fileId: string): Promise<string[]> {
    const { standIn, filesDir } = this.session.options;
    const file = standIn.files.find((f) => f.id === fileId);
    if (!file) return [`📎 (file ${fileId} is not in the stand-in)`];
    let target = this.savedFiles.get(fileId);
    if (target === undefined) {
      const name = basename(file.filename) || `${file.id}.bin`;
      const taken = [...this.savedFiles.values()].some((p) => basename(p) === name);
      target = join(filesDir, taken ? `${file.id}-${name}` : name);
      await ensurePrivateDir(filesDir);
      await writePrivateFile(target, file.bytes);
      this.savedFiles.set(fileId, target);
    }
    const lines = [`📎 ${file.title ?? file.filename} (${formatBytes(file.bytes.length)}) saved to ${displayPath(target)}`];
    const text = file.bytes.subarray(0, 4000).toString('utf8');
    if (/\.(csv|txt|json)$/i.test(file.filename) && !text.includes('\u0000')) {
      const head = text.split(/\r?\n/).slice(0, 3);
      lines.push(...head.map((l) => dim(`   │ ${l.length > 100 ? `${l.slice(0, 99)}…` : l}`, this.color)));
    }
    return lines;
  }

  printHome(home: StandInView, updated: boolean): void {
    this.homeVersions.set(this.session.me.slackId, home.versions.length);
    const header = dim(`┄┄ App Home of userops${updated ? ' · updated' : ''} ┄┄`, this.color);
    this.session.print(`${header}\n${this.render(home.view.blocks, { kind: 'view', id: home.id })}`);
  }

  /** The version of this user's App Home last printed, if it ever was. */
  homeVersionShown(slackUserId: string): number | undefined {
    return this.homeVersions.get(slackUserId);
  }

  // -------------------------------------------------------------------------------------------
  // Waiting for the app
  // -------------------------------------------------------------------------------------------

  private signature(): string {
    const s = this.session.options.standIn;
    let versions = 0;
    for (const m of s.messages) versions += m.versions.length + (m.deleted ? 1 : 0);
    for (const v of s.views.values()) versions += v.versions.length + (v.closed ? 1 : 0);
    return `${s.calls.length}:${s.messages.length}:${versions}:${s.views.size}:${s.files.length}:${this.mailsShown}`;
  }

  /** Work the app still has to finish: due mail, queued or running jobs, a dialog still loading. */
  private async pendingWork(): Promise<boolean> {
    const { standIn, rt } = this.session.options;
    const modal = standIn.openModal(this.session.me.slackId);
    if (modal && LOADING.test(JSON.stringify(modal.view.blocks ?? []))) return true;
    const mails = await MailMessage.count({ where: { status: ['pending', 'sending'], nextAttemptAt: { [Op.lte]: rt.now() } } });
    if (mails > 0) return true;
    return (await Job.count({ where: { status: ['queued', 'running'] } })) > 0;
  }

  /** Wait until the app has gone quiet (nothing new for a moment and no work pending), then print. */
  async settle(): Promise<void> {
    const start = Date.now();
    let last = this.signature();
    let changedAt = start;
    // Bounded: a long job keeps changing things, and its later news is printed by the ticker.
    while (!this.session.stopped && Date.now() - start < SETTLE.maxMs) {
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
}
