import { createRuntime } from '../app/runtime';
import { ConfigError, loadConfig } from '../lib/config';
import { deploymentWarnings } from '../lib/deployment-warnings';
import { loadDotEnv } from '../lib/dotenv';
import { Logger } from '../lib/logger';
import { startServer } from './server';

/** `npm start`: load .env, validate config (one clear line and exit 1 if bad), migrate, serve. */
async function main(): Promise<void> {
  loadDotEnv();
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const logger = new Logger(config.LOG_LEVEL);
  // Valid but weak for a real deployment: said once at start, one line each, then served anyway.
  for (const warning of deploymentWarnings(config)) logger.warn(warning);
  const rt = await createRuntime(config, { logger });
  const server = await startServer(rt);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    await server.stop();
    await rt.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  // Only after the handlers: whoever waits for this line may send SIGTERM at once and get a clean stop.
  logger.info('userops listening', {
    port: server.port,
    slack: server.slack ? (config.SLACK_APP_TOKEN ? 'socket mode' : 'http') : 'off',
    ...(server.connection ? { slackStatus: server.connection.state().status } : {}),
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`userops: ${(err as Error).message}\n`);
  process.exit(1);
});
