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
