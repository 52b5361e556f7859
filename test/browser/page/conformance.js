/* global window, crossOriginIsolated */
// Conformance checks of @lockstep/primitives in a browser, run on the page's main thread (which may
// not block: async forms only) against module Web Workers started with WebThread (blocking forms, in
// page/worker.js). test/browser/primitives-in-chromium.test.ts runs each check by name through
// window.lockstep.run(name), which resolves { ok: true } or { ok: false, error }.
import {
  Barrier,
  BoundedSemaphore,
  Condition,
  currentThread,
  Event,
  Lock,
  PriorityQueue,
  Queue,
  RLock,
  Semaphore,
  WebThread,
} from '/dist/web.js';

const WORKER = new URL('./worker.js', import.meta.url);
const LONG = { timeout: 20_000 };

function fail(message) {
  throw new Error(message);
}

function equal(actual, expected, what) {
  const [a, e] = [JSON.stringify(actual), JSON.stringify(expected)];
  if (a !== e) fail(`${what}: expected ${e}, got ${a}`);
}

function check(condition, what) {
  if (!condition) fail(what);
}

async function rejectsWith(promise, name, what) {
  try {
    await promise;
  } catch (error) {
    if (error?.name !== name) fail(`${what}: expected ${name}, got ${error?.name}: ${error?.message}`);
    return error;
  }
  return fail(`${what}: expected ${name}, but it resolved`);
}

function throwsWith(fn, name, what) {
  try {
    fn();
  } catch (error) {
    if (error?.name !== name) fail(`${what}: expected ${name}, got ${error?.name}: ${error?.message}`);
    return error;
  }
  return fail(`${what}: expected ${name}, but it returned`);
}

/** Starts a WebThread on worker.js running `task`; `result` resolves with the task's result once the thread has ended. */
function start(task, args = {}, name = undefined) {
  const thread = new WebThread(WORKER, { name, workerData: { task, ...args } });
  thread.start();
  const posted = new Promise((resolve, reject) => {
    thread.worker.addEventListener('message', (event) => resolve(event.data.result));
    void thread.join().then(() => reject(thread.error ?? new Error(`thread ${thread.name} ended without a result`)));
  });
  const result = posted.then(async (value) => {
    if (!(await thread.join(LONG))) fail(`thread ${thread.name} did not end`);
    return value;
  });
  return { thread, result };
}

const ints = (n = 1) => new Int32Array(new SharedArrayBuffer(4 * n));

const checks = {
  async 'the page is cross-origin isolated, and its main thread may not block'() {
    equal(crossOriginIsolated, true, 'crossOriginIsolated');
    equal(currentThread(), { ident: 0, name: 'MainThread' }, 'currentThread() on the main thread');
    throwsWith(() => Atomics.wait(ints(), 0, 0, 0), 'TypeError', 'Atomics.wait on the main thread');
  },

  async 'WebThread: name, ident, workerData and currentThread() inside; join() and isAlive'() {
    const a = start('identity', { echo: { n: 1, text: 'hé' } }, 'worker-a');
    const b = start('identity', { echo: [2] });
    equal(a.thread.isAlive, true, 'isAlive after start()');
    const [ra, rb] = await Promise.all([a.result, b.result]);
    equal(ra, { ident: a.thread.ident, name: 'worker-a', echo: { n: 1, text: 'hé' }, isAlive: true }, 'worker-a sees');
    check(/^Thread-\d+$/.test(rb.name), `default name, got ${rb.name}`);
    check(rb.ident === b.thread.ident && rb.ident !== ra.ident && ra.ident > 0, `distinct ids: ${ra.ident}, ${rb.ident}`);
    equal(a.thread.isAlive, false, 'isAlive after the module ended');
    equal(await a.thread.join({ timeout: 0 }), true, 'join() of an ended thread');
    throwsWith(() => a.thread.start(), 'ThreadStateError', 'start() twice');
  },

  async 'WebThread: what the module throws is kept in thread.error, and join() resolves'() {
    const thread = new WebThread(WORKER, { name: 'thrower', workerData: { task: 'throws' } });
    const logged = [];
    const original = console.error;
    console.error = (...args) => logged.push(args.join(' '));
    try {
      thread.start();
      equal(await thread.join(LONG), true, 'join()');
    } finally {
      console.error = original;
    }
    equal(thread.error?.name, 'RangeError', 'thread.error');
    check(logged.some((line) => line.includes('Exception in thread thrower')), `reported on the console: ${JSON.stringify(logged)}`);
  },

  async 'Lock: guarded increments by two workers (blocking) and the main thread (async) all count'() {
    const lock = new Lock();
    const counter = ints();
    const workers = [1, 2].map((n) => start('lockIncrements', { lock: lock.handle, counter: counter.buffer, n: 20_000 }, `inc-${n}`));
    for (let i = 0; i < 2_000; i++) {
      await lock.acquireAsync();
      counter[0] = counter[0] + 1;
      lock.release();
    }
    await Promise.all(workers.map((w) => w.result));
    equal(counter[0], 42_000, 'counter');
    equal(lock.locked, false, 'lock.locked at the end');
  },

  async 'Lock: timeouts (blocking in a worker, async here), abort, any thread may release'() {
    const lock = new Lock();
    await lock.acquireAsync();
    const timed = await start('lockTimeout', { lock: lock.handle, timeout: 100 }).result;
    check(timed.got === false && timed.elapsed >= 90, `worker acquire({ timeout: 100 }) on a held lock: ${JSON.stringify(timed)}`);
    lock.release();

    const held = new Event();
    const release = new Event();
    const holder = start('holdLock', { lock: lock.handle, held: held.handle, release: release.handle });
    equal(await held.waitAsync(LONG), true, 'the worker holds the lock');
    const started = performance.now();
    equal(await lock.acquireAsync({ timeout: 100 }), false, 'acquireAsync({ timeout: 100 }) on a lock a worker holds');
    check(performance.now() - started >= 90, 'the timeout was waited out');
    const controller = new AbortController();
    const aborted = lock.acquireAsync({ signal: controller.signal });
    controller.abort();
    await rejectsWith(aborted, 'AbortError', 'acquireAsync({ signal }) aborted');
    release.set();
    equal(await holder.result, true, 'the worker released');
    equal(await lock.acquireAsync(LONG), true, 'acquireAsync() once free');
    const other = start('lockTimeout', { lock: lock.handle, timeout: 50 });
    equal((await other.result).got, false, 'held by the main thread');
    lock.release();
    equal(lock.locked, false, 'released');
  },

  async 'every blocking form throws BlockingNotAllowedError on the main thread when it would wait, and changes nothing'() {
    const lock = new Lock();
    await lock.acquireAsync();
    const rlock = new RLock();
    await rlock.acquireAsync();
    const semaphore = new Semaphore(0);
    const condition = new Condition();
    await condition.acquireAsync();
    const event = new Event();
    const empty = new Queue();
    const full = new Queue({ maxSize: 1 });
    full.putNowait(1);
    const unfinished = new Queue();
    unfinished.putNowait(1);
    const forms = {
      'Lock.acquire()': () => lock.acquire(),
      'Lock.acquire({ timeout })': () => lock.acquire({ timeout: 50 }),
      'Lock.hold()': () => lock.hold(),
      'RLock.acquire()': () => rlock.acquire(),
      'Semaphore.acquire()': () => semaphore.acquire(),
      'Condition.wait()': () => condition.wait({ timeout: 50 }),
      'Condition.waitFor()': () => condition.waitFor(() => false, { timeout: 50 }),
      'Event.wait()': () => event.wait(),
      'Event.wait({ timeout })': () => event.wait({ timeout: 50 }),
      'Queue.get()': () => empty.get(),
      'Queue.get({ timeout })': () => empty.get({ timeout: 50 }),
      'Queue.put()': () => full.put(2),
      'Queue.join()': () => unfinished.join(),
    };
    for (const [form, call] of Object.entries(forms)) throwsWith(call, 'BlockingNotAllowedError', form);
    check(condition.lock.locked, 'Condition.wait() kept the lock held');
    equal([full.size, unfinished.size, empty.size], [1, 1, 0], 'the queues are untouched');
    // The same primitives through their async forms work here.
    condition.release();
    lock.release();
    rlock.release();
    semaphore.release();
    equal(await semaphore.acquireAsync({ timeout: 1_000 }), true, 'Semaphore.acquireAsync()');
    event.set();
    equal(await event.waitAsync({ timeout: 1_000 }), true, 'Event.waitAsync()');
    equal(await full.getAsync({ timeout: 1_000 }), 1, 'Queue.getAsync()');
    unfinished.getNowait();
    unfinished.taskDone();
    equal(await unfinished.joinAsync({ timeout: 1_000 }), true, 'Queue.joinAsync()');
    // Calls that never wait are fine on the main thread too.
    equal(lock.tryAcquire(), true, 'Lock.tryAcquire()');
    lock.release();
    equal(lock.acquire({ timeout: 0 }), true, 'Lock.acquire({ timeout: 0 }) on a free lock');
    lock.release();
    // A blocking form that need not wait completes: the rule is "throws where it would wait".
    equal(new Event().wait({ timeout: 0 }), false, 'Event.wait({ timeout: 0 }) of a clear event');
    full.putNowait(7);
    equal(full.get(), 7, 'Queue.get() of a non-empty queue');
    equal(condition.waitFor(() => 'yes'), 'yes', 'Condition.waitFor() of a true predicate');
  },

  async 'Barrier.wait() on the main thread throws BlockingNotAllowedError before it arrives'() {
    const barrier = new Barrier(2);
    throwsWith(() => barrier.wait(), 'BlockingNotAllowedError', 'Barrier.wait()');
    throwsWith(() => barrier.wait({ timeout: 50 }), 'BlockingNotAllowedError', 'Barrier.wait({ timeout })');
    equal([barrier.nWaiting, barrier.broken], [0, false], 'the barrier is untouched');
    // Not counted as arrived: a worker party and the main thread (async) make a full round.
    const party = start('barrierParty', { barrier: barrier.handle });
    const mine = await barrier.waitAsync(LONG);
    equal([mine, await party.result].sort(), [0, 1], 'a full round of two after the refused waits');
    // The last party of a round waits for nobody: its blocking wait completes here.
    const last = new Barrier(2);
    const first = start('barrierParty', { barrier: last.handle });
    const deadline = performance.now() + 20_000;
    while (last.nWaiting !== 1 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
    equal(last.wait(), 1, 'Barrier.wait() by the last party, on the main thread');
    equal(await first.result, 0, 'the worker party was released');
  },

  async 'non-waiting calls here never throw BlockingNotAllowedError, while a worker keeps the queue busy'() {
    // A worker loops get/put/taskDone on the queue with blocking calls, so its internal lock is often
    // held when the main thread asks: then the main thread spins for it (it may not block). Items
    // circulate, so the queue ends holding what it started with, each item once.
    const K = 200;
    const queue = new Queue();
    for (let i = 0; i < K; i++) queue.putNowait(i);
    const stop = new Event();
    const cycles = ints();
    const worker = start('queueBusy', { queue: queue.handle, stop: stop.handle, cycles: cycles.buffer });
    const deadline = performance.now() + 20_000;
    while (Atomics.load(cycles, 0) === 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
    check(Atomics.load(cycles, 0) > 0, 'the busy worker started');
    let retried = 0;
    // A non-waiting call gives up after 100 ms on a holder descheduled that long (documented): try again then.
    const retrying = (call) => {
      for (;;) {
        try {
          return call();
        } catch (error) {
          if (error?.name !== 'InternalStateLockedError') throw error;
          retried += 1;
        }
      }
    };
    const before = Atomics.load(cycles, 0);
    for (let i = 0; i < 3_000; i++) {
      const item = retrying(() => queue.getNowait());
      retrying(() => queue.putNowait(item));
      retrying(() => queue.taskDone());
    }
    check(Atomics.load(cycles, 0) > before, 'the worker cycled meanwhile');
    stop.set();
    check((await worker.result) > 0, 'the worker ended');
    equal(queue.size, K, 'queue.size');
    const items = [];
    while (!queue.empty) items.push(queue.getNowait());
    equal(items.sort((a, b) => a - b), Array.from({ length: K }, (_, i) => i), 'every item once');
    for (let i = 0; i < K; i++) queue.taskDone();
    equal(await queue.joinAsync({ timeout: 0 }), true, 'no task left unfinished');
    check(retried >= 0, 'retries counted');
  },

  async 'RLock: re-entrant in a worker, exclusive across threads, owner-checked release, async here'() {
    const rlock = new RLock();
    const held = new Event();
    const release = new Event();
    const worker = start('rlockReentry', { rlock: rlock.handle, held: held.handle, release: release.handle });
    equal(await held.waitAsync(LONG), true, 'the worker holds the RLock three deep');
    equal(await rlock.acquireAsync({ timeout: 50 }), false, 'acquireAsync() while a worker owns it');
    throwsWith(() => rlock.release(), 'LockStateError', 'release() by a thread that does not own it');
    release.set();
    equal(await worker.result, { again: true, third: true, stillOwned: true, ownedAfter: false }, 'the worker saw');
    equal(await rlock.acquireAsync(LONG), true, 'acquireAsync() once free');
    rlock.release();
    equal(rlock.locked, false, 'free at the end');
  },

  async 'RLock: without task scopes (no AsyncLocalStorage), async re-entry inside runExclusive waits for itself'() {
    // The documented browser limit: each async acquisition is its own owner.
    const rlock = new RLock();
    const inner = await rlock.runExclusive(() => rlock.acquireAsync({ timeout: 50 }));
    equal(inner, false, 'nested acquireAsync inside runExclusive');
    equal(rlock.locked, false, 'runExclusive released the lock');
  },

  async 'RLock: a WebThread that ends holding it is dead: the next acquirer gets OwnerDiedError and recovers'() {
    const rlock = new RLock();
    const worker = start('dieHoldingRLock', { rlock: rlock.handle });
    equal(await worker.result, true, 'the worker took the RLock');
    const error = await rejectsWith(rlock.acquireAsync({ timeout: 10_000 }), 'OwnerDiedError', 'acquireAsync() after the owner ended');
    equal(error.ownerIdent, worker.thread.ident, 'OwnerDiedError.ownerIdent');
    rlock.markConsistent();
    rlock.release();
    equal(await rlock.acquireAsync({ timeout: 1_000 }), true, 'usable again after markConsistent()');
    rlock.release();
  },

  async 'Semaphore and BoundedSemaphore: two permits shared by three workers and the main thread'() {
    const semaphore = new Semaphore(2);
    const inside = ints();
    const peak = ints();
    const args = { semaphore: semaphore.handle, inside: inside.buffer, peak: peak.buffer, rounds: 300 };
    const workers = [1, 2, 3].map((n) => start('semaphorePermits', args, `sem-${n}`));
    for (let i = 0; i < 100; i++) {
      await semaphore.acquireAsync();
      const holders = Atomics.add(inside, 0, 1) + 1;
      if (holders > Atomics.load(peak, 0)) Atomics.store(peak, 0, Math.max(holders, Atomics.load(peak, 0)));
      Atomics.sub(inside, 0, 1);
      semaphore.release();
    }
    await Promise.all(workers.map((w) => w.result));
    check(peak[0] >= 1 && peak[0] <= 2, `at most two holders at once, saw ${peak[0]}`);
    equal(await semaphore.acquireAsync({ timeout: 0 }), true, 'permits are back');
    semaphore.release();
    const bounded = new BoundedSemaphore(1);
    throwsWith(() => bounded.release(), 'RangeError', 'BoundedSemaphore released above its initial value');
  },

  async 'Event: a worker sets it for waitAsync here; set here wakes the blocking wait there; timeouts'() {
    const ping = new Event();
    const pong = new Event();
    const worker = start('eventPingPong', { ping: ping.handle, pong: pong.handle });
    equal(await ping.waitAsync(LONG), true, 'waitAsync() woken by the worker');
    pong.set();
    equal(await worker.result, { timedOut: false, woken: true }, 'the worker saw');
    const started = performance.now();
    equal(await new Event().waitAsync({ timeout: 100 }), false, 'waitAsync({ timeout: 100 }) never set');
    check(performance.now() - started >= 90, 'the timeout was waited out');
    equal(ping.isSet, true, 'isSet');
    ping.clear();
    equal(ping.isSet, false, 'clear()');
  },

  async 'Condition: a worker waits (blocking) for what the main thread sets under the lock (async forms)'() {
    const condition = new Condition();
    const value = ints();
    const worker = start('conditionWaitFor', { condition: condition.handle, value: value.buffer, target: 3 });
    for (let i = 1; i <= 3; i++) {
      await condition.acquireAsync();
      Atomics.store(value, 0, i);
      condition.notifyAll();
      condition.release();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await condition.acquireAsync();
    const seen = await condition.waitForAsync(() => Atomics.load(value, 0) === -1, LONG);
    condition.release();
    equal(seen, true, 'waitForAsync() woken by the worker');
    equal(await worker.result, true, 'the worker saw its predicate come true');
    throwsWith(() => condition.notify(), 'LockStateError', 'notify() without the lock');
  },

  async 'Barrier: the main thread (waitAsync) and two workers (wait) cross together; a timeout breaks it'() {
    const barrier = new Barrier(3);
    const parties = [1, 2].map(() => start('barrierParty', { barrier: barrier.handle }));
    const mine = await barrier.waitAsync(LONG);
    const indices = [mine, ...(await Promise.all(parties.map((p) => p.result)))].sort();
    equal(indices, [0, 1, 2], 'arrival indices');
    const breaking = new Barrier(2);
    equal(await start('barrierTimeout', { barrier: breaking.handle }).result, 'BrokenBarrierError', 'the worker timed out');
    equal(breaking.broken, true, 'broken after a timeout');
    await rejectsWith(breaking.waitAsync({ timeout: 1_000 }), 'BrokenBarrierError', 'waitAsync() on a broken barrier');
    breaking.reset();
    equal(breaking.broken, false, 'reset() repairs it');
  },

  async 'Queue: items of every kind go to a worker and back (blocking there, async here); taskDone and join'() {
    const requests = new Queue();
    const replies = new Queue({ maxSize: 2 });
    const worker = start('queueEcho', { requests: requests.handle, replies: replies.handle });
    const items = [
      42,
      -1.5,
      'héllo, 世界',
      '',
      true,
      { a: [1, { b: 'c' }], n: null },
      [1, 'two', [3]],
      new Map([[1, 'one'], ['k', { v: 2 }]]),
      new Set([1, 'x']),
      new Date(86_400_000),
      12_345_678_901_234_567_890n,
      new Uint8Array([1, 2, 255]),
      new Error('boxed'),
    ];
    const received = [];
    const receiving = (async () => {
      for (let i = 0; i < items.length; i++) received.push(await replies.getAsync(LONG));
    })();
    for (const item of items) await requests.putAsync(item, LONG);
    await receiving;
    await requests.putAsync(null, LONG);
    equal(await requests.joinAsync(LONG), true, 'joinAsync() after the worker marked every item done');
    equal(await worker.result, items.length, 'items echoed');
    const describe = (value) =>
      value instanceof Map ? ['Map', [...value]] :
      value instanceof Set ? ['Set', [...value]] :
      value instanceof Date ? ['Date', value.getTime()] :
      typeof value === 'bigint' ? ['BigInt', String(value)] :
      value instanceof Uint8Array ? ['Uint8Array', [...value]] :
      value instanceof Error ? ['Error', value.name, value.message] :
      value;
    equal(received.map(describe), items.map(describe), 'items as received');
  },

  async 'Queue: timeouts give QueueEmpty/QueueFull in a worker and here; a PriorityQueue filled by a worker drains in order'() {
    const queue = new Queue();
    const timed = await start('queueGetTimeout', { queue: queue.handle, timeout: 100 }).result;
    check(timed.name === 'QueueEmpty' && timed.elapsed >= 90, `worker get({ timeout: 100 }): ${JSON.stringify(timed)}`);
    await rejectsWith(queue.getAsync({ timeout: 50 }), 'QueueEmpty', 'getAsync({ timeout: 50 })');
    throwsWith(() => queue.getNowait(), 'QueueEmpty', 'getNowait()');
    const full = new Queue({ maxSize: 1 });
    full.putNowait('x');
    throwsWith(() => full.putNowait('y'), 'QueueFull', 'putNowait() on a full queue');
    await rejectsWith(full.putAsync('y', { timeout: 50 }), 'QueueFull', 'putAsync({ timeout: 50 }) on a full queue');
    const priority = new PriorityQueue();
    const values = [5, 3, 9, 1, 7, 2, 8];
    equal(await start('priorityProducer', { queue: priority.handle, values }).result, values.length, 'produced');
    const drained = [];
    while (!priority.empty) drained.push(priority.getNowait());
    equal(drained, [...values].sort((a, b) => a - b), 'drained');
  },
};

async function run(name) {
  const checkFn = checks[name];
  if (checkFn === undefined) return { ok: false, error: `no check named ${JSON.stringify(name)}` };
  try {
    await checkFn();
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
}

window.lockstep = { names: Object.keys(checks), run };
