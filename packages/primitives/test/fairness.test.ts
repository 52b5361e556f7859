import { afterEach, describe, expect, test } from 'vitest';
import { Lock, RLock } from '@lockstep/primitives';
import { startWorker, sleep, terminateAll } from './support/workers.js';

afterEach(terminateAll);

/**
 * A hog re-acquires the lock in a tight loop. With pure barging it would win every race against a
 * sleeping waiter (it never leaves the CPU) and the waiter would wait for the whole loop. Eventual
 * fairness must serve the waiter while the hog is still far from done: that is a property of the
 * algorithm, not of speed (the hog's loop is millions of iterations; the bound is ~1 ms).
 */
describe('fairness: barging with eventual hand-off', () => {
  test('a waiter that waited past the bound is handed the lock: a barger cannot take it', async () => {
    const lock = new Lock();
    // White-box view of the mutex cells (STATE, HANDOFF, STARVING) to know when the waiter is starving.
    const cells = new Int32Array(lock.handle.buffer, lock.handle.byteOffset, 3);
    // [0] stop flag, [1] acquisitions made by the waiter.
    const flags = new Int32Array(new SharedArrayBuffer(8));
    lock.acquire();
    // The waiter comes back after every win, so a race it happens to win only restarts the scenario.
    const waiter = startWorker(({ Lock }, { handle, flags }) => {
      const lock = Lock.from(handle);
      while (Atomics.load(flags, 0) === 0) {
        if (!lock.acquire({ timeout: 20_000 })) return false;
        Atomics.add(flags, 1, 1);
        lock.release();
      }
      return true;
    }, { handle: lock.handle, flags });
    await sleep(30); // the waiter is asleep in the wait list and has waited well past the 1 ms bound
    for (let round = 0; Atomics.load(cells, 2) === 0; round++) {
      expect(round).toBeLessThan(400);
      // Release and barge straight back in: the woken waiter loses the race, notices it has waited too
      // long and registers as starving.
      lock.release();
      if (!lock.tryAcquire()) {
        // The waiter won this race instead; take the lock back and let it fall asleep again.
        expect(lock.acquire({ timeout: 5_000 })).toBe(true);
      }
      await sleep(5);
    }
    await sleep(20); // let it fall asleep again
    Atomics.store(flags, 0, 1);
    const acquisitionsBefore = Atomics.load(flags, 1);
    lock.release();
    // Fair: the release handed the lock to the starving waiter, so it is still held and a barger fails.
    expect(lock.tryAcquire()).toBe(false);
    expect(await waiter.result).toBe(true);
    expect(Atomics.load(flags, 1)).toBe(acquisitionsBefore + 1);
    expect(Atomics.load(cells, 2)).toBe(0);
    expect(lock.acquire({ timeout: 5_000 })).toBe(true);
    lock.release();
  });

  test.each(['Lock', 'RLock'] as const)('%s: waiters in other workers get the lock while a hog loops', async (kind) => {
    const handle = kind === 'Lock' ? new Lock().handle : new RLock().handle;
    // [0] hog's iteration, [1] hog started, [2] stop flag. The hog loops until every waiter is served,
    // so a waiter that starves shows up as its 30 s acquire timing out, never as a slow start.
    const shared = new Int32Array(new SharedArrayBuffer(16));
    const hog = startWorker((lib, { kind, handle, shared }) => {
      const lock = kind === 'Lock' ? lib.Lock.from(handle as never) : lib.RLock.from(handle as never);
      Atomics.store(shared, 1, 1);
      let i = 0;
      while (Atomics.load(shared, 2) === 0) {
        lock.acquire();
        Atomics.store(shared, 0, ++i);
        lock.release();
      }
      return i;
    }, { kind, handle, shared });
    while (Atomics.load(shared, 1) === 0) await sleep(1);
    const waiters = [0, 1, 2].map(() =>
      startWorker((lib, { kind, handle, shared }) => {
        const lock = kind === 'Lock' ? lib.Lock.from(handle as never) : lib.RLock.from(handle as never);
        const results: boolean[] = [];
        for (let round = 0; round < 50; round++) {
          const ok = lock.acquire({ timeout: 30_000 });
          results.push(ok && Atomics.load(shared, 2) === 0);
          if (ok) lock.release();
        }
        return results.every(Boolean);
      }, { kind, handle, shared }),
    );
    const served = await Promise.all(waiters.map((w) => w.result));
    Atomics.store(shared, 2, 1);
    expect(served).toEqual([true, true, true]);
    expect(await hog.result).toBeGreaterThan(0);
  });

  test('waiters are served in arrival order', async () => {
    const lock = new Lock();
    const release = new Int32Array(new SharedArrayBuffer(4));
    const holder = startWorker(({ Lock }, { handle, release }) => {
      const lock = Lock.from(handle);
      lock.acquire();
      Atomics.store(release, 0, 1);
      Atomics.wait(release, 0, 1, 10_000);
      lock.release();
    }, { handle: lock.handle, release });
    while (Atomics.load(release, 0) !== 1) await sleep(1);
    const order: number[] = [];
    // Each acquireAsync enqueues its waiter synchronously, so the calls' order is the arrival order.
    const tasks = [1, 2, 3, 4, 5].map(async (n) => {
      expect(await lock.acquireAsync({ timeout: 10_000 })).toBe(true);
      order.push(n);
      await sleep(2);
      lock.release();
    });
    Atomics.store(release, 0, 2);
    Atomics.notify(release, 0);
    await Promise.all(tasks);
    await holder.result;
    expect(order).toEqual([1, 2, 3, 4, 5]);
  });

  test('every worker finishes its share under heavy contention', async () => {
    const lock = new Lock();
    const finished = await Promise.all(
      [0, 1, 2, 3, 4, 5].map(
        (id) =>
          startWorker(({ Lock }, { handle, id }) => {
            const lock = Lock.from(handle);
            let longest = 0;
            for (let i = 0; i < 20_000; i++) {
              const started = performance.now();
              lock.acquire();
              longest = Math.max(longest, performance.now() - started);
              lock.release();
            }
            return { id, longest };
          }, { handle: lock.handle, id }).result,
      ),
    );
    expect(finished.map((f) => f.id)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
