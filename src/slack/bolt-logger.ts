import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from '../lib/logger';

/** Bolt and the WebClient log through ours, so their lines get the same redaction. */
export function boltLogger(logger: Logger): SlackLogger {
  let level: LogLevel = LogLevel.INFO;
  const fmt = (args: unknown[]) =>
    args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? a.message : JSON.stringify(a))).join(' ');
  return {
    debug: (...a: unknown[]) => logger.debug(`slack: ${fmt(a)}`),
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
