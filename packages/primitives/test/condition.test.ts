import { afterEach, describe, expect, test } from 'vitest';
import { Condition, Lock, LockStateError, RLock } from '@lockstep/primitives';
import { sleep, startWorker, terminateAll } from './support/workers.js';

afterEach(terminateAll);

describe('Condition', () => {
  test('the default lock is an RLock', () => {
    expect(new Condition().lock).toBeInstanceOf(RLock);
    const lock = new Lock();
    expect(new Condition(lock).lock).toBe(lock);
    expect(() => new Condition({} as Lock)).toThrow(TypeError);
  });

  test('wait and notify without the lock held throw LockStateError', async () => {
    const cond = new Condition();
    expect(() => cond.wait({ timeout: 1 })).toThrow(LockStateError);
    await expect(cond.waitAsync({ timeout: 1 })).rejects.toBeInstanceOf(LockStateError);
    expect(() => cond.notify()).toThrow(LockStateError);
    expect(() => cond.notifyAll()).toThrow(LockStateError);
  });

  test('notify on an RLock held by another thread throws', async () => {
    const cond = new Condition();
    const held = new Int32Array(new SharedArrayBuffer(4));
    const holder = startWorker(({ Condition }, { handle, held }) => {
      const cond = Condition.from(handle);
      cond.acquire();
      Atomics.store(held, 0, 1);
      Atomics.wait(held, 0, 1, 5_000);
      cond.release();
    }, { handle: cond.handle, held });
    while (Atomics.load(held, 0) !== 1) await sleep(1);
    expect(() => cond.notify()).toThrow(LockStateError);
    Atomics.store(held, 0, 2);
    Atomics.notify(held, 0);
    await holder.result;
  });

  test('wait times out with false and holds the lock again, at every RLock level', () => {
    const cond = new Condition();
    const rlock = cond.lock as RLock;
    cond.acquire();
    cond.acquire();
    const started = performance.now();
    expect(cond.wait({ timeout: 30 })).toBe(false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    expect(rlock.isOwnedByCaller()).toBe(true);
    cond.release();
    expect(rlock.locked).toBe(true);
    cond.release();
    expect(rlock.locked).toBe(false);
  });

  test('wait releases the lock fully while waiting so a worker can notify', async () => {
    const cond = new Condition();
    cond.acquire();
    cond.acquire(); // two levels: wait must release both
    const notifier = startWorker(({ Condition }, handle) => {
      const cond = Condition.from(handle);
      if (!cond.acquire({ timeout: 5_000 })) return 'lock never released';
      cond.notify();
      cond.release();
      return 'notified';
    }, cond.handle);
    expect(await cond.waitAsync({ timeout: 10_000 })).toBe(true);
    expect(await notifier.result).toBe('notified');
    cond.release();
    cond.release();
    expect(cond.lock.locked).toBe(false);
  });

  test('notify(n) wakes at most n waiters, notifyAll the rest', async () => {
    const cond = new Condition(new Lock());
    const woken = new Int32Array(new SharedArrayBuffer(8));
    const waiters = [0, 1, 2, 3].map(() =>
      startWorker(({ Condition }, { handle, woken }) => {
        const cond = Condition.from(handle);
        cond.acquire();
        try {
          Atomics.add(woken, 1, 1); // registered (we hold the lock until wait releases it)
          const ok = cond.wait({ timeout: 20_000 });
          Atomics.add(woken, 0, 1);
          return ok;
        } finally {
          cond.release();
        }
      }, { handle: cond.handle, woken }),
    );
    while (Atomics.load(woken, 1) < 4) await sleep(2);
    await sleep(30);
    await cond.runExclusive(() => cond.notify(1));
    await sleep(100);
    expect(Atomics.load(woken, 0)).toBe(1);
    await cond.runExclusive(() => cond.notify(2));
    await sleep(100);
    expect(Atomics.load(woken, 0)).toBe(3);
    await cond.runExclusive(() => cond.notifyAll());
    expect(await Promise.all(waiters.map((w) => w.result))).toEqual([true, true, true, true]);
    expect(Atomics.load(woken, 0)).toBe(4);
  });

  test('waitFor re-checks its predicate and returns its value; falsy on timeout', async () => {
    const cond = new Condition();
    const box = new Int32Array(new SharedArrayBuffer(4));
    const producer = startWorker(({ Condition }, { handle, box }) => {
      const cond = Condition.from(handle);
      for (let i = 1; i <= 5; i++) {
        cond.acquire();
        box[0] = i;
        cond.notifyAll(); // wakes the waiter 5 times; only the last satisfies it
        cond.release();
      }
    }, { handle: cond.handle, box });
    const value = await cond.runExclusive(() => cond.waitForAsync(() => (box[0] === 5 ? 'five' : ''), { timeout: 10_000 }));
    expect(value).toBe('five');
    await producer.result;
    cond.acquire();
    expect(cond.waitFor(() => box[0] === 6, { timeout: 20 })).toBe(false);
    cond.release();
  });

  test('waitAsync abort rejects with the reason after taking the lock back', async () => {
    const cond = new Condition(new Lock());
    await cond.acquireAsync();
    const controller = new AbortController();
    const pending = cond.waitAsync({ signal: controller.signal });
    await sleep(5);
    expect(cond.lock.locked).toBe(false); // released while waiting
    controller.abort(new Error('cancelled'));
    await expect(pending).rejects.toThrow('cancelled');
    expect(cond.lock.locked).toBe(true);
    cond.release();
  });

  test('an aborted waiter does not swallow a notify meant for another', async () => {
    const cond = new Condition(new Lock());
    const controller = new AbortController();
    await cond.acquireAsync();
    const aborted = cond.waitAsync({ signal: controller.signal }).catch(() => 'aborted');
    await cond.acquireAsync(); // the waiter released it
    const live = cond.waitAsync({ timeout: 5_000 });
    await cond.acquireAsync();
    controller.abort();
    cond.notify(1); // reaches the abandoned waiter first (FIFO); it must pass it on
    cond.release();
    // Both waiters take the lock back before settling (in either order); each gives it up again.
    const outcomes = await Promise.all([
      aborted.then((value) => {
        cond.release();
        return value;
      }),
      live.then((value) => {
        cond.release();
        return value;
      }),
    ]);
    expect(outcomes).toEqual(['aborted', true]);
    expect(cond.lock.locked).toBe(false);
  });
});
