// The thread module of conformance.mjs, on every runtime: started by `Thread` (worker_threads: its
// data is `workerData`) or by `WebThread` (Web Workers: `workerData()` of the web entry). Runs the
// task named in its data, blocking forms throughout, and puts its result into the `results` queue.
const workerThreads = globalThis.process?.getBuiltinModule?.('node:worker_threads');
const data = workerThreads?.workerData ?? (await import(new URL('../../packages/primitives/dist/web.js', import.meta.url).href)).workerData();
const lib = await import(data.entry);
const { task, args } = data;

const tasks = {
  identity: () => lib.currentThread(),
  lockIncrements: ({ lock, counter, n }) => {
    const guard = lib.Lock.from(lock);
    const cells = new Int32Array(counter);
    for (let i = 0; i < n; i++) {
      guard.acquire();
      cells[0] = cells[0] + 1;
      guard.release();
    }
    return n;
  },
  lockTimeout: ({ lock }) => lib.Lock.from(lock).acquire({ timeout: 50 }),
  rlockReentry: ({ rlock }) => {
    const guard = lib.RLock.from(rlock);
    const depth = [guard.acquire(), guard.acquire({ timeout: 0 }), guard.tryAcquire()].filter(Boolean).length;
    guard.release();
    guard.release();
    guard.release();
    return depth;
  },
  dieHoldingRLock: ({ rlock }) => lib.RLock.from(rlock).acquire(),
  semaphore: ({ semaphore, rounds }) => {
    const permits = lib.Semaphore.from(semaphore);
    for (let i = 0; i < rounds; i++) {
      permits.acquire();
      permits.release();
    }
    return rounds;
  },
  eventAndCondition: ({ ping, pong, condition, value }) => {
    lib.Event.from(ping).set();
    const woken = lib.Event.from(pong).wait({ timeout: 20_000 });
    const cond = lib.Condition.from(condition);
    const cells = new Int32Array(value);
    cond.acquire();
    const reached = cond.waitFor(() => Atomics.load(cells, 0) === 1, { timeout: 20_000 });
    Atomics.store(cells, 0, 2);
    cond.notifyAll();
    cond.release();
    return { woken, reached };
  },
  barrier: ({ barrier }) => lib.Barrier.from(barrier).wait({ timeout: 20_000 }),
  queueEcho: ({ requests, replies }) => {
    const inbox = lib.Queue.from(requests);
    const outbox = lib.Queue.from(replies);
    let count = 0;
    for (let item = inbox.get({ timeout: 20_000 }); item !== null; item = inbox.get({ timeout: 20_000 })) {
      inbox.taskDone();
      outbox.put(item, { timeout: 20_000 });
      count += 1;
    }
    inbox.taskDone();
    return count;
  },
  setLater: ({ event, delay }) => new Promise((resolve) => setTimeout(() => resolve(lib.Event.from(event).set()), delay)),
};

lib.Queue.from(data.results).put({ result: await tasks[task](args) });
