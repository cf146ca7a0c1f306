/** Web API views.* methods: open, push, update, publish. */
import type { JsonObject } from '../blocks';
import type { ApiMethod } from './http';
import { str } from './util';
import type { ViewStore } from './view-store';
import type { Workspace } from './workspace';

export function viewMethods(ws: Workspace, views: ViewStore): Record<string, ApiMethod> {
  return {
    'views.open': (args) => {
      const trigger = views.useTrigger(args.trigger_id);
      if (!trigger.ok) return trigger;
      const problems = views.viewProblems(args.view, 'modal');
      if (problems) return problems;
      const stack: string[] = [];
      const view = views.create(args.view as JsonObject, {
        kind: 'modal',
        stack,
        trigger: trigger.record,
        triggerId: str(args.trigger_id),
      });
      if (!view.ok) return view;
      return { ok: true, view: view.view.view };
    },

    'views.push': (args) => {
      const trigger = views.useTrigger(args.trigger_id);
      if (!trigger.ok) return trigger;
      const from =
        (trigger.record.viewId !== undefined ? views.views.get(trigger.record.viewId) : undefined) ??
        (trigger.record.userId !== undefined ? views.openModal(trigger.record.userId) : undefined);
      if (!from || from.closed || from.kind !== 'modal') return { ok: false, error: 'not_found' };
      return views.push(from, args.view, str(args.trigger_id));
    },

    'views.update': (args) => {
      const viewId = str(args.view_id);
      const externalId = str(args.external_id);
      if (viewId === undefined && externalId === undefined) return { ok: false, error: 'invalid_arguments' };
      const view =
        viewId !== undefined ? views.views.get(viewId) : [...views.views.values()].find((v) => v.externalId === externalId && !v.closed);
      if (!view || view.closed) return { ok: false, error: 'not_found' };
      const hash = str(args.hash);
      if (hash !== undefined && hash !== view.hash) return { ok: false, error: 'hash_conflict' };
      return views.replace(view, args.view);
    },

    'views.publish': (args) => {
      const userId = str(args.user_id) ?? '';
      if (!ws.users.has(userId)) return { ok: false, error: 'user_not_found' };
      const problems = views.viewProblems(args.view, 'home');
      if (problems) return problems;
      const existing = views.homeView(userId);
      if (existing) {
        const hash = str(args.hash);
        if (hash !== undefined && hash !== existing.hash) return { ok: false, error: 'hash_conflict' };
        return views.replace(existing, args.view);
      }
      const created = views.create(args.view as JsonObject, { kind: 'home', stack: [], userId });
      if (!created.ok) return created;
      views.homeViews.set(userId, created.view.id);
      return { ok: true, view: created.view.view };
    },
  };
}
