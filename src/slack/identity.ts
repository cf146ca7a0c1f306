import type { WebClient } from '@slack/web-api';
import { fail, type Failure } from '../domain/outcome';
import type { Actor, Ctx } from '../services/context';
import { directoryUserForEmail } from '../services/identity';

interface CacheEntry<T> {
  value: T;
  until: number;
}

/**
 * Slack user → email (users.info, needs users:read.email) → directory user. Emails are cached
 * briefly so a burst of clicks costs one users.info; the directory check runs on every request
 * because a disable must take effect at once.
 */
export class SlackIdentity {
  private readonly emails = new Map<string, CacheEntry<string | null>>();

  constructor(
    private readonly ctx: Ctx,
    private readonly ttlMs = 60_000,
    private readonly negativeTtlMs = 10_000,
  ) {}

  async emailOf(client: WebClient, slackUserId: string): Promise<string | null> {
    const hit = this.emails.get(slackUserId);
    if (hit && hit.until > Date.now()) return hit.value;
    let email: string | null = null;
    try {
      const res = await client.users.info({ user: slackUserId });
      const profile = res.user?.profile;
      email = !res.user?.deleted && !res.user?.is_bot && profile?.email ? profile.email : null;
    } catch (e) {
      const code = (e as { data?: { error?: string } }).data?.error;
      if (code !== 'user_not_found') throw e;
    }
    this.emails.set(slackUserId, { value: email, until: Date.now() + (email ? this.ttlMs : this.negativeTtlMs) });
    if (this.emails.size > 10_000) this.emails.clear();
    return email;
  }

  async actorFor(client: WebClient, slackUserId: string, slackName?: string): Promise<Actor | Failure> {
    const email = await this.emailOf(client, slackUserId);
    if (!email) {
      return fail('not_authenticated', 'Slack did not tell us an email for your account, so userops cannot match you to a directory user.');
    }
    const found = await directoryUserForEmail(this.ctx, email);
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
    this.emails.delete(slackUserId);
  }
}
