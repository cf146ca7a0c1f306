/**
 * A small structured logger. One JSON object per line. Values that look like secrets (Slack tokens,
 * userops API keys, bcrypt hashes, long random tokens, passwords in URLs) are redacted before a
 * line is written: code should never log them, and this is the net under that rule.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogSink = (line: string, level: LogLevel) => void;

const SECRET_PATTERNS: RegExp[] = [
  /xox[abposr]-[A-Za-z0-9-]+/g,
  /xapp-[A-Za-z0-9-]+/g,
  /uok_[A-Za-z0-9]+/g,
  /whsec_[A-Za-z0-9+/=]+/g,
  /uoscim_[A-Za-z0-9_-]+/g,
  /\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}/g,
  /(\/\/[^/:@\s]+:)[^@\s/]+@/g,
  /(\/password\/reset\/)[A-Za-z0-9_-]+/g,
];
const SECRET_KEYS = /pass(word)?|secret|token|api_?key|authorization|cookie|hash/i;

export function redact(text: string): string {
  let out = text;
  for (const re of SECRET_PATTERNS) {
    out = out.replace(re, (_m, keep?: string) => (typeof keep === 'string' ? `${keep}[redacted]` : '[redacted]'));
  }
  return out;
}

function scrub(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[deep]';
  if (value instanceof Error) {
    // A database error made without frames (src/store/db.ts, skipSuccessStacks) shows its driver error's.
    const parent = (value as { parent?: { stack?: unknown } }).parent;
    const stack = !value.stack?.includes('\n') && typeof parent?.stack === 'string' ? parent.stack : value.stack;
    return { name: value.name, message: redact(value.message), stack: stack ? redact(stack) : undefined };
  }
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = SECRET_KEYS.test(k) && typeof v === 'string' ? '[redacted]' : scrub(v, depth + 1);
    }
    return out;
  }
  return value;
}

export class Logger {
  constructor(
    private readonly level: LogLevel = 'info',
    private readonly sink: LogSink = defaultSink,
    private readonly base: Record<string, unknown> = {},
  ) {}

  child(fields: Record<string, unknown>): Logger {
    return new Logger(this.level, this.sink, { ...this.base, ...fields });
  }

  debug(msg: string, fields?: Record<string, unknown>): void {
    this.write('debug', msg, fields);
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.write('info', msg, fields);
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.write('warn', msg, fields);
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.write('error', msg, fields);
  }

  private write(level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
    if (ORDER[level] < ORDER[this.level]) return;
    const record = scrub({ t: new Date().toISOString(), level, msg, ...this.base, ...(fields ?? {}) });
    this.sink(JSON.stringify(record), level);
  }
}

function defaultSink(line: string, level: LogLevel): void {
  (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(`${line}\n`);
}

/** A logger whose lines are kept in memory: for tests that search logs for leaked secrets. */
export function memoryLogger(level: LogLevel = 'debug'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: new Logger(level, (line) => lines.push(line)), lines };
}
