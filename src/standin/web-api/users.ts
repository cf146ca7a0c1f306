/** Web API methods about who is who: auth.test, users.info, users.lookupByEmail, conversations.open. */
import type { JsonObject } from '../blocks';
import type { ApiMethod } from './http';
import { alnum, str } from './util';
import type { Workspace } from './workspace';

export function userMethods(ws: Workspace): Record<string, ApiMethod> {
  return {
    'auth.test': () => ({
      ok: true,
      url: `https://${ws.teamDomain}.slack.com/`,
      team: 'Stand-in workspace',
      user: 'userops',
      team_id: ws.teamId,
      user_id: ws.botUserId,
      bot_id: ws.botId,
      app_id: ws.appId,
      is_enterprise_install: false,
    }),

    'users.info': (args) => {
      const user = ws.users.get(str(args.user) ?? '');
      if (!user) return { ok: false, error: 'user_not_found' };
      return { ok: true, user: userObject(ws, user) };
    },

    // Slack answers users_not_found for an address no (active) member of the workspace has.
    'users.lookupByEmail': (args) => {
      const email = (str(args.email) ?? '').trim().toLowerCase();
      if (email === '') return { ok: false, error: 'invalid_arguments' };
      const user = [...ws.users.values()].find((u) => !u.deleted && u.email?.toLowerCase() === email);
      if (!user) return { ok: false, error: 'users_not_found' };
      return { ok: true, user: userObject(ws, user) };
    },

    'conversations.open': (args) => {
      const users = (str(args.users) ?? '')
        .split(',')
        .map((u) => u.trim())
        .filter(Boolean);
      if (users.length === 0) {
        const channel = str(args.channel);
        if (channel === undefined) return { ok: false, error: 'users_list_not_supplied' };
        if (ws.dmUsers.has(channel)) return { ok: true, no_op: true, already_open: true, channel: { id: channel } };
        return { ok: false, error: 'channel_not_found' };
      }
      for (const id of users) {
        if (!ws.users.has(id)) return { ok: false, error: 'user_not_found' };
      }
      if (users.length > 1) return { ok: true, channel: { id: `G${alnum(10)}` } };
      const id = `D${(users[0] ?? '').slice(1)}`;
      const alreadyOpen = ws.dmUsers.has(id);
      ws.dmChannelFor(users[0] ?? '');
      return alreadyOpen ? { ok: true, no_op: true, already_open: true, channel: { id } } : { ok: true, channel: { id } };
    },
  };
}

type StandInUser = Workspace['users'] extends Map<string, infer U> ? U : never;

/** A user as users.info and users.lookupByEmail return it. */
function userObject(ws: Workspace, user: StandInUser): JsonObject {
  const profile: JsonObject = {
    real_name: user.realName ?? user.name,
    display_name: user.name,
    real_name_normalized: user.realName ?? user.name,
  };
  if (user.email !== undefined) profile.email = user.email;
  if (user.isBot) profile.bot_id = ws.botId;
  return {
    id: user.id,
    team_id: ws.teamId,
    name: user.name,
    deleted: user.deleted ?? false,
    real_name: user.realName ?? user.name,
    is_bot: user.isBot ?? false,
    is_email_confirmed: user.emailConfirmed ?? true,
    is_admin: false,
    is_app_user: false,
    tz: 'UTC',
    updated: Math.floor(ws.now() / 1000),
    profile,
  };
}
