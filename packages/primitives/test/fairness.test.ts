import { afterEach, describe, expect, test } from 'vitest';
import { Lock, RLock } from '@lockstep/primitives';
import { until } from './support/until.js';
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
    const [STATE, HANDOFF, STARVING, CONTENDED] = [0, 1, 2, 2];
    // What the waiter reports, from a wrapper around its Atomics.wait (the lock sleeps there), so this
    // test knows it is asleep instead of guessing with a sleep():
    const STOP = 0; // set by the test: hold the next acquisition until RELEASE (the waiter then clears both)
    const ACQUIRED = 1; // acquisitions made by the waiter
    const IN_WAIT = 2; // 1 while the waiter is inside Atomics.wait
    const WOKEN = 3; // waits that ended with a notify ('ok')
    const WOKEN_WITH_HANDOFF = 4; // … of which the lock was being handed to it when it woke
    const NOT_EQUAL = 5; // waits that found the word changed (it was not asleep when the lock was released)
    const RELEASE = 6; // set by the test: let go of the held acquisition
    const END = 7; // set by the test: end after it
    const flags = new Int32Array(new SharedArrayBuffer(4 * 8));
    lock.acquire();
    // The waiter comes back after every win, so a race it happens to win only restarts the scenario.
    const waiter = startWorker(({ Lock }, { handle, flags }) => {
      const lockCells = new Int32Array(handle.buffer, handle.byteOffset, 3);
      const realWait = Atomics.wait.bind(Atomics);
      Atomics.wait = ((array: Int32Array, index: number, value: number, timeout?: number) => {
        Atomics.store(flags, 2, 1);
        const result = realWait(array, index, value, timeout);
        Atomics.store(flags, 2, 0);
        if (result === 'ok') {
          Atomics.add(flags, 3, 1);
          if (Atomics.load(lockCells, 1) === 1) Atomics.add(flags, 4, 1);
        } else if (result === 'not-equal') {
          Atomics.add(flags, 5, 1);
        }
        return result;
      }) as typeof Atomics.wait;
      const lock = Lock.from(handle);
      for (;;) {
        if (!lock.acquire({ timeout: 20_000 })) return false;
        Atomics.add(flags, 1, 1);
        const stop = Atomics.load(flags, 0) === 1;
        while (stop && Atomics.load(flags, 6) === 0) realWait(flags, 6, 0, 20);
        lock.release();
        if (stop) {
          if (Atomics.load(flags, 7) === 1) return true;
          Atomics.store(flags, 6, 0);
          Atomics.store(flags, 0, 0);
        }
      }
    }, { handle: lock.handle, flags });
    let failed: unknown;
    waiter.result.catch((error: unknown) => {
      failed = error;
    });
    const step = async (predicate: () => boolean, what: string): Promise<void> => {
      await until(() => failed !== undefined || predicate(), what);
      if (failed !== undefined) throw failed;
    };
    const asleep = (): boolean => Atomics.load(flags, IN_WAIT) === 1 && Atomics.load(cells, STATE) === CONTENDED;

    await step(asleep, 'the waiter to sleep on the lock');
    const deadline = performance.now() + 20_000;
    for (let attempt = 0; ; attempt++) {
      expect(performance.now(), 'the scenario within 20 s').toBeLessThan(deadline);
      if (Atomics.load(cells, STARVING) === 0) {
        // Release and barge straight back in: the woken waiter loses the race, notices it has waited
        // past the bound and registers as starving.
        lock.release();
        if (!lock.tryAcquire()) {
          // The waiter won this race instead; take the lock back and let it fall asleep again.
          expect(lock.acquire({ timeout: 5_000 })).toBe(true);
        }
        await step(() => Atomics.load(cells, STARVING) > 0 || asleep(), 'the waiter to starve, or sleep again');
        continue;
      }
      await step(asleep, 'the starving waiter to sleep again');
      const before = { woken: Atomics.load(flags, WOKEN), handedOff: Atomics.load(flags, WOKEN_WITH_HANDOFF), notEqual: Atomics.load(flags, NOT_EQUAL) };
      const acquisitionsBefore = Atomics.load(flags, ACQUIRED);
      Atomics.store(flags, STOP, 1);
      lock.release();
      // Fair: the release hands the lock to the starving waiter, so it stays held and a barger fails.
      if (!lock.tryAcquire()) {
        await step(() => Atomics.load(flags, ACQUIRED) === acquisitionsBefore + 1, 'the waiter to take the lock');
        if (Atomics.load(flags, WOKEN_WITH_HANDOFF) === before.handedOff + 1) break; // handed off: what this test is about
        // It was not asleep when the lock was released and took it itself: start over.
        Atomics.store(flags, RELEASE, 1);
        await step(() => Atomics.load(flags, STOP) === 0, 'the waiter to let go');
        expect(lock.acquire({ timeout: 5_000 })).toBe(true);
        await step(asleep, 'the waiter to sleep on the lock again');
        continue;
      }
      // The barger got it: allowed only if the waiter was not asleep when the lock was released (its
      // wait found the word changed, or it was woken by the release's plain notify after the hand-off
      // offer had been withdrawn for want of a sleeper). Woken with the hand-off pending is the bug.
      await step(() => Atomics.load(flags, NOT_EQUAL) > before.notEqual || Atomics.load(flags, WOKEN) > before.woken, 'the waiter to wake');
      expect(Atomics.load(flags, WOKEN_WITH_HANDOFF), 'woken with the lock handed to it, yet a barger took it').toBe(before.handedOff);
      Atomics.store(flags, STOP, 0);
      expect(attempt).toBeLessThan(1_000);
    }
    Atomics.store(flags, END, 1);
    Atomics.store(flags, RELEASE, 1);
    expect(await waiter.result).toBe(true);
    expect(Atomics.load(cells, STARVING)).toBe(0);
    expect(Atomics.load(cells, HANDOFF)).toBe(0);
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
