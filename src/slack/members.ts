// Who in the workspace owns a directory email.
import type { WebClient } from '@slack/web-api';

/** Slack's error code of a refused Web API call (`ok:false`), if that is what `e` is. */
export function slackError(e: unknown): string | undefined {
  return (e as { data?: { error?: string } })?.data?.error;
}

/**
 * The member whose Slack email is `email` (`users.lookupByEmail`, scope `users:read.email`), or
 * null when no member has it (`users_not_found`) or the account is deactivated or a bot: nobody to
 * tell there. Other Slack errors are thrown, for the caller's retry or fallback.
 */
export async function memberIdByEmail(client: WebClient, email: string): Promise<string | null> {
  try {
    const res = await client.users.lookupByEmail({ email });
    const user = res.user;
    if (!user?.id || user.deleted || user.is_bot) return null;
    return user.id;
  } catch (e) {
    if (slackError(e) === 'users_not_found') return null;
    throw e;
  }
}
