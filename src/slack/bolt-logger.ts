// Bolt's logger, written through the app's own logger.
import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from '../lib/logger';

/**
 * The WebClient logs whole request and response bodies at debug level — modals holding a suggested
 * password, ephemeral messages holding a new API key. Those lines never reach our log, whatever
 * LOG_LEVEL says; the rest of Bolt's output goes through ours (and its redaction).
 */
const BODY_LINES = /http request (body|result)|http response received|request body|response body/i;

export function boltLogger(logger: Logger): SlackLogger {
  let level: LogLevel = LogLevel.INFO;
  const fmt = (args: unknown[]) =>
    args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? a.message : JSON.stringify(a))).join(' ');
  return {
    debug: (...a: unknown[]) => {
      const line = fmt(a);
      if (!BODY_LINES.test(line)) logger.debug(`slack: ${line.slice(0, 500)}`);
    },
    info: (...a: unknown[]) => logger.info(`slack: ${fmt(a)}`),
    warn: (...a: unknown[]) => logger.warn(`slack: ${fmt(a)}`),
    error: (...a: unknown[]) => logger.error(`slack: ${fmt(a)}`),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
