import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { Barrier, BrokenBarrierError, InternalStateLockedError, PriorityQueue, type BarrierHandle } from '@lockstep/primitives';
import { Prober, terminateFaultThreads } from './support/fault-threads.js';
import { checkQueueCalls, type QueueProbe } from './support/probe-outcomes.js';
import { rejectionOf, sharedInts, until } from './support/until.js';
import { startWorker, terminateAll } from './support/workers.js';

// A thread that dies inside a primitive, at a point chosen rather than random: the cases the
// worker-death tests hit only by chance, made certain.

afterEach(terminateAll);
afterAll(terminateFaultThreads);

describe('a queue whose internal lock a dead worker still holds', () => {
  test('every call with a timeout or no wait returns: timeouts by their deadline, no-wait calls with InternalStateLockedError', async () => {
    const queue = new PriorityQueue<number>();
    queue.put(5);
    const inComparator = sharedInts(1);
    // The comparator runs with the queue's internal lock held: park it there, then kill the thread.
    const victim = startWorker(
      ({ PriorityQueue }, d) => {
        const q = PriorityQueue.from<number>(d.handle, {
          compare: (a, b) => {
            Atomics.store(d.inComparator, 0, 1);
            Atomics.wait(d.inComparator, 0, 1);
            return a - b;
          },
        });
        q.put(1);
      },
      { handle: queue.handle, inComparator },
    );
    void victim.result.catch(() => {});
    await until(() => Atomics.load(inComparator, 0) === 1, 'the victim to be inside the comparator');
    await victim.worker.terminate();

    const prober = new Prober();
    try {
      const probe = await prober.probe<QueueProbe>({ queue: { handle: queue.handle, objects: false } });
      checkQueueCalls(probe.calls, 'both'); // a PriorityQueue: one internal lock
    } finally {
      await prober.close();
    }
    // Lock-free reads still answer.
    expect([queue.size, queue.isShutDown]).toEqual([1, false]);
  });
});

describe('a barrier whose party died while waiting', () => {
  /**
   * Starts a worker that arrives at the barrier and sleeps there, and kills it once it has arrived and
   * let go of the barrier's internal lock (white box: the lock's state cell is the barrier's first).
   * The count goes up while the lock is held, so killing on the count alone sometimes killed the victim
   * inside the lock: a different case, the queue's above.
   */
  async function killWaitingParty(barrier: Barrier): Promise<void> {
    const before = barrier.nWaiting;
    const internalLock = new Int32Array(barrier.handle.buffer, barrier.handle.byteOffset, 1);
    const victim = startWorker(({ Barrier }, handle: BarrierHandle) => Barrier.from(handle).wait(), barrier.handle);
    void victim.result.catch(() => {});
    await until(() => barrier.nWaiting === before + 1 && Atomics.load(internalLock, 0) === 0, 'the victim to arrive and sleep');
    await victim.worker.terminate();
  }

  test('its arrival still counts; the next round times out instead of hanging; reset() repairs it', async () => {
    const barrier = new Barrier(3);
    await killWaitingParty(barrier);
    // The dead party arrived, so two more complete the round (nothing detects the death yet).
    const indices = await Promise.all([barrier.waitAsync({ timeout: 5_000 }), barrier.waitAsync({ timeout: 5_000 })]);
    expect(indices.sort()).toEqual([1, 2]);
    // Next round: the dead party never comes. Both timed forms return, broken.
    const waiting = rejectionOf(barrier.waitAsync({ timeout: 5_000 }));
    const blocking = startWorker(({ Barrier }, handle: BarrierHandle) => {
      try {
        Barrier.from(handle).wait({ timeout: 100 });
        return 'released';
      } catch (error) {
        return (error as Error).name;
      }
    }, barrier.handle);
    expect(await blocking.result).toBe('BrokenBarrierError');
    expect(await waiting).toBeInstanceOf(BrokenBarrierError);
    expect(barrier.broken).toBe(true);
    barrier.reset();
    expect([barrier.broken, barrier.nWaiting]).toEqual([false, 0]);
    const round = await Promise.all([0, 1, 2].map(() => barrier.waitAsync({ timeout: 5_000 })));
    expect(round.sort()).toEqual([0, 1, 2]);
  });

  test('reset() while the dead party is counted forgets it: a full round of live parties goes through', async () => {
    const barrier = new Barrier(2);
    await killWaitingParty(barrier);
    expect(barrier.nWaiting).toBe(1);
    barrier.reset();
    expect([barrier.broken, barrier.nWaiting]).toEqual([false, 0]);
    const round = await Promise.all([0, 1].map(() => barrier.waitAsync({ timeout: 5_000 })));
    expect(round.sort()).toEqual([0, 1]);
  });

  test('abort() then reset() repairs it too', async () => {
    const barrier = new Barrier(2);
    await killWaitingParty(barrier);
    barrier.abort();
    expect(barrier.broken).toBe(true);
    await expect(barrier.waitAsync({ timeout: 1_000 })).rejects.toThrow(BrokenBarrierError);
    barrier.reset();
    const round = await Promise.all([0, 1].map(() => barrier.waitAsync({ timeout: 5_000 })));
    expect(round.sort()).toEqual([0, 1]);
  });

  test('the last party killed inside its action: the others time out instead of hanging, reset() repairs', async () => {
    const barrier = new Barrier(2);
    const inAction = sharedInts(1);
    const first = rejectionOf(barrier.waitAsync({ timeout: 300 }));
    await until(() => barrier.nWaiting === 1, 'this thread to arrive first');
    const last = startWorker(
      ({ Barrier }, d: { handle: BarrierHandle; inAction: Int32Array }) => {
        const action = (): void => {
          Atomics.store(d.inAction, 0, 1);
          Atomics.wait(d.inAction, 0, 1);
        };
        Barrier.from(d.handle, { action }).wait();
      },
      { handle: barrier.handle, inAction },
    );
    void last.result.catch(() => {});
    await until(() => Atomics.load(inAction, 0) === 1, 'the last party to be in its action');
    await last.worker.terminate();
    // Never released: the waiting party's timeout breaks the round; a newcomer is refused, not hung.
    expect(await first).toBeInstanceOf(BrokenBarrierError);
    await expect(barrier.waitAsync({ timeout: 100 })).rejects.toThrow(BrokenBarrierError);
    barrier.reset();
    const round = await Promise.all([0, 1].map(() => barrier.waitAsync({ timeout: 5_000 })));
    expect(round.sort()).toEqual([0, 1]);
  });
});

describe('a barrier whose internal lock stays held', () => {
  // Simulated by writing the lock's cell, as a thread killed inside the barrier's step leaves it (the
  // worker-death tests reach the same state by chance): this is the state nothing can repair yet.
  test('timed waits throw BrokenBarrierError caused by InternalStateLockedError; reset() and abort() throw it', async () => {
    const barrier = new Barrier(2);
    const lockCell = new Int32Array(barrier.handle.buffer, barrier.handle.byteOffset, 1);
    Atomics.store(lockCell, 0, 1);
    const error = await rejectionOf(barrier.waitAsync({ timeout: 50 }));
    expect(error).toBeInstanceOf(BrokenBarrierError);
    expect((error as Error).cause).toBeInstanceOf(InternalStateLockedError);
    expect(() => barrier.reset()).toThrow(InternalStateLockedError);
    expect(() => barrier.abort()).toThrow(InternalStateLockedError);
    expect(() => barrier.wait({ timeout: 0 })).toThrow(InternalStateLockedError);
    expect([barrier.broken, barrier.nWaiting]).toEqual([false, 0]);
    Atomics.store(lockCell, 0, 0);
  });
});
