// src/services: one use case per function, (ctx, actor, input) → outcome, with authorization, rules,
// audit and mail in one transaction. Imports src/store, src/mail, src/lib, src/domain, never Slack,
// HTTP or the CLI; adapters and jobs import it.
import type { Config } from '../lib/config';
import type { PasswordHasher } from '../lib/hasher';
import type { Logger } from '../lib/logger';
import type { Database } from '../store/db';
import type { NotifyTopic } from '../lib/topics';
import type { CountCache } from './count-cache';

/** Everything a service needs, built once per process (see src/app/runtime.ts). */
export interface Ctx {
  config: Config;
  db: Database;
  hasher: PasswordHasher;
  logger: Logger;
  /** The clock, replaceable in tests (token expiry, digest windows). */
  now(): Date;
  /** Called after a transaction that queued mail or jobs commits, so workers wake without polling delay. */
  notify?(topic: NotifyTopic): void;
  /** App Home's counts per saved view, kept a while when counting them is slow (HOME_COUNTS_MAX_AGE_SECONDS). */
  viewCounts?: CountCache<number[]>;
}

/**
 * Who is acting. A directory user acting through Slack or an API key is re-checked on every call
 * (enabled, active, roles); `system` is the operator at the CLI or a job acting for its recorded user.
 */
export type Actor =
  | {
      kind: 'user';
      userId: number;
      label: string;
      via: 'slack' | 'api' | 'cli';
      /** An API key acts only inside the organization it was issued for. */
      organizationId?: number;
      /** Set when acting through Slack: who to tell about later failures (e.g. a mail that bounced). */
      slackUserId?: string;
    }
  | { kind: 'system'; label: string }
  /** An identity provider's SCIM token: administrator rights inside its one organization, re-checked (not revoked) on every call. */
  | { kind: 'scim'; tokenId: number; organizationId: number; label: string };

export const SYSTEM_ACTOR: Actor = { kind: 'system', label: 'system (cli)' };
