import { afterEach, describe, expect, test } from 'vitest';
import { Barrier, Event, LifoQueue, Lock, Queue, RLock, Semaphore, type BarrierHandle } from '@lockstep/primitives';
import { sharedInts, until } from './support/until.js';
import { startWorker, terminateAll, type Lib } from './support/workers.js';

// A thread that may not block, as a browser's main thread, emulated in a Node worker: there
// `Atomics.wait` throws a TypeError whatever its arguments, and so it does in these workers, replaced
// before the package first asks (it probes once, lazily). Everything else is the real package. The
// headless Chromium test (test/browser) checks the same on a real browser main thread.

afterEach(terminateAll);

/** A worker whose thread may not block: `fn` runs there after `Atomics.wait` was made to throw as a browser's main thread does. */
function startNoBlockWorker<D, R>(fn: (lib: Lib, data: D) => R | Promise<R>, data: D): { result: Promise<Awaited<R>> } {
  const source = fn.toString();
  return startWorker(
    async (lib, d: { source: string; data: D }) => {
      Atomics.wait = () => {
        throw new TypeError('Atomics.wait cannot be called in this context');
      };
      const run = (0, eval)(`(${d.source})`) as (lib: Lib, data: D) => unknown;
      return run(lib, d.data);
    },
    { source, data },
  ) as { result: Promise<Awaited<R>> };
}

/** The word of a queue's or barrier's internal lock (a robust mutex, the control block's first cell) and its starving count. */
function internalLockCells(handle: { buffer: SharedArrayBuffer; byteOffset: number }): Int32Array {
  return new Int32Array(handle.buffer, handle.byteOffset, 2);
}
/** The word of a robust mutex held by thread `ident` (never registered here, so never found dead). */
const heldBy = (ident: number): number => (ident + 1) << 2;
const STRANGER = 4_321;

describe('a thread that may not block (Atomics.wait throws there, as on a browser main thread)', () => {
  test('blocking forms throw BlockingNotAllowedError where they would wait, having changed nothing; done at once, they complete', async () => {
    const lock = new Lock();
    lock.acquire();
    const rlock = new RLock();
    rlock.acquire();
    const semaphore = new Semaphore(0);
    const full = new Queue<number>({ maxSize: 1 });
    full.put(1);
    const unfinished = new Queue<number>();
    unfinished.put(1);
    const barrier = new Barrier(2);
    const outcome = await startNoBlockWorker(
      (lib, d) => {
        const { Barrier, Condition, Event, Lock, Queue, RLock, Semaphore } = lib;
        const name = (call: () => unknown): string => {
          try {
            return `returned ${JSON.stringify(call())}`;
          } catch (error) {
            return (error as Error).name;
          }
        };
        const lock = Lock.from(d.lock);
        const rlock = RLock.from(d.rlock);
        const semaphore = Semaphore.from(d.semaphore);
        const empty = new Queue<number>();
        const full = Queue.from<number>(d.full);
        const unfinished = Queue.from<number>(d.unfinished);
        const barrier = Barrier.from(d.barrier);
        const event = new Event();
        const condition = new Condition();
        condition.acquire(); // free: taken at once
        const wouldWait = {
          'Lock.acquire()': name(() => lock.acquire()),
          'Lock.acquire({ timeout })': name(() => lock.acquire({ timeout: 50 })),
          'Lock.hold()': name(() => lock.hold()),
          'RLock.acquire()': name(() => rlock.acquire()),
          'Semaphore.acquire()': name(() => semaphore.acquire()),
          'Condition.wait()': name(() => condition.wait({ timeout: 50 })),
          'Condition.waitFor()': name(() => condition.waitFor(() => false, { timeout: 50 })),
          'Event.wait()': name(() => event.wait()),
          'Event.wait({ timeout })': name(() => event.wait({ timeout: 50 })),
          'Queue.get()': name(() => empty.get()),
          'Queue.get({ timeout })': name(() => empty.get({ timeout: 50 })),
          'Queue.put()': name(() => full.put(2)),
          'Queue.join()': name(() => unfinished.join()),
          'Barrier.wait()': name(() => barrier.wait()),
          'Barrier.wait({ timeout })': name(() => barrier.wait({ timeout: 50 })),
        };
        const untouched = {
          conditionHeld: condition.lock.locked,
          barrier: [barrier.nWaiting, barrier.broken],
          queues: [empty.size, full.size, unfinished.size],
        };
        event.set();
        const atOnce = {
          'Lock.acquire() of a free lock': name(() => new Lock().acquire()),
          'Lock.acquire({ timeout: 0 }) of a held lock': name(() => lock.acquire({ timeout: 0 })),
          'Semaphore.acquire({ timeout: 0 })': name(() => semaphore.acquire({ timeout: 0 })),
          'Event.wait() of a set event': name(() => event.wait()),
          'Event.wait({ timeout: 0 }) of a clear one': name(() => new Event().wait({ timeout: 0 })),
          'Condition.waitFor() of a true predicate': name(() => condition.waitFor(() => true)),
          'Condition.waitFor({ timeout: 0 })': name(() => condition.waitFor(() => false, { timeout: 0 })),
          'Queue.get() of a non-empty queue': name(() => full.get()),
          'Queue.put() into room': name(() => full.put(3)),
          'Queue.get({ timeout: 0 }) of an empty queue': name(() => empty.get({ timeout: 0 })),
          'Queue.join() with nothing unfinished': name(() => empty.join()),
          'Barrier(1).wait()': name(() => new Barrier(1).wait()),
        };
        condition.release();
        return { wouldWait, untouched, atOnce };
      },
      { lock: lock.handle, rlock: rlock.handle, semaphore: semaphore.handle, full: full.handle, unfinished: unfinished.handle, barrier: barrier.handle },
    ).result;
    for (const [form, result] of Object.entries(outcome.wouldWait)) expect(result, form).toBe('BlockingNotAllowedError');
    expect(outcome.untouched).toEqual({ conditionHeld: true, barrier: [0, false], queues: [0, 1, 1] });
    expect(outcome.atOnce).toEqual({
      'Lock.acquire() of a free lock': 'returned true',
      'Lock.acquire({ timeout: 0 }) of a held lock': 'returned false',
      'Semaphore.acquire({ timeout: 0 })': 'returned false',
      'Event.wait() of a set event': 'returned true',
      'Event.wait({ timeout: 0 }) of a clear one': 'returned false',
      'Condition.waitFor() of a true predicate': 'returned true',
      'Condition.waitFor({ timeout: 0 })': 'returned false',
      'Queue.get() of a non-empty queue': 'returned 1',
      'Queue.put() into room': 'returned undefined',
      'Queue.get({ timeout: 0 }) of an empty queue': 'QueueEmpty',
      'Queue.join() with nothing unfinished': 'returned true',
      'Barrier(1).wait()': 'returned 0',
    });
    // Nothing arrived at the barrier: two other parties make a full round.
    expect([barrier.nWaiting, barrier.broken]).toEqual([0, false]);
    expect((await Promise.all([barrier.waitAsync({ timeout: 5_000 }), barrier.waitAsync({ timeout: 5_000 })])).sort()).toEqual([0, 1]);
    expect(full.get({ timeout: 0 })).toBe(3);
  });

  test('the last party of a round may call Barrier.wait(): it waits for nobody, and releases the others', async () => {
    const barrier = new Barrier(2);
    const first = barrier.waitAsync({ timeout: 10_000 });
    await until(() => barrier.nWaiting === 1, 'the first party to arrive');
    const index = await startNoBlockWorker((lib, handle: BarrierHandle) => lib.Barrier.from(handle).wait(), barrier.handle)
      .result;
    expect([await first, index]).toEqual([0, 1]);
  });

  test('an internal lock another thread holds is waited for by spinning, never with Atomics.wait; past 100 ms the documented outcomes', async () => {
    // A LifoQueue: one internal lock for every call (a FIFO Queue's gets have a lock of their own;
    // queue-two-locks.test.ts holds each of its two).
    const queue = new LifoQueue<number>();
    const barrier = new Barrier(3);
    const queueLock = internalLockCells(queue.handle);
    const barrierLock = internalLockCells(barrier.handle);
    Atomics.store(queueLock, 0, heldBy(STRANGER));
    Atomics.store(barrierLock, 0, heldBy(STRANGER));
    const outcome = await startNoBlockWorker(
      async (lib, d) => {
        const queue = lib.LifoQueue.from<number>(d.queue);
        const barrier = lib.Barrier.from(d.barrier);
        const describe = (error: unknown): string => {
          const { name, cause } = error as Error;
          return cause === undefined ? name : `${name} (cause: ${(cause as Error).name})`;
        };
        const outcomeOf = (call: () => unknown): string => {
          const started = performance.now();
          try {
            call();
            return 'returned';
          } catch (error) {
            return `${describe(error)}${performance.now() - started >= 100 ? ', after the patience' : ''}`;
          }
        };
        const asyncOutcomeOf = async (call: () => Promise<unknown>): Promise<string> => {
          try {
            await call();
            return 'resolved';
          } catch (error) {
            return describe(error);
          }
        };
        return {
          'putNowait()': outcomeOf(() => queue.putNowait(1)),
          'getNowait()': outcomeOf(() => queue.getNowait()),
          'taskDone()': outcomeOf(() => queue.taskDone()),
          'shutdown()': outcomeOf(() => queue.shutdown()),
          'get({ timeout: 30 })': outcomeOf(() => queue.get({ timeout: 30 })),
          'get({ timeout: 10_000 })': outcomeOf(() => queue.get({ timeout: 10_000 })),
          'get()': outcomeOf(() => queue.get()),
          'Barrier.reset()': outcomeOf(() => barrier.reset()),
          'Barrier.abort()': outcomeOf(() => barrier.abort()),
          'Barrier.wait({ timeout: 30 })': outcomeOf(() => barrier.wait({ timeout: 30 })),
          'getAsync({ timeout: 30 })': await asyncOutcomeOf(() => queue.getAsync({ timeout: 30 })),
          'Barrier.waitAsync({ timeout: 30 })': await asyncOutcomeOf(() => barrier.waitAsync({ timeout: 30 })),
        };
      },
      { queue: queue.handle, barrier: barrier.handle },
    ).result;
    expect(outcome).toEqual({
      'putNowait()': 'InternalStateLockedError, after the patience',
      'getNowait()': 'InternalStateLockedError, after the patience',
      'taskDone()': 'InternalStateLockedError, after the patience',
      'shutdown()': 'InternalStateLockedError, after the patience',
      'get({ timeout: 30 })': 'QueueEmpty (cause: InternalStateLockedError)',
      'get({ timeout: 10_000 })': 'BlockingNotAllowedError (cause: InternalStateLockedError), after the patience',
      'get()': 'BlockingNotAllowedError (cause: InternalStateLockedError), after the patience',
      'Barrier.reset()': 'InternalStateLockedError, after the patience',
      'Barrier.abort()': 'InternalStateLockedError, after the patience',
      'Barrier.wait({ timeout: 30 })': 'BrokenBarrierError (cause: InternalStateLockedError)',
      'getAsync({ timeout: 30 })': 'QueueEmpty (cause: InternalStateLockedError)',
      'Barrier.waitAsync({ timeout: 30 })': 'BrokenBarrierError (cause: InternalStateLockedError)',
    });
    // Nothing was changed behind the held lock.
    Atomics.store(queueLock, 0, 0);
    Atomics.store(barrierLock, 0, 0);
    expect([queue.size, queue.isShutDown, barrier.nWaiting, barrier.broken]).toEqual([0, false, 0, false]);
  });

  test('a spinning call gets the internal lock once its holder lets go', async () => {
    // The holder (this thread) lets go once the spinner has spun past the fairness bound, which it
    // says in the lock's starving count: so every call here spins first, then takes the lock. A call
    // that spun out its 100 ms patience first (this thread descheduled that long) is tried again.
    const queue = new Queue<number>();
    const lockCells = internalLockCells(queue.handle);
    const progress = sharedInts(3); // [0]: calls started, [1]: calls done, [2]: rounds armed (the lock held for it)
    const ROUNDS = 20;
    const spinner = startNoBlockWorker(
      (lib, d) => {
        const queue = lib.Queue.from<number>(d.queue);
        let retried = 0;
        for (let i = 0; i < d.rounds; i++) {
          while (Atomics.load(d.progress, 2) <= i); // this thread may not block: it spins for its turn too
          Atomics.add(d.progress, 0, 1);
          for (;;) {
            try {
              queue.putNowait(i);
              break;
            } catch (error) {
              if ((error as Error).name !== 'InternalStateLockedError') throw error;
              retried += 1;
            }
          }
          Atomics.add(d.progress, 1, 1);
        }
        return retried;
      },
      { queue: queue.handle, progress, rounds: ROUNDS },
    );
    let failed: unknown;
    spinner.result.catch((error: unknown) => {
      failed = error;
    });
    const step = async (predicate: () => boolean, what: string): Promise<void> => {
      await until(() => failed !== undefined || predicate(), what);
      if (failed !== undefined) throw failed;
    };
    for (let round = 0; round < ROUNDS; round++) {
      Atomics.store(lockCells, 0, heldBy(STRANGER));
      Atomics.store(progress, 2, round + 1);
      await step(() => Atomics.load(progress, 0) === round + 1 && Atomics.load(lockCells, 1) > 0, `call ${round} to spin`);
      Atomics.store(lockCells, 0, 0);
      await step(() => Atomics.load(progress, 1) === round + 1, `call ${round} to return`);
    }
    await spinner.result;
    expect(Array.from({ length: ROUNDS }, () => queue.get({ timeout: 0 }))).toEqual(Array.from({ length: ROUNDS }, (_, i) => i));
    expect(Atomics.load(lockCells, 1)).toBe(0); // the spinner unregistered as starving each time
  });

  test('thousands of non-waiting calls while a worker keeps the queue busy: never BlockingNotAllowedError, nothing lost or duplicated', async () => {
    // Items circulate: the busy worker and the no-block thread each take one and put it back, so the
    // queue ends holding exactly what it started with, each item once, and no task unfinished but those.
    const K = 200;
    const queue = new Queue<number>();
    for (let i = 0; i < K; i++) queue.put(i);
    const stop = new Event();
    const cycles = sharedInts(1);
    const busy = startWorker(
      ({ Queue, Event }, d) => {
        const q = Queue.from<number>(d.queue);
        const stop = Event.from(d.stop);
        while (!stop.isSet) {
          q.put(q.get());
          q.taskDone();
          Atomics.add(d.cycles, 0, 1);
        }
      },
      { queue: queue.handle, stop: stop.handle, cycles },
    );
    await until(() => Atomics.load(cycles, 0) > 0, 'the busy worker to start');
    const result = await startNoBlockWorker(
      (lib, d) => {
        const q = lib.Queue.from<number>(d.queue);
        let retried = 0;
        /** A non-waiting call gives up after 100 ms on a holder descheduled that long (documented): try again then. */
        const retrying = <T>(call: () => T): T => {
          for (;;) {
            try {
              return call();
            } catch (error) {
              if ((error as Error).name !== 'InternalStateLockedError') throw error;
              retried += 1;
            }
          }
        };
        for (let i = 0; i < d.n; i++) {
          const item = retrying(() => q.getNowait());
          retrying(() => q.putNowait(item));
          retrying(() => q.taskDone());
        }
        return { retried, busyCycles: Atomics.load(d.cycles, 0) };
      },
      { queue: queue.handle, n: 3_000, cycles },
    ).result;
    stop.set();
    await busy.result;
    expect(result.busyCycles).toBeGreaterThan(1);
    expect(queue.size).toBe(K);
    const items = Array.from({ length: K }, () => queue.get({ timeout: 0 }));
    expect(items.sort((a, b) => a - b)).toEqual(Array.from({ length: K }, (_, i) => i));
    for (let i = 0; i < K; i++) queue.taskDone();
    expect(queue.join({ timeout: 0 })).toBe(true);
  }, 60_000);
});
