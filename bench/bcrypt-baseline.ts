import { Worker } from 'node:worker_threads';

const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const bcrypt = require(workerData.bcryptPath);
const started = Date.now();
const deadline = started + workerData.seconds * 1000;
let n = 0;
while (Date.now() < deadline) {
  if (!bcrypt.compareSync(workerData.password, workerData.hash)) throw new Error('bench hash does not match');
  n++;
}
parentPort.postMessage(n / ((Date.now() - started) / 1000));
`;

/**
 * The login baseline: bcryptjs.compareSync back to back in `workers` threads (the login pool's
 * size), nothing else. Compares per second, each thread timed from its own start.
 */
export async function rawCompareRate(password: string, hash: string, workers: number, seconds: number): Promise<number> {
  const rates = await Promise.all(
    Array.from(
      { length: workers },
      () =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(SOURCE, { eval: true, workerData: { bcryptPath: require.resolve('bcryptjs'), password, hash, seconds } });
          w.once('message', (rate: number) => resolve(rate));
          w.once('error', reject);
        }),
    ),
  );
  return rates.reduce((a, b) => a + b, 0);
}
