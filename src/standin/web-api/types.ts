/** The stand-in's recorded state as tests and the demo read it: users, calls, messages, views, files. */

export interface StandInUser {
  id: string;
  name: string;
  email?: string;
  realName?: string;
  isBot?: boolean;
  deleted?: boolean;
  /** users.info's `is_email_confirmed` (default true). */
  emailConfirmed?: boolean;
}

export interface StandInChannel {
  id: string;
  name: string;
  botIsMember: boolean;
}

export interface RecordedCall {
  /** Web API method, or `upload` / `response_url` / `ack` for the non-API endpoints. */
  method: string;
  args: Record<string, unknown>;
  token: string | null;
  at: number;
  status: number;
  /** The Slack error code when the call failed (`ok:false`, injected failure, HTTP error). */
  error?: string;
  response?: unknown;
}

export type MessageSource = 'chat.postMessage' | 'chat.postEphemeral' | 'response_url' | 'ack' | 'files.completeUploadExternal';

export interface StandInMessage {
  /** The stand-in's own id. */
  id: string;
  /** C…/G…/D… id. */
  channel: string;
  /** Slack-style "1700000000.000100", unique and increasing. */
  ts: string;
  text?: string;
  blocks?: unknown[];
  threadTs?: string;
  ephemeral: boolean;
  /** The user who can see an ephemeral message. */
  visibleTo?: string;
  source: MessageSource;
  /** For ephemeral/response_url/ack messages: a response_url bound to this message slot. */
  responseUrl?: string;
  /** File ids shared by a files.completeUploadExternal message. */
  files?: string[];
  deleted: boolean;
  /** Every content the message has had, oldest first (versions[0] is the original post). */
  versions: Array<{ text?: string; blocks?: unknown[]; at: number }>;
}

export interface StandInViewVersion {
  view: Record<string, unknown>;
  hash: string;
  at: number;
}

export interface StandInView {
  id: string;
  hash: string;
  /** The view as Slack returns it (id, hash, callback_id, private_metadata, state, …), current. */
  view: Record<string, unknown>;
  userId?: string;
  triggerId?: string;
  kind: 'modal' | 'home';
  /** View ids of this view's modal stack, root first (shared by every view of the stack). */
  stack: string[];
  closed: boolean;
  versions: StandInViewVersion[];
  externalId?: string;
  /** Errors by block_id from the latest `response_action: 'errors'`, cleared on other answers. */
  errors?: Record<string, string>;
}

export interface UploadedFile {
  id: string;
  filename: string;
  title?: string;
  bytes: Buffer;
  channelId?: string;
  initialComment?: string;
  threadTs?: string;
  completed: boolean;
  /** The `length` announced to files.getUploadURLExternal. */
  declaredLength: number;
  /** Whether the upload URL received the bytes. */
  uploaded: boolean;
}

export interface FailureSpec {
  error?: string;
  status?: 429 | 500;
  retryAfterSec?: number;
  /** How many calls fail (default 1; Infinity allowed). */
  times?: number;
}

export interface StandInOptions {
  users?: StandInUser[];
  channels?: StandInChannel[];
  teamId?: string;
  teamDomain?: string;
  botToken?: string;
  botUserId?: string;
  botId?: string;
  appId?: string;
  /** Clock for trigger/response_url expiry and timestamps (tests can move time forward). */
  now?: () => number;
}

export interface MessageFilter {
  channel?: string;
  text?: string | RegExp;
  source?: MessageSource;
  visibleTo?: string;
  ephemeral?: boolean;
  includeDeleted?: boolean;
}
