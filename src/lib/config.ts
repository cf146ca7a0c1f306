// src/lib: configuration, logging, the hashing pool, rate limits, CSV parsing. Imports only
// src/domain; everything may import it.
import cron from 'node-cron';
import { z } from 'zod';
import { APPROVAL_KINDS, type ApprovalKind } from '../domain/approvals';
import { LOCKOUT_MODES } from '../domain/status';
import { parseTrustProxy } from './trust-proxy';

/**
 * Every environment variable userops reads, in one schema. The README's configuration table is
 * checked against `CONFIG_DOCS` by a test, so a variable cannot be added here without being
 * documented there.
 */

const bool = () =>
  z
    .string()
    .trim()
    .toLowerCase()
    .refine((v) => ['true', 'false', '1', '0', 'yes', 'no', ''].includes(v), {
      // loadConfig puts the variable's name in front; naming it here too read "X X must be…".
      message: 'must be true or false',
    })
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, { message: `must be a whole number between ${min} and ${max}` })
    .transform((v) => Number(v))
    .refine((v) => v >= min && v <= max, { message: `must be between ${min} and ${max}` });

const minutes = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, { message: `must be a number of minutes between ${min} and ${max}` })
    .transform((v) => Number(v))
    .refine((v) => v >= min && v <= max, { message: `must be between ${min} and ${max}` });

const url = (protocols: string[]) =>
  z
    .string()
    .trim()
    .refine(
      (v) => {
        try {
          const u = new URL(v);
          return protocols.includes(u.protocol);
        } catch {
          return false;
        }
      },
      { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
    );

const databaseUrl = z
  .string()
  .trim()
  .refine((v) => /^sqlite:/.test(v) || /^postgres(ql)?:\/\//.test(v), {
    message: 'must be sqlite:PATH or postgres://user:pass@host/db',
  });

const trustProxy = z.string().transform((v, ctx) => {
  const parsed = parseTrustProxy(v);
  if (parsed.ok) return parsed.value;
  ctx.addIssue({ code: 'custom', message: parsed.message });
  return z.NEVER;
});

const approvalKinds = z.string().transform((v, ctx) => {
  const kinds = v
    .split(',')
    .map((k) => k.trim().toLowerCase())
    .filter((k) => k.length > 0);
  const unknown = kinds.filter((k) => !(APPROVAL_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    ctx.addIssue({ code: 'custom', message: `must list only ${APPROVAL_KINDS.join(', ')} (comma-separated)` });
    return z.NEVER;
  }
  return [...new Set(kinds)] as ApprovalKind[];
});

const cronExpr = z
  .string()
  .trim()
  .refine((v) => /^(\S+\s+){4,5}\S+$/.test(v), { message: 'must be a cron expression with 5 or 6 fields' })
  // What node-cron (the scheduler) accepts, so a bad value stops the start rather than the first tick.
  .refine((v) => cron.validate(v), { message: 'must be a valid cron expression, e.g. 0 9 * * 1-5' });

const timeZone = z
  .string()
  .trim()
  .refine(
    (v) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: v });
        return true;
      } catch {
        return false;
      }
    },
    { message: 'must be an IANA time zone such as UTC or Europe/Berlin' },
  );

const slackCommand = z
  .string()
  .trim()
  .regex(/^\/[a-z0-9_-]{1,31}$/, { message: 'must look like /users (a slash and up to 32 lower-case letters)' });

const teamId = z
  .string()
  .trim()
  .regex(/^T[A-Z0-9]{2,}$/, { message: 'must be a Slack workspace id such as T0123ABCD' });

const channelId = z
  .string()
  .trim()
  .regex(/^[CGD][A-Z0-9]{2,}$/, { message: 'must be a Slack channel id such as C0123ABCD' });

/** `off`, or set but empty: no scheduled access review; otherwise a cron expression (see ACCESS_REVIEW_CRON's doc). */
const reviewCron = z
  .string()
  .trim()
  .transform((v) => (v === '' || v.toLowerCase() === 'off' ? null : v))
  .refine((v) => v === null || /^(\S+\s+){4,5}\S+$/.test(v), {
    message: 'must be a cron expression with 5 or 6 fields, or off (or empty) for no scheduled review',
  })
  .refine((v) => v === null || cron.validate(v), { message: 'must be a valid cron expression, e.g. 0 9 1-7 * 1, or off' });

/** `acme=C0123ABCD,beta=C0456EFGH`: each organization's channel for the scheduled access review. */
const reviewChannels = z
  .string()
  .trim()
  .transform((v, c) => {
    const out: Record<string, string> = {};
    for (const pair of v
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p.length > 0)) {
      const m = /^([a-z0-9][a-z0-9-]{0,62})=([CG][A-Z0-9]{2,})$/.exec(pair);
      if (!m) {
        c.addIssue({
          code: 'custom',
          message: 'must be a comma-separated list of ORG=CHANNEL (organization slug = channel id), e.g. sales=C0123ABCD,support=C0456EFGH',
        });
        return z.NEVER;
      }
      if (out[m[1]]) {
        c.addIssue({ code: 'custom', message: `names the organization ${m[1]} twice` });
        return z.NEVER;
      }
      out[m[1]] = m[2];
    }
    return out;
  });

/** Variables where a set-but-empty value means "off" rather than "the default". */
const EMPTY_MEANS_OFF: ReadonlySet<string> = new Set(['ACCESS_REVIEW_CRON']);

/** Documentation for every variable: default shown as the string the environment would hold. */
export const CONFIG_DOCS: Record<string, { default: string; doc: string }> = {
  PORT: { default: '3000', doc: 'HTTP port for Slack requests, the REST API, the reset page and /healthz.' },
  DATABASE_URL: {
    default: 'sqlite:data/userops.sqlite',
    doc: 'sqlite:PATH (embedded, one process) or postgres://user:pass@host/db (several instances).',
  },
  SLACK_BOT_TOKEN: { default: '', doc: 'Bot token (xoxb-…). Required to talk to Slack.' },
  SLACK_SIGNING_SECRET: { default: '', doc: 'Signing secret; every request to /slack/events is verified with it.' },
  SLACK_APP_TOKEN: { default: '', doc: 'App-level token (xapp-…). When set, Slack traffic uses Socket Mode instead of HTTP.' },
  SLACK_API_URL: { default: 'https://slack.com/api/', doc: 'Slack Web API base URL (tests and the demo point it at the local stand-in).' },
  SLACK_COMMAND: { default: '/users', doc: 'The slash command name registered in the manifest.' },
  SLACK_TEAM_ID: {
    default: '',
    doc: 'The workspace (T…) the app serves; requests from any other are refused. Unset: the one auth.test reports for the bot token.',
  },
  PUBLIC_URL: { default: 'http://localhost:3000', doc: 'Base URL users reach; reset links are PUBLIC_URL/password/reset/TOKEN.' },
  SMTP_URL: { default: '', doc: 'smtp://user:pass@host:port or smtps://…. Unset: mail is written as .eml files to OUTBOX_DIR.' },
  MAIL_FROM: { default: 'userops <userops@localhost>', doc: 'From address of every mail.' },
  OUTBOX_DIR: { default: 'data/outbox', doc: 'Where .eml files go when SMTP_URL is unset.' },
  LOCKOUT_THRESHOLD: { default: '10', doc: 'Failed logins in a row that lock an account (1–100).' },
  LOCKOUT_MODE: {
    default: 'permanent',
    doc: 'permanent: a lock lasts until an admin activates the account. temporary: it also ends by itself, see LOCKOUT_BASE_MINUTES.',
  },
  LOCKOUT_BASE_MINUTES: {
    default: '15',
    doc: 'temporary mode: minutes the first lock lasts (decimals allowed, 0.01–10080); each lock in a row lasts twice the one before.',
  },
  LOCKOUT_MAX_MINUTES: { default: '1440', doc: 'temporary mode: the longest a lock lasts, in minutes (decimals allowed, 0.01–525600).' },
  RESET_TOKEN_TTL_HOURS: { default: '24', doc: 'Hours a password-reset link stays valid (1–720).' },
  BCRYPT_COST: { default: '12', doc: 'bcrypt cost factor (4–15; values below 10 are for tests only).' },
  HASH_QUEUE_MAX: {
    default: '100',
    doc: 'Password checks that may wait for a hashing thread (per instance, 1–100000); beyond, login answers 503 with Retry-After.',
  },
  PASSWORD_MIN_LENGTH: { default: '12', doc: 'Minimum password length in characters (8–64).' },
  LOGIN_MAX_PER_ACCOUNT: { default: '20', doc: 'Login attempts per account per LOGIN_WINDOW_SECONDS before 429.' },
  LOGIN_MAX_PER_IP: { default: '100', doc: 'Login attempts per client address per LOGIN_WINDOW_SECONDS before 429.' },
  LOGIN_WINDOW_SECONDS: { default: '60', doc: 'Window of the login throttles.' },
  FORGOT_MAX_PER_ACCOUNT: {
    default: '3',
    doc: 'Self-service reset links (/password/forgot) per account per hour; counted in the database, across instances.',
  },
  FORGOT_MAX_PER_IP: {
    default: '20',
    doc: 'Requests to /password/forgot per client address per hour (per instance, in memory).',
  },
  SELF_SERVICE_UNLOCK: {
    default: 'true',
    doc: 'Whether a new password set through a self-service link also unlocks a locked account.',
  },
  PASSWORD_MAX_AGE_DAYS: {
    default: '',
    doc: 'Days a password stays valid (1–3650); owners are reminded 7 days and 1 day before, then the account needs a reset. Unset: passwords never expire.',
  },
  PASSWORD_EXPIRY_CRON: {
    default: '0 8 * * *',
    doc: 'When the daily password-expiry job runs (cron, in DIGEST_TZ); only with PASSWORD_MAX_AGE_DAYS set.',
  },
  API_RATE_LIMIT_PER_MINUTE: { default: '600', doc: 'REST API requests per API key per minute before 429.' },
  TRUST_PROXY: {
    default: 'false',
    doc: 'Which proxies may set the client address (X-Forwarded-For): false (none, the socket address counts), a hop count (1 = one load balancer), or a comma-separated list of proxy addresses, CIDR ranges, loopback, linklocal, uniquelocal. true is refused.',
  },
  DIGEST_CHANNEL: { default: '', doc: 'Channel id (C…) for the lockout digest. Unset: no digest is scheduled.' },
  DIGEST_CRON: { default: '0 9 * * 1-5', doc: 'When the lockout digest runs (cron, in DIGEST_TZ).' },
  DIGEST_TZ: { default: 'UTC', doc: 'Time zone of DIGEST_CRON.' },
  DIGEST_SPIKE_THRESHOLD: { default: '20', doc: 'More lockouts than this within one hour are flagged as a possible attack.' },
  DIGEST_SILENT_WHEN_EMPTY: { default: 'false', doc: 'true: post nothing when there are no new lockouts.' },
  AUDIT_CHANNEL: { default: '', doc: 'Optional channel id; every mutation is mirrored there as one line.' },
  EXPORT_EMAIL_MAX_BYTES: { default: '5000000', doc: 'Largest CSV (after gzip if needed) attached to the export email.' },
  EXPORT_DIR: {
    default: 'data/exports',
    doc: 'Where export CSVs wait until their email is sent (deleted then, or after 3 days). Several instances: a volume they share.',
  },
  EXPORT_ALLOW_PASSWORD_HASHES: { default: 'false', doc: 'Allow the password-hash column in exports (off by default)' },
  HOME_COUNTS_MAX_AGE_SECONDS: {
    default: '60',
    doc: 'How long App Home may show counts per saved view taken earlier, when taking them is slow (over 200 ms: a large directory); the tab says when they were taken. 0: count on every opening.',
  },
  DORMANT_DAYS: {
    default: '90',
    doc: 'Days without a login after which an enabled user is dormant (the dormant view and the access review; 1–3650).',
  },
  ACCESS_REVIEW_CRON: {
    default: '0 9 1-7 * 1',
    doc: 'When the scheduled access review is posted (cron, in DIGEST_TZ). When both day-of-month and day-of-week are set, both must match (so the default is the first Monday of the month, 09:00), unlike classic cron. off, or set but empty: no scheduled review.',
  },
  ACCESS_REVIEW_CHANNELS: {
    default: '',
    doc: "Where each organization's scheduled access review goes: ORG=CHANNEL pairs, comma-separated (acme=C0123ABCD,beta=C0456EFGH). Organizations not listed are skipped. Unset: no scheduled review.",
  },
  INVITE_TTL_DAYS: { default: '7', doc: 'Days an invitation link stays valid (1–90).' },
  BULK_BATCH_SIZE: {
    default: '250',
    doc: 'Users per transaction in a bulk job (10–5000): smaller batches hold the write lock for less time, larger ones finish sooner.',
  },
  APPROVAL_REQUIRED: {
    default: '',
    doc: "Actions that need a second person's approval in Slack, comma-separated from bulk, delete, change_password, api_key, admin_target. Empty: none (recommended: bulk,delete,admin_target).",
  },
  APPROVAL_BULK_MIN: {
    default: '25',
    doc: 'With bulk in APPROVAL_REQUIRED: a bulk action on more than this many users needs approval (0–1000000).',
  },
  APPROVAL_TTL_MINUTES: { default: '60', doc: 'Minutes an approval request stays open (decimals allowed, 0.01–10080).' },
  APPROVALS_CHANNEL: {
    default: '',
    doc: 'Channel id where approval requests are posted. Unset: each is sent by DM to every other member who may approve it.',
  },
  WEBHOOK_SECRET_KEY: {
    default: '',
    doc: 'At least 32 characters (e.g. openssl rand -base64 32): the key that encrypts webhook signing secrets at rest (AES-256-GCM). Unset: webhook endpoints cannot be added and existing ones are not delivered to.',
  },
  WEBHOOK_ALLOW_PRIVATE: {
    default: 'false',
    doc: 'true: webhook URLs may be plain http and loopback/private addresses (tests, on-premise receivers). Link-local and cloud-metadata addresses are refused either way.',
  },
  WEBHOOK_TIMEOUT_SECONDS: { default: '10', doc: 'Seconds a webhook receiver has to answer one delivery attempt (1–60).' },
  WEBHOOK_RETRY_SCHEDULE: {
    default: '5,300,1800,7200,18000,36000,36000',
    doc: 'Seconds between webhook delivery attempts, comma-separated (decimals allowed, each 0.01–86400, at most 20); a little jitter is added. After the last one the delivery has failed.',
  },
  LOG_LEVEL: { default: 'info', doc: 'debug, info, warn or error.' },
};

const retrySchedule = z
  .string()
  .trim()
  .transform((v, ctx) => {
    const parts = v.split(',').map((p) => p.trim());
    const nums = parts.map((p) => (/^\d+(\.\d+)?$/.test(p) ? Number(p) : NaN));
    if (parts.length > 20 || nums.some((n) => !(n >= 0.01 && n <= 86400))) {
      ctx.addIssue({ code: 'custom', message: 'must be up to 20 comma-separated numbers of seconds, each between 0.01 and 86400' });
      return z.NEVER;
    }
    return nums;
  });

const schema = z.object({
  PORT: int(0, 65535),
  DATABASE_URL: databaseUrl,
  SLACK_BOT_TOKEN: z
    .string()
    .trim()
    .refine((v) => v === '' || /^xox[bp]-/.test(v), { message: 'must start with xoxb-' }),
  SLACK_SIGNING_SECRET: z.string().trim(),
  SLACK_APP_TOKEN: z
    .string()
    .trim()
    .refine((v) => v === '' || v.startsWith('xapp-'), { message: 'must start with xapp-' }),
  SLACK_API_URL: url(['http:', 'https:']).transform((v) => (v.endsWith('/') ? v : `${v}/`)),
  SLACK_COMMAND: slackCommand,
  SLACK_TEAM_ID: z.union([z.literal(''), teamId]),
  PUBLIC_URL: url(['http:', 'https:']).transform((v) => v.replace(/\/+$/, '')),
  SMTP_URL: z
    .string()
    .trim()
    .refine((v) => v === '' || /^smtps?:\/\//.test(v), { message: 'must start with smtp:// or smtps://' }),
  MAIL_FROM: z.string().trim().min(3, { message: 'must be an address such as userops <userops@example.com>' }),
  OUTBOX_DIR: z.string().trim().min(1, { message: 'must be a directory path' }),
  LOCKOUT_THRESHOLD: int(1, 100),
  LOCKOUT_MODE: z.enum(LOCKOUT_MODES, { message: 'must be permanent or temporary' }),
  LOCKOUT_BASE_MINUTES: minutes(0.01, 10080),
  LOCKOUT_MAX_MINUTES: minutes(0.01, 525600),
  RESET_TOKEN_TTL_HOURS: int(1, 720),
  BCRYPT_COST: int(4, 15),
  HASH_QUEUE_MAX: int(1, 100_000),
  PASSWORD_MIN_LENGTH: int(8, 64),
  LOGIN_MAX_PER_ACCOUNT: int(1, 100000),
  LOGIN_MAX_PER_IP: int(1, 1000000),
  LOGIN_WINDOW_SECONDS: int(1, 86400),
  FORGOT_MAX_PER_ACCOUNT: int(1, 100),
  FORGOT_MAX_PER_IP: int(1, 100000),
  SELF_SERVICE_UNLOCK: bool(),
  PASSWORD_MAX_AGE_DAYS: z
    .string()
    .trim()
    .refine((v) => v === '' || (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 3650), {
      message: 'must be a whole number of days between 1 and 3650, or empty (passwords never expire)',
    })
    .transform((v) => (v === '' ? null : Number(v))),
  PASSWORD_EXPIRY_CRON: cronExpr,
  API_RATE_LIMIT_PER_MINUTE: int(1, 1000000),
  TRUST_PROXY: trustProxy,
  DIGEST_CHANNEL: z.union([z.literal(''), channelId]),
  DIGEST_CRON: cronExpr,
  DIGEST_TZ: timeZone,
  DIGEST_SPIKE_THRESHOLD: int(1, 1000000),
  DIGEST_SILENT_WHEN_EMPTY: bool(),
  AUDIT_CHANNEL: z.union([z.literal(''), channelId]),
  EXPORT_EMAIL_MAX_BYTES: int(0, 100_000_000),
  EXPORT_DIR: z.string().trim().min(1, { message: 'must be a directory path' }),
  EXPORT_ALLOW_PASSWORD_HASHES: bool(),
  HOME_COUNTS_MAX_AGE_SECONDS: int(0, 3600),
  DORMANT_DAYS: int(1, 3650),
  INVITE_TTL_DAYS: int(1, 90),
  ACCESS_REVIEW_CRON: reviewCron,
  ACCESS_REVIEW_CHANNELS: reviewChannels,
  BULK_BATCH_SIZE: int(10, 5000),
  APPROVAL_REQUIRED: approvalKinds,
  APPROVAL_BULK_MIN: int(0, 1_000_000),
  APPROVAL_TTL_MINUTES: minutes(0.01, 10080),
  APPROVALS_CHANNEL: z.union([z.literal(''), channelId]),
  WEBHOOK_SECRET_KEY: z
    .string()
    .refine((v) => v === '' || v.length >= 32, { message: 'must be at least 32 characters (e.g. openssl rand -base64 32)' }),
  WEBHOOK_ALLOW_PRIVATE: bool(),
  WEBHOOK_TIMEOUT_SECONDS: int(1, 60),
  WEBHOOK_RETRY_SCHEDULE: retrySchedule,
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error'], { message: 'must be debug, info, warn or error' }),
});

export type Config = z.output<typeof schema>;

export class ConfigError extends Error {}

/** Parse an environment into a Config; throws ConfigError with one line naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const input: Record<string, string> = {};
  for (const [name, { default: def }] of Object.entries(CONFIG_DOCS)) {
    const raw = env[name];
    input[name] = raw === undefined || (raw === '' && !EMPTY_MEANS_OFF.has(name)) ? def : raw;
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0] ?? 'configuration');
    // The value itself is not echoed: it may be a token or a password inside a URL.
    throw new ConfigError(`Invalid configuration: ${name} ${issue.message}`);
  }
  return parsed.data;
}

/** Test and tool helper: a Config with overrides, validated the same way. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ BCRYPT_COST: '4', LOG_LEVEL: 'error', ...overrides });
}
