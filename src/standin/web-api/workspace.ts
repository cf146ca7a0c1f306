/** The stand-in workspace: the app's identity, the clock, users, channels and the app's DMs. */
import type { StandInChannel, StandInOptions, StandInUser } from './types';
import { str } from './util';

export type Posting = { ok: true; id: string } | { ok: false; error: string };

export class Workspace {
  readonly teamId: string;
  readonly teamDomain: string;
  readonly botToken: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly appId: string;
  readonly now: () => number;
  readonly users = new Map<string, StandInUser>();
  readonly channels = new Map<string, StandInChannel>();
  /** DM channel id → user id, for the DMs the app has opened or been shown. */
  readonly dmUsers = new Map<string, string>();
  /** One counter for message, trigger and response_url ids, so they never repeat. */
  private seq = 0;

  constructor(opts: StandInOptions) {
    this.teamId = opts.teamId ?? 'T0TEAM001';
    this.teamDomain = opts.teamDomain ?? 'standin';
    this.botToken = opts.botToken ?? 'xoxb-standin-bot-token';
    this.botUserId = opts.botUserId ?? 'U0USEROPS';
    this.botId = opts.botId ?? 'B0USEROPS';
    this.appId = opts.appId ?? 'A0USEROPS';
    this.now = opts.now ?? Date.now;
    this.addUser({ id: this.botUserId, name: 'userops', realName: 'userops', isBot: true });
    for (const user of opts.users ?? []) this.addUser(user);
    const channels = opts.channels ?? [{ id: 'C0GENERAL', name: 'general', botIsMember: true }];
    for (const channel of channels) this.addChannel(channel);
  }

  nextSeq(): number {
    return ++this.seq;
  }

  addUser(u: StandInUser): void {
    this.users.set(u.id, { ...u });
  }

  addChannel(c: StandInChannel): void {
    this.channels.set(c.id, { ...c });
  }

  dmChannelFor(userId: string): string {
    const id = `D${userId.slice(1)}`;
    this.dmUsers.set(id, userId);
    return id;
  }

  channelName(id: string): string {
    if (id.startsWith('D')) return 'directmessage';
    return this.channels.get(id)?.name ?? 'privategroup';
  }

  /** Resolve a conversation reference to its id without checking membership. */
  channelIdOf(ref: string): string | undefined {
    if (this.channels.has(ref)) return ref;
    if (ref.startsWith('D')) {
      if (this.dmUsers.has(ref)) return ref;
      const userId = `U${ref.slice(1)}`;
      return this.users.has(userId) ? this.dmChannelFor(userId) : undefined;
    }
    if (/^[UW]/.test(ref) && this.users.has(ref)) return this.dmChannelFor(ref);
    const name = ref.replace(/^#/, '');
    for (const c of this.channels.values()) if (c.name === name) return c.id;
    return undefined;
  }

  /** The conversation a post goes to, or the error Slack gives (unknown, bot not a member). */
  resolveForPosting(ref: unknown, opts: { allowUserId: boolean }): Posting {
    const value = str(ref);
    if (!value) return { ok: false, error: 'channel_not_found' };
    if (!opts.allowUserId && /^[UW]/.test(value)) return { ok: false, error: 'channel_not_found' };
    const id = this.channelIdOf(value);
    if (id === undefined) return { ok: false, error: 'channel_not_found' };
    const channel = this.channels.get(id);
    if (channel && !channel.botIsMember) return { ok: false, error: 'not_in_channel' };
    return { ok: true, id };
  }
}
