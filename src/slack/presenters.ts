// Service results rendered as Slack messages (lists and cards), shared by commands and buttons.
import type { WebClient } from '@slack/web-api';
import type { Failure } from '../domain/outcome';
import type { Actor } from '../services/context';
import { searchUsers, showUser } from '../services/directory';
import type { Arg } from './command-parser';
import type { SlackDeps } from './kit';
import type { ListState } from './views/list-state';
import type { SlackMessage } from './views/messages';
import { userCardBlocks, userCardText } from './views/user-card';
import { userListBlocks, userListText } from './views/user-list';

export const PAGE_SIZE = 10;

/** Run a find/list query and render it as a message. Shared by the commands and the list's buttons. */
export async function presentList(
  deps: SlackDeps,
  actor: Actor,
  state: ListState,
  opts: { notice?: string; shared?: boolean } = {},
): Promise<SlackMessage | Failure> {
  const result = await searchUsers(deps.rt, actor, { text: state.text, view: state.view, offset: state.offset, limit: PAGE_SIZE });
  if (!result.ok) return result;
  // A page past the end (users were deleted meanwhile): go back to the last page that has rows.
  if (result.users.length === 0 && result.total > 0 && state.offset > 0) {
    const last = Math.floor((result.total - 1) / PAGE_SIZE) * PAGE_SIZE;
    return presentList(deps, actor, { ...state, offset: last }, opts);
  }
  const data = { state, users: result.users, total: result.total, capped: result.capped, limit: PAGE_SIZE, ...opts };
  return { text: userListText(data), blocks: userListBlocks(data) };
}

export async function presentCard(
  deps: SlackDeps,
  actor: Actor,
  ref: string,
  opts: { notice?: string; shared?: boolean } = {},
): Promise<SlackMessage | Failure> {
  const result = await showUser(deps.rt, actor, { ref });
  if (!result.ok) return result;
  // The runtime's clock decides whether a temporary lock reads "until …" or "expired".
  const now = deps.rt.now();
  return { text: userCardText(result.user, now), blocks: userCardBlocks({ user: result.user, now, ...opts }) };
}

/** Turn command arguments into directory references: a Slack mention becomes that person's email. */
export async function userRefs(deps: SlackDeps, client: WebClient, args: Arg[]): Promise<{ refs: string[]; problems: string[] }> {
  const refs: string[] = [];
  const problems: string[] = [];
  for (const a of args) {
    if (a.kind === 'mention') {
      const email = await deps.identity.matchableEmail(client, a.slackUserId, `<@${a.slackUserId}>`);
      if (email.ok) refs.push(email.email);
      else problems.push(email.message);
    } else {
      refs.push(a.value);
    }
  }
  return { refs, problems };
}

export function isMessage(v: SlackMessage | Failure): v is SlackMessage {
  return 'blocks' in v;
}
