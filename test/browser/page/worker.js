/* global postMessage */
// The module every WebThread of the conformance page runs: `workerData()` names a task and its
// arguments (primitives as handles); the task's result goes back with postMessage({ result }).
// Blocking forms are used on purpose: a Web Worker may block.
import * as lib from '/dist/web.js';

const { task, ...args } = lib.workerData();

function elapsedSince(start) {
  return Math.round(performance.now() - start);
}

const tasks = {
  identity: ({ echo }) => ({ ...lib.currentThread(), echo, isAlive: true }),

  /** `n` increments of a shared counter, each under the lock, with the blocking form. */
  lockIncrements: ({ lock, counter, n }) => {
    const guard = lib.Lock.from(lock);
    const cells = new Int32Array(counter);
    for (let i = 0; i < n; i++) {
      guard.acquire();
      cells[0] = cells[0] + 1; // a plain read-modify-write: only the lock makes it safe
      guard.release();
    }
    return n;
  },

  /** Holds the lock until `release` is set; says so with `held`. */
  holdLock: ({ lock, held, release }) => {
    const guard = lib.Lock.from(lock);
    guard.acquire();
    lib.Event.from(held).set();
    const released = lib.Event.from(release).wait({ timeout: 20_000 });
    guard.release();
    return released;
  },

  /** A blocking acquire with a timeout, on a lock someone else holds. */
  lockTimeout: ({ lock, timeout }) => {
    const start = performance.now();
    const got = lib.Lock.from(lock).acquire({ timeout });
    return { got, elapsed: elapsedSince(start) };
  },

  /** Re-entrant blocking use of an RLock, then holds it until `release` is set. */
  rlockReentry: ({ rlock, held, release }) => {
    const guard = lib.RLock.from(rlock);
    guard.acquire();
    const again = guard.acquire({ timeout: 0 });
    const third = guard.tryAcquire();
    lib.Event.from(held).set();
    lib.Event.from(release).wait({ timeout: 20_000 });
    guard.release();
    guard.release();
    const stillOwned = guard.isOwnedByCaller();
    guard.release();
    return { again, third, stillOwned, ownedAfter: guard.isOwnedByCaller() };
  },

  /** Takes a permit (blocking), notes the peak of holders, gives it back. */
  semaphorePermits: ({ semaphore, inside, peak, rounds }) => {
    const permits = lib.Semaphore.from(semaphore);
    const now = new Int32Array(inside);
    const most = new Int32Array(peak);
    for (let i = 0; i < rounds; i++) {
      permits.acquire();
      const holders = Atomics.add(now, 0, 1) + 1;
      let seen = Atomics.load(most, 0);
      while (holders > seen && Atomics.compareExchange(most, 0, seen, holders) !== seen) seen = Atomics.load(most, 0);
      for (let spin = 0; spin < 2_000; spin++) Atomics.load(now, 0);
      Atomics.sub(now, 0, 1);
      permits.release();
    }
    return rounds;
  },

  /** Sets one event, then waits (blocking) for another: with and without a timeout. */
  eventPingPong: ({ ping, pong }) => {
    const timedOut = lib.Event.from(pong).wait({ timeout: 50 });
    lib.Event.from(ping).set();
    const woken = lib.Event.from(pong).wait({ timeout: 20_000 });
    return { timedOut, woken };
  },

  /** Waits (blocking) on a condition until the shared value reaches `target`, then notifies back. */
  conditionWaitFor: ({ condition, value, target }) => {
    const cond = lib.Condition.from(condition);
    const cells = new Int32Array(value);
    cond.acquire();
    const reached = cond.waitFor(() => Atomics.load(cells, 0) >= target, { timeout: 20_000 });
    Atomics.store(cells, 0, -1);
    cond.notifyAll();
    cond.release();
    return reached;
  },

  /** One party of a barrier (blocking wait); returns its arrival index. */
  barrierParty: ({ barrier }) => lib.Barrier.from(barrier).wait({ timeout: 20_000 }),

  /** A barrier wait that times out: the barrier breaks. */
  barrierTimeout: ({ barrier }) => {
    try {
      lib.Barrier.from(barrier).wait({ timeout: 100 });
      return 'passed';
    } catch (error) {
      return error.name;
    }
  },

  /** Echoes every item of `requests` into `replies` (blocking get and put) until `null`, marking each done. */
  queueEcho: ({ requests, replies }) => {
    const inbox = lib.Queue.from(requests);
    const outbox = lib.Queue.from(replies);
    let count = 0;
    for (;;) {
      const item = inbox.get({ timeout: 20_000 });
      inbox.taskDone();
      if (item === null) return count;
      outbox.put(item, { timeout: 20_000 });
      count += 1;
    }
  },

  /** Keeps a queue busy: takes an item and puts it back (blocking forms), marking it done, until `stop` is set. */
  queueBusy: ({ queue, stop, cycles }) => {
    const q = lib.Queue.from(queue);
    const done = lib.Event.from(stop);
    const count = new Int32Array(cycles);
    while (!done.isSet) {
      q.put(q.get({ timeout: 20_000 }));
      q.taskDone();
      Atomics.add(count, 0, 1);
    }
    return Atomics.load(count, 0);
  },

  /** A blocking get on an empty queue with a timeout. */
  queueGetTimeout: ({ queue, timeout }) => {
    const start = performance.now();
    try {
      lib.Queue.from(queue).get({ timeout });
      return { name: 'got an item', elapsed: elapsedSince(start) };
    } catch (error) {
      return { name: error.name, elapsed: elapsedSince(start) };
    }
  },

  /** Puts `n` numbers into a priority queue (blocking put into a bounded queue). */
  priorityProducer: ({ queue, values }) => {
    const q = lib.PriorityQueue.from(queue);
    for (const value of values) q.put(value, { timeout: 20_000 });
    return values.length;
  },

  /** Takes an RLock and ends without releasing it. */
  dieHoldingRLock: ({ rlock }) => lib.RLock.from(rlock).acquire(),

  throws: () => {
    throw new RangeError('thrown on purpose by the worker');
  },
};

const run = tasks[task];
if (run === undefined) throw new Error(`worker.js: no task ${task}`);
postMessage({ result: await run(args) });
