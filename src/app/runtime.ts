// src/app: the runtime that wires config, database, hashing pool and notifications for one process.
// Imports services, jobs, mail, store, lib; the adapters (slack, http, cli, server) take a Runtime.
import type { Config } from '../lib/config';
import { defaultPoolSize, WorkerPoolHasher, type PasswordHasher } from '../lib/hasher';
import { Logger } from '../lib/logger';
import type { Ctx } from '../services/context';
import { CountCache } from '../services/count-cache';
import { migrateUp, openDatabase } from '../store/db';
import type { NotifyTopic } from '../lib/topics';

export interface RuntimeOptions {
  logger?: Logger;
  hasher?: PasswordHasher;
  now?: () => Date;
  /** Apply pending migrations first (the server and every CLI command do). Default true. */
  migrate?: boolean;
}

export type Topic = NotifyTopic;

export interface Runtime extends Ctx {
  close(): Promise<void>;
  /** Subscribe to commit notifications (mail queued, job queued, audit written). */
  onNotify(fn: (topic: Topic) => void): void;
}

/** Open the database, apply migrations and start the hashing pool: the services' context. */
export async function createRuntime(config: Config, opts: RuntimeOptions = {}): Promise<Runtime> {
  const logger = opts.logger ?? new Logger(config.LOG_LEVEL);
  const db = openDatabase(config.DATABASE_URL, logger);
  try {
    if (opts.migrate !== false) await migrateUp(db, logger);
  } catch (e) {
    await db.close();
    throw e;
  }
  const hasher = opts.hasher ?? new WorkerPoolHasher(config.BCRYPT_COST, defaultPoolSize(), config.HASH_QUEUE_MAX);
  const listeners: Array<(topic: Topic) => void> = [];
  const now = opts.now ?? (() => new Date());
  const ctx: Runtime = {
    config,
    db,
    hasher,
    logger,
    now,
    viewCounts: new CountCache<number[]>({ maxAgeMs: config.HOME_COUNTS_MAX_AGE_SECONDS * 1000 }, now),
    notify: (topic) => {
      for (const l of listeners) l(topic);
    },
    onNotify: (fn) => {
      listeners.push(fn);
    },
    close: async () => {
      await hasher.close();
      await db.close();
    },
  };
  return ctx;
}
