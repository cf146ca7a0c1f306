import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The webhook endpoint of the webhooks measure, in a process of its own as a real receiver would
 * be: its parsing and answering are not charged to the bulk job measured in the bench process.
 * Answers 204 to everything; tells its URL once listening, and on 'ids' the webhook-id of every
 * request so far; exits on 'stop' or when the bench goes away.
 */
const ids: string[] = [];
const server = createServer((req, res) => {
  const id = req.headers['webhook-id'];
  if (typeof id === 'string') ids.push(id);
  req.resume();
  req.on('end', () => {
    res.writeHead(204);
    res.end();
  });
});
server.listen(0, '127.0.0.1', () => {
  process.send?.({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` });
});
process.on('message', (m: unknown) => {
  if (m === 'ids') process.send?.({ ids });
  if (m === 'stop') server.close(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
