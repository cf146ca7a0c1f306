/**
 * The outbound events (issue 18) and where they come from. Every change writes an audit row
 * (src/services/audit.ts); `AUDIT_EVENTS` says which audit actions are also an event. It is the
 * one place to add a line when a new audit action should reach webhooks; an action not listed
 * stays silently eventless.
 */

export const WEBHOOK_EVENT_TYPES = [
  'user.created',
  'user.updated',
  'user.enabled',
  'user.disabled',
  'user.locked',
  'user.activated',
  'user.password_reset',
  'user.password_changed',
  'user.deleted',
  'user.records_reassigned',
  'api_key.created',
  'api_key.revoked',
  'bulk_job.completed',
  'approval.requested',
  'approval.approved',
  'approval.denied',
  'approval.expired',
  'approval.void',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The test event `webhooks test` sends; never stored as a subscription. */
export const TEST_EVENT_TYPE = 'webhook.test';

/**
 * Audit action → event type. Deliberately absent: reads and requests that change no account
 * (export*, forgot_password_requested / _mail_queued, record_register / _unregister,
 * export_fields_changed, bulk_*_started, create_organization).
 */
export const AUDIT_EVENTS: Readonly<Record<string, WebhookEventType>> = {
  import_create: 'user.created',
  import_update: 'user.updated',
  scim_create: 'user.created',
  scim_update: 'user.updated',
  role_granted: 'user.updated',
  role_revoked: 'user.updated',
  membership_added: 'user.updated',
  membership_removed: 'user.updated',
  invitation_created: 'user.created',
  invitation_accepted: 'user.updated',
  enable: 'user.enabled',
  disable: 'user.disabled',
  lockout: 'user.locked',
  activate: 'user.activated',
  unlock_expired: 'user.activated',
  reset_password: 'user.password_reset',
  change_password: 'user.password_changed',
  complete_reset: 'user.password_changed',
  forgot_password_completed: 'user.password_changed',
  delete: 'user.deleted',
  reassign_records: 'user.records_reassigned',
  api_key_generate: 'api_key.created',
  api_key_revoke: 'api_key.revoked',
  approval_requested: 'approval.requested',
  approval_approved: 'approval.approved',
  approval_denied: 'approval.denied',
  approval_expired: 'approval.expired',
  approval_void: 'approval.void',
};

/**
 * Events about a request, not an account (two-person approval, issue 19): they carry the request
 * (id, kind, action, how many users, who asked) but no user, and go to the organization the audit
 * line names — the organization in which the approver's permission was checked.
 */
export function isRequestEvent(type: WebhookEventType): boolean {
  return type.startsWith('approval.');
}

/**
 * Events about one organization's object, not the user's account: they go only to the audit row's
 * organization (an API key belongs to one organization; the others must not learn of it). Every
 * other user event goes to each organization the user is a member of.
 */
export const ORGANIZATION_SCOPED: ReadonlySet<WebhookEventType> = new Set(['api_key.created', 'api_key.revoked']);

export function eventTypeOfAudit(action: string): WebhookEventType | null {
  return Object.prototype.hasOwnProperty.call(AUDIT_EVENTS, action) ? AUDIT_EVENTS[action] : null;
}

export function isWebhookEventType(v: string): v is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(v);
}

/** `--events` as typed: `*`/empty for all, or a comma list of types (`user.*` for every user event). */
export function parseEventList(text: string | undefined | null): { ok: true; events: string } | { ok: false; message: string } {
  const raw = (text ?? '').trim();
  if (raw === '' || raw === '*' || raw.toLowerCase() === 'all') return { ok: true, events: '*' };
  const chosen = new Set<WebhookEventType>();
  for (const part of raw.split(/[\s,]+/).filter(Boolean)) {
    const p = part.toLowerCase();
    const prefix = p.endsWith('.*') ? p.slice(0, -1) : null;
    const hits = prefix ? WEBHOOK_EVENT_TYPES.filter((t) => t.startsWith(prefix)) : WEBHOOK_EVENT_TYPES.filter((t) => t === p);
    if (hits.length === 0) {
      return { ok: false, message: `Unknown event “${part.slice(0, 60)}”. Events: ${WEBHOOK_EVENT_TYPES.join(', ')} (or * for all).` };
    }
    for (const h of hits) chosen.add(h);
  }
  if (chosen.size === WEBHOOK_EVENT_TYPES.length) return { ok: true, events: '*' };
  return { ok: true, events: WEBHOOK_EVENT_TYPES.filter((t) => chosen.has(t)).join(',') };
}

export function subscribes(events: string, type: string): boolean {
  return events === '*' || events.split(',').includes(type);
}

/** The actor as a payload shows it: kind, and the directory user's id or the system's name. */
export interface EventActor {
  kind: 'user' | 'system';
  id: number | null;
  name: string;
}

export interface EventUser {
  id: number;
  username: string;
  email: string;
  enabled: boolean;
  authStatus: string;
  /** Only the receiving organization: another organization's membership is not its business. */
  organizations: string[];
}

export interface WebhookPayload {
  type: string;
  timestamp: string;
  data: {
    user?: EventUser;
    actor: EventActor;
    organization: { id: number; slug: string };
    reason?: string;
    jobId?: number;
    [more: string]: unknown;
  };
}

/** After this many deliveries in a row that finally failed, the endpoint is disabled. */
export const DISABLE_AFTER_FAILED_DELIVERIES = 5;
