// Slack user to directory actor (users.info, confirmed email, directory check).
import type { WebClient } from '@slack/web-api';
import { fail, type Failure, type Outcome } from '../domain/outcome';
import type { Actor, Ctx } from '../services/context';
import { chatAccountEmail, directoryUserForEmail, type ChatAccount } from '../services/identity';

interface CacheEntry<T> {
  value: T;
  until: number;
}

/**
 * Slack user → users.info (needs users:read.email) → confirmed email → directory user. What Slack
 * says about an account is cached briefly so a burst of clicks costs one users.info; the directory
 * check runs on every request because a disable must take effect at once.
 */
export class SlackIdentity {
  private readonly accounts = new Map<string, CacheEntry<ChatAccount | null>>();

  constructor(
    private readonly ctx: Ctx,
    /** The workspace served (SLACK_TEAM_ID, or what auth.test reported); null while unknown. */
    private readonly servedTeam: () => string | null,
    private readonly ttlMs = 60_000,
    private readonly negativeTtlMs = 10_000,
  ) {}

  private async accountOf(client: WebClient, slackUserId: string): Promise<ChatAccount | null> {
    const hit = this.accounts.get(slackUserId);
    if (hit && hit.until > Date.now()) return hit.value;
    let account: ChatAccount | null = null;
    try {
      const res = await client.users.info({ user: slackUserId });
      const u = res.user;
      if (u) {
        account = {
          teamId: u.team_id,
          email: u.profile?.email,
          emailConfirmed: u.is_email_confirmed,
          deleted: u.deleted,
          bot: u.is_bot,
        };
      }
    } catch (e) {
      const code = (e as { data?: { error?: string } }).data?.error;
      if (code !== 'user_not_found') throw e;
    }
    const usable = account?.email && account.emailConfirmed === true && !account.deleted && !account.bot;
    this.accounts.set(slackUserId, { value: account, until: Date.now() + (usable ? this.ttlMs : this.negativeTtlMs) });
    if (this.accounts.size > 10_000) this.accounts.clear();
    return account;
  }

  /** The email a Slack account may be matched by, or why not (see chatAccountEmail). */
  async matchableEmail(client: WebClient, slackUserId: string, who: string): Promise<Outcome<{ email: string }>> {
    const served = this.servedTeam();
    if (served === null) return fail('unavailable', 'userops cannot reach Slack yet. Try again in a minute.');
    return chatAccountEmail(served, await this.accountOf(client, slackUserId), who);
  }

  async actorFor(client: WebClient, slackUserId: string, slackName?: string): Promise<Actor | Failure> {
    const email = await this.matchableEmail(client, slackUserId, 'Your Slack account');
    if (!email.ok) return email;
    const found = await directoryUserForEmail(this.ctx, email.email);
    if (!found.ok) return found;
    return {
      kind: 'user',
      userId: found.userId,
      via: 'slack',
      slackUserId,
      label: `${found.username} (slack ${slackName ? `@${slackName} ` : ''}${slackUserId})`,
    };
  }

  forget(slackUserId: string): void {
    this.accounts.delete(slackUserId);
  }
}
