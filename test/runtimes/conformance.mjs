// A runtime-neutral conformance script of @lockstep/primitives (its build in packages/primitives/dist),
// run by test/runtimes/primitives-on-runtimes.test.ts on Node 20/22/24, Bun and Deno. Threads are
// the runtime's own: `Thread` (worker_threads) where there is no Web Worker API (Node), `WebThread`
// (Web Workers) where there is (Bun, Deno). The main thread uses the async forms, workers the
// blocking ones. Prints one line per check, `ok <name>` or `not ok <name>: <error>`, then
// `done <passed>/<total>`; the last check ends on a wait that only keeps the runtime alive by itself.
const dist = new URL('../../packages/primitives/dist/', import.meta.url);
const useWeb = typeof globalThis.Worker === 'function';
const entry = new URL(useWeb ? 'web.js' : 'index.js', dist).href;
const lib = await import(entry);
const ThreadClass = useWeb ? lib.WebThread : lib.Thread;
const workerModule = new URL('./worker.mjs', import.meta.url);
const LONG = { timeout: 20_000 };

function assert(condition, what) {
  if (!condition) throw new Error(what);
}
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** Runs `task` in a new thread; resolves its result once the thread has ended. */
async function inThread(task, args = {}, options = {}) {
  const results = new lib.Queue();
  const thread = new ThreadClass(workerModule, { ...options, workerData: { entry, task, args, results: results.handle } });
  thread.start();
  const { result } = await results.getAsync(LONG);
  assert(await thread.join(LONG), `thread for ${task} did not end`);
  return { result, thread };
}

const checks = {
  async 'the entry loads; currentThread() and thread ids'() {
    assert(same(lib.currentThread(), { ident: 0, name: 'MainThread' }), `main: ${JSON.stringify(lib.currentThread())}`);
    const [a, b] = await Promise.all([inThread('identity', {}, { name: 'named' }), inThread('identity')]);
    assert(a.result.name === 'named' && a.result.ident === a.thread.ident, `named thread saw ${JSON.stringify(a.result)}`);
    assert(b.result.ident !== a.result.ident && b.result.ident > 0, `ids ${a.result.ident}, ${b.result.ident}`);
    if (useWeb) {
      const node = await import(new URL('index.js', dist).href);
      assert(typeof node.Thread === 'function', 'the Node entry loads too');
    }
  },
  async 'Lock: guarded increments by two threads (blocking) and the main thread (async)'() {
    const lock = new lib.Lock();
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const threads = [1, 2].map(() => inThread('lockIncrements', { lock: lock.handle, counter: counter.buffer, n: 20_000 }));
    for (let i = 0; i < 1_000; i++) {
      await lock.acquireAsync();
      counter[0] = counter[0] + 1;
      lock.release();
    }
    await Promise.all(threads);
    assert(counter[0] === 41_000, `counter ${counter[0]}`);
  },
  async 'Lock: timeouts, blocking in a thread and async here'() {
    const lock = new lib.Lock();
    await lock.acquireAsync();
    assert((await inThread('lockTimeout', { lock: lock.handle })).result === false, 'thread acquire({ timeout: 50 })');
    const other = new lib.Lock();
    other.tryAcquire();
    assert((await other.acquireAsync({ timeout: 50 })) === false, 'acquireAsync({ timeout: 50 })');
    lock.release();
  },
  async 'RLock: re-entrant blocking in a thread; async re-entry inside runExclusive (task scopes)'() {
    const rlock = new lib.RLock();
    assert((await inThread('rlockReentry', { rlock: rlock.handle })).result === 3, 'depth 3');
    const inner = await rlock.runExclusive(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      const got = await rlock.acquireAsync({ timeout: 1_000 });
      if (got) rlock.release();
      return got;
    });
    assert(inner === true, 're-entry after an await inside runExclusive');
    assert(!rlock.locked, 'free at the end');
  },
  async 'RLock: a thread that ends holding it is reported dead (OwnerDiedError), markConsistent() recovers'() {
    const rlock = new lib.RLock();
    await inThread('dieHoldingRLock', { rlock: rlock.handle });
    let error;
    try {
      await rlock.acquireAsync({ timeout: 10_000 });
    } catch (caught) {
      error = caught;
    }
    assert(error?.name === 'OwnerDiedError', `expected OwnerDiedError, got ${error?.name ?? 'no error'}`);
    rlock.markConsistent();
    rlock.release();
  },
  async 'Semaphore, Event, Condition across a thread'() {
    const semaphore = new lib.Semaphore(1);
    const permits = inThread('semaphore', { semaphore: semaphore.handle, rounds: 500 });
    for (let i = 0; i < 100; i++) {
      await semaphore.acquireAsync();
      semaphore.release();
    }
    await permits;
    const ping = new lib.Event();
    const pong = new lib.Event();
    const condition = new lib.Condition();
    const value = new Int32Array(new SharedArrayBuffer(4));
    const thread = inThread('eventAndCondition', { ping: ping.handle, pong: pong.handle, condition: condition.handle, value: value.buffer });
    assert(await ping.waitAsync(LONG), 'ping');
    pong.set();
    await condition.acquireAsync();
    Atomics.store(value, 0, 1);
    condition.notifyAll();
    const back = await condition.waitForAsync(() => Atomics.load(value, 0) === 2, LONG);
    condition.release();
    assert(back, 'condition notified back');
    assert(same((await thread).result, { woken: true, reached: true }), 'thread saw');
  },
  async 'Barrier: the main thread and two threads cross together'() {
    const barrier = new lib.Barrier(3);
    const parties = [1, 2].map(() => inThread('barrier', { barrier: barrier.handle }));
    const mine = await barrier.waitAsync(LONG);
    const indices = [mine, ...(await Promise.all(parties)).map((p) => p.result)].sort();
    assert(same(indices, [0, 1, 2]), `indices ${indices}`);
  },
  async 'Queue: items of every kind to a thread and back; join'() {
    const requests = new lib.Queue();
    const replies = new lib.Queue({ maxSize: 2 });
    const thread = inThread('queueEcho', { requests: requests.handle, replies: replies.handle });
    const items = [1.5, 'héllo', { a: [1, { b: null }] }, new Map([[1, 'x']]), new Set(['y']), new Date(0), 2n ** 70n, new Uint8Array([1, 255]), new Error('e')];
    const received = [];
    const receiving = (async () => {
      for (let i = 0; i < items.length; i++) received.push(await replies.getAsync(LONG));
    })();
    for (const item of items) await requests.putAsync(item, LONG);
    await receiving;
    await requests.putAsync(null);
    assert(await requests.joinAsync(LONG), 'joinAsync');
    assert((await thread).result === items.length, 'count');
    const describe = (v) =>
      v instanceof Map || v instanceof Set ? [v.constructor.name, [...v]] :
      v instanceof Date ? ['Date', v.getTime()] :
      typeof v === 'bigint' ? ['BigInt', String(v)] :
      v instanceof Uint8Array ? ['Uint8Array', [...v]] :
      v instanceof Error ? ['Error', v.message] : v;
    assert(same(received.map(describe), items.map(describe)), `received ${JSON.stringify(received.map(describe))}`);
    let empty;
    try {
      await new lib.Queue().getAsync({ timeout: 30 });
    } catch (error) {
      empty = error.name;
    }
    assert(empty === 'QueueEmpty', `getAsync timeout: ${empty}`);
  },
  async 'an async wait keeps the runtime alive while pending (a daemon thread sets the event later)'() {
    const event = new lib.Event();
    const results = new lib.Queue();
    const thread = new ThreadClass(workerModule, { daemon: true, workerData: { entry, task: 'setLater', args: { event: event.handle, delay: 300 }, results: results.handle } });
    thread.start();
    // Nothing else is pending: without the keep-alive the runtime would exit here, mid-wait.
    assert(await event.waitAsync({ timeout: 20_000 }), 'woken by the daemon thread');
  },
};

let passed = 0;
const names = Object.keys(checks);
for (const name of names) {
  try {
    await checks[name]();
    passed += 1;
    console.log(`ok ${name}`);
  } catch (error) {
    console.log(`not ok ${name}: ${String(error?.stack ?? error).replaceAll('\n', ' | ')}`);
  }
}
console.log(`done ${passed}/${names.length}`);
