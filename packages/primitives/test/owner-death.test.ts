import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, test } from 'vitest';
import {
  Condition,
  Lock,
  LockNotRecoverableError,
  LockStateError,
  OwnerDiedError,
  registerWorker,
  RLock,
  type ConditionHandle,
  type LockHandle,
  type RLockHandle,
} from '@lockstep/primitives';
import { rejectionOf, sharedInts, until } from './support/until.js';
import { startWorker, terminateAll, type Lib, type RunningWorker } from './support/workers.js';

// Owner death, detected: a registered worker (or a Thread) that dies holding a lock with a known owner
// is marked dead by its parent, and the next acquirer takes the lock with OwnerDiedError. No assertion
// depends on how fast anything runs: timeouts here only turn a hang into a failure.

afterEach(terminateAll);

/** Generous: a hang guard only. */
const GUARD = { timeout: 20_000 };

/** Starts `fn` in a worker registered with the primitives, as `Thread` would be. */
function startRegistered<D, R>(fn: (lib: Lib, data: D) => R | Promise<R>, data: D): RunningWorker<Awaited<R>> {
  const running = startWorker(fn, data);
  registerWorker(running.worker);
  // The victims die on purpose; what their result says does not matter.
  running.result.catch(() => {});
  return running;
}

type AnyLockHandle = RLockHandle | LockHandle;

/** A worker that takes the lock, says so in `flag[0]`, and then sleeps holding it until it is killed. */
function holdForever(handle: AnyLockHandle, flag: Int32Array): RunningWorker<unknown> {
  return startRegistered(
    (lib, d: { handle: AnyLockHandle; flag: Int32Array }) => {
      const lock = d.handle.kind === 'RLock' ? lib.RLock.from(d.handle) : lib.Lock.from(d.handle);
      lock.acquire();
      Atomics.store(d.flag, 0, 1);
      Atomics.wait(d.flag, 0, 1);
    },
    { handle, flag },
  );
}

async function killHolding(handle: AnyLockHandle): Promise<void> {
  const flag = sharedInts(1);
  const victim = holdForever(handle, flag);
  await until(() => Atomics.load(flag, 0) === 1, 'the victim to hold the lock');
  await victim.worker.terminate();
}

const lockKinds = [
  { name: 'RLock', make: () => new RLock() },
  { name: 'robust Lock', make: () => new Lock({ robust: true }) },
] as const;

describe.each(lockKinds)('$name whose owner died', ({ make }) => {
  test('the next async acquirer on the main thread gets OwnerDiedError holding the lock; markConsistent() recovers it', async () => {
    const lock = make();
    await killHolding(lock.handle);
    const error = await rejectionOf(lock.acquireAsync(GUARD));
    expect(error).toBeInstanceOf(OwnerDiedError);
    expect((error as OwnerDiedError).ownerIdent).toBeGreaterThan(0);
    expect(lock.locked).toBe(true);
    lock.markConsistent();
    lock.release();
    expect(lock.locked).toBe(false);
    // Usable again, from every side.
    expect(await lock.acquireAsync(GUARD)).toBe(true);
    lock.release();
    const inWorker = await startWorker(
      (lib, h: AnyLockHandle) => {
        const l = h.kind === 'RLock' ? lib.RLock.from(h) : lib.Lock.from(h);
        const got = l.acquire({ timeout: 20_000 });
        l.release();
        return got;
      },
      lock.handle,
    ).result;
    expect(inWorker).toBe(true);
  });

  test('a blocking acquirer in a worker, already waiting when the owner dies, wakes with OwnerDiedError and recovers', async () => {
    const lock = make();
    const flag = sharedInts(1);
    const victim = holdForever(lock.handle, flag);
    await until(() => Atomics.load(flag, 0) === 1, 'the victim to hold the lock');
    const waiting = sharedInts(1);
    const waiter = startWorker(
      (lib, d: { handle: AnyLockHandle; waiting: Int32Array }) => {
        const l = d.handle.kind === 'RLock' ? lib.RLock.from(d.handle) : lib.Lock.from(d.handle);
        Atomics.store(d.waiting, 0, 1);
        try {
          l.acquire({ timeout: 20_000 });
          return 'acquired';
        } catch (error) {
          if (!(error instanceof lib.OwnerDiedError)) throw error;
          const holding = l instanceof lib.RLock ? l.isOwnedByCaller() : l.locked;
          l.markConsistent();
          l.release();
          return holding ? 'owner died, held, recovered' : 'owner died, not held';
        }
      },
      { handle: lock.handle, waiting },
    );
    await until(() => Atomics.load(waiting, 0) === 1, 'the waiter to start waiting');
    await victim.worker.terminate();
    expect(await waiter.result).toBe('owner died, held, recovered');
    expect(lock.tryAcquire()).toBe(true);
    lock.release();
  });

  test('tryAcquire takes a dead owner\'s lock and throws OwnerDiedError; released without markConsistent() the lock is not recoverable', async () => {
    const lock = make();
    await killHolding(lock.handle);
    // The parent marks the thread dead when it handles the exit; terminate() resolves after that.
    expect(() => lock.tryAcquire()).toThrow(OwnerDiedError);
    lock.release(); // without markConsistent()
    expect(() => lock.tryAcquire()).toThrow(LockNotRecoverableError);
    expect(() => lock.acquire({ timeout: 0 })).toThrow(LockNotRecoverableError);
    expect(await rejectionOf(lock.acquireAsync(GUARD))).toBeInstanceOf(LockNotRecoverableError);
    expect(() => lock.release()).toThrow(LockStateError);
    const inWorker = await startWorker(
      (lib, h: AnyLockHandle) => {
        const l = h.kind === 'RLock' ? lib.RLock.from(h) : lib.Lock.from(h);
        try {
          l.acquire({ timeout: 20_000 });
          return 'acquired';
        } catch (error) {
          return (error as Error).name;
        }
      },
      lock.handle,
    ).result;
    expect(inWorker).toBe('LockNotRecoverableError');
  });

  test('waiters asleep when the lock becomes not recoverable are woken with LockNotRecoverableError', async () => {
    const lock = make();
    await killHolding(lock.handle);
    expect(() => lock.tryAcquire()).toThrow(OwnerDiedError);
    const waiting = sharedInts(1);
    const waiter = startWorker(
      (lib, d: { handle: AnyLockHandle; waiting: Int32Array }) => {
        const l = d.handle.kind === 'RLock' ? lib.RLock.from(d.handle) : lib.Lock.from(d.handle);
        Atomics.store(d.waiting, 0, 1);
        try {
          l.acquire({ timeout: 20_000 });
          return 'acquired';
        } catch (error) {
          return (error as Error).name;
        }
      },
      { handle: lock.handle, waiting },
    );
    await until(() => Atomics.load(waiting, 0) === 1, 'the waiter to start waiting');
    const asyncWaiter = rejectionOf(lock.acquireAsync(GUARD).then((got) => (lock.release(), got)));
    lock.release();
    expect(await waiter.result).toBe('LockNotRecoverableError');
    expect(await asyncWaiter).toBeInstanceOf(LockNotRecoverableError);
  });

  test('a worker that returns, or throws, while holding the lock is an owner that died', async () => {
    const lock = make();
    for (const ending of ['return', 'throw'] as const) {
      const victim = startRegistered(
        (lib, d: { handle: AnyLockHandle; ending: string }) => {
          const l = d.handle.kind === 'RLock' ? lib.RLock.from(d.handle) : lib.Lock.from(d.handle);
          l.acquire();
          if (d.ending === 'throw') throw new Error('boom');
          return 'done';
        },
        { handle: lock.handle, ending },
      );
      await new Promise((resolve) => victim.worker.once('exit', resolve));
      const error = await rejectionOf(lock.acquireAsync(GUARD));
      expect(error, ending).toBeInstanceOf(OwnerDiedError);
      lock.markConsistent();
      lock.release();
    }
  });
});

describe('without registration, and without robust', () => {
  test('an unregistered worker that dies holding an RLock is not detected: a timed acquire gives false, as before', async () => {
    const rlock = new RLock();
    const flag = sharedInts(1);
    const victim = startWorker(
      (lib, d: { handle: RLockHandle; flag: Int32Array }) => {
        lib.RLock.from(d.handle).acquire();
        Atomics.store(d.flag, 0, 1);
        Atomics.wait(d.flag, 0, 1);
      },
      { handle: rlock.handle, flag },
    );
    victim.result.catch(() => {});
    await until(() => Atomics.load(flag, 0) === 1, 'the victim to hold the lock');
    await victim.worker.terminate();
    expect(await rlock.acquireAsync({ timeout: 50 })).toBe(false);
  });

  test('a plain Lock records no owner: a registered worker dying with it leaves it held, and markConsistent() refuses', async () => {
    const lock = new Lock();
    expect(lock.robust).toBe(false);
    await killHolding(lock.handle);
    expect(lock.tryAcquire()).toBe(false);
    expect(await lock.acquireAsync({ timeout: 50 })).toBe(false);
    expect(() => lock.markConsistent()).toThrow(LockStateError);
    lock.release(); // any thread may release a Lock
    expect(lock.tryAcquire()).toBe(true);
    lock.release();
  });

  test('markConsistent() on a lock whose owner did not die, or by a thread that does not hold it, throws LockStateError', () => {
    const rlock = new RLock();
    expect(() => rlock.markConsistent()).toThrow(LockStateError);
    rlock.acquire();
    expect(() => rlock.markConsistent()).toThrow(LockStateError);
    rlock.release();
    const robust = new Lock({ robust: true });
    expect(Lock.from(robust.handle).robust).toBe(true);
    robust.acquire();
    expect(() => robust.markConsistent()).toThrow(LockStateError);
    robust.release();
  });
});

describe('a Condition whose default RLock\'s owner died', () => {
  test('acquiring the condition gives OwnerDiedError holding its lock; a waiter re-acquiring after notify gets it from wait', async () => {
    const cond = new Condition();
    const flag = sharedInts(2);
    // Main waits (lock released); the victim takes the lock, notifies, and dies holding it.
    await cond.acquireAsync();
    const waited = cond.waitAsync(GUARD);
    const victim = startRegistered(
      (lib, d: { handle: ConditionHandle; flag: Int32Array }) => {
        const c = lib.Condition.from(d.handle);
        c.acquire();
        c.notify();
        Atomics.store(d.flag, 0, 1);
        Atomics.wait(d.flag, 0, 1);
      },
      { handle: cond.handle, flag },
    );
    await until(() => Atomics.load(flag, 0) === 1, 'the victim to notify holding the lock');
    await victim.worker.terminate();
    const error = await rejectionOf(waited);
    expect(error).toBeInstanceOf(OwnerDiedError);
    expect((cond.lock as RLock).isOwnedByCaller()).toBe(true);
    cond.lock.markConsistent();
    cond.notifyAll(); // holds the lock, as wait() promised
    cond.release();

    await killHolding(cond.lock.handle);
    expect(await rejectionOf(cond.acquireAsync(GUARD))).toBeInstanceOf(OwnerDiedError);
    cond.lock.markConsistent();
    cond.release();
  });
});

describe('grandchildren', () => {
  /** Starts the middle thread of support/spawning-worker.mjs, registered, and resolves with its first message. */
  function startMiddle(mode: 'kill-child' | 'die-with-child', handle: RLockHandle): { worker: Worker; said: Promise<unknown> } {
    const worker = new Worker(new URL('./support/spawning-worker.mjs', import.meta.url), { workerData: { mode, handle, flag: sharedInts(1) } });
    registerWorker(worker);
    middles.add(worker);
    worker.on('error', () => {});
    return { worker, said: new Promise((resolve) => worker.once('message', resolve)) };
  }
  const middles = new Set<Worker>();
  afterEach(async () => {
    await Promise.all([...middles].map((w) => w.terminate()));
    middles.clear();
  });

  test('a registered worker started by a worker shares the liveness table: its death is seen by the main thread', async () => {
    const rlock = new RLock();
    const middle = startMiddle('kill-child', rlock.handle);
    expect(await middle.said).toBe('child killed');
    expect(await rejectionOf(rlock.acquireAsync(GUARD))).toBeInstanceOf(OwnerDiedError);
    rlock.markConsistent();
    rlock.release();
  });

  test('a worker that dies with its parent worker is dead too, though the parent never marked it', async () => {
    const rlock = new RLock();
    const middle = startMiddle('die-with-child', rlock.handle);
    expect(await middle.said).toBe('child holds the lock');
    await middle.worker.terminate();
    expect(await rejectionOf(rlock.acquireAsync(GUARD))).toBeInstanceOf(OwnerDiedError);
    rlock.markConsistent();
    rlock.release();
  });
});
