import { PollLoop } from '../../src/lib/poll-loop';

describe('PollLoop', () => {
  test('a pause inside a pass ends when the loop is stopped, and the pass finishes', async () => {
    let reachedPause = () => undefined as void;
    const atPause = new Promise<void>((r) => (reachedPause = r));
    const done: string[] = [];
    const loop: PollLoop<void> = new PollLoop({
      pollMs: 60_000,
      onError: (e) => {
        throw e;
      },
      pass: async () => {
        reachedPause();
        // An hour: only stop() can end it within the test's timeout.
        await loop.pause(3_600_000);
        done.push(loop.stopped ? 'stopped' : 'timed out');
      },
    });
    loop.start();
    await atPause;
    await loop.stop();
    expect(done).toEqual(['stopped']);
    // After stop, a pause does not wait at all.
    await loop.pause(3_600_000);
  });
});
