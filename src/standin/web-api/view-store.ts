/** Modals and Home tabs as the Slack client holds them: triggers, stacks, hashes, typed state, submission answers. */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import { findElements, initialStateOf, isObject, validateView, type JsonObject } from '../blocks';
import type { ApiResult } from './http';
import type { StandInView } from './types';
import { alnum, clone, openGate, str, withSlackIds, type Gate } from './util';
import type { Workspace } from './workspace';

const TRIGGER_TTL_MS = 3_000;
const VIEW_STACK_MAX = 3;

export interface TriggerRecord {
  issuedAt: number;
  used: boolean;
  userId?: string;
  viewId?: string;
}

interface CreateContext {
  kind: 'modal' | 'home';
  stack: string[];
  trigger?: TriggerRecord;
  triggerId?: string | undefined;
  userId?: string;
}

export class ViewStore {
  readonly views = new Map<string, StandInView>();
  /** user id → the id of their Home tab view. */
  readonly homeViews = new Map<string, string>();
  private readonly triggers = new Map<string, TriggerRecord>();
  private readonly submissionGates = new Map<string, Gate>();

  constructor(private readonly ws: Workspace) {}

  newTriggerId(ctx: { userId?: string; viewId?: string }): string {
    const id = `${Math.floor(this.ws.now() / 1000)}${String(this.ws.nextSeq()).padStart(4, '0')}.${this.ws.teamId.slice(1)}.${randomBytes(16).toString('hex')}`;
    const record: TriggerRecord = { issuedAt: this.ws.now(), used: false };
    if (ctx.userId !== undefined) record.userId = ctx.userId;
    if (ctx.viewId !== undefined) record.viewId = ctx.viewId;
    this.triggers.set(id, record);
    return id;
  }

  useTrigger(triggerId: unknown): { ok: true; record: TriggerRecord } | { ok: false; error: string } {
    const record = this.triggers.get(str(triggerId) ?? '');
    if (!record) return { ok: false, error: 'invalid_trigger_id' };
    if (record.used) return { ok: false, error: 'exchanged_trigger_id' };
    if (this.ws.now() - record.issuedAt > TRIGGER_TTL_MS) return { ok: false, error: 'expired_trigger_id' };
    record.used = true;
    return { ok: true, record };
  }

  homeView(userId: string): StandInView | undefined {
    const id = this.homeViews.get(userId);
    return id === undefined ? undefined : this.views.get(id);
  }

  openModal(userId: string): StandInView | undefined {
    const open = [...this.views.values()].filter((v) => v.kind === 'modal' && v.userId === userId && !v.closed);
    const last = open[open.length - 1];
    if (!last) return undefined;
    return this.views.get(last.stack[last.stack.length - 1] ?? last.id);
  }

  // -------------------------------------------------------------------------------------------
  // Creating and changing views (views.* methods and submission answers)
  // -------------------------------------------------------------------------------------------

  create(input: JsonObject, ctx: CreateContext): { ok: true; view: StandInView } | { ok: false; error: string } {
    const externalId = str(input.external_id);
    if (externalId && [...this.views.values()].some((v) => v.externalId === externalId && !v.closed)) {
      return { ok: false, error: 'duplicate_external_id' };
    }
    const id = `V${alnum(10)}`;
    const hash = this.newHash();
    ctx.stack.push(id);
    const json = this.viewJson(input, id, hash, ctx.stack, {});
    const view: StandInView = {
      id,
      hash,
      view: json,
      kind: ctx.kind,
      stack: ctx.stack,
      closed: false,
      versions: [{ view: clone(json), hash, at: this.ws.now() }],
    };
    const userId = ctx.userId ?? ctx.trigger?.userId;
    if (userId !== undefined) view.userId = userId;
    if (ctx.triggerId !== undefined) view.triggerId = ctx.triggerId;
    if (externalId) view.externalId = externalId;
    this.views.set(id, view);
    return { ok: true, view };
  }

  push(from: StandInView, input: unknown, triggerId: string | undefined): ApiResult {
    const problems = this.viewProblems(input, 'modal');
    if (problems) return problems;
    if (from.stack.length >= VIEW_STACK_MAX) return { ok: false, error: 'push_limit_reached' };
    const ctx: CreateContext = { kind: 'modal', stack: from.stack, triggerId };
    if (from.userId !== undefined) ctx.userId = from.userId;
    const created = this.create(input as JsonObject, ctx);
    if (!created.ok) return created;
    return { ok: true, view: created.view.view };
  }

  /**
   * Replace a view's content keeping its id (views.update, views.publish, response_action
   * update). What the user typed survives when the input keeps its block_id and action_id,
   * as in Slack, which is why apps re-key an input to replace its value.
   */
  replace(view: StandInView, input: unknown): ApiResult {
    const problems = this.viewProblems(input, view.kind);
    if (problems) return problems;
    const next = input as JsonObject;
    const hash = this.newHash();
    const oldValues = this.stateValues(view);
    const json = this.viewJson(next, view.id, hash, view.stack, {});
    const kept: Record<string, Record<string, unknown>> = {};
    for (const element of findElements(json.blocks)) {
      const old = oldValues[element.blockId]?.[element.actionId];
      if (isObject(old) && old.type === element.type) {
        kept[element.blockId] = { ...(kept[element.blockId] ?? {}), [element.actionId]: old };
      }
    }
    json.state = { values: kept };
    view.view = json;
    view.hash = hash;
    const externalId = str(next.external_id);
    if (externalId) view.externalId = externalId;
    view.versions.push({ view: clone(json), hash, at: this.ws.now() });
    return { ok: true, view: json };
  }

  viewProblems(view: unknown, expected: 'modal' | 'home'): ApiResult | undefined {
    const errors = validateView(view);
    if (errors.length === 0 && isObject(view) && view.type !== expected) {
      errors.push(`must be ${expected} [json-pointer:/view/type]`);
    }
    if (errors.length === 0) return undefined;
    return { ok: false, error: 'invalid_arguments', response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) } };
  }

  private newHash(): string {
    return `${Math.floor(this.ws.now() / 1000)}.${randomBytes(4).toString('hex')}`;
  }

  private viewJson(input: JsonObject, id: string, hash: string, stack: string[], state: JsonObject): Record<string, unknown> {
    const previous = stack.length > 1 ? stack[stack.indexOf(id) - 1] : undefined;
    return {
      id,
      team_id: this.ws.teamId,
      type: input.type,
      blocks: withSlackIds(Array.isArray(input.blocks) ? input.blocks : []),
      private_metadata: str(input.private_metadata) ?? '',
      callback_id: str(input.callback_id) ?? '',
      state: { values: state },
      hash,
      title: input.title ?? null,
      clear_on_close: input.clear_on_close === true,
      notify_on_close: input.notify_on_close === true,
      close: input.close ?? null,
      submit: input.submit ?? null,
      previous_view_id: previous ?? null,
      root_view_id: stack[0] ?? id,
      app_id: this.ws.appId,
      external_id: str(input.external_id) ?? '',
      app_installed_team_id: this.ws.teamId,
      bot_id: this.ws.botId,
    };
  }

  // -------------------------------------------------------------------------------------------
  // What the user does in a view, and the app's answer to a submission
  // -------------------------------------------------------------------------------------------

  setViewState(viewId: string, blockId: string, actionId: string, state: JsonObject): void {
    const view = this.requireView(viewId);
    const values = this.stateValues(view);
    values[blockId] = { ...(values[blockId] ?? {}), [actionId]: clone(state) };
  }

  submittedState(viewId: string): Record<string, Record<string, unknown>> {
    const view = this.requireView(viewId);
    const result: Record<string, Record<string, unknown>> = {};
    for (const element of findElements(view.view.blocks)) {
      if (!element.inInput) continue;
      const initial = initialStateOf(element.element);
      if (initial) result[element.blockId] = { ...(result[element.blockId] ?? {}), [element.actionId]: initial };
    }
    for (const [blockId, actions] of Object.entries(this.stateValues(view))) {
      result[blockId] = { ...(result[blockId] ?? {}), ...clone(actions) };
    }
    return result;
  }

  expectSubmission(viewId: string): void {
    if (!this.submissionGates.has(viewId)) this.submissionGates.set(viewId, openGate());
  }

  releaseSubmission(viewId: string): void {
    this.submissionGates.get(viewId)?.release();
    this.submissionGates.delete(viewId);
  }

  /** Let every held views.update through (the stand-in is stopping). */
  releaseAll(): void {
    for (const gate of this.submissionGates.values()) gate.release();
    this.submissionGates.clear();
  }

  /** Wait, if a views.update request targets a view whose submission is being answered. */
  async holdUpdate(req: IncomingMessage, body: Buffer): Promise<void> {
    if (this.submissionGates.size === 0) return;
    const viewId = viewIdOf(req, body);
    if (viewId) await this.submissionGates.get(viewId)?.promise;
  }

  applySubmissionAnswer(viewId: string, answer: unknown): string[] {
    try {
      return this.applyAnswer(viewId, answer);
    } finally {
      this.releaseSubmission(viewId);
    }
  }

  private applyAnswer(viewId: string, answer: unknown): string[] {
    const view = this.requireView(viewId);
    const action = isObject(answer) ? str(answer.response_action) : undefined;
    delete view.errors;
    switch (action) {
      case 'errors': {
        const errors = isObject(answer) && isObject(answer.errors) ? answer.errors : {};
        view.errors = Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, String(v)]));
        const blockIds = new Set(
          findElements(view.view.blocks)
            .filter((e) => e.inInput)
            .map((e) => e.blockId),
        );
        return Object.keys(view.errors)
          .filter((k) => !blockIds.has(k))
          .map((k) => `errors names block_id ${JSON.stringify(k)}, which is not an input block of the view`);
      }
      case 'update': {
        const result = this.replace(view, isObject(answer) ? answer.view : undefined);
        return result.ok ? [] : problemList(result);
      }
      case 'push': {
        const result = this.push(view, isObject(answer) ? answer.view : undefined, undefined);
        return result.ok ? [] : problemList(result);
      }
      case 'clear':
        this.closeView(viewId, { clear: true });
        return [];
      case undefined:
        this.closeView(viewId);
        return [];
      default:
        return [`unknown response_action ${JSON.stringify(action)}`];
    }
  }

  closeView(viewId: string, opts: { clear?: boolean } = {}): void {
    const view = this.requireView(viewId);
    const ids = opts.clear ? [...view.stack] : [viewId];
    for (const id of ids) {
      const v = this.views.get(id);
      if (v) v.closed = true;
      const i = view.stack.indexOf(id);
      if (i >= 0) view.stack.splice(i, 1);
    }
  }

  private requireView(viewId: string): StandInView {
    const view = this.views.get(viewId);
    if (!view) throw new Error(`no view ${viewId} in the stand-in`);
    return view;
  }

  private stateValues(view: StandInView): Record<string, Record<string, unknown>> {
    const state = isObject(view.view.state) ? view.view.state : {};
    const values = isObject(state.values) ? (state.values as Record<string, Record<string, unknown>>) : {};
    view.view.state = { ...state, values };
    return values;
  }
}

function problemList(result: ApiResult): string[] {
  const messages = isObject(result.response_metadata) ? result.response_metadata.messages : undefined;
  return Array.isArray(messages) ? messages.map(String) : [String(result.error)];
}

/** The view_id argument of a views.update request, form-encoded or JSON. */
function viewIdOf(req: IncomingMessage, body: Buffer): string | undefined {
  const text = body.toString('utf8');
  if ((req.headers['content-type'] ?? '').includes('json')) {
    try {
      const parsed: unknown = JSON.parse(text);
      return isObject(parsed) && typeof parsed.view_id === 'string' ? parsed.view_id : undefined;
    } catch {
      return undefined;
    }
  }
  return new URLSearchParams(text).get('view_id') ?? undefined;
}
