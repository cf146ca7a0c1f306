// One action on one user from a button or menu, rendered as the line the message is rewritten to.
import type { UserAction } from '../domain/actions';
import { fail, type Failure } from '../domain/outcome';
import { activateUser, setUsersEnabled, type PerUserResult } from '../services/account-status';
import type { Actor } from '../services/context';
import { deleteUser } from '../services/delete-user';
import { resetPasswords } from '../services/passwords';
import type { WebClient } from '@slack/web-api';
import { SINGLE_APPROVAL_ACTIONS, type SingleApprovalAction } from '../domain/approvals';
import { askSingleApprovalIfNeeded, pendingNotice } from './flows/approvals';
import { byLine, type SlackDeps } from './kit';
import { esc } from './views/common';

export interface Performed {
  ok: true;
  /** The line the rewritten message shows, e.g. "Disabled by @ana at 10:42". */
  notice: string;
  deleted?: boolean;
  username?: string;
}

const DONE_WORD: Partial<Record<UserAction, string>> = {
  enable: 'Enabled',
  disable: 'Disabled',
  activate: 'Activated',
  reset_password: 'Password reset (link emailed)',
  delete: 'Deleted',
};

function fromResult(action: UserAction, r: PerUserResult, slackUserId: string, now: Date): Performed | Failure {
  if (r.status === 'done') return { ok: true, notice: `${DONE_WORD[action]} ${byLine(slackUserId, now)}`, username: r.username };
  if (r.status === 'noop' || r.status === 'skipped') return { ok: true, notice: `➖ ${esc(r.message)}`, username: r.username };
  return fail(r.status === 'not_found' ? 'not_found' : 'forbidden', r.message);
}

/** One action on one user, from a card button or a list row. Rules live in the services. */
export async function performUserAction(
  deps: SlackDeps,
  actor: Actor,
  action: UserAction,
  userId: number,
  slackUserId: string,
  client?: WebClient,
): Promise<Performed | Failure> {
  const ref = String(userId);
  const now = deps.rt.now();
  // APPROVAL_REQUIRED (issue 19): an action a second person must approve is asked for, not done.
  if (client && isSingleApprovalAction(action)) {
    const asked = await askSingleApprovalIfNeeded(deps, client, actor, slackUserId, { action, userId });
    if (!asked.ok) return asked;
    if (asked.requested) return { ok: true, notice: pendingNotice(asked), username: asked.request.target?.username };
  }
  switch (action) {
    case 'enable':
    case 'disable': {
      const out = await setUsersEnabled(deps.rt, actor, { refs: [ref], enabled: action === 'enable' });
      return out.ok ? fromResult(action, out.results[0], slackUserId, now) : out;
    }
    case 'activate': {
      const out = await activateUser(deps.rt, actor, { ref });
      return out.ok ? fromResult(action, out.result, slackUserId, now) : out;
    }
    case 'reset_password': {
      const out = await resetPasswords(deps.rt, actor, { refs: [ref] });
      return out.ok ? fromResult(action, out.results[0], slackUserId, now) : out;
    }
    case 'delete': {
      const out = await deleteUser(deps.rt, actor, { ref });
      if (!out.ok) return out;
      return { ok: true, deleted: true, username: out.username, notice: `🗑️ *${esc(out.username)}* deleted ${byLine(slackUserId, now)}.` };
    }
    default:
      return fail('invalid_input', 'That action opens a dialog; use the button on the user card.');
  }
}

function isSingleApprovalAction(a: UserAction): a is UserAction & SingleApprovalAction {
  // A password and an API key are asked for from their own dialog and message, not from here.
  return (SINGLE_APPROVAL_ACTIONS as readonly string[]).includes(a) && a !== 'change_password' && a !== 'api_key';
}
