import { afterEach, describe, expect, test } from 'vitest';
import {
  BoundedSemaphore,
  LockStateError,
  LockTimeoutError,
  registerWorker,
  Semaphore,
  WaitCancelledError,
  type SemaphoreHandle,
} from '@lockstep/primitives';
import { rejectionOf, sharedInts, track, until } from './support/until.js';
import { sleep, startWorker, terminateAll, type Lib, type RunningWorker } from './support/workers.js';

// Weighted permits, `locked`, waitForUnlock and cancelWaiters, across real worker threads. No assertion
// depends on how fast anything runs: the timeouts below only turn a hang into a failure, and a short
// sleep before a "still waiting" check can only miss a bug, never invent one.

afterEach(terminateAll);

/** Generous: a hang guard only. */
const GUARD_MS = 20_000;

interface ErrorReport {
  readonly name: string;
  readonly message: string;
  readonly cause: unknown;
}

describe('weighted acquire', () => {
  test('takes all its permits or none: across workers, the permits held never exceed the value', async () => {
    const sem = new BoundedSemaphore(5);
    // [0]: permits held right now, [1]: the most ever held at once
    const shared = sharedInts(2);
    const workers = [1, 2, 3].map((weight) =>
      startWorker(
        ({ Semaphore }, d: { handle: SemaphoreHandle; shared: Int32Array; weight: number; guard: number }) => {
          const sem = Semaphore.from(d.handle);
          for (let i = 0; i < 300; i++) {
            // Mix the forms: plain acquire/release and the disposable hold.
            const permits = 1 + ((d.weight + i) % 3);
            const held = i % 2 === 0 ? sem.hold({ permits, timeout: d.guard }) : undefined;
            if (held === undefined && !sem.acquire({ permits, timeout: d.guard })) return 'timed out';
            try {
              const inside = Atomics.add(d.shared, 0, permits) + permits;
              let max = Atomics.load(d.shared, 1);
              while (inside > max && Atomics.compareExchange(d.shared, 1, max, inside) !== max) max = Atomics.load(d.shared, 1);
              Atomics.sub(d.shared, 0, permits);
            } finally {
              if (held === undefined) sem.release(permits);
              else held[Symbol.dispose]();
            }
          }
          return 'done';
        },
        { handle: sem.handle, shared, weight, guard: GUARD_MS },
      ),
    );
    // The main thread takes part too, with async weighted acquisitions.
    for (let i = 0; i < 100; i++) {
      const permits = 1 + (i % 4);
      expect(await sem.acquireAsync({ permits, timeout: GUARD_MS })).toBe(true);
      const inside = Atomics.add(shared, 0, permits) + permits;
      let max = Atomics.load(shared, 1);
      while (inside > max && Atomics.compareExchange(shared, 1, max, inside) !== max) max = Atomics.load(shared, 1);
      Atomics.sub(shared, 0, permits);
      sem.release(permits);
    }
    expect(await Promise.all(workers.map((w) => w.result))).toEqual(['done', 'done', 'done']);
    expect(Atomics.load(shared, 1)).toBeLessThanOrEqual(5);
    expect(sem.value).toBe(5);
  });

  test('a waiting weighted request holds none of the permits it waits for', async () => {
    const sem = new Semaphore(3);
    expect(sem.tryAcquire(2)).toBe(true);
    expect(sem.tryAcquire(2)).toBe(false);
    expect(sem.value).toBe(1);
    const big = track(sem.acquireAsync({ permits: 2, timeout: GUARD_MS }));
    await sleep(20);
    expect(big.settled).toBe(false);
    // The one free permit is still free: the big request did not take it while it waits.
    expect(sem.value).toBe(1);
    expect(await runRelease(sem.handle, 2)).toBe(true);
    expect(await big.promise).toBe(true);
    expect(sem.value).toBe(1);
    sem.release(2);
    expect(sem.value).toBe(3);
  });

  test('a big request waits while small holders stay, and is served once they leave', async () => {
    const sem = new Semaphore(4);
    // [0]: small holders inside, [1]: set to 1 to let them leave
    const state = sharedInts(2);
    const small = [0, 1, 2].map(() =>
      startWorker(
        ({ Semaphore }, d: { handle: SemaphoreHandle; state: Int32Array; guard: number }) => {
          const sem = Semaphore.from(d.handle);
          if (!sem.acquire({ timeout: d.guard })) return false;
          Atomics.add(d.state, 0, 1);
          Atomics.wait(d.state, 1, 0, d.guard);
          sem.release();
          return true;
        },
        { handle: sem.handle, state, guard: GUARD_MS },
      ),
    );
    await until(() => Atomics.load(state, 0) === 3, 'three small holders inside');
    expect(sem.value).toBe(1);
    const big = startWorker(
      ({ Semaphore }, d: { handle: SemaphoreHandle; guard: number }) => {
        const sem = Semaphore.from(d.handle);
        if (!sem.acquire({ permits: 4, timeout: d.guard })) return -1;
        const seen = sem.value;
        sem.release(4);
        return seen;
      },
      { handle: sem.handle, guard: GUARD_MS },
    );
    const bigDone = track(big.result);
    await sleep(50);
    expect(bigDone.settled).toBe(false);
    Atomics.store(state, 1, 1);
    Atomics.notify(state, 1);
    expect(await Promise.all(small.map((w) => w.result))).toEqual([true, true, true]);
    expect(await big.result).toBe(0);
    expect(sem.value).toBe(4);
  });

  test('a release wakes a small waiter even while a waitForUnlock waits beside it', async () => {
    const sem = new Semaphore(0);
    const watcher = track(sem.waitForUnlockAsync({ permits: 1, timeout: GUARD_MS }));
    const acquirer = startWorker(
      ({ Semaphore }, d: { handle: SemaphoreHandle; guard: number }) => Semaphore.from(d.handle).acquire({ timeout: d.guard }),
      { handle: sem.handle, guard: GUARD_MS },
    );
    await sleep(50);
    sem.release();
    expect(await acquirer.result).toBe(true);
    sem.release();
    expect(await watcher.promise).toBe(true);
    expect(sem.value).toBe(1);
  });

  test('hold({ permits }) gives all of them back once, and times out with LockTimeoutError', async () => {
    const sem = new BoundedSemaphore(3);
    {
      using _ = sem.hold({ permits: 3 });
      expect(sem.value).toBe(0);
      expect(() => sem.hold({ permits: 1, timeout: 0 })).toThrow(LockTimeoutError);
    }
    expect(sem.value).toBe(3);
    const guard = await sem.holdAsync({ permits: 2 });
    expect(sem.value).toBe(1);
    await guard[Symbol.asyncDispose]();
    guard[Symbol.dispose]();
    expect(sem.value).toBe(3);
    expect(await sem.runExclusive(() => sem.value, { permits: 2 })).toBe(1);
    expect(sem.value).toBe(3);
  });

  test('a robust semaphore records the permits of each weighted holder', async () => {
    const sem = new BoundedSemaphore(4, { robust: true });
    expect(sem.acquire({ permits: 3 })).toBe(true);
    sem.release(2);
    expect(() => sem.release(2)).toThrow(LockStateError);
    sem.release(1);
    expect(sem.value).toBe(4);

    const flag = sharedInts(1);
    const victim = startRegistered(
      (lib, d: { handle: SemaphoreHandle; flag: Int32Array }) => {
        const s = lib.Semaphore.from(d.handle);
        s.acquire({ permits: 3 });
        Atomics.store(d.flag, 0, 1);
        Atomics.wait(d.flag, 0, 1);
      },
      { handle: sem.handle, flag },
    );
    await until(() => Atomics.load(flag, 0) === 1, 'the victim to hold three permits');
    expect(sem.value).toBe(1);
    const waiting = sem.acquireAsync({ permits: 4, timeout: GUARD_MS });
    await victim.worker.terminate();
    expect(await waiting).toBe(true);
    expect(sem.reclaimedPermits).toBe(3);
    expect(sem.value).toBe(0);
    sem.release(4);
    expect(sem.value).toBe(4);
  });
});

describe('permits validation', () => {
  test('permits must be an integer >= 1; nothing is taken', async () => {
    const sem = new Semaphore(2);
    expect(() => sem.acquire({ permits: 0 })).toThrow(/Semaphore\.acquire\(\): permits must be >= 1, got 0/);
    expect(() => sem.acquire({ permits: -1 })).toThrow(RangeError);
    expect(() => sem.acquire({ permits: 1.5 })).toThrow(TypeError);
    expect(() => sem.acquire({ permits: Number.NaN })).toThrow(TypeError);
    expect(() => sem.acquire({ permits: '2' as unknown as number })).toThrow(/permits must be an integer, got 2/);
    expect(() => sem.tryAcquire(0)).toThrow(/Semaphore\.tryAcquire\(\): permits/);
    expect(() => sem.hold({ permits: 0 })).toThrow(/Semaphore\.hold\(\)/);
    expect(() => sem.waitForUnlock({ permits: 0 })).toThrow(/Semaphore\.waitForUnlock\(\)/);
    await expect(sem.acquireAsync({ permits: 0 })).rejects.toThrow(/Semaphore\.acquireAsync\(\)/);
    await expect(sem.holdAsync({ permits: 2.5 })).rejects.toThrow(TypeError);
    await expect(sem.waitForUnlockAsync({ permits: -3 })).rejects.toThrow(/Semaphore\.waitForUnlockAsync\(\)/);
    expect(sem.value).toBe(2);
  });

  test("a BoundedSemaphore refuses a request above its initial value, which could never be granted", async () => {
    const sem = new BoundedSemaphore(3);
    expect(() => sem.acquire({ permits: 4 })).toThrow(RangeError);
    expect(() => sem.acquire({ permits: 4 })).toThrow(/BoundedSemaphore\.acquire\(\): permits 4 can never be granted.*initial value/);
    expect(() => sem.acquire({ permits: 4 })).toThrow(/at most 3/);
    expect(() => sem.tryAcquire(4)).toThrow(RangeError);
    expect(() => sem.waitForUnlock({ permits: 4 })).toThrow(RangeError);
    await expect(sem.acquireAsync({ permits: 4 })).rejects.toThrow(RangeError);
    expect(sem.tryAcquire(3)).toBe(true);
    sem.release(3);
    // A plain semaphore may be released above its initial value, so a larger request may come true.
    const plain = new Semaphore(1);
    expect(plain.acquire({ permits: 2, timeout: 0 })).toBe(false);
    plain.release();
    expect(plain.acquire({ permits: 2, timeout: 0 })).toBe(true);
    expect(plain.value).toBe(0);
  });
});

describe('locked', () => {
  test('is true exactly when no permit is left', () => {
    const sem = new Semaphore(2);
    expect(sem.locked).toBe(false);
    sem.acquire();
    expect(sem.locked).toBe(false);
    sem.acquire();
    expect(sem.locked).toBe(true);
    sem.release();
    expect(sem.locked).toBe(false);
    expect(new Semaphore(0).locked).toBe(true);
    expect(Semaphore.from(new BoundedSemaphore(0).handle).locked).toBe(true);
  });
});

describe('waitForUnlock', () => {
  test('returns true at once when the permits are free, and takes none', async () => {
    const sem = new Semaphore(2);
    expect(sem.waitForUnlock()).toBe(true);
    expect(sem.waitForUnlock({ permits: 2 })).toBe(true);
    expect(await sem.waitForUnlockAsync({ permits: 2 })).toBe(true);
    expect(sem.value).toBe(2);
  });

  test('returns false when the timeout runs out first', async () => {
    const sem = new Semaphore(1);
    expect(sem.waitForUnlock({ permits: 2, timeout: 20 })).toBe(false);
    expect(await sem.waitForUnlockAsync({ permits: 2, timeout: 20 })).toBe(false);
    expect(sem.waitForUnlock({ permits: 2, timeout: 0 })).toBe(false);
    expect(sem.value).toBe(1);
  });

  test('a worker blocked in waitForUnlock wakes once enough permits are free, without consuming them', async () => {
    const sem = new Semaphore(0);
    const watcher = startWorker(
      ({ Semaphore }, d: { handle: SemaphoreHandle; guard: number }) => {
        const sem = Semaphore.from(d.handle);
        return sem.waitForUnlock({ permits: 2, timeout: d.guard });
      },
      { handle: sem.handle, guard: GUARD_MS },
    );
    const done = track(watcher.result);
    await sleep(30);
    sem.release();
    await sleep(30);
    expect(done.settled).toBe(false); // one permit is not enough
    sem.release();
    expect(await watcher.result).toBe(true);
    expect(sem.value).toBe(2);
  });

  test('waitForUnlockAsync resolves on a release from a worker; abort rejects with the reason', async () => {
    const sem = new Semaphore(0);
    const waiting = sem.waitForUnlockAsync({ timeout: GUARD_MS });
    const controller = new AbortController();
    const aborted = sem.waitForUnlockAsync({ signal: controller.signal });
    const reason = new Error('no longer needed');
    controller.abort(reason);
    expect(await rejectionOf(aborted)).toBe(reason);
    expect(await runRelease(sem.handle, 1)).toBe(true);
    expect(await waiting).toBe(true);
    expect(sem.value).toBe(1);
    // An already aborted signal rejects at once, even with the permit free.
    await expect(sem.waitForUnlockAsync({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });
  test('on a thread that may not block, the blocking forms throw only where they would wait', async () => {
    const free = new Semaphore(2);
    const empty = new Semaphore(0);
    const outcome = await startWorker(
      (lib, d: { free: SemaphoreHandle; empty: SemaphoreHandle }) => {
        // As on a browser's main thread; replaced before the package first asks (it probes lazily).
        Atomics.wait = () => {
          throw new TypeError('Atomics.wait cannot be called in this context');
        };
        const free = lib.Semaphore.from(d.free);
        const empty = lib.Semaphore.from(d.empty);
        const name = (call: () => unknown): string => {
          try {
            return `returned ${JSON.stringify(call())}`;
          } catch (error) {
            return (error as Error).name;
          }
        };
        return {
          freeWait: name(() => free.waitForUnlock({ permits: 2 })),
          emptyWait: name(() => empty.waitForUnlock()),
          emptyWaitNoTimeout: name(() => empty.waitForUnlock({ timeout: 0 })),
          weighted: name(() => free.acquire({ permits: 2 })),
          weightedWouldWait: name(() => free.acquire({ permits: 1 })),
          value: free.value,
        };
      },
      { free: free.handle, empty: empty.handle },
    ).result;
    expect(outcome).toEqual({
      freeWait: 'returned true',
      emptyWait: 'BlockingNotAllowedError',
      emptyWaitNoTimeout: 'returned false',
      weighted: 'returned true',
      weightedWouldWait: 'BlockingNotAllowedError',
      value: 0,
    });
  });
});

describe('cancelWaiters', () => {
  test('async waiters on the main thread reject with WaitCancelledError, cause = the reason', async () => {
    const sem = new BoundedSemaphore(2);
    expect(sem.tryAcquire(2)).toBe(true);
    const waiters = [
      sem.acquireAsync({ permits: 2 }),
      sem.acquireAsync(),
      sem.holdAsync({ permits: 2 }),
      sem.waitForUnlockAsync({ permits: 2 }),
      sem.runExclusive(() => 'ran', { permits: 2 }),
    ];
    const reason = new Error('shutting down');
    sem.cancelWaiters(reason);
    const errors = await Promise.all(waiters.map((w) => rejectionOf(w)));
    for (const error of errors) {
      expect(error).toBeInstanceOf(WaitCancelledError);
      expect((error as Error).cause).toBe(reason);
      expect((error as Error).message).toMatch(/BoundedSemaphore\.\w+\(\) was cancelled by BoundedSemaphore\.cancelWaiters\(\)/);
    }
    expect((errors[0] as Error).message).toMatch(/acquireAsync\(\)/);
    expect((errors[3] as Error).message).toMatch(/waitForUnlockAsync\(\)/);
    // Nothing was taken or lost.
    expect(sem.value).toBe(0);
    sem.release(2);
    expect(sem.value).toBe(2);
  });

  test('blocking waiters in workers throw WaitCancelledError, holding nothing', async () => {
    const sem = new Semaphore(1);
    expect(sem.tryAcquire()).toBe(true);
    const reported = sharedInts(1);
    const kinds = ['acquire', 'weighted', 'hold', 'waitForUnlock'] as const;
    const workers = kinds.map((kind) =>
      startWorker(
        ({ Semaphore }, d: { handle: SemaphoreHandle; kind: (typeof kinds)[number]; reported: Int32Array }) => {
          const sem = Semaphore.from(d.handle);
          try {
            // No timeout: only the cancel can end these waits.
            if (d.kind === 'acquire') sem.acquire();
            else if (d.kind === 'weighted') sem.acquire({ permits: 2 });
            else if (d.kind === 'hold') sem.hold();
            else sem.waitForUnlock();
            return { name: 'none', message: 'returned', cause: undefined };
          } catch (error) {
            const e = error as Error;
            return { name: e.constructor.name, message: e.message, cause: e.cause };
          } finally {
            Atomics.add(d.reported, 0, 1);
          }
        },
        { handle: sem.handle, kind, reported },
      ),
    );
    // A worker may not be asleep yet when a cancel comes; cancel until all four have come out.
    await until(() => {
      sem.cancelWaiters('stop');
      return Atomics.load(reported, 0) === kinds.length;
    }, 'every worker to be cancelled');
    const reports: ErrorReport[] = await Promise.all(workers.map((w) => w.result));
    for (const report of reports) {
      expect(report.name).toBe('WaitCancelledError');
      expect(report.message).toMatch(/Semaphore\.\w+\(\) was cancelled by Semaphore\.cancelWaiters\(\)/);
      // The reason stays in the heap of the thread that cancelled.
      expect(report.cause).toBeUndefined();
    }
    expect(sem.value).toBe(0);
    sem.release();
    expect(sem.value).toBe(1);
  });

  test('a cancel from a worker reaches a main-thread waiter; calls that start afterwards are unaffected', async () => {
    const sem = new Semaphore(0);
    // Its rejection is observed from the start: it comes while the worker still runs.
    const cancelled = rejectionOf(sem.acquireAsync());
    const result = await startWorker(
      ({ Semaphore }, handle: SemaphoreHandle) => {
        const s = Semaphore.from(handle);
        s.cancelWaiters('from a worker');
        return s.value;
      },
      sem.handle,
    ).result;
    expect(result).toBe(0);
    const error = await cancelled;
    expect(error).toBeInstanceOf(WaitCancelledError);
    expect((error as Error).cause).toBeUndefined();

    // Started after the cancel: waits as usual, on both sides.
    const later = sem.acquireAsync({ timeout: GUARD_MS });
    const laterInWorker = startWorker(
      ({ Semaphore }, d: { handle: SemaphoreHandle; guard: number }) => Semaphore.from(d.handle).acquire({ permits: 2, timeout: d.guard }),
      { handle: sem.handle, guard: GUARD_MS },
    );
    sem.release();
    expect(await later).toBe(true);
    sem.release(2);
    expect(await laterInWorker.result).toBe(true);
    expect(sem.value).toBe(0);
  });

  test('with no one waiting it changes nothing', async () => {
    const sem = new Semaphore(1);
    sem.cancelWaiters(new Error('nobody'));
    expect(sem.value).toBe(1);
    expect(await sem.acquireAsync()).toBe(true);
    expect(sem.acquire({ timeout: 0 })).toBe(false);
    sem.release();
    expect(sem.waitForUnlock()).toBe(true);
  });
});

/** Releases `n` permits of the semaphore from a worker; resolves `true` when done. */
function runRelease(handle: SemaphoreHandle, n: number): Promise<boolean> {
  return startWorker(
    ({ Semaphore }, d: { handle: SemaphoreHandle; n: number }) => {
      Semaphore.from(d.handle).release(d.n);
      return true;
    },
    { handle, n },
  ).result;
}

/** Starts `fn` in a worker registered with the primitives, so that its death is detected. */
function startRegistered<D, R>(fn: (lib: Lib, data: D) => R | Promise<R>, data: D): RunningWorker<Awaited<R>> {
  const running = startWorker(fn, data);
  registerWorker(running.worker);
  // The victim dies on purpose; what its result says does not matter.
  running.result.catch(() => {});
  return running;
}
