import { afterEach, describe, expect, test } from 'vitest';
import { Lock, LockStateError, RLock } from '@lockstep/primitives';
import { runInWorker, sleep, startWorker, terminateAll } from './support/workers.js';

afterEach(terminateAll);

describe('RLock', () => {
  test('the owner re-acquires without blocking; free after as many releases', () => {
    const rlock = new RLock();
    expect(rlock.acquire()).toBe(true);
    expect(rlock.acquire({ timeout: 0 })).toBe(true);
    expect(rlock.tryAcquire()).toBe(true);
    rlock.release();
    rlock.release();
    expect(rlock.locked).toBe(true);
    rlock.release();
    expect(rlock.locked).toBe(false);
    expect(() => rlock.release()).toThrow(LockStateError);
  });

  test('release when unheld throws LockStateError', () => {
    expect(() => new RLock().release()).toThrow(/not held/);
  });

  test('release by a non-owner thread throws and leaves ownership intact', async () => {
    const rlock = new RLock();
    rlock.acquire();
    const error = await runInWorker(({ RLock }, handle) => {
      try {
        RLock.from(handle).release();
        return 'released';
      } catch (e) {
        return `${(e as Error).name}: ${(e as Error).message}`;
      }
    }, rlock.handle);
    expect(error).toMatch(/^LockStateError: .*owned by thread 0/);
    expect(rlock.locked).toBe(true);
    rlock.release();
    expect(rlock.locked).toBe(false);
  });

  test('a last release leaves the lock free for every thread: a second release, here or in a worker, throws', async () => {
    // The owner's task and depth stay in shared memory after a last release; nothing may take them
    // for a hold.
    const rlock = new RLock();
    rlock.acquire();
    rlock.release();
    const seen = await runInWorker(({ RLock }, handle) => {
      const inWorker = RLock.from(handle);
      const outcomes: string[] = [];
      const attempt = (what: string, run: () => unknown) => {
        try {
          outcomes.push(`${what}: ${String(run())}`);
        } catch (e) {
          outcomes.push(`${what}: ${(e as Error).name}`);
        }
      };
      attempt('release free', () => inWorker.release());
      attempt('take', () => inWorker.acquire({ timeout: 0 }));
      attempt('re-enter', () => inWorker.acquire({ timeout: 0 }));
      attempt('release', () => inWorker.release());
      attempt('release', () => inWorker.release());
      attempt('release again', () => inWorker.release());
      return outcomes;
    }, rlock.handle);
    expect(seen).toEqual(['release free: LockStateError', 'take: true', 're-enter: true', 'release: undefined', 'release: undefined', 'release again: LockStateError']);
    expect(rlock.locked).toBe(false);
    expect(() => rlock.release()).toThrow(/not held/);
    expect(rlock.acquire({ timeout: 0 })).toBe(true);
    rlock.release();
  });

  test('another thread waits while the owner holds it recursively', async () => {
    const rlock = new RLock();
    rlock.acquire();
    rlock.acquire();
    // The worker says when its first, timed attempt is over, so the owner releases only then: what
    // the worker sees does not depend on how fast it starts.
    const firstAttemptDone = new Int32Array(new SharedArrayBuffer(4));
    const worker = startWorker(
      ({ RLock }, { handle, flag }) => {
        const rlock = RLock.from(handle);
        const timedOut = !rlock.acquire({ timeout: 30 });
        Atomics.store(flag, 0, 1);
        Atomics.notify(flag, 0);
        const ok = rlock.acquire({ timeout: 30_000 });
        rlock.release();
        return { timedOut, ok };
      },
      { handle: rlock.handle, flag: firstAttemptDone },
    );
    await Atomics.waitAsync(firstAttemptDone, 0, 0).value;
    rlock.release();
    await sleep(10);
    rlock.release();
    expect(await worker.result).toEqual({ timedOut: true, ok: true });
  });

  test('a worker re-enters its own RLock (blocking form, owner = thread)', async () => {
    const depth = await runInWorker(({ RLock }) => {
      const rlock = new RLock();
      let depth = 0;
      const enter = (n: number): void => {
        rlock.acquire();
        try {
          depth = Math.max(depth, n);
          if (n < 5) enter(n + 1);
        } finally {
          rlock.release();
        }
      };
      enter(1);
      return { depth, locked: rlock.locked };
    });
    expect(depth).toEqual({ depth: 5, locked: false });
  });

  describe('async ownership', () => {
    test('two interleaved async tasks of one thread exclude each other', async () => {
      const rlock = new RLock();
      const log: string[] = [];
      const task = async (name: string) => {
        await rlock.acquireAsync();
        try {
          log.push(`${name}:in`);
          await sleep(10);
          log.push(`${name}:out`);
        } finally {
          rlock.release();
        }
      };
      await Promise.all([task('a'), task('b'), task('c')]);
      expect(log).toEqual(['a:in', 'a:out', 'b:in', 'b:out', 'c:in', 'c:out']);
      expect(rlock.locked).toBe(false);
    });

    test('a task started after another acquired does not inherit its ownership', async () => {
      const rlock = new RLock();
      const log: string[] = [];
      const first = rlock.runExclusive(async () => {
        log.push('first:in');
        await sleep(30);
        log.push('first:out');
      });
      await sleep(5);
      const second = (async () => {
        await using _held = await rlock.holdAsync();
        log.push('second:in');
      })();
      await Promise.all([first, second]);
      expect(log).toEqual(['first:in', 'first:out', 'second:in']);
    });

    test('runExclusive opens a task scope: nested async acquisitions re-enter', async () => {
      const rlock = new RLock();
      const inner = async () => {
        await using _held = await rlock.holdAsync({ timeout: 1000 });
        return rlock.runExclusive(() => 'deep');
      };
      expect(await rlock.runExclusive(inner)).toBe('deep');
      expect(rlock.locked).toBe(false);
    });

    test('two runExclusive scopes exclude each other, each re-entering itself', async () => {
      const rlock = new RLock();
      const log: string[] = [];
      const task = (name: string) =>
        rlock.runExclusive(async () => {
          log.push(`${name}:in`);
          await sleep(5);
          await rlock.runExclusive(async () => {
            log.push(`${name}:nested`);
            await sleep(5);
          });
          log.push(`${name}:out`);
        });
      await Promise.all([task('a'), task('b')]);
      expect(log).toEqual(['a:in', 'a:nested', 'a:out', 'b:in', 'b:nested', 'b:out']);
    });

    test('release from another task of the same thread is refused while a scope owns it', async () => {
      const rlock = new RLock();
      let releaseError: unknown;
      let wakeOutsider!: () => void;
      // Registered before the scope exists, so its continuation belongs to no scope.
      const outsider = new Promise<void>((resolve) => (wakeOutsider = resolve)).then(() => {
        try {
          rlock.release();
        } catch (error) {
          releaseError = error;
        }
      });
      await rlock.runExclusive(async () => {
        wakeOutsider();
        await outsider;
        expect(rlock.locked).toBe(true);
      });
      expect(releaseError).toBeInstanceOf(LockStateError);
      expect((releaseError as Error).message).toMatch(/another async task/);
      expect(rlock.locked).toBe(false);
    });

    test('work started inside a scope belongs to it and may release its lock', async () => {
      const rlock = new RLock();
      await rlock.acquireAsync();
      rlock.release();
      await rlock.runExclusive(async () => {
        await new Promise<void>((resolve) => setTimeout(resolve, 1));
        expect(rlock.acquire({ timeout: 0 })).toBe(true); // re-entry from a timer callback of the scope
        rlock.release();
      });
      expect(rlock.locked).toBe(false);
    });

    test('an async task and a worker exclude each other', async () => {
      const rlock = new RLock();
      const counter = new Int32Array(new SharedArrayBuffer(4));
      const worker = startWorker(({ RLock }, { handle, counter }) => {
        const rlock = RLock.from(handle);
        for (let i = 0; i < 20_000; i++) {
          rlock.acquire();
          rlock.acquire();
          counter[0] = counter[0]! + 1;
          rlock.release();
          rlock.release();
        }
      }, { handle: rlock.handle, counter });
      for (let i = 0; i < 2_000; i++) {
        await rlock.acquireAsync();
        const before = counter[0]!;
        await Promise.resolve();
        counter[0] = before + 1;
        rlock.release();
      }
      await worker.result;
      expect(counter[0]).toBe(22_000);
    });
  });

  test('Lock is not re-entrant: re-acquiring on the owner thread times out (self-deadlock)', () => {
    const lock = new Lock();
    lock.acquire();
    expect(lock.acquire({ timeout: 20 })).toBe(false);
    lock.release();
  });
});
