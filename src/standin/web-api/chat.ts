/** Web API chat.* methods: postMessage, postEphemeral, update, delete. */
import { checkMessageContent, type JsonObject } from '../blocks';
import type { ApiMethod, ApiResult } from './http';
import type { MessageStore } from './messages';
import type { ResponseUrls } from './response-urls';
import { str } from './util';
import type { Workspace } from './workspace';

export function chatMethods(ws: Workspace, store: MessageStore, responseUrls: ResponseUrls): Record<string, ApiMethod> {
  return {
    'chat.postMessage': (args) => {
      const target = ws.resolveForPosting(args.channel, { allowUserId: true });
      if (!target.ok) return target;
      const problem = checkMessageContent(args);
      if (problem) return contentError(problem);
      const message = store.create({
        channel: target.id,
        content: args,
        ephemeral: false,
        source: 'chat.postMessage',
      });
      return { ok: true, channel: message.channel, ts: message.ts, message: store.json(message) };
    },

    'chat.postEphemeral': (args) => {
      const userId = str(args.user) ?? '';
      if (!ws.users.has(userId)) return { ok: false, error: 'user_not_found' };
      const target = ws.resolveForPosting(args.channel, { allowUserId: true });
      if (!target.ok) return target;
      const problem = checkMessageContent(args);
      if (problem) return contentError(problem);
      const message = store.create({
        channel: target.id,
        content: args,
        ephemeral: true,
        visibleTo: userId,
        source: 'chat.postEphemeral',
      });
      message.responseUrl = responseUrls.create({ channelId: target.id, userId, message });
      return { ok: true, message_ts: message.ts };
    },

    'chat.update': (args) => {
      const found = store.findByTs(args.channel, args.ts);
      if (!found.ok) return found;
      const message = found.message;
      if (message.ephemeral) return { ok: false, error: 'cant_update_message' };
      // Omitted fields keep their old value (Slack: pass `blocks: []` to remove blocks).
      const next: JsonObject = {
        text: args.text !== undefined ? args.text : message.text,
        blocks: args.blocks !== undefined ? args.blocks : message.blocks,
      };
      if (args.text === undefined && args.blocks === undefined) return { ok: false, error: 'no_text' };
      const problem = checkMessageContent(next);
      if (problem) return contentError(problem);
      store.update(message, next);
      return { ok: true, channel: message.channel, ts: message.ts, text: message.text ?? '', message: store.json(message) };
    },

    'chat.delete': (args) => {
      const found = store.findByTs(args.channel, args.ts);
      if (!found.ok) return found;
      if (found.message.ephemeral) return { ok: false, error: 'cant_delete_message' };
      found.message.deleted = true;
      return { ok: true, channel: found.message.channel, ts: found.message.ts };
    },
  };
}

function contentError(problem: { error: string; errors: string[] }): ApiResult {
  const result: ApiResult = { ok: false, error: problem.error };
  if (problem.errors.length > 0) {
    result.errors = problem.errors;
    result.response_metadata = { messages: problem.errors.map((e) => `[ERROR] ${e}`) };
  }
  return result;
}
