import { canLogIn } from '../domain/status';
import { fail, ok, type Outcome } from '../domain/outcome';
import { User } from '../store/models';
import type { Ctx } from './context';
import { normalizeEmail } from './user-refs';

/**
 * The directory user behind a chat identity's email. Only an enabled, active user may act: someone
 * locked out of the directory is locked out of administering it too.
 */
export async function directoryUserForEmail(_ctx: Ctx, email: string): Promise<Outcome<{ userId: number; username: string }>> {
  const user = await User.findOne({ where: { emailNormalized: normalizeEmail(email) } });
  if (!user) return fail('not_authenticated', `No directory user has the email ${email}, so you cannot use this command.`);
  if (!canLogIn(user)) {
    return fail(
      'not_authenticated',
      `Your directory account (${user.username}) is disabled, locked or waiting for a password reset, so you cannot act on the directory.`,
    );
  }
  return ok({ userId: user.id, username: user.username });
}

/** What a chat platform says about one of its accounts (Slack: users.info). */
export interface ChatAccount {
  /** The workspace the account belongs to. */
  teamId?: string;
  email?: string;
  /** Whether the platform says the account's owner confirmed the email. */
  emailConfirmed?: boolean;
  deleted?: boolean;
  bot?: boolean;
}

export const OTHER_WORKSPACE_MESSAGE = 'This app serves one workspace; requests from other workspaces are refused.';

/**
 * A chat request is served only when every workspace it names is the one this directory serves.
 * `served` is null while that workspace is not known yet (not configured, and the chat platform not
 * reached): nothing is served then, rather than anyone.
 */
export function checkWorkspace(served: string | null, named: Array<string | undefined>): Outcome {
  if (served === null) {
    return fail('unavailable', 'userops cannot reach Slack yet, so it cannot tell which workspace it serves. Try again in a minute.');
  }
  const teams = named.filter((t): t is string => typeof t === 'string' && t !== '');
  if (teams.length === 0 || teams.some((t) => t !== served)) return fail('forbidden', OTHER_WORKSPACE_MESSAGE);
  return ok({});
}

/**
 * The email a chat account may be matched to a directory user by: only an email the platform says
 * was confirmed, of a live person (not a bot, not deactivated) in the served workspace. Anyone can
 * type an unconfirmed address into a profile, so matching on it would let them act as its owner.
 * `who` names the account in the refusal ("Your Slack account", "<@U…>").
 */
export function chatAccountEmail(served: string, account: ChatAccount | null, who: string): Outcome<{ email: string }> {
  if (!account || account.deleted || account.bot) {
    return fail('not_authenticated', `${who} is not an active person in this workspace, so it cannot be matched to a directory user.`);
  }
  if (account.teamId !== undefined && account.teamId !== served) return fail('forbidden', OTHER_WORKSPACE_MESSAGE);
  if (!account.email) {
    return fail('not_authenticated', `Slack did not tell userops an email for ${lower(who)}, so it cannot be matched to a directory user.`);
  }
  if (account.emailConfirmed !== true) {
    return fail(
      'not_authenticated',
      `The email of ${lower(who)} (${account.email}) is not confirmed in Slack, so it cannot be matched to a directory user. Confirm it in Slack, then try again.`,
    );
  }
  return ok({ email: account.email });
}

function lower(who: string): string {
  return who.startsWith('Your ') ? `y${who.slice(1)}` : who;
}
