import { afterEach, expect, test } from 'vitest';
import { Lock } from '@lockstep/primitives';
import { runInWorker, terminateAll } from './support/workers.js';

afterEach(terminateAll);

test('smoke: 4 workers x 100000 guarded increments', async () => {
  const lock = new Lock();
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const results = await Promise.all(
    [0, 1, 2, 3].map(() =>
      runInWorker(({ Lock }, { handle, counter }) => {
        const lock = Lock.from(handle);
        for (let i = 0; i < 100_000; i++) {
          lock.acquire();
          counter[0] = counter[0]! + 1;
          lock.release();
        }
        return true;
      }, { handle: lock.handle, counter }),
    ),
  );
  expect(results).toEqual([true, true, true, true]);
  expect(counter[0]).toBe(400_000);
});
