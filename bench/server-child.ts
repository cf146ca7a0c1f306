import { createRuntime } from '../src/app/runtime';
import { loadConfig } from '../src/lib/config';
import { startServer } from '../src/server/server';

/**
 * The server under test, in its own process as in production, so the acks the bench measures are
 * the server's and not delayed by the bench's own client and Slack stand-in. Configured entirely
 * by the environment the bench passes; tells the parent its URL over IPC and stops on 'stop'.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const rt = await createRuntime(config);
  const server = await startServer(rt, { port: 0, host: '127.0.0.1' });
  process.on('message', (m) => {
    // The login flood samples the server's memory, not the bench's.
    if (m === 'rss') return void process.send?.({ rss: process.memoryUsage().rss });
    if (m !== 'stop') return;
    void (async () => {
      await server.stop();
      await rt.close();
      process.exit(0);
    })();
  });
  // The bench is gone (killed, or its SIGINT handler exited): so is the server, not left running on its own.
  process.on('disconnect', () => process.exit(0));
  process.send?.({ url: server.url });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench server: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
