import { afterEach, describe, expect, test } from 'vitest';
import {
  BlockingNotAllowedError,
  Lock,
  LockStateError,
  OwnerDiedError,
  registerWorker,
  RLock,
  WaitCancelledError,
  type LockHandle,
  type RLockHandle,
} from '@lockstep/primitives';
import { rejectionOf, sharedInts, track, until } from './support/until.js';
import { startWorker, terminateAll, type Lib, type RunningWorker } from './support/workers.js';

// Lock.waitForUnlock, cancelWaiters and new Lock({ fair: true }), with real workers. No result depends
// on speed: a test learns that a worker is waiting from the worker itself (a count of its entries into
// Atomics.wait, or the fair lock's ticket counters), and timeouts only turn a hang into a failure.

afterEach(terminateAll);

const GUARD = { timeout: 20_000 };

type AnyHandle = LockHandle | RLockHandle;

const kinds = [
  { name: 'Lock', make: (): Lock | RLock => new Lock() },
  { name: 'robust Lock', make: (): Lock | RLock => new Lock({ robust: true }) },
  { name: 'fair Lock', make: (): Lock | RLock => new Lock({ fair: true }) },
  { name: 'RLock', make: (): Lock | RLock => new RLock() },
] as const;

/**
 * A worker that takes the lock, sets `flags[0]` to 1, holds it until `flags[1]` is set, then releases
 * it and returns 'released'. Whatever cancellation does meanwhile, its release must succeed.
 */
function startHolder(handle: AnyHandle, flags: Int32Array): RunningWorker<string> {
  return startWorker(
    (lib, d: { handle: AnyHandle; flags: Int32Array }) => {
      const lock = d.handle.kind === 'RLock' ? lib.RLock.from(d.handle) : lib.Lock.from(d.handle);
      lock.acquire();
      Atomics.store(d.flags, 0, 1);
      Atomics.notify(d.flags, 0);
      while (Atomics.load(d.flags, 1) === 0) Atomics.wait(d.flags, 1, 0);
      lock.release();
      return 'released';
    },
    { handle, flags },
  );
}

async function holdInWorker(handle: AnyHandle): Promise<{ holder: RunningWorker<string>; letGo: () => Promise<string> }> {
  const flags = sharedInts(2);
  const holder = startHolder(handle, flags);
  await until(() => Atomics.load(flags, 0) === 1, 'the holder to take the lock');
  return {
    holder,
    letGo: () => {
      Atomics.store(flags, 1, 1);
      Atomics.notify(flags, 1);
      return holder.result;
    },
  };
}

interface WaiterOutcome {
  readonly returned?: boolean;
  readonly error?: { readonly name: string; readonly message: string; readonly cancelled: boolean; readonly hasCause: boolean };
}

/**
 * A worker calling `call` on the lock (blocking), counting its entries into Atomics.wait in
 * `sleeps[slot]`, so the test knows it is asleep in the call: the lock reads the cancellation
 * generation before its first sleep.
 */
function startWaiter(
  handle: AnyHandle,
  call: 'acquire' | 'hold' | 'waitForUnlock',
  sleeps: Int32Array,
  slot: number,
  timeout = 20_000,
): RunningWorker<WaiterOutcome> {
  return startWorker(
    (lib, d: { handle: AnyHandle; call: string; sleeps: Int32Array; slot: number; timeout: number }): WaiterOutcome => {
      const realWait = Atomics.wait.bind(Atomics);
      Atomics.wait = ((array: Int32Array, index: number, value: number, ms?: number) => {
        // Only the lock's own words: not the probe of whether this thread may block.
        if (array.buffer === d.handle.buffer) Atomics.add(d.sleeps, d.slot, 1);
        return realWait(array, index, value, ms);
      }) as typeof Atomics.wait;
      const lock = d.handle.kind === 'RLock' ? lib.RLock.from(d.handle) : lib.Lock.from(d.handle);
      try {
        if (d.call === 'acquire') {
          const got = lock.acquire({ timeout: d.timeout });
          if (got) lock.release();
          return { returned: got };
        }
        if (d.call === 'hold') {
          lock.hold({ timeout: d.timeout })[Symbol.dispose]();
          return { returned: true };
        }
        return { returned: lock.waitForUnlock({ timeout: d.timeout }) };
      } catch (error) {
        const e = error as Error;
        return { error: { name: e.name, message: e.message, cancelled: e instanceof lib.WaitCancelledError, hasCause: e.cause !== undefined } };
      }
    },
    { handle, call, sleeps, slot, timeout },
  );
}

const asleep = (sleeps: Int32Array, slot: number) => () => Atomics.load(sleeps, slot) > 0;

describe.each(kinds)('$name.waitForUnlock', ({ make }) => {
  test('a free lock: true at once, on any thread, and the lock stays free', async () => {
    const lock = make();
    expect(lock.waitForUnlock()).toBe(true);
    expect(lock.waitForUnlock({ timeout: 0 })).toBe(true);
    expect(await lock.waitForUnlockAsync()).toBe(true);
    expect(await lock.waitForUnlockAsync({ timeout: 0 })).toBe(true);
    expect(lock.locked).toBe(false);
  });

  test('a held lock: false on timeout, and nothing taken', async () => {
    const lock = make();
    const { letGo } = await holdInWorker(lock.handle);
    expect(lock.waitForUnlock({ timeout: 0 })).toBe(false);
    expect(lock.waitForUnlock({ timeout: 5 })).toBe(false);
    expect(await lock.waitForUnlockAsync({ timeout: 5 })).toBe(false);
    expect(lock.locked).toBe(true);
    expect(await letGo()).toBe('released');
    expect(lock.locked).toBe(false);
  });

  test('waits for the release without acquiring: async on main, blocking in a worker', async () => {
    const lock = make();
    const { letGo } = await holdInWorker(lock.handle);
    const sleeps = sharedInts(1);
    const waiter = startWaiter(lock.handle, 'waitForUnlock', sleeps, 0);
    const onMain = track(lock.waitForUnlockAsync(GUARD));
    await until(asleep(sleeps, 0), 'the worker to sleep in waitForUnlock');
    expect(onMain.settled).toBe(false);
    expect(await letGo()).toBe('released');
    expect(await onMain.promise).toBe(true);
    expect(await waiter.result).toEqual({ returned: true });
    // Neither took it.
    expect(lock.locked).toBe(false);
    expect(lock.tryAcquire()).toBe(true);
    lock.release();
  });

  test('an acquirer waiting beside a waitForUnlock caller still gets the lock', async () => {
    const lock = make();
    const { letGo } = await holdInWorker(lock.handle);
    const sleeps = sharedInts(2);
    const watcher = startWaiter(lock.handle, 'waitForUnlock', sleeps, 0);
    const acquirer = startWaiter(lock.handle, 'acquire', sleeps, 1);
    await until(() => asleep(sleeps, 0)() && asleep(sleeps, 1)(), 'both workers to sleep');
    await letGo();
    expect(await acquirer.result).toEqual({ returned: true });
    expect(await watcher.result).toEqual({ returned: true });
  });

  test('an abort rejects with the signal reason and takes nothing', async () => {
    const lock = make();
    const { letGo } = await holdInWorker(lock.handle);
    const controller = new AbortController();
    const reason = new Error('no longer needed');
    const pending = lock.waitForUnlockAsync({ signal: controller.signal });
    controller.abort(reason);
    expect(await rejectionOf(pending)).toBe(reason);
    expect(await rejectionOf(lock.waitForUnlockAsync({ signal: controller.signal }))).toBe(reason);
    await letGo();
    expect(lock.locked).toBe(false);
  });
});

describe('waitForUnlock: the rules of each kind', () => {
  test('an RLock held by the caller throws LockStateError instead of waiting for itself', async () => {
    const rlock = new RLock();
    rlock.acquire();
    expect(() => rlock.waitForUnlock()).toThrow(LockStateError);
    expect(() => rlock.waitForUnlock({ timeout: 0 })).toThrow(/this thread holds the RLock/);
    expect(await rejectionOf(rlock.waitForUnlockAsync())).toBeInstanceOf(LockStateError);
    rlock.release();
    await rlock.runExclusive(async () => {
      expect(await rejectionOf(rlock.waitForUnlockAsync())).toBeInstanceOf(LockStateError);
      expect(() => rlock.waitForUnlock()).toThrow(LockStateError);
    });
    expect(rlock.waitForUnlock()).toBe(true);
  });

  test('an RLock held by another async task of this thread is waited for', async () => {
    const rlock = new RLock();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const holding = rlock.runExclusive(() => released);
    const waiting = track(rlock.waitForUnlockAsync(GUARD));
    await until(() => rlock.locked, 'the task to hold it');
    expect(waiting.settled).toBe(false);
    release();
    await holding;
    expect(await waiting.promise).toBe(true);
  });

  test('a dead owner counts as free: true without repairing, the next acquirer gets OwnerDiedError', async () => {
    for (const lock of [new RLock(), new Lock({ robust: true })]) {
      const flags = sharedInts(2);
      const victim = startHolder(lock.handle, flags);
      registerWorker(victim.worker);
      victim.result.catch(() => {});
      await until(() => Atomics.load(flags, 0) === 1, 'the victim to hold the lock');
      const waiting = lock.waitForUnlockAsync(GUARD);
      await victim.worker.terminate();
      expect(await waiting).toBe(true);
      expect(lock.locked).toBe(true);
      expect(await rejectionOf(lock.acquireAsync(GUARD))).toBeInstanceOf(OwnerDiedError);
      lock.markConsistent();
      lock.release();
    }
  });

  test('the blocking form refuses only where it would wait (a worker that may not block)', async () => {
    const lock = new Lock();
    const outcome = await startWorker(
      (lib, handle: LockHandle) => {
        const l = lib.Lock.from(handle);
        // Forbid blocking as a browser's main thread does: the probe and every wait throw.
        Atomics.wait = (() => {
          throw new TypeError('Atomics.wait cannot be called in this context');
        }) as typeof Atomics.wait;
        const free = l.waitForUnlock();
        l.acquire({ timeout: 0 });
        try {
          l.waitForUnlock({ timeout: 1_000 });
          return { free, threw: 'nothing' };
        } catch (error) {
          return { free, threw: (error as Error).name, timedOutAtZero: l.waitForUnlock({ timeout: 0 }) };
        }
      },
      lock.handle,
    ).result;
    expect(outcome).toEqual({ free: true, threw: BlockingNotAllowedError.name, timedOutAtZero: false });
  });
});

describe.each(kinds)('$name.cancelWaiters', ({ name, make }) => {
  test('every waiting call, in workers and on main, throws WaitCancelledError; the holder keeps the lock', async () => {
    const lock = make();
    const { letGo } = await holdInWorker(lock.handle);
    const sleeps = sharedInts(3);
    const workers = [
      startWaiter(lock.handle, 'acquire', sleeps, 0),
      startWaiter(lock.handle, 'hold', sleeps, 1),
      startWaiter(lock.handle, 'waitForUnlock', sleeps, 2),
    ];
    const acquiring = lock.acquireAsync(GUARD);
    const holding = lock.holdAsync(GUARD);
    const watching = lock.waitForUnlockAsync(GUARD);
    await until(() => [0, 1, 2].every((slot) => asleep(sleeps, slot)()), 'the workers to sleep in their calls');
    const reason = new Error('shutting down');
    lock.cancelWaiters(reason);
    for (const pending of [acquiring, holding, watching]) {
      const error = await rejectionOf(pending);
      expect(error).toBeInstanceOf(WaitCancelledError);
      expect((error as WaitCancelledError).cause).toBe(reason);
      expect((error as Error).message).toContain(name.endsWith('RLock') ? 'RLock.' : 'Lock.');
    }
    for (const [index, worker] of workers.entries()) {
      const { error } = await worker.result;
      expect(error?.cancelled).toBe(true);
      expect(error?.name).toBe('WaitCancelledError');
      // The reason is a value of the main thread's heap: a worker learns who cancelled, not why.
      expect(error?.hasCause).toBe(false);
      expect(error?.message).toMatch(index === 2 ? /waitForUnlock\(\) was cancelled/ : /acquire\(\) was cancelled/);
    }
    // The holder was not disturbed; later calls wait as usual.
    expect(lock.locked).toBe(true);
    const later = lock.acquireAsync(GUARD);
    const laterInWorker = startWaiter(lock.handle, 'acquire', sleeps, 0);
    expect(await letGo()).toBe('released');
    expect(await later).toBe(true);
    lock.release();
    expect(await laterInWorker.result).toEqual({ returned: true });
    expect(lock.locked).toBe(false);
  });

  test('with nobody waiting it changes nothing', async () => {
    const lock = make();
    lock.cancelWaiters();
    expect(await lock.acquireAsync({ timeout: 0 })).toBe(true);
    lock.cancelWaiters('ignored');
    expect(lock.locked).toBe(true);
    lock.release();
    expect(lock.waitForUnlock()).toBe(true);
  });
});

/** White-box view of a fair lock's ticket counters (NEXT, SERVING): how many tickets are out. */
function ticketsOut(lock: Lock): number {
  const cells = new Int32Array(lock.handle.buffer, lock.handle.byteOffset, 2);
  return (Atomics.load(cells, 0) - Atomics.load(cells, 1)) | 0;
}

/** A worker that acquires the fair lock, writes `id` in the next place of `order`, and releases it. */
/**
 * A worker that queues for the lock, records its turn in `order`, and releases. With `hold`, it keeps
 * the lock until `hold[0]` is set, so that the test can look at the lock while it is certainly held.
 */
function startInLine(handle: LockHandle, order: Int32Array, id: number, timeout = 20_000, hold?: Int32Array): RunningWorker<boolean> {
  return startWorker(
    (lib, d: { handle: LockHandle; order: Int32Array; id: number; timeout: number; hold: Int32Array | undefined }) => {
      const lock = lib.Lock.from(d.handle);
      if (!lock.acquire({ timeout: d.timeout })) return false;
      const at = Atomics.add(d.order, 0, 1);
      Atomics.store(d.order, 1 + at, d.id);
      if (d.hold !== undefined) Atomics.wait(d.hold, 0, 0, 20_000);
      lock.release();
      return true;
    },
    { handle, order, id, timeout, hold },
  );
}

function served(order: Int32Array): number[] {
  return Array.from(order.subarray(1, 1 + Atomics.load(order, 0)));
}

describe('new Lock({ fair: true })', () => {
  test('is fair on every thread through its handle; cannot be robust too', () => {
    const lock = new Lock({ fair: true });
    expect(lock.fair).toBe(true);
    expect(lock.handle.fair).toBe(true);
    expect(Lock.from(lock.handle).fair).toBe(true);
    expect(new Lock().fair).toBe(false);
    expect(() => new Lock({ fair: true, robust: true })).toThrow(TypeError);
    expect(() => lock.release()).toThrow(LockStateError);
  });

  test('waiters are served in the order they queued, and a newcomer cannot barge in', async () => {
    const lock = new Lock({ fair: true });
    lock.acquire();
    const order = sharedInts(8);
    // The first in line keeps the lock until the newcomer below has tried: on a busy machine this
    // thread could otherwise be descheduled until the whole line had been served and the lock was free.
    const hold = sharedInts(1);
    const workers = [];
    for (let id = 0; id < 5; id++) {
      workers.push(startInLine(lock.handle, order, id, 20_000, id === 0 ? hold : undefined));
      // Its ticket is its place in line, fixed once taken: the next one starts after it.
      await until(() => ticketsOut(lock) === id + 2, `worker ${id} to queue`);
    }
    lock.release();
    // The lock went straight to the first in line, asleep or not: free for nobody else.
    expect(lock.tryAcquire()).toBe(false);
    const mine = track(lock.acquireAsync(GUARD));
    Atomics.store(hold, 0, 1);
    Atomics.notify(hold, 0);
    expect(await Promise.all(workers.map((w) => w.result))).toEqual([true, true, true, true, true]);
    expect(await mine.promise).toBe(true);
    expect(served(order)).toEqual([0, 1, 2, 3, 4]);
    lock.release();
    expect(lock.locked).toBe(false);
  });

  test('a waiter that timed out or was aborted in the middle of the line does not stall it', async () => {
    const lock = new Lock({ fair: true });
    lock.acquire();
    const order = sharedInts(8);
    const first = startInLine(lock.handle, order, 0);
    await until(() => ticketsOut(lock) === 2, 'the first worker to queue');
    const timedOut = startInLine(lock.handle, order, 1, 200);
    const timedOutDone = track(timedOut.result);
    await until(() => ticketsOut(lock) === 3 || timedOutDone.settled, 'the worker with a timeout to queue');
    // It takes its ticket on arrival, and an abandoned ticket stays counted until it is skipped.
    expect(ticketsOut(lock)).toBe(3);
    const controller = new AbortController();
    const aborted = lock.acquireAsync({ signal: controller.signal });
    expect(ticketsOut(lock)).toBe(4);
    const last = startInLine(lock.handle, order, 3);
    await until(() => ticketsOut(lock) === 5, 'the last worker to queue');
    // The lock is still held: the 200 ms run out while the worker is in line.
    expect(await timedOut.result).toBe(false);
    controller.abort(new Error('gave up'));
    expect(await rejectionOf(aborted)).toMatchObject({ message: 'gave up' });
    lock.release();
    expect(await first.result).toBe(true);
    expect(await last.result).toBe(true);
    expect(served(order)).toEqual([0, 3]);
    expect(lock.locked).toBe(false);
    expect(lock.tryAcquire()).toBe(true);
    lock.release();
  });

  test('a waiter at the head of the line that gives up passes the lock on', async () => {
    const lock = new Lock({ fair: true });
    const { letGo } = await holdInWorker(lock.handle);
    const order = sharedInts(8);
    const controller = new AbortController();
    const head = lock.acquireAsync({ signal: controller.signal });
    const next = startInLine(lock.handle, order, 1);
    await until(() => ticketsOut(lock) === 3, 'the worker to queue behind');
    // Released and aborted in either order: the lock must reach the worker either way.
    await letGo();
    controller.abort(new Error('gave up'));
    const outcome = await head.then(
      (got) => {
        // The release came first: it reached this waiter, which holds the lock and lets it go.
        lock.release();
        return got;
      },
      () => 'aborted',
    );
    expect([true, 'aborted']).toContain(outcome);
    expect(await next.result).toBe(true);
    expect(served(order)).toEqual([1]);
    expect(lock.locked).toBe(false);
  });

  test('mutual exclusion under contention across 3 workers', async () => {
    const lock = new Lock({ fair: true });
    const shared = sharedInts(2);
    const iterations = 5_000;
    const workers = [0, 1, 2].map(() =>
      startWorker(
        (lib: Lib, d: { handle: LockHandle; shared: Int32Array; iterations: number }) => {
          const l = lib.Lock.from(d.handle);
          let overlaps = 0;
          for (let i = 0; i < d.iterations; i++) {
            l.acquire();
            if (Atomics.add(d.shared, 1, 1) !== 0) overlaps++;
            // A plain read-modify-write: lost updates would show without the lock.
            d.shared[0] = d.shared[0]! + 1;
            Atomics.sub(d.shared, 1, 1);
            l.release();
          }
          return overlaps;
        },
        { handle: lock.handle, shared, iterations },
      ),
    );
    expect(await Promise.all(workers.map((w) => w.result))).toEqual([0, 0, 0]);
    expect(Atomics.load(shared, 0)).toBe(3 * iterations);
    expect(lock.locked).toBe(false);
  });
});
