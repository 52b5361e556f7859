import { afterEach, describe, expect, test } from 'vitest';
import { BoundedSemaphore, Semaphore } from '@lockstep/primitives';
import { runInWorker, sleep, startWorker, terminateAll } from './support/workers.js';

afterEach(terminateAll);

describe('Semaphore', () => {
  test('value counts permits; default 1', () => {
    const sem = new Semaphore();
    expect(sem.value).toBe(1);
    expect(sem.acquire()).toBe(true);
    expect(sem.value).toBe(0);
    expect(sem.tryAcquire()).toBe(false);
    sem.release(3);
    expect(sem.value).toBe(3);
  });

  test('a negative or non-integer initial value throws', () => {
    expect(() => new Semaphore(-1)).toThrow(RangeError);
    expect(() => new Semaphore(1.5)).toThrow(TypeError);
    expect(() => new Semaphore(Number.NaN)).toThrow(TypeError);
    expect(new Semaphore(0).value).toBe(0);
    // Options, as Lock's: an object or nothing.
    expect(() => new Semaphore(1, 'robust' as never)).toThrow(/new Semaphore\(value, options\): options must be an object like \{ robust: true \}, got string/);
    expect(() => new BoundedSemaphore(1, null as never)).toThrow(TypeError);
  });

  test('release(n) rejects n < 1 and changes nothing', () => {
    const sem = new Semaphore(0);
    expect(() => sem.release(0)).toThrow(RangeError);
    expect(() => sem.release(-2)).toThrow(RangeError);
    expect(sem.value).toBe(0);
  });

  test('an unbounded semaphore may be released above its initial value', () => {
    const sem = new Semaphore(1);
    sem.release();
    expect(sem.value).toBe(2);
  });

  test('acquire with timeout returns false at the timeout and takes nothing', () => {
    const sem = new Semaphore(0);
    const started = performance.now();
    expect(sem.acquire({ timeout: 30 })).toBe(false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    expect(sem.value).toBe(0);
  });

  test('release(n) wakes n blocked workers', async () => {
    const sem = new Semaphore(0);
    const done = new Int32Array(new SharedArrayBuffer(4));
    const waiters = [0, 1, 2].map(() =>
      startWorker(({ Semaphore }, { handle, done }) => {
        const ok = Semaphore.from(handle).acquire({ timeout: 20_000 });
        Atomics.add(done, 0, 1);
        return ok;
      }, { handle: sem.handle, done }),
    );
    await sleep(50);
    sem.release(2);
    for (let i = 0; Atomics.load(done, 0) < 2; i++) {
      expect(i).toBeLessThan(2_000);
      await sleep(5);
    }
    await sleep(50);
    expect(Atomics.load(done, 0)).toBe(2); // the third still waits: two permits, two wake-ups
    expect(sem.value).toBe(0);
    sem.release();
    expect(await Promise.all(waiters.map((w) => w.result))).toEqual([true, true, true]);
    expect(sem.value).toBe(0);
  });

  test('producer/consumer across threads with Semaphore(0)', async () => {
    const items = new Semaphore(0);
    const consumer = startWorker(({ Semaphore }, handle) => {
      const items = Semaphore.from(handle);
      let got = 0;
      while (got < 1000) {
        if (!items.acquire({ timeout: 10_000 })) break;
        got += 1;
      }
      return got;
    }, items.handle);
    for (let i = 0; i < 1000; i++) items.release();
    expect(await consumer.result).toBe(1000);
    expect(items.value).toBe(0);
  });

  test('acquireAsync on the main thread; abort leaves the permit for the next waiter', async () => {
    const sem = new Semaphore(0);
    const controller = new AbortController();
    const aborted = sem.acquireAsync({ signal: controller.signal });
    const second = sem.acquireAsync({ timeout: 5_000 });
    controller.abort();
    await expect(aborted).rejects.toThrow(/abort/i);
    await runInWorker(({ Semaphore }, handle) => Semaphore.from(handle).release(), sem.handle);
    expect(await second).toBe(true);
    expect(sem.value).toBe(0);
  });

  test('hold limits concurrency to the initial value', async () => {
    const slots = new Semaphore(2);
    const shared = new Int32Array(new SharedArrayBuffer(8));
    const results = await Promise.all(
      [0, 1, 2, 3, 4].map(
        () =>
          startWorker(({ Semaphore }, { handle, shared }) => {
            const slots = Semaphore.from(handle);
            for (let i = 0; i < 200; i++) {
              slots.acquire();
              try {
                const inside = Atomics.add(shared, 0, 1) + 1;
                let max = Atomics.load(shared, 1);
                while (inside > max && Atomics.compareExchange(shared, 1, max, inside) !== max) max = Atomics.load(shared, 1);
                Atomics.sub(shared, 0, 1);
              } finally {
                slots.release();
              }
            }
            return true;
          }, { handle: slots.handle, shared }).result,
      ),
    );
    expect(results.every(Boolean)).toBe(true);
    expect(Atomics.load(shared, 1)).toBeLessThanOrEqual(2);
    expect(slots.value).toBe(2);
  });
});

describe('BoundedSemaphore', () => {
  test('releasing above the initial value throws RangeError and keeps the value', () => {
    const sem = new BoundedSemaphore(2);
    expect(() => sem.release()).toThrow(RangeError);
    expect(() => sem.release()).toThrow(/released too many times/);
    expect(sem.value).toBe(2);
    sem.acquire();
    expect(() => sem.release(2)).toThrow(RangeError);
    sem.release();
    expect(sem.value).toBe(2);
  });

  test('the bound survives the trip to a worker, also through Semaphore.from', async () => {
    const sem = new BoundedSemaphore(1);
    const outcome = await runInWorker(({ Semaphore, BoundedSemaphore }, handle) => {
      const rebuilt = Semaphore.from(handle);
      try {
        rebuilt.release();
        return 'released';
      } catch (e) {
        return `${rebuilt instanceof BoundedSemaphore}:${(e as Error).name}`;
      }
    }, sem.handle);
    expect(outcome).toBe('true:RangeError');
  });
});
