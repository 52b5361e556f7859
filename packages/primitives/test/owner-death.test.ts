import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, test } from 'vitest';
import {
  Barrier,
  BoundedSemaphore,
  BrokenBarrierError,
  Condition,
  LifoQueue,
  Lock,
  LockNotRecoverableError,
  LockStateError,
  OwnerDiedError,
  PriorityQueue,
  Queue,
  QueueEmpty,
  registerWorker,
  RLock,
  Semaphore,
  type BarrierHandle,
  type ConditionHandle,
  type QueueHandle,
  type SemaphoreHandle,
  type LockHandle,
  type RLockHandle,
} from '@lockstep/primitives';
import { rejectionOf, sharedInts, until } from './support/until.js';
import { sleep, startWorker, terminateAll, type Lib, type RunningWorker } from './support/workers.js';

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

describe('a robust Semaphore whose holder died', () => {
  test('its permits go back: a waiter gets one, reclaimedPermits counts them; a plain one keeps them lost', async () => {
    for (const robust of [true, false]) {
      const sem = new Semaphore(2, { robust });
      const flag = sharedInts(1);
      const victim = startRegistered(
        (lib, d: { handle: SemaphoreHandle; flag: Int32Array }) => {
          const s = lib.Semaphore.from(d.handle);
          s.acquire();
          s.acquire();
          Atomics.store(d.flag, 0, 1);
          Atomics.wait(d.flag, 0, 1);
        },
        { handle: sem.handle, flag },
      );
      await until(() => Atomics.load(flag, 0) === 1, 'the victim to hold both permits');
      expect(sem.value).toBe(0);
      const waiting = sem.acquireAsync(robust ? GUARD : { timeout: 50 });
      await victim.worker.terminate();
      expect(await waiting, `robust: ${robust}`).toBe(robust);
      expect(sem.reclaimedPermits).toBe(robust ? 2 : 0);
      expect(sem.value).toBe(robust ? 1 : 0);
    }
  });

  test('a robust semaphore is released by the thread that holds its permits', () => {
    const sem = new BoundedSemaphore(1, { robust: true });
    expect(Semaphore.from(sem.handle)).toBeInstanceOf(BoundedSemaphore);
    expect(Semaphore.from(sem.handle).robust).toBe(true);
    expect(() => sem.release()).toThrow(LockStateError);
    sem.acquire();
    sem.release();
    expect(sem.value).toBe(1);
  });
});

describe('a Barrier whose registered party died', () => {
  test('a party that dies while waiting breaks the barrier for the others; reset() repairs it', async () => {
    const barrier = new Barrier(3);
    const arrived = sharedInts(1);
    const victim = startRegistered(
      (lib, d: { handle: BarrierHandle; arrived: Int32Array }) => {
        const b = lib.Barrier.from(d.handle);
        Atomics.store(d.arrived, 0, 1);
        b.wait();
      },
      { handle: barrier.handle, arrived },
    );
    await until(() => Atomics.load(arrived, 0) === 1 && barrier.nWaiting === 1, 'the victim to wait at the barrier');
    const waiting = barrier.waitAsync(GUARD);
    await victim.worker.terminate();
    expect(await rejectionOf(waiting)).toBeInstanceOf(BrokenBarrierError);
    expect(barrier.broken).toBe(true);
    barrier.reset();
    expect(barrier.broken).toBe(false);
    const round = await Promise.all([0, 1, 2].map(() => barrier.waitAsync(GUARD)));
    expect(round.sort()).toEqual([0, 1, 2]);
  });
});

describe('a queue whose registered worker died holding its internal lock', () => {
  test('the next call rolls the dead put back: no InternalStateLockedError, nothing lost, nothing added', async () => {
    const queue = new PriorityQueue<number>();
    for (const n of [5, 7, 3, 9]) queue.put(n);
    const inComparator = sharedInts(1);
    const victim = startRegistered(
      ({ PriorityQueue }, d: { handle: QueueHandle; inComparator: Int32Array }) => {
        let calls = 0;
        const q = PriorityQueue.from<number>(d.handle, {
          compare: (a, b) => {
            // Park inside the heap's sift, after the first comparison: the put is half done.
            if (++calls === 2) {
              Atomics.store(d.inComparator, 0, 1);
              Atomics.wait(d.inComparator, 0, 1);
            }
            return a - b;
          },
        });
        q.put(1);
      },
      { handle: queue.handle, inComparator },
    );
    await until(() => Atomics.load(inComparator, 0) === 1, 'the victim to be inside the comparator');
    await victim.worker.terminate();
    const taken: number[] = [];
    while (!queue.empty) taken.push(queue.getNowait());
    expect(taken).toEqual([3, 5, 7, 9]);
    for (let i = 0; i < 4; i++) queue.taskDone();
    expect(queue.join({ timeout: 0 })).toBe(true);
  });
});

/** Deterministic "random" numbers, so a failing run can be replayed. */
function randoms(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('registered workers terminated at random points', () => {
  const LOCK_KILLS = 50;
  const QUEUE_KILLS = 60;
  const PARALLEL = 4;

  /** Runs `rounds` kill rounds, `PARALLEL` at a time. */
  async function inParallel(rounds: number, round: (n: number) => Promise<void>): Promise<void> {
    let next = 0;
    await Promise.all(Array.from({ length: PARALLEL }, async () => {
      while (next < rounds) await round(next++);
    }));
  }

  test.each(['RLock', 'robust Lock', 'robust Semaphore'] as const)(
    `%s: ${LOCK_KILLS} kills inside acquire/release; the next acquirer never hangs, recovers the guarded pair, and the lock stays usable`,
    async (kind) => {
      const random = randoms(kind.length * 7919);
      const outcomes = { ownerDied: 0, free: 0, reclaimed: 0 };
      await inParallel(LOCK_KILLS, async () => {
        const lock = kind === 'RLock' ? new RLock() : kind === 'robust Lock' ? new Lock({ robust: true }) : new Semaphore(1, { robust: true });
        const state = sharedInts(3); // [progress, a, b]: a === b whenever the lock is free
        const victim = startRegistered(
          (lib, d: { handle: RLockHandle | LockHandle | SemaphoreHandle; state: Int32Array }) => {
            const h = d.handle;
            const l = h.kind === 'RLock' ? lib.RLock.from(h) : h.kind === 'Lock' ? lib.Lock.from(h) : lib.Semaphore.from(h);
            for (let n = 0; ; n++) {
              l.acquire();
              if (n % 2 === 0 && l instanceof lib.RLock) l.acquire();
              d.state[1]! += 1;
              d.state[2]! += 1;
              if (n % 2 === 0 && l instanceof lib.RLock) l.release();
              l.release();
              Atomics.add(d.state, 0, 1);
            }
          },
          { handle: lock.handle, state },
        );
        const target = Math.floor(random() * 300);
        await until(() => Atomics.load(state, 0) >= target, 'the victim to make progress');
        await victim.worker.terminate();
        try {
          expect(await lock.acquireAsync(GUARD)).toBe(true);
          if (lock instanceof Semaphore && lock.reclaimedPermits > 0) outcomes.reclaimed++;
          else outcomes.free++;
        } catch (error) {
          expect(error).toBeInstanceOf(OwnerDiedError);
          outcomes.ownerDied++;
          state[2] = state[1]!; // repair the pair the dead owner may have left half updated
          (lock as RLock | Lock).markConsistent();
        }
        if (!(lock instanceof Semaphore)) expect(state[1]).toBe(state[2]);
        lock.release();
        expect(lock.tryAcquire()).toBe(true);
        lock.release();
      });
      console.log(`owner-death ${kind}: ${JSON.stringify(outcomes)}`);
      expect(outcomes.ownerDied + outcomes.free + outcomes.reclaimed).toBe(LOCK_KILLS);
    },
  );

  test(`Queue, LifoQueue, PriorityQueue: ${QUEUE_KILLS} kills inside put/get; every no-wait call returns, nothing lost or duplicated but the item in flight`, async () => {
    const random = randoms(4242);
    let recovered = 0;
    await inParallel(QUEUE_KILLS, async (round) => {
      const kind = (['Queue', 'LifoQueue', 'PriorityQueue'] as const)[round % 3]!;
      const consumer = Math.floor(round / 3) % 2 === 0;
      const queue = kind === 'Queue' ? new Queue<number>() : kind === 'LifoQueue' ? new LifoQueue<number>() : new PriorityQueue<number>();
      const ITEMS = 400;
      if (consumer) for (let id = 0; id < ITEMS; id++) queue.put(id);
      const seen = sharedInts(ITEMS + 1); // [0]: progress; [1 + id]: the victim took id
      const victim = startRegistered(
        (lib, d: { handle: QueueHandle; seen: Int32Array; consumer: boolean; items: number }) => {
          const q = lib.Queue.from<number>(d.handle);
          for (let n = 0; n < d.items; n++) {
            if (d.consumer) {
              const id = n % 2 === 0 ? q.get({ timeout: 20_000 }) : q.getNowait();
              Atomics.store(d.seen, 1 + id, 1);
              q.taskDone();
            } else {
              q.put(n);
            }
            Atomics.add(d.seen, 0, 1);
          }
        },
        { handle: queue.handle, seen, consumer, items: ITEMS },
      );
      const target = Math.floor(random() * ITEMS * 0.8);
      await until(() => Atomics.load(seen, 0) >= target, 'the victim to make progress');
      await victim.worker.terminate();
      const progress = Atomics.load(seen, 0);
      // No call may meet InternalStateLockedError: a dead registered holder's step is rolled back.
      const left: number[] = [];
      for (;;) {
        try {
          left.push(queue.getNowait());
        } catch (error) {
          expect(error).toBeInstanceOf(QueueEmpty);
          break;
        }
      }
      queue.putNowait(-1);
      expect(queue.getNowait()).toBe(-1);
      const ids = new Set(left);
      expect(ids.size, 'no item twice').toBe(left.length);
      if (consumer) {
        const taken = Array.from({ length: ITEMS }, (_, id) => id).filter((id) => Atomics.load(seen, 1 + id) === 1);
        for (const id of taken) expect(ids.has(id), `item ${id} taken by the victim and still queued`).toBe(false);
        // At most one item (the one in the victim's hands) is neither queued nor marked taken.
        expect(ITEMS - taken.length - left.length).toBeLessThanOrEqual(1);
        expect(ITEMS - taken.length - left.length).toBeGreaterThanOrEqual(0);
      } else {
        // Every put that returned is there, plus perhaps the one in flight.
        expect(left.length === progress || left.length === progress + 1, `${left.length} items after ${progress} puts`).toBe(true);
        expect([...left].sort((a, b) => a - b)).toEqual(Array.from({ length: left.length }, (_, i) => i));
      }
      if (queue.size === 0) recovered++;
    });
    expect(recovered).toBe(QUEUE_KILLS);
  });

  const BARRIER_KILLS = 30;
  test(`Barrier: ${BARRIER_KILLS} kills of a party looping through rounds (waiting, in its step, running the action, between rounds); the survivors' waits always return, the barrier ends broken, reset() repairs it`, async () => {
    const random = randoms(1_000_003);
    const outcomes = { detected: 0, timedOut: 0 };
    await inParallel(BARRIER_KILLS, async () => {
      // Two survivors (async, on this thread) and the victim. Their rounds have a short timeout: a
      // party that dies between rounds (before it arrives) is not detected, and only a timeout breaks
      // that round. Under load a round may also time out before the kill; the victim then ends by
      // itself, and the checks below still hold.
      const barrier = new Barrier(3);
      const progress = sharedInts(3); // [0]: rounds the victim completed, [1]: actions it ran, [2]: it started
      const victim = startRegistered(
        (lib, d: { handle: BarrierHandle; progress: Int32Array }) => {
          const b = lib.Barrier.from(d.handle, { action: () => void Atomics.add(d.progress, 1, 1) });
          Atomics.store(d.progress, 2, 1);
          for (;;) {
            b.wait({ timeout: 20_000 });
            Atomics.add(d.progress, 0, 1);
          }
        },
        { handle: barrier.handle, progress },
      );
      await until(() => Atomics.load(progress, 2) === 1, 'the victim to start');
      const survivorErrors: unknown[] = [];
      // The second survivor comes a little late to each round, so the victim and the first survivor
      // spend most of the time waiting: most kills land on a waiting party, the case detected.
      const survivors = [0, 1].map(async (late) => {
        for (;;) {
          if (late === 1) await sleep(5 + Math.floor(random() * 20));
          try {
            await barrier.waitAsync({ timeout: 250 });
          } catch (error) {
            survivorErrors.push(error);
            return;
          }
        }
      });
      const target = Math.floor(random() * 20);
      await until(() => Atomics.load(progress, 0) >= target || survivorErrors.length > 0, 'the victim to make progress');
      await victim.worker.terminate();
      await Promise.all(survivors);
      for (const error of survivorErrors) expect(error).toBeInstanceOf(BrokenBarrierError);
      const messages = survivorErrors.map((error) => (error as Error).message);
      if (messages.some((message) => /died/.test(message))) outcomes.detected++;
      else outcomes.timedOut++;
      // Whoever saw it first: the death, a timeout, or (the other survivor) the broken barrier.
      for (const message of messages) expect(message).toMatch(/died|timed out|broken|aborted/);
      expect(barrier.broken).toBe(true);
      await expect(barrier.waitAsync(GUARD)).rejects.toBeInstanceOf(BrokenBarrierError);
      barrier.reset();
      expect([barrier.broken, barrier.nWaiting]).toEqual([false, 0]);
      expect((await Promise.all([0, 1, 2].map(() => barrier.waitAsync(GUARD)))).sort()).toEqual([0, 1, 2]);
    });
    console.log(`owner-death Barrier: ${JSON.stringify(outcomes)}`);
    expect(outcomes.detected + outcomes.timedOut).toBe(BARRIER_KILLS);
  });
});
