import { afterEach, describe, expect, test } from 'vitest';
import { Lock, LockStateError, LockTimeoutError, LockstepError } from '@lockstep/primitives';
import { runInWorker, sleep, startWorker, terminateAll } from './support/workers.js';

afterEach(terminateAll);

describe('Lock', () => {
  test('acquire, locked, release', () => {
    const lock = new Lock();
    expect(lock.locked).toBe(false);
    expect(lock.acquire()).toBe(true);
    expect(lock.locked).toBe(true);
    lock.release();
    expect(lock.locked).toBe(false);
  });

  test('tryAcquire does not wait', () => {
    const lock = new Lock();
    expect(lock.tryAcquire()).toBe(true);
    expect(lock.tryAcquire()).toBe(false);
    lock.release();
    expect(lock.tryAcquire()).toBe(true);
    lock.release();
  });

  test('release of an unlocked lock throws LockStateError (Python RuntimeError) and changes nothing', () => {
    const lock = new Lock();
    expect(() => lock.release()).toThrow(LockStateError);
    expect(() => lock.release()).toThrow(/release\(\) of an unlocked Lock/);
    expect(lock.locked).toBe(false);
    expect(lock.tryAcquire()).toBe(true);
    lock.release();
  });

  test('errors name the thread they were raised on', () => {
    const error = (() => {
      try {
        new Lock().release();
      } catch (e) {
        return e as LockstepError;
      }
      throw new Error('no error');
    })();
    expect(error).toBeInstanceOf(LockstepError);
    expect(error.thread).toEqual({ ident: 0, name: 'MainThread' });
    expect(error.message).toContain('MainThread');
  });

  test('acquire with a timeout returns false after the timeout and leaves the lock held by its holder', () => {
    const lock = new Lock();
    lock.acquire();
    const started = performance.now();
    expect(lock.acquire({ timeout: 50 })).toBe(false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(lock.locked).toBe(true);
    lock.release();
    expect(lock.acquire({ timeout: 0 })).toBe(true);
    lock.release();
  });

  test('invalid options throw TypeError/RangeError naming the call', () => {
    const lock = new Lock();
    expect(() => lock.acquire({ timeout: -1 })).toThrow(RangeError);
    expect(() => lock.acquire({ timeout: -1 })).toThrow(/Lock\.acquire\(\).*timeout/);
    expect(() => lock.acquire({ timeout: Number.NaN })).toThrow(TypeError);
    expect(() => lock.acquire({ timeout: '5' as unknown as number })).toThrow(TypeError);
    expect(lock.locked).toBe(false);
  });

  test('any thread may release (as in Python): a worker releases the main thread\'s lock', async () => {
    const lock = new Lock();
    lock.acquire();
    await runInWorker(({ Lock }, handle) => Lock.from(handle).release(), lock.handle);
    expect(lock.locked).toBe(false);
  });

  test('a worker blocks in acquire until the main thread releases', async () => {
    const lock = new Lock();
    const progress = new Int32Array(new SharedArrayBuffer(4));
    lock.acquire();
    const worker = startWorker(({ Lock }, { handle, progress }) => {
      const lock = Lock.from(handle);
      Atomics.store(progress, 0, 1);
      const ok = lock.acquire();
      Atomics.store(progress, 0, 2);
      lock.release();
      return ok;
    }, { handle: lock.handle, progress });
    while (Atomics.load(progress, 0) !== 1) await sleep(1);
    await sleep(50);
    expect(Atomics.load(progress, 0)).toBe(1);
    lock.release();
    expect(await worker.result).toBe(true);
    expect(Atomics.load(progress, 0)).toBe(2);
    expect(lock.locked).toBe(false);
  });

  test('a worker acquire times out while the main thread holds the lock', async () => {
    const lock = new Lock();
    lock.acquire();
    const outcome = await runInWorker(({ Lock }, handle) => {
      const lock = Lock.from(handle);
      const started = performance.now();
      const ok = lock.acquire({ timeout: 40 });
      return { ok, elapsed: performance.now() - started, locked: lock.locked };
    }, lock.handle);
    expect(outcome.ok).toBe(false);
    expect(outcome.elapsed).toBeGreaterThanOrEqual(35);
    expect(outcome.locked).toBe(true);
    lock.release();
  });

  test('acquireAsync on the main thread waits for a worker to release', async () => {
    const lock = new Lock();
    const held = new Int32Array(new SharedArrayBuffer(4));
    const worker = startWorker(({ Lock }, { handle, held }) => {
      const lock = Lock.from(handle);
      lock.acquire();
      Atomics.store(held, 0, 1);
      Atomics.notify(held, 0);
      Atomics.wait(held, 0, 1, 5000); // until the main thread says "release now"
      lock.release();
    }, { handle: lock.handle, held });
    while (Atomics.load(held, 0) !== 1) await sleep(1);
    let acquired = false;
    const pending = lock.acquireAsync().then((ok) => (acquired = ok));
    await sleep(30);
    expect(acquired).toBe(false);
    Atomics.store(held, 0, 2);
    Atomics.notify(held, 0);
    await pending;
    expect(acquired).toBe(true);
    lock.release();
    await worker.result;
  });

  test('acquireAsync resolves false on timeout and the lock stays usable', async () => {
    const lock = new Lock();
    lock.acquire();
    const started = performance.now();
    expect(await lock.acquireAsync({ timeout: 30 })).toBe(false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    lock.release();
    expect(await lock.acquireAsync({ timeout: 30 })).toBe(true);
    lock.release();
  });

  test('acquireAsync rejects with the signal reason on abort, and the next waiter still gets the lock', async () => {
    const lock = new Lock();
    lock.acquire();
    const controller = new AbortController();
    const aborted = lock.acquireAsync({ signal: controller.signal });
    const second = lock.acquireAsync({ timeout: 2000 });
    await sleep(10);
    const reason = new Error('stop waiting');
    controller.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    lock.release();
    // If the aborted waiter swallowed the wake-up, `second` would time out instead.
    expect(await second).toBe(true);
    lock.release();
    expect(lock.locked).toBe(false);
  });

  test('an already aborted signal rejects at once without taking the lock', async () => {
    const lock = new Lock();
    const signal = AbortSignal.abort();
    await expect(lock.acquireAsync({ signal })).rejects.toBe(signal.reason);
    expect(lock.locked).toBe(false);
  });

  test('an aborted waiter in one thread does not lose a wake-up meant for a worker', async () => {
    const lock = new Lock();
    lock.acquire();
    const controller = new AbortController();
    const aborted = lock.acquireAsync({ signal: controller.signal }).catch(() => 'aborted');
    await sleep(5);
    const worker = startWorker(({ Lock }, handle) => Lock.from(handle).acquire({ timeout: 5000 }), lock.handle);
    await sleep(30);
    controller.abort();
    expect(await aborted).toBe('aborted');
    lock.release();
    expect(await worker.result).toBe(true);
  });

  describe('hold / holdAsync (Python `with`)', () => {
    test('using releases at the end of the block', () => {
      const lock = new Lock();
      {
        using _held = lock.hold();
        expect(lock.locked).toBe(true);
      }
      expect(lock.locked).toBe(false);
    });

    test('using releases when the block throws', () => {
      const lock = new Lock();
      expect(() => {
        using _held = lock.hold();
        throw new Error('boom');
      }).toThrow('boom');
      expect(lock.locked).toBe(false);
    });

    test('await using releases on every exit', async () => {
      const lock = new Lock();
      await expect(
        (async () => {
          await using _held = await lock.holdAsync();
          expect(lock.locked).toBe(true);
          throw new Error('async boom');
        })(),
      ).rejects.toThrow('async boom');
      expect(lock.locked).toBe(false);
    });

    test('hold throws LockTimeoutError on timeout and does not release the holder', async () => {
      const lock = new Lock();
      lock.acquire();
      expect(() => lock.hold({ timeout: 10 })).toThrow(LockTimeoutError);
      await expect(lock.holdAsync({ timeout: 10 })).rejects.toBeInstanceOf(LockTimeoutError);
      expect(lock.locked).toBe(true);
      lock.release();
    });

    test('disposing a guard twice releases once', () => {
      const lock = new Lock();
      const guard = lock.hold();
      guard[Symbol.dispose]();
      lock.acquire();
      guard[Symbol.dispose]();
      expect(lock.locked).toBe(true);
      lock.release();
    });

    test('runExclusive serializes async critical sections and releases on throw', async () => {
      const lock = new Lock();
      const log: string[] = [];
      const task = (name: string) =>
        lock.runExclusive(async () => {
          log.push(`${name}:in`);
          await sleep(5);
          log.push(`${name}:out`);
          return name;
        });
      expect(await Promise.all([task('a'), task('b')])).toEqual(['a', 'b']);
      expect(log).toEqual(['a:in', 'a:out', 'b:in', 'b:out']);
      await expect(lock.runExclusive(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
      expect(lock.locked).toBe(false);
    });
  });

  test('handles cross threads: a worker sees the same lock', async () => {
    const lock = new Lock();
    const seen = await runInWorker(({ Lock }, handle) => {
      const lock = Lock.from(handle);
      const first = lock.tryAcquire();
      return { first, locked: lock.locked };
    }, lock.handle);
    expect(seen).toEqual({ first: true, locked: true });
    expect(lock.locked).toBe(true);
    expect(lock.tryAcquire()).toBe(false);
    lock.release();
  });
});
