import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

// A pending `Atomics.waitAsync` does not keep Node's event loop alive. Each test runs a child Node
// process whose main thread's only pending work is one async wait on a primitive that an unref'd
// worker (one that does not keep the process alive either) releases or sets about 200 ms later. The
// child must print the wait's outcome and exit 0 by itself; without a keep-alive it exits at once,
// with code 13 ("unsettled top-level await") and no output. A child still running after KILL_AFTER_MS
// (a handle left behind after the wait settled) is killed and fails the test. No test times anything.

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const KILL_AFTER_MS = 30_000;

interface ChildOutcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly killed: boolean;
}

/** Runs `source` as an ES module in a child Node process (cwd: the package, so `@lockstep/primitives` resolves to its build). */
function runChild(source: string): Promise<ChildOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', PRELUDE + source], {
      cwd: packageRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const killTimer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, KILL_AFTER_MS);
    child.once('error', (error) => {
      clearTimeout(killTimer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(killTimer);
      resolve({ code, stdout: stdout.trim(), stderr, killed });
    });
  });
}

/**
 * In the child: `later(body, data)` starts an unref'd worker that runs `body(lib, data)` (self-contained,
 * sent as source) with the package loaded; `print(value)` writes the outcome as JSON.
 */
const PRELUDE = `
import { Worker } from 'node:worker_threads';
import * as lib from '@lockstep/primitives';
const libUrl = import.meta.resolve('@lockstep/primitives');
const later = (body, data) => {
  const worker = new Worker(
    "import { workerData } from 'node:worker_threads';" +
      'const lib = await import(workerData.libUrl);' +
      '(' + body.toString() + ')(lib, workerData.data);',
    { eval: true, execArgv: ['--input-type=module'], workerData: { libUrl, data } },
  );
  worker.unref();
};
const print = (value) => console.log(JSON.stringify(value));
const errorName = (error) => error?.name ?? String(error);
`;

async function expectWaitsItOut(source: string, expected: unknown): Promise<void> {
  const outcome = await runChild(source);
  expect({ ...outcome, stdout: outcome.stdout.split('\n').map((line) => (line === '' ? line : JSON.parse(line) as unknown)) }).toEqual({
    code: 0,
    stdout: [expected],
    stderr: '',
    killed: false,
  });
}

describe('an async wait keeps the process alive while pending, and only then', () => {
  test('Lock.acquireAsync() on a lock a worker releases later', async () => {
    await expectWaitsItOut(
      `
      const lock = new lib.Lock();
      lock.acquire();
      later((lib, handle) => setTimeout(() => lib.Lock.from(handle).release(), 200), lock.handle);
      print(await lock.acquireAsync());
      `,
      true,
    );
  });

  test('Lock.acquireAsync() with a timeout and a signal', async () => {
    await expectWaitsItOut(
      `
      const lock = new lib.Lock();
      lock.acquire();
      later((lib, handle) => setTimeout(() => lib.Lock.from(handle).release(), 200), lock.handle);
      print(await lock.acquireAsync({ timeout: 60_000, signal: new AbortController().signal }));
      `,
      true,
    );
  });

  test('RLock.acquireAsync() on a lock a worker holds, then releases', async () => {
    await expectWaitsItOut(
      `
      const rlock = new lib.RLock();
      const held = new lib.Event();
      later((lib, { rlock, held }) => {
        const lock = lib.RLock.from(rlock);
        lock.acquire();
        lib.Event.from(held).set();
        setTimeout(() => lock.release(), 200);
      }, { rlock: rlock.handle, held: held.handle });
      held.wait();
      print(await rlock.acquireAsync());
      `,
      true,
    );
  });

  test('Semaphore.acquireAsync() on a permit a worker releases later', async () => {
    await expectWaitsItOut(
      `
      const semaphore = new lib.Semaphore(0);
      later((lib, handle) => setTimeout(() => lib.Semaphore.from(handle).release(), 200), semaphore.handle);
      print(await semaphore.acquireAsync());
      `,
      true,
    );
  });

  test('Event.waitAsync() on an event a worker sets later', async () => {
    await expectWaitsItOut(
      `
      const event = new lib.Event();
      later((lib, handle) => setTimeout(() => lib.Event.from(handle).set(), 200), event.handle);
      print(await event.waitAsync());
      `,
      true,
    );
  });

  test('Event.waitAsync({ timeout }) that times out, nothing else pending', async () => {
    await expectWaitsItOut(
      `
      print(await new lib.Event().waitAsync({ timeout: 300 }));
      `,
      false,
    );
  });

  test('Event.waitAsync({ signal: AbortSignal.timeout() }) that is aborted (that timer does not keep Node alive either)', async () => {
    await expectWaitsItOut(
      `
      try {
        print(await new lib.Event().waitAsync({ signal: AbortSignal.timeout(300) }));
      } catch (error) {
        print(errorName(error));
      }
      `,
      'TimeoutError',
    );
  });

  test('Queue.getAsync() on an item a worker puts later', async () => {
    await expectWaitsItOut(
      `
      const queue = new lib.Queue();
      later((lib, handle) => setTimeout(() => lib.Queue.from(handle).put({ from: 'worker' }), 200), queue.handle);
      print(await queue.getAsync());
      `,
      { from: 'worker' },
    );
  });

  test('PriorityQueue.getAsync({ timeout }) that times out', async () => {
    await expectWaitsItOut(
      `
      try {
        print(await new lib.PriorityQueue().getAsync({ timeout: 300 }));
      } catch (error) {
        print(errorName(error));
      }
      `,
      'QueueEmpty',
    );
  });

  test('Queue.putAsync() on a full queue a worker drains later', async () => {
    await expectWaitsItOut(
      `
      const queue = new lib.Queue({ maxSize: 1 });
      queue.put('first');
      later((lib, handle) => setTimeout(() => lib.Queue.from(handle).get(), 200), queue.handle);
      await queue.putAsync('second');
      print(queue.getNowait());
      `,
      'second',
    );
  });

  test('Queue.joinAsync() until a worker marks the item done', async () => {
    await expectWaitsItOut(
      `
      const queue = new lib.Queue();
      queue.put('job');
      later((lib, handle) => setTimeout(() => {
        const queue = lib.Queue.from(handle);
        queue.get();
        queue.taskDone();
      }, 200), queue.handle);
      print(await queue.joinAsync());
      `,
      true,
    );
  });

  test('Condition.waitAsync() until a worker notifies', async () => {
    await expectWaitsItOut(
      `
      const condition = new lib.Condition();
      condition.acquire();
      later((lib, handle) => setTimeout(() => {
        const condition = lib.Condition.from(handle);
        condition.acquire();
        condition.notifyAll();
        condition.release();
      }, 200), condition.handle);
      // The worker can only notify once this wait has released the lock: the notification cannot be missed.
      const notified = await condition.waitAsync();
      condition.release();
      print(notified);
      `,
      true,
    );
  });

  test('Condition.waitForAsync() until a worker makes the predicate true', async () => {
    await expectWaitsItOut(
      `
      const condition = new lib.Condition(new lib.Lock());
      const flag = new Int32Array(new SharedArrayBuffer(4));
      later((lib, { condition, flag }) => setTimeout(() => {
        const c = lib.Condition.from(condition);
        c.acquire();
        flag[0] = 1;
        c.notifyAll();
        c.release();
      }, 200), { condition: condition.handle, flag });
      await condition.acquireAsync();
      const result = await condition.waitForAsync(() => flag[0] === 1);
      condition.release();
      print(result);
      `,
      true,
    );
  });

  test('Barrier.waitAsync() until a worker arrives', async () => {
    await expectWaitsItOut(
      `
      const barrier = new lib.Barrier(2);
      later((lib, handle) => setTimeout(() => lib.Barrier.from(handle).wait(), 200), barrier.handle);
      const index = await barrier.waitAsync();
      print(index === 0 || index === 1);
      `,
      true,
    );
  });

  test('Thread.join() on a daemon thread (its worker does not keep the process alive)', async () => {
    await expectWaitsItOut(
      `
      const target = new URL('data:text/javascript,' + encodeURIComponent('await new Promise((resolve) => setTimeout(resolve, 200));'));
      const thread = new lib.Thread(target, { daemon: true });
      thread.start();
      print(await thread.join());
      `,
      true,
    );
  });
});

describe('no handle is left behind', () => {
  test('the fast path creates no handle; a pending wait holds one timer, gone once it settles', async (context) => {
    if (process.versions.bun !== undefined) context.skip('Bun lists no timers in process.getActiveResourcesInfo()');
    await expectWaitsItOut(
      `
      const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
      const idle = timers();
      // Bun lists no timers there: nothing to observe on such a runtime.
      const probe = setInterval(() => {}, 1_000);
      const observable = timers() === idle + 1;
      clearInterval(probe);
      if (!observable) {
        print('unobservable');
        process.exit(0);
      }
      const seen = {};
      // Uncontended: resolved at once, nothing created.
      const lock = new lib.Lock();
      const fast = [
        lock.acquireAsync(),
        new lib.RLock().acquireAsync(),
        new lib.Semaphore(1).acquireAsync(),
        (() => { const e = new lib.Event(); e.set(); return e.waitAsync(); })(),
        (() => { const q = new lib.Queue(); q.put(1); return q.getAsync(); })(),
        new lib.Queue().putAsync(1),
        new lib.Queue().joinAsync(),
      ];
      seen.fast = timers() - idle;
      await Promise.all(fast);
      seen.fastSettled = timers() - idle;
      // Many pending waits share one timer.
      const event = new lib.Event();
      const waits = [event.waitAsync(), event.waitAsync({ timeout: 60_000 }), lock.acquireAsync(), new lib.Queue().getAsync({ timeout: 100 }).catch(errorName)];
      seen.pending = timers() - idle;
      later((lib, { event, lock }) => setTimeout(() => { lib.Event.from(event).set(); lib.Lock.from(lock).release(); }, 200), { event: event.handle, lock: lock.handle });
      seen.results = await Promise.all(waits);
      seen.settled = timers() - idle;
      print(seen);
      `,
      { fast: 0, fastSettled: 0, pending: 1, results: [true, true, true, 'QueueEmpty'], settled: 0 },
    );
  });

  test('a program whose waits have settled (resolved, timed out, aborted) exits by itself', async () => {
    await expectWaitsItOut(
      `
      const lock = new lib.Lock();
      lock.acquire();
      const event = new lib.Event();
      const controller = new AbortController();
      // An aborted wait: the engine's waiter stays registered (it cannot be withdrawn), with no timeout.
      const aborted = new lib.Event().waitAsync({ signal: controller.signal }).catch(errorName);
      const timedOut = new lib.Semaphore(0).acquireAsync({ timeout: 50 });
      // A crowd of lock waiters, each handing the lock to the next.
      const waiters = Array.from({ length: 20 }, () => lock.acquireAsync().then((got) => (lock.release(), got)));
      later((lib, { lock, event }) => setTimeout(() => { lib.Lock.from(lock).release(); lib.Event.from(event).set(); }, 200), { lock: lock.handle, event: event.handle });
      controller.abort();
      const results = await Promise.all([aborted, timedOut, event.waitAsync(), ...waiters]);
      print(results.filter((r) => r === true).length + ' ' + results.slice(0, 2).join(' '));
      `,
      '21 AbortError false',
    );
  });
});
