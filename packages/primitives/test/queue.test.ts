import { afterEach, describe, expect, test } from 'vitest';
import { LifoQueue, PriorityQueue, Queue, QueueEmpty, QueueFull, QueueShutDown } from '@lockstep/primitives';
import { runInWorker, sleep, startWorker, terminateAll } from './support/workers.js';
import { rejectionOf, sharedInts, SLACK_MS, track, until } from './support/until.js';

afterEach(terminateAll);

const QUEUE_SIZE = 5;

/** Runs `fn`, returning the class name of what it threw ('returned' if nothing). */
function thrownName(fn: () => unknown): string {
  try {
    fn();
    return 'returned';
  } catch (error) {
    return (error as Error).name;
  }
}

type AnyQueueClass = typeof Queue | typeof LifoQueue | typeof PriorityQueue;

const kinds: [string, AnyQueueClass, number[]][] = [
  ['Queue', Queue, [111, 333, 222]],
  ['LifoQueue', LifoQueue, [222, 333, 111]],
  ['PriorityQueue', PriorityQueue, [111, 222, 333]],
];

describe.each(kinds)('%s: Python test_queue basics', (_name, QueueClass, order) => {
  /**
   * Python's basic_queue_test, with the blocking calls made by a real worker and unblocked by the main
   * thread. The worker reports whether the trigger had happened when its call returned: a call that
   * returns before the trigger did not block.
   */
  async function basicQueueTest(q: Queue<unknown>): Promise<void> {
    expect(q.size).toBe(0);
    expect(q.empty).toBe(true);
    expect(q.full).toBe(false);
    q.put(111);
    q.put(333);
    q.put(222);
    expect([q.get(), q.get(), q.get()]).toEqual(order);
    for (let i = 0; i < QUEUE_SIZE - 1; i++) {
      q.put(i);
      expect(q.size).toBe(i + 1);
    }
    expect(q.full).toBe(false);
    const last = 2 * QUEUE_SIZE;
    const full = 3 * 2 * QUEUE_SIZE;
    q.put(last);
    expect(q.full).toBe(true);
    expect(q.empty).toBe(false);
    expect(q.size).toBe(QUEUE_SIZE);
    expect(() => q.putNowait(full)).toThrow(QueueFull);
    expect(() => q.put(full, { timeout: 10 })).toThrow(QueueFull);
    await expect(q.putAsync(full, { timeout: 10 })).rejects.toThrow(QueueFull);
    expect(q.size).toBe(QUEUE_SIZE);

    // A blocking put in a worker, unblocked by a get here.
    const flags = sharedInts(2);
    const putter = runInWorker(({ Queue }, { handle, flags, full }) => {
      const q = Queue.from(handle);
      Atomics.store(flags, 0, 1);
      q.put(full, { timeout: 20_000 });
      return Atomics.load(flags, 1);
    }, { handle: q.handle, flags, full });
    await until(() => Atomics.load(flags, 0) === 1, 'the putter to start');
    await sleep(20);
    Atomics.store(flags, 1, 1);
    q.get();
    expect(await putter).toBe(1);
    expect(q.size).toBe(QUEUE_SIZE);

    for (let i = 0; i < QUEUE_SIZE; i++) q.get();
    expect(q.size).toBe(0);
    expect(q.empty).toBe(true);
    expect(() => q.getNowait()).toThrow(QueueEmpty);
    expect(() => q.get({ timeout: 10 })).toThrow(QueueEmpty);
    await expect(q.getAsync({ timeout: 10 })).rejects.toThrow(QueueEmpty);

    // A blocking get in a worker, unblocked by a put here.
    const getFlags = sharedInts(2);
    const getter = runInWorker(({ Queue }, { handle, flags }) => {
      const q = Queue.from(handle);
      Atomics.store(flags, 0, 1);
      const item = q.get({ timeout: 20_000 });
      return { item, triggered: Atomics.load(flags, 1) };
    }, { handle: q.handle, flags: getFlags });
    await until(() => Atomics.load(getFlags, 0) === 1, 'the getter to start');
    await sleep(20);
    Atomics.store(getFlags, 1, 1);
    q.put(42);
    expect(await getter).toEqual({ item: 42, triggered: 1 });
    expect(q.empty).toBe(true);
  }

  test('put/get order, full/empty/size, Full and Empty, blocking put and get across threads (twice on one queue)', async () => {
    const q = new QueueClass({ maxSize: QUEUE_SIZE }) as Queue<unknown>;
    expect(q.maxSize).toBe(QUEUE_SIZE);
    await basicQueueTest(q);
    await basicQueueTest(q);
  });

  test('putNowait/getNowait throw QueueFull/QueueEmpty (Python test_nowait)', () => {
    const q = new QueueClass({ maxSize: QUEUE_SIZE }) as Queue<unknown>;
    for (let i = 0; i < QUEUE_SIZE; i++) q.putNowait(1);
    expect(() => q.putNowait(1)).toThrow(QueueFull);
    for (let i = 0; i < QUEUE_SIZE; i++) expect(q.getNowait()).toBe(1);
    expect(() => q.getNowait()).toThrow(QueueEmpty);
  });

  test('negative or NaN timeouts are rejected (Python test_negative_timeout_raises_exception)', async () => {
    const q = new QueueClass({ maxSize: QUEUE_SIZE }) as Queue<unknown>;
    expect(() => q.put(1, { timeout: -1 })).toThrow(RangeError);
    expect(() => q.get({ timeout: -1 })).toThrow(RangeError);
    expect(() => q.join({ timeout: -1 })).toThrow(RangeError);
    expect(() => q.get({ timeout: Number.NaN })).toThrow(TypeError);
    await expect(q.putAsync(1, { timeout: -1 })).rejects.toThrow(RangeError);
    await expect(q.getAsync({ timeout: -1 })).rejects.toThrow(RangeError);
    expect(q.size).toBe(0);
  });

  test('taskDone() on a fresh queue throws RangeError (Python test_queue_task_done)', () => {
    const q = new QueueClass() as Queue<unknown>;
    expect(() => q.taskDone()).toThrow(RangeError);
  });

  test('join() waits for 2 consumer workers to finish every task; twice on one queue (Python test_queue_join)', async () => {
    const q = new QueueClass() as Queue<number>;
    const sum = sharedInts(1);
    for (let pass = 0; pass < 2; pass++) {
      Atomics.store(sum, 0, 0);
      const consumers = [0, 1].map(() =>
        runInWorker(({ Queue }, { handle, sum }) => {
          const q = Queue.from<number>(handle);
          for (;;) {
            const x = q.get({ timeout: 20_000 });
            if (x < 0) {
              q.taskDone();
              return;
            }
            Atomics.add(sum, 0, x);
            q.taskDone();
          }
        }, { handle: q.handle, sum }),
      );
      for (let i = 0; i < 100; i++) q.put(i);
      expect(await q.joinAsync({ timeout: 20_000 })).toBe(true);
      expect(Atomics.load(sum, 0)).toBe(4950);
      q.put(-1);
      q.put(-1);
      expect(await q.joinAsync({ timeout: 20_000 })).toBe(true);
      await Promise.all(consumers);
    }
    expect(() => q.taskDone()).toThrow(RangeError);
    expect(q.join({ timeout: 0 })).toBe(true);
  });

  test('Python 3.13 shutdown: all methods in one thread, default and immediate', () => {
    for (const immediate of [false, true]) {
      const q = new QueueClass({ maxSize: 2 }) as Queue<string>;
      q.put('L');
      q.putNowait('O');
      q.shutdown({ immediate });
      expect(thrownName(() => q.put('E', { timeout: 1000 }))).toBe('QueueShutDown');
      expect(thrownName(() => q.putNowait('W'))).toBe('QueueShutDown');
      if (immediate) {
        expect(thrownName(() => q.get({ timeout: 1000 }))).toBe('QueueShutDown');
        expect(thrownName(() => q.getNowait())).toBe('QueueShutDown');
        expect(() => q.taskDone()).toThrow(RangeError);
        expect(q.join({ timeout: 1000 })).toBe(true);
      } else {
        expect(['L', 'O']).toContain(q.get({ timeout: 1000 }));
        q.taskDone();
        expect(['L', 'O']).toContain(q.get({ timeout: 1000 }));
        q.taskDone();
        expect(q.join({ timeout: 1000 })).toBe(true);
        expect(thrownName(() => q.get({ timeout: 1000 }))).toBe('QueueShutDown');
        expect(thrownName(() => q.getNowait())).toBe('QueueShutDown');
      }
      expect(q.size).toBe(0);
    }
  });
});

describe('Queue timeouts', () => {
  test('get({ timeout }) in a worker throws QueueEmpty no earlier than the timeout; the queue is intact', async () => {
    const q = new Queue<string>();
    const result = await runInWorker(({ Queue }, handle) => {
      const q = Queue.from(handle);
      const started = performance.now();
      try {
        q.get({ timeout: 100 });
        return { name: 'returned', elapsed: 0 };
      } catch (error) {
        return { name: (error as Error).name, elapsed: performance.now() - started };
      }
    }, q.handle);
    expect(result.name).toBe('QueueEmpty');
    expect(result.elapsed).toBeGreaterThanOrEqual(100 - SLACK_MS);
    expect(q.size).toBe(0);
    q.put('after');
    expect(await runInWorker(({ Queue }, handle) => Queue.from(handle).get({ timeout: 20_000 }), q.handle)).toBe('after');
    expect(q.empty).toBe(true);
  });

  test('put({ timeout }) on a full queue throws QueueFull no earlier than the timeout; items and task count are intact', async () => {
    const q = new Queue<number>({ maxSize: 2 });
    q.put(1);
    q.put(2);
    const result = await runInWorker(({ Queue }, handle) => {
      const q = Queue.from(handle);
      const started = performance.now();
      try {
        q.put(3, { timeout: 100 });
        return { name: 'returned', elapsed: 0 };
      } catch (error) {
        return { name: (error as Error).name, elapsed: performance.now() - started };
      }
    }, q.handle);
    expect(result.name).toBe('QueueFull');
    expect(result.elapsed).toBeGreaterThanOrEqual(100 - SLACK_MS);
    expect(q.size).toBe(2);
    expect([q.get(), q.get()]).toEqual([1, 2]);
    q.taskDone();
    q.taskDone();
    expect(() => q.taskDone()).toThrow(RangeError); // the timed-out put was not counted
    expect(q.join({ timeout: 0 })).toBe(true);
  });

  test('putAsync/getAsync/joinAsync time out no earlier than the timeout, leaving the queue as it was', async () => {
    const q = new Queue<number>({ maxSize: 1 });
    let started = performance.now();
    await expect(q.getAsync({ timeout: 80 })).rejects.toThrow(QueueEmpty);
    expect(performance.now() - started).toBeGreaterThanOrEqual(80 - SLACK_MS);
    q.put(7);
    started = performance.now();
    await expect(q.putAsync(8, { timeout: 80 })).rejects.toThrow(QueueFull);
    expect(performance.now() - started).toBeGreaterThanOrEqual(80 - SLACK_MS);
    started = performance.now();
    expect(await q.joinAsync({ timeout: 80 })).toBe(false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(80 - SLACK_MS);
    expect(q.size).toBe(1);
    expect(await q.getAsync({ timeout: 1000 })).toBe(7);
    q.taskDone();
    expect(await q.joinAsync({ timeout: 1000 })).toBe(true);
  });

  test('join({ timeout }) in a worker returns false no earlier than the timeout while a task is unfinished', async () => {
    const q = new Queue<number>();
    q.put(1);
    q.get();
    const result = await runInWorker(({ Queue }, handle) => {
      const q = Queue.from(handle);
      const started = performance.now();
      const joined = q.join({ timeout: 100 });
      return { joined, elapsed: performance.now() - started };
    }, q.handle);
    expect(result.joined).toBe(false);
    expect(result.elapsed).toBeGreaterThanOrEqual(100 - SLACK_MS);
    q.taskDone();
    expect(await runInWorker(({ Queue }, handle) => Queue.from(handle).join({ timeout: 20_000 }), q.handle)).toBe(true);
  });
});

describe('Queue taskDone/join', () => {
  test('taskDone() past the count throws RangeError and changes nothing', () => {
    const q = new Queue<number>();
    q.put(1);
    q.put(2);
    q.get();
    q.get();
    q.taskDone();
    q.taskDone();
    expect(() => q.taskDone()).toThrow(RangeError);
    expect(() => q.taskDone()).toThrow(/taskDone/);
    q.put(3);
    expect(q.join({ timeout: 0 })).toBe(false);
    q.get();
    q.taskDone();
    expect(q.join({ timeout: 0 })).toBe(true);
  });

  test('join() returns only after the last taskDone(), not when the queue empties', async () => {
    const q = new Queue<number>();
    const state = sharedInts(3); // [0] items taken, [1] go-ahead for taskDone, [2] tasks done
    for (let i = 0; i < 3; i++) q.put(i);
    const worker = runInWorker(({ Queue }, { handle, state }) => {
      const q = Queue.from(handle);
      for (let i = 0; i < 3; i++) {
        q.get({ timeout: 20_000 });
        Atomics.add(state, 0, 1);
      }
      if (Atomics.wait(state, 1, 0, 20_000) === 'timed-out') throw new Error('no go-ahead');
      for (let i = 0; i < 3; i++) {
        Atomics.add(state, 2, 1);
        q.taskDone();
      }
    }, { handle: q.handle, state });
    const joined = track(q.joinAsync({ timeout: 30_000 }));
    const joinedInWorker = runInWorker(({ Queue }, { handle, state }) => {
      const joined = Queue.from(handle).join({ timeout: 30_000 });
      return { joined, doneWhenJoined: Atomics.load(state, 2) };
    }, { handle: q.handle, state });
    await until(() => Atomics.load(state, 0) === 3, 'the worker to take every item');
    expect(q.empty).toBe(true);
    await sleep(50);
    expect(joined.settled).toBe(false); // queue empty, but no task is done yet
    Atomics.store(state, 1, 1);
    Atomics.notify(state, 1);
    expect(await joined.promise).toBe(true);
    expect(Atomics.load(state, 2)).toBe(3);
    expect(await joinedInWorker).toEqual({ joined: true, doneWhenJoined: 3 });
    await worker;
  });
});

describe('Queue shutdown (Python 3.13)', () => {
  test('shutdown of an empty queue: put and get throw QueueShutDown (test_shutdown_empty)', async () => {
    const q = new Queue<string>();
    expect(q.isShutDown).toBe(false);
    q.shutdown();
    expect(q.isShutDown).toBe(true);
    expect(() => q.put('data')).toThrow(QueueShutDown);
    expect(() => q.get({ timeout: 1000 })).toThrow(QueueShutDown);
    await expect(q.putAsync('data')).rejects.toThrow(QueueShutDown);
    await expect(q.getAsync({ timeout: 1000 })).rejects.toThrow(QueueShutDown);
  });

  test('shutdown of a non-empty queue: gets drain the items first, then throw (test_shutdown_nonempty)', async () => {
    const q = new Queue<string>();
    q.put('data');
    q.put('more');
    q.shutdown();
    expect(q.get()).toBe('data');
    expect(await q.getAsync()).toBe('more');
    expect(() => q.get({ timeout: 1000 })).toThrow(QueueShutDown);
    expect(() => q.getNowait()).toThrow(QueueShutDown);
  });

  test('shutdown({ immediate: true }) drops the items: get throws at once (test_shutdown_immediate)', () => {
    const q = new Queue<string>();
    q.put('data');
    q.shutdown({ immediate: true });
    expect(q.size).toBe(0);
    expect(() => q.get({ timeout: 1000 })).toThrow(QueueShutDown);
  });

  test('allowed transitions: alive -> shut down -> immediate -> shut down again', () => {
    const q = new Queue();
    expect(q.isShutDown).toBe(false);
    q.shutdown();
    expect(q.isShutDown).toBe(true);
    q.shutdown({ immediate: true });
    expect(q.isShutDown).toBe(true);
    q.shutdown({ immediate: false });
    expect(q.isShutDown).toBe(true);
  });

  test('getters blocked in workers on an empty queue all get QueueShutDown (test_shutdown_pending_get)', async () => {
    for (const immediate of [false, true]) {
      const q = new Queue<string>();
      const ready = sharedInts(1);
      const getters = [0, 1, 2].map(() =>
        runInWorker(({ Queue }, { handle, ready }) => {
          const q = Queue.from(handle);
          Atomics.add(ready, 0, 1);
          try {
            return q.get({ timeout: 20_000 });
          } catch (error) {
            return (error as Error).name;
          }
        }, { handle: q.handle, ready }),
      );
      const local = q.getAsync({ timeout: 20_000 }).catch((error: Error) => error.name);
      await until(() => Atomics.load(ready, 0) === 3, 'the getters to start');
      await sleep(30);
      q.shutdown({ immediate });
      expect(await Promise.all([...getters, local])).toEqual(['QueueShutDown', 'QueueShutDown', 'QueueShutDown', 'QueueShutDown']);
    }
  });

  test('with items left, getters drain them and exactly the extra getter gets QueueShutDown (test_shutdown_get)', async () => {
    const q = new Queue<string>({ maxSize: 2 });
    q.put('Y');
    q.put('D');
    q.shutdown();
    const results = await Promise.all(
      [0, 1, 2].map(() =>
        runInWorker(({ Queue }, handle) => {
          try {
            return Queue.from(handle).get({ timeout: 20_000 });
          } catch (error) {
            return (error as Error).name;
          }
        }, q.handle),
      ),
    );
    expect(results.sort()).toEqual(['D', 'QueueShutDown', 'Y']);
  });

  test('after shutdown({ immediate: true }) every getter gets QueueShutDown though items were there (test_shutdown_immediate_get)', async () => {
    const q = new Queue<string>({ maxSize: 2 });
    q.put('Y');
    q.put('D');
    q.shutdown({ immediate: true });
    const results = await Promise.all(
      [0, 1].map(() =>
        runInWorker(({ Queue }, handle) => {
          try {
            return Queue.from(handle).get({ timeout: 20_000 });
          } catch (error) {
            return (error as Error).name;
          }
        }, q.handle),
      ),
    );
    expect(results).toEqual(['QueueShutDown', 'QueueShutDown']);
  });

  test('putters blocked on a full queue get QueueShutDown, not QueueFull, and add nothing (test_shutdown_put)', async () => {
    for (const immediate of [false, true]) {
      const q = new Queue<string>({ maxSize: 2 });
      q.put('Y');
      q.put('D');
      const ready = sharedInts(1);
      const putters = ['E', 'W'].map((item) =>
        runInWorker(({ Queue }, { handle, ready, item }) => {
          const q = Queue.from(handle);
          Atomics.add(ready, 0, 1);
          try {
            q.put(item, { timeout: 20_000 });
            return 'put';
          } catch (error) {
            return (error as Error).name;
          }
        }, { handle: q.handle, ready, item }),
      );
      const local = q.putAsync('A', { timeout: 20_000 }).then(
        () => 'put',
        (error: Error) => error.name,
      );
      await until(() => Atomics.load(ready, 0) === 2, 'the putters to start');
      await sleep(30);
      q.shutdown({ immediate });
      expect(await Promise.all([...putters, local])).toEqual(['QueueShutDown', 'QueueShutDown', 'QueueShutDown']);
      if (immediate) {
        expect(q.size).toBe(0);
      } else {
        expect([q.get(), q.get()]).toEqual(['Y', 'D']);
        expect(() => q.getNowait()).toThrow(QueueShutDown);
      }
    }
  });

  test('joiners are released by the last taskDone after a shutdown, or at once by an immediate one (test_shutdown_join)', async () => {
    for (const immediate of [false, true]) {
      const q = new Queue<string>();
      q.put('Y');
      const joiners = [0, 1].map(() => runInWorker(({ Queue }, handle) => Queue.from(handle).join({ timeout: 20_000 }), q.handle));
      const local = q.joinAsync({ timeout: 20_000 });
      await sleep(20); // let joinAsync get past the queue's lock (see the same-thread deadlock test below)
      let consumer: Promise<string> | undefined;
      if (!immediate) {
        consumer = runInWorker(({ Queue }, handle) => {
          const q = Queue.from<string>(handle);
          const item = q.get({ timeout: 20_000 });
          q.taskDone();
          return item;
        }, q.handle);
      }
      q.shutdown({ immediate });
      expect(await Promise.all([...joiners, local])).toEqual([true, true, true]);
      if (consumer !== undefined) expect(await consumer).toBe('Y');
    }
  });

  test('a put after shutdown fails while join waits for the item already in (test_shutdown_put_join)', async () => {
    for (const immediate of [false, true]) {
      const q = new Queue<string>({ maxSize: 2 });
      q.put('Y');
      const go = sharedInts(1);
      const putter = runInWorker(({ Queue }, { handle, go }) => {
        if (Atomics.wait(go, 0, 0, 20_000) === 'timed-out') throw new Error('no go');
        try {
          Queue.from(handle).put('E', { timeout: 20_000 });
          return 'put';
        } catch (error) {
          return (error as Error).name;
        }
      }, { handle: q.handle, go });
      const joiner = runInWorker(({ Queue }, handle) => Queue.from(handle).join({ timeout: 20_000 }), q.handle);
      q.shutdown({ immediate });
      Atomics.store(go, 0, 1);
      Atomics.notify(go, 0);
      if (immediate) {
        expect(() => q.getNowait()).toThrow(QueueShutDown);
      } else {
        expect(q.get()).toBe('Y');
        q.taskDone();
      }
      expect(await putter).toBe('QueueShutDown');
      expect(await joiner).toBe(true);
    }
  });

  test('getters and joiners both finish when shutdown races with the work (test_shutdown_get_task_done_join)', async () => {
    const q = new Queue<string>({ maxSize: 2 });
    q.put('Y');
    q.put('D');
    const getters = [0, 1].map(() =>
      runInWorker(({ Queue }, handle) => {
        const q = Queue.from<string>(handle);
        const item = q.get({ timeout: 20_000 });
        q.taskDone();
        return item;
      }, q.handle),
    );
    const joiners = [0, 1].map(() => runInWorker(({ Queue }, handle) => Queue.from(handle).join({ timeout: 20_000 }), q.handle));
    q.shutdown();
    expect((await Promise.all(getters)).sort()).toEqual(['D', 'Y']);
    expect(await Promise.all(joiners)).toEqual([true, true]);
  });

  test('an immediate shutdown counts dropped items as done, but not items taken and still unfinished', async () => {
    const q = new Queue<number>();
    q.put(1);
    q.put(2);
    q.put(3);
    q.get(); // taken, not yet done
    q.shutdown({ immediate: true });
    expect(q.size).toBe(0);
    expect(q.join({ timeout: 50 })).toBe(false);
    const joiner = runInWorker(({ Queue }, handle) => Queue.from(handle).join({ timeout: 20_000 }), q.handle);
    q.taskDone();
    expect(await joiner).toBe(true);
    expect(() => q.taskDone()).toThrow(RangeError);
  });

  test('a shut-down queue is shut down for every thread holding its handle', async () => {
    const q = new Queue<number>();
    q.put(5);
    q.shutdown();
    const result = await runInWorker(({ Queue }, handle) => {
      const q = Queue.from<number>(handle);
      const out: unknown[] = [q.isShutDown, q.get({ timeout: 1000 })];
      for (const attempt of [() => q.put(1), () => q.get({ timeout: 1000 })]) {
        try {
          attempt();
          out.push('returned');
        } catch (error) {
          out.push((error as Error).name);
        }
      }
      return out;
    }, q.handle);
    expect(result).toEqual([true, 5, 'QueueShutDown', 'QueueShutDown']);
  });
});

describe('Queue AbortSignal (async forms)', () => {
  test('an already aborted signal rejects with its reason and changes nothing', async () => {
    const q = new Queue<number>({ maxSize: 1 });
    const reason = new Error('no');
    const signal = AbortSignal.abort(reason);
    await expect(q.putAsync(1, { signal })).rejects.toBe(reason);
    expect(q.size).toBe(0);
    q.put(2);
    await expect(q.getAsync({ signal })).rejects.toBe(reason);
    await expect(q.joinAsync({ signal })).rejects.toBe(reason);
    expect(q.size).toBe(1);
    expect(q.get()).toBe(2);
    q.taskDone();
    expect(() => q.taskDone()).toThrow(RangeError);
  });

  test('an aborted getAsync rejects with the reason and takes no item put afterwards', async () => {
    const q = new Queue<string>();
    const controller = new AbortController();
    const waiting = q.getAsync({ signal: controller.signal, timeout: 20_000 });
    await sleep(10);
    const reason = new Error('cancelled');
    controller.abort(reason);
    expect(await rejectionOf(waiting)).toBe(reason);
    q.put('kept');
    await sleep(20); // give an abandoned waiter every chance to (wrongly) take it
    expect(q.size).toBe(1);
    expect(q.getNowait()).toBe('kept');
  });

  test('an item put just before the abort is not lost: it stays in the queue', async () => {
    const q = new Queue<string>();
    const controller = new AbortController();
    const waiting = q.getAsync({ signal: controller.signal, timeout: 20_000 });
    await sleep(10);
    q.putNowait('raced');
    const reason = new Error('cancelled');
    controller.abort(reason); // same tick: the waiter has not run since it was notified
    expect(await rejectionOf(waiting)).toBe(reason);
    await sleep(20);
    expect(q.size).toBe(1);
    expect(await q.getAsync({ timeout: 1000 })).toBe('raced');
  });

  test('an aborted getAsync does not swallow the wake-up meant for the next async waiter', async () => {
    const q = new Queue<string>();
    const controller = new AbortController();
    const first = q.getAsync({ signal: controller.signal, timeout: 30_000 });
    await sleep(10);
    const second = track(q.getAsync({ timeout: 30_000 }));
    await sleep(10);
    controller.abort(new Error('cancelled'));
    await rejectionOf(first);
    q.put('for the second');
    // With the wake-up lost, the second getter would only notice the item at its 30 s timeout.
    await until(() => second.settled, 'the second getter to be woken', 10_000);
    expect(await second.promise).toBe('for the second');
    expect(q.empty).toBe(true);
  });

  test('an aborted getAsync on the main thread does not swallow the wake-up meant for a worker blocked in get()', async () => {
    const q = new Queue<string>();
    const controller = new AbortController();
    const first = q.getAsync({ signal: controller.signal, timeout: 30_000 });
    await sleep(10);
    const state = sharedInts(2); // [0] worker started, [1] worker got its item
    const worker = runInWorker(({ Queue }, { handle, state }) => {
      const q = Queue.from<string>(handle);
      Atomics.store(state, 0, 1);
      const item = q.get({ timeout: 30_000 });
      Atomics.store(state, 1, 1);
      return item;
    }, { handle: q.handle, state });
    await until(() => Atomics.load(state, 0) === 1, 'the worker to start');
    await sleep(50);
    const reason = new Error('cancelled');
    controller.abort(reason);
    expect(await rejectionOf(first)).toBe(reason);
    q.put('for the worker');
    await until(() => Atomics.load(state, 1) === 1, 'the worker to be woken', 10_000);
    expect(await worker).toBe('for the worker');
    expect(q.empty).toBe(true);
  });

  test('an aborted putAsync on a full queue adds nothing and does not swallow the slot meant for a blocked worker', async () => {
    const q = new Queue<string>({ maxSize: 1 });
    q.put('first');
    const controller = new AbortController();
    const aborted = q.putAsync('aborted', { signal: controller.signal, timeout: 30_000 });
    await sleep(10);
    const state = sharedInts(2);
    const worker = runInWorker(({ Queue }, { handle, state }) => {
      const q = Queue.from<string>(handle);
      Atomics.store(state, 0, 1);
      q.put('from worker', { timeout: 30_000 });
      Atomics.store(state, 1, 1);
    }, { handle: q.handle, state });
    await until(() => Atomics.load(state, 0) === 1, 'the worker to start');
    await sleep(50);
    const reason = new Error('cancelled');
    controller.abort(reason);
    expect(await rejectionOf(aborted)).toBe(reason);
    expect(q.size).toBe(1);
    expect(q.get()).toBe('first');
    await until(() => Atomics.load(state, 1) === 1, 'the worker\'s put to be woken', 10_000);
    await worker;
    expect(q.size).toBe(1);
    expect(q.get()).toBe('from worker');
    q.taskDone();
    q.taskDone();
    expect(() => q.taskDone()).toThrow(RangeError); // exactly two items were ever put
  });

  test('an aborted joinAsync rejects with the reason; the task count is unchanged and join still works', async () => {
    const q = new Queue<number>();
    q.put(1);
    const controller = new AbortController();
    const aborted = q.joinAsync({ signal: controller.signal });
    const other = q.joinAsync({ timeout: 20_000 });
    const reason = new Error('cancelled');
    controller.abort(reason);
    expect(await rejectionOf(aborted)).toBe(reason);
    await sleep(20); // let the other joinAsync settle into its wait before a blocking call here
    expect(q.join({ timeout: 0 })).toBe(false);
    q.get();
    q.taskDone();
    expect(await other).toBe(true);
    expect(() => q.taskDone()).toThrow(RangeError);
  });
});

describe('Queue: async and blocking calls on one thread', () => {
  // getAsync/putAsync/joinAsync take the queue's lock synchronously (Lock.acquireAsync's fast path) but
  // only continue, and release it, after a microtask. A call that takes the same lock synchronously in
  // between (putNowait, getNowait, taskDone, shutdown, ...) waits for a holder that can only run once it
  // returns: the thread hangs for good. Run in workers, with a watchdog, so the hang cannot stall the run.
  async function syncCallAfterAsync(operation: 'none' | 'putNowait' | 'taskDone' | 'shutdown'): Promise<string> {
    const q = new Queue<number>(); // one queue per case: a deadlocked thread keeps its lock for good
    q.put(1);
    q.put(2);
    return Promise.race([
      runInWorker(async ({ Queue }, { handle, operation }) => {
        const q = Queue.from<number>(handle);
        const pending = q.getAsync({ timeout: 5000 });
        if (operation === 'putNowait') q.putNowait(3);
        else if (operation === 'taskDone') q.taskDone();
        else if (operation === 'shutdown') q.shutdown();
        return `got ${await pending}`;
      }, { handle: q.handle, operation }),
      sleep(3000).then(() => `${operation}: thread deadlocked`),
    ]);
  }

  test('control: an unawaited getAsync alone completes', async () => {
    expect(await syncCallAfterAsync('none')).toBe('got 1');
  });

  test('putNowait() right after an unawaited getAsync() on the same thread does not deadlock it', async () => {
    expect(await syncCallAfterAsync('putNowait')).toBe('got 1');
  });

  test('taskDone() right after an unawaited getAsync() on the same thread does not deadlock it', async () => {
    expect(await syncCallAfterAsync('taskDone')).toBe('got 1');
  });

  test('shutdown() right after an unawaited getAsync() on the same thread does not deadlock it', async () => {
    expect(await syncCallAfterAsync('shutdown')).toBe('got 1');
  });
});

describe('Queue items crossing threads', () => {
  const numbers = [0, -0, 1, -1, 1.5, Math.PI, Number.NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, -1e-300];
  const strings = ['', 'plain ascii', 'héllo wörld', '日本語のテキスト', '😀 emoji 🎉 and 𝄞', 'nul\u0000inside', '\uFFFD', 'x'.repeat(1000)];

  function objects(): unknown[] {
    const cyclic: { name: string; self?: unknown } = { name: 'cyclic' };
    cyclic.self = cyclic;
    return [
      null,
      undefined,
      true,
      false,
      10n ** 30n,
      { a: { b: [1, { c: 'd' }, [null, undefined]] }, e: 'f' },
      [1, 'two', { three: 3 }, [4, [5]]],
      new Map<unknown, unknown>([[1, 'one'], ['two', { n: 2 }], [{ k: 1 }, [3]]]),
      new Set([1, 'a', 2n]),
      new Date(Date.UTC(2024, 1, 29, 12, 34, 56, 789)),
      /ab+c/gi,
      new Int32Array([1, -2, 3]),
      new Float64Array([0.5, Number.NaN, -0]),
      cyclic,
    ];
  }

  test('numbers (NaN, -0, Infinity, extremes) cross from a worker to the main thread exactly', async () => {
    const q = new Queue<number>();
    await runInWorker(({ Queue }, { handle, numbers }) => {
      const q = Queue.from<number>(handle);
      for (const n of numbers) q.put(n);
    }, { handle: q.handle, numbers });
    const received = numbers.map(() => q.getNowait());
    expect(received.length).toBe(numbers.length);
    received.forEach((value, i) => expect(Object.is(value, numbers[i])).toBe(true));
    expect(q.empty).toBe(true);
  });

  test('numbers cross from the main thread to a worker exactly (checked in the worker)', async () => {
    const q = new Queue<number>();
    for (const n of numbers) q.put(n);
    const mismatches = await runInWorker(({ Queue }, { handle, numbers }) => {
      const q = Queue.from<number>(handle);
      return numbers.filter((n) => !Object.is(q.get({ timeout: 20_000 }), n)).map(String);
    }, { handle: q.handle, numbers });
    expect(mismatches).toEqual([]);
  });

  test('Uint8Arrays cross as copies: empty, full byte range, and a view into a larger buffer', async () => {
    const q = new Queue<Uint8Array>();
    const backing = new Uint8Array(64).map((_, i) => i);
    const view = backing.subarray(10, 20);
    const all = new Uint8Array(256).map((_, i) => i);
    q.put(new Uint8Array(0));
    q.put(all);
    q.put(view);
    all[0] = 99; // changing the original after put must not change the queued copy
    view[0] = 99;
    const received = await runInWorker(({ Queue }, handle) => {
      const q = Queue.from<Uint8Array>(handle);
      return [0, 1, 2].map(() => {
        const item = q.get({ timeout: 20_000 });
        return { isUint8Array: item instanceof Uint8Array, bytes: Array.from(item) };
      });
    }, q.handle);
    expect(received).toEqual([
      { isUint8Array: true, bytes: [] },
      { isUint8Array: true, bytes: Array.from({ length: 256 }, (_, i) => i) },
      { isUint8Array: true, bytes: Array.from({ length: 10 }, (_, i) => i + 10) },
    ]);
  });

  test('a Uint8Array taken from the queue is the taker\'s own copy', () => {
    const q = new Queue<Uint8Array>();
    q.put(new Uint8Array([1, 2, 3]));
    q.put(new Uint8Array([4, 5, 6]));
    const first = q.get();
    first[0] = 42;
    expect(Array.from(q.get())).toEqual([4, 5, 6]);
    expect(first.buffer).not.toBeInstanceOf(SharedArrayBuffer);
  });

  test('strings, ASCII to astral-plane Unicode, cross to a worker and back unchanged', async () => {
    const q = new Queue<string>();
    const back = new Queue<string>();
    for (const s of strings) q.put(s);
    await runInWorker(({ Queue }, { handle, back, count }) => {
      const q = Queue.from<string>(handle);
      const out = Queue.from<string>(back);
      for (let i = 0; i < count; i++) out.put(q.get({ timeout: 20_000 }));
    }, { handle: q.handle, back: back.handle, count: strings.length });
    expect(strings.map(() => back.getNowait())).toEqual(strings);
  });

  // docs/primitives.md: strings are stored as UTF-8, so lone surrogates come out as U+FFFD (unlike
  // postMessage, which keeps them). Either outcome is accepted; anything else is corruption.
  test('strings with lone surrogates come out as postMessage delivers them or with U+FFFD in their place (documented)', () => {
    const q = new Queue<string>();
    const odd = ['\uD800', 'a\uDC00b', 'end\uD83D', '\uDE00\uD83D'];
    for (const s of odd) q.put(s);
    const received = odd.map(() => q.getNowait());
    received.forEach((r, i) => {
      const sent = odd[i]!;
      expect([structuredClone(sent), sent.replace(/[\uD800-\uDFFF]/g, '\uFFFD')]).toContain(r);
    });
    expect(q.empty).toBe(true);
  });

  test('structured-clonable values (nested, Map, Set, Date, RegExp, BigInt, typed arrays, cycles) cross both ways', async () => {
    const q = new Queue<unknown>();
    const back = new Queue<unknown>();
    const values = objects();
    for (const v of values) q.put(v);
    const checks = await runInWorker(({ Queue }, { handle, back, count }) => {
      const q = Queue.from(handle);
      const out = Queue.from(back);
      const checks: string[] = [];
      for (let i = 0; i < count; i++) {
        const item = q.get({ timeout: 20_000 });
        if (item instanceof Map) checks.push(`Map(${item.size})`);
        else if (item instanceof Set) checks.push(`Set(${item.size})`);
        else if (item instanceof Date) checks.push(`Date(${item.toISOString()})`);
        else if (item instanceof RegExp) checks.push(`RegExp(${item.source},${item.flags})`);
        else if (ArrayBuffer.isView(item)) checks.push(`${item.constructor.name}(${(item as unknown as ArrayLike<number>).length})`);
        else if (item !== null && typeof item === 'object' && 'self' in item) checks.push(`cyclic:${String((item as { self: unknown }).self === item)}`);
        else checks.push(typeof item);
        out.put(item);
      }
      return checks;
    }, { handle: q.handle, back: back.handle, count: values.length });
    expect(checks).toEqual([
      'object', 'undefined', 'boolean', 'boolean', 'bigint', 'object', 'object',
      'Map(3)', 'Set(3)', 'Date(2024-02-29T12:34:56.789Z)', 'RegExp(ab+c,gi)', 'Int32Array(3)', 'Float64Array(3)', 'cyclic:true',
    ]);
    const returned = values.map(() => back.getNowait());
    expect(returned).toEqual(values);
    const cyclic = returned[returned.length - 1] as { self: unknown };
    expect(cyclic.self).toBe(cyclic);
    expect(q.empty && back.empty).toBe(true);
  });

  test('an item holding a SharedArrayBuffer (e.g. a primitive\'s handle) throws TypeError at put and leaves the queue unchanged', () => {
    const q = new Queue<unknown>();
    expect(() => q.put({ handle: new Queue().handle })).toThrow(TypeError);
    expect(() => q.put(new SharedArrayBuffer(8))).toThrow(TypeError);
    expect(q.size).toBe(0);
    expect(() => q.taskDone()).toThrow(RangeError);
  });

  test('objects are copied at put time: later changes to the original do not reach the taker', () => {
    const q = new Queue<{ n: number; list: number[] }>();
    const original = { n: 1, list: [1, 2] };
    q.put(original);
    original.n = 2;
    original.list.push(3);
    const taken = q.get();
    expect(taken).toEqual({ n: 1, list: [1, 2] });
    expect(taken).not.toBe(original);
  });

  test('an item that cannot be cloned throws TypeError and leaves the queue unchanged', () => {
    const q = new Queue<unknown>();
    q.put(1);
    expect(() => q.put(() => 1)).toThrow(TypeError);
    expect(() => q.put({ f: Symbol('s') })).toThrow(TypeError);
    expect(q.size).toBe(1);
    expect(q.get()).toBe(1);
    q.taskDone();
    expect(() => q.taskDone()).toThrow(RangeError);
  });

  test('items bigger than 64 KiB (bytes, multi-byte text, objects) cross threads intact, several queued at once', async () => {
    const q = new Queue<unknown>();
    const sizes = [70_000, 200_000, 1_000_000];
    await runInWorker(({ Queue }, { handle, sizes }) => {
      const q = Queue.from(handle);
      for (const size of sizes) {
        const bytes = new Uint8Array(size);
        for (let i = 0; i < size; i++) bytes[i] = (i * 31 + size) & 0xff;
        q.put(bytes);
        q.put('é😀'.repeat(size / 6)); // 2 + 4 UTF-8 bytes per repeat
        q.put({ size, list: Array.from({ length: size / 10 }, (_, i) => i) });
      }
    }, { handle: q.handle, sizes });
    expect(q.size).toBe(sizes.length * 3);
    for (const size of sizes) {
      const bytes = q.getNowait() as Uint8Array;
      expect(bytes.length).toBe(size);
      let bad = 0;
      for (let i = 0; i < size; i++) if (bytes[i] !== ((i * 31 + size) & 0xff)) bad++;
      expect(bad).toBe(0);
      expect(q.getNowait()).toBe('é😀'.repeat(size / 6));
      const object = q.getNowait() as { size: number; list: number[] };
      expect(object.size).toBe(size);
      expect(object.list.length).toBe(size / 10);
      expect(object.list.every((v, i) => v === i)).toBe(true);
    }
    expect(q.empty).toBe(true);
  });

  test('an item past maxBytes throws RangeError and leaves the queue and its task count intact', () => {
    const q = new Queue<Uint8Array | number>({ maxBytes: 32 * 1024 });
    q.put(1);
    expect(() => q.put(new Uint8Array(64 * 1024))).toThrow(RangeError);
    expect(q.size).toBe(1);
    q.put(new Uint8Array(8 * 1024));
    expect(q.get()).toBe(1);
    expect((q.get() as Uint8Array).length).toBe(8 * 1024);
    q.taskDone();
    q.taskDone();
    expect(() => q.taskDone()).toThrow(RangeError);
  });

  test('near maxBytes, with most of the storage live, churning items compacts in place instead of failing', async () => {
    // 45 items of ~1 KiB stay queued (over half of the 64 KiB limit) while 3000 more pass through.
    const q = new Queue<Uint8Array>({ maxBytes: 64 * 1024 });
    const result = await runInWorker(({ Queue }, handle) => {
      const q = Queue.from<Uint8Array>(handle);
      const item = (n: number) => new Uint8Array(1000 + (n % 7) * 8).fill(n & 0xff);
      const check = (got: Uint8Array, n: number) => got.length === 1000 + (n % 7) * 8 && got.every((b) => b === (n & 0xff));
      let next = 0;
      let expected = 0;
      let bad = 0;
      for (; next < 45; next++) q.put(item(next));
      for (let i = 0; i < 3000; i++) {
        q.put(item(next++));
        if (!check(q.get(), expected++)) bad++;
      }
      while (!q.empty) if (!check(q.get(), expected++)) bad++;
      return { bad, expected, next };
    }, q.handle);
    expect(result).toEqual({ bad: 0, expected: 3045, next: 3045 });
  });

  test('10 000 items put by a worker come out in order on the main thread (storage growth)', async () => {
    const q = new Queue<unknown>();
    const count = 10_000;
    await runInWorker(({ Queue }, { handle, count }) => {
      const q = Queue.from(handle);
      for (let i = 0; i < count; i++) q.put(i % 3 === 0 ? i : i % 3 === 1 ? `s${i}` : { i });
    }, { handle: q.handle, count });
    expect(q.size).toBe(count);
    let bad = 0;
    for (let i = 0; i < count; i++) {
      const item = q.getNowait();
      const want = i % 3 === 0 ? i : i % 3 === 1 ? `s${i}` : { i };
      if (JSON.stringify(item) !== JSON.stringify(want)) bad++;
    }
    expect(bad).toBe(0);
    expect(q.empty).toBe(true);
  });

  test.each([
    ['LifoQueue', LifoQueue, (n: number) => Array.from({ length: n }, (_, i) => n - 1 - i)],
    ['PriorityQueue', PriorityQueue, (n: number) => Array.from({ length: n }, (_, i) => i)],
  ] as const)('%s: 5000 items put by a worker come out in its order on the main thread (storage growth)', async (_name, QueueClass, expected) => {
    const q = new QueueClass() as Queue<number>;
    const count = 5000;
    await runInWorker(({ Queue }, { handle, count }) => {
      const q = Queue.from<number>(handle);
      // Priorities in a scrambled order, so the heap really has to sort them.
      for (let i = 0; i < count; i++) q.put(q.constructor.name === 'PriorityQueue' ? (i * 7919) % count : i);
    }, { handle: q.handle, count });
    expect(Array.from({ length: count }, () => q.getNowait())).toEqual(expected(count));
  });

  test('storage grown by one thread is seen by a thread that rebuilt the queue before it grew', async () => {
    const q = new Queue<unknown>();
    const state = sharedInts(2); // [0] worker has rebuilt the queue, [1] go
    const count = 3000;
    const big = 300_000;
    const worker = runInWorker(({ Queue }, { handle, state, count, big }) => {
      const q = Queue.from(handle); // views made now, while the storage is still small
      Atomics.store(state, 0, 1);
      if (Atomics.wait(state, 1, 0, 20_000) === 'timed-out') throw new Error('no go');
      const bytes = q.get({ timeout: 1000 }) as Uint8Array;
      let bad = bytes.length === big ? 0 : 1;
      for (let i = 0; i < bytes.length; i++) if (bytes[i] !== (i & 0xff)) bad++;
      for (let i = 0; i < count; i++) if (q.get({ timeout: 1000 }) !== `n${i}`) bad++;
      return { bad, empty: q.empty };
    }, { handle: q.handle, state, count, big });
    await until(() => Atomics.load(state, 0) === 1, 'the worker to rebuild the queue');
    q.put(new Uint8Array(big).map((_, i) => i & 0xff));
    for (let i = 0; i < count; i++) q.put(`n${i}`);
    Atomics.store(state, 1, 1);
    Atomics.notify(state, 1);
    expect(await worker).toEqual({ bad: 0, empty: true });
  });

  test('the FIFO ring keeps its order when it grows while wrapped around', () => {
    const q = new Queue<number>();
    let next = 0;
    let expected = 0;
    // Grow at many different head positions.
    for (const [puts, gets] of [[40, 30], [60, 10], [100, 90], [300, 250], [700, 0], [5, 700]] as const) {
      for (let i = 0; i < puts; i++) q.put(next++);
      for (let i = 0; i < gets; i++) expect(q.get()).toBe(expected++);
    }
    while (!q.empty) expect(q.get()).toBe(expected++);
    expect(expected).toBe(next);
  });

  test.each([
    ['Queue', Queue],
    ['LifoQueue', LifoQueue],
    ['PriorityQueue', PriorityQueue],
  ] as const)('%s: thousands of interleaved puts and gets of varied sizes in a worker, never empty (arena compaction), keep order', async (_name, QueueClass) => {
    const q = new QueueClass() as Queue<string>;
    const result = await runInWorker(({ Queue }, { handle }) => {
      const q = Queue.from<string>(handle);
      // A reference model of the same queue, kind by kind.
      const kind = q.constructor.name;
      const model: string[] = [];
      const key = (i: number) => `${String((i * 7919) % 10007).padStart(5, '0')}:${i}:${'#'.repeat((i * 37) % 300)}é`;
      const take = (): string | undefined => {
        if (kind === 'Queue') return model.shift();
        if (kind === 'LifoQueue') return model.pop();
        model.sort();
        return model.shift();
      };
      let i = 0;
      let mismatches = 0;
      for (; i < 30; i++) {
        q.put(key(i));
        model.push(key(i));
      }
      for (let round = 0; round < 4000; round++, i++) {
        q.put(key(i));
        model.push(key(i));
        if (q.get() !== take()) mismatches++;
      }
      while (model.length > 0) if (q.get() !== take()) mismatches++;
      return { kind, mismatches, empty: q.empty };
    }, { handle: q.handle });
    expect(result).toEqual({ kind: _name, mismatches: 0, empty: true });
  });
});

describe('LifoQueue and PriorityQueue order', () => {
  test('LifoQueue: last in, first out, across threads; Queue.from gives back a LifoQueue', async () => {
    const q = new LifoQueue<number>();
    const kind = await runInWorker(({ Queue }, handle) => {
      const q = Queue.from<number>(handle);
      for (let i = 1; i <= 5; i++) q.put(i);
      return q.constructor.name;
    }, q.handle);
    expect(kind).toBe('LifoQueue');
    expect([1, 2, 3, 4, 5].map(() => q.get())).toEqual([5, 4, 3, 2, 1]);
    q.put(1);
    q.put(2);
    expect(q.get()).toBe(2);
    q.put(3);
    expect([q.get(), q.get()]).toEqual([3, 1]);
  });

  test('PriorityQueue: [priority, data] tuples come out smallest first, ties broken by the data (as Python tuples)', async () => {
    const q = new PriorityQueue<[number, string]>();
    const items: [number, string][] = [[3, 'c'], [1, 'b'], [2, 'x'], [1, 'a'], [-5, 'neg'], [2.5, 'y'], [1, 'Z']];
    await runInWorker(({ PriorityQueue }, { handle, items }) => {
      const q = PriorityQueue.from<[number, string]>(handle);
      for (const item of items) q.put(item);
    }, { handle: q.handle, items });
    expect(items.map(() => q.get())).toEqual([[-5, 'neg'], [1, 'Z'], [1, 'a'], [1, 'b'], [2, 'x'], [2.5, 'y'], [3, 'c']]);
  });

  test('PriorityQueue: 2000 random numbers (duplicates, negatives, fractions) come out sorted in a worker', async () => {
    const q = new PriorityQueue<number>();
    const values = Array.from({ length: 2000 }, (_, i) => (((i * 2654435761) % 1000) - 500) / 4);
    for (const v of values) q.put(v);
    const out = await runInWorker(({ PriorityQueue }, { handle, n }) => {
      const q = PriorityQueue.from<number>(handle);
      return Array.from({ length: n }, () => q.get({ timeout: 20_000 }));
    }, { handle: q.handle, n: values.length });
    expect(out).toEqual([...values].sort((a, b) => a - b));
  });

  test('PriorityQueue: strings and bigints by value', () => {
    const words = new PriorityQueue<string>();
    for (const w of ['pear', 'apple', 'fig', 'Apple', 'banana']) words.put(w);
    expect([0, 1, 2, 3, 4].map(() => words.get())).toEqual(['Apple', 'apple', 'banana', 'fig', 'pear']);
    const big = new PriorityQueue<bigint | number>();
    for (const v of [10n ** 20n, 3, -2n, 7n, 0.5]) big.put(v);
    expect([0, 1, 2, 3, 4].map(() => big.get())).toEqual([-2n, 0.5, 3, 7n, 10n ** 20n]);
  });

  test('PriorityQueue: a custom compare orders objects, given to from() in each thread', async () => {
    type Job = { pri: number; name: string };
    const byPriorityDesc = (a: Job, b: Job): number => b.pri - a.pri || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    const q = new PriorityQueue<Job>({ compare: byPriorityDesc });
    q.put({ pri: 1, name: 'low' });
    q.put({ pri: 9, name: 'urgent' });
    await runInWorker(({ PriorityQueue }, handle) => {
      const q = PriorityQueue.from<{ pri: number; name: string }>(handle, {
        compare: (a, b) => b.pri - a.pri || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
      });
      q.put({ pri: 5, name: 'mid-b' });
      q.put({ pri: 5, name: 'mid-a' });
      q.put({ pri: 0, name: 'idle' });
    }, q.handle);
    expect([0, 1, 2, 3, 4].map(() => q.get().name)).toEqual(['urgent', 'mid-a', 'mid-b', 'low', 'idle']);
  });

  test('PriorityQueue: items that cannot be ordered throw TypeError and leave the heap intact', () => {
    const q = new PriorityQueue<unknown>();
    q.put([2, 'b']);
    q.put([1, 'a']);
    q.put([3, 'c']);
    expect(() => q.put({ not: 'orderable' })).toThrow(TypeError);
    expect(() => q.put([1, { data: 'no order' }])).toThrow(TypeError); // tie on priority, data not comparable
    expect(q.size).toBe(3);
    expect([q.get(), q.get(), q.get()]).toEqual([[1, 'a'], [2, 'b'], [3, 'c']]);
    q.taskDone();
    q.taskDone();
    q.taskDone();
    expect(() => q.taskDone()).toThrow(RangeError);
  });
});

describe('Queue construction and cross-thread views', () => {
  test('maxSize must be a non-negative integer; 0 (default) is unbounded', () => {
    for (const maxSize of [-1, 1.5, Number.NaN, '3']) {
      expect(() => new Queue({ maxSize: maxSize as number })).toThrow(RangeError);
      expect(() => new LifoQueue({ maxSize: maxSize as number })).toThrow(RangeError);
      expect(() => new PriorityQueue({ maxSize: maxSize as number })).toThrow(RangeError);
    }
    expect(() => new PriorityQueue({ compare: 'desc' as unknown as () => number })).toThrow(TypeError);
    const q = new Queue<number>();
    expect(q.maxSize).toBe(0);
    for (let i = 0; i < 1000; i++) q.putNowait(i);
    expect(q.full).toBe(false);
    expect(q.size).toBe(1000);
  });

  test('size, empty and full are shared: a worker sees the main thread\'s items and vice versa', async () => {
    const q = new Queue<number>({ maxSize: 3 });
    q.put(1);
    q.put(2);
    const seen = await runInWorker(({ Queue }, handle) => {
      const q = Queue.from<number>(handle);
      const before = { size: q.size, empty: q.empty, full: q.full, maxSize: q.maxSize };
      q.put(3);
      return before;
    }, q.handle);
    expect(seen).toEqual({ size: 2, empty: false, full: false, maxSize: 3 });
    expect(q.size).toBe(3);
    expect(q.full).toBe(true);
  });

  test('several queues are independent', async () => {
    const a = new Queue<string>();
    const b = new Queue<string>();
    await runInWorker(({ Queue }, { a, b }) => {
      Queue.from(a).put('to a');
      Queue.from(b).put('to b');
      Queue.from(b).put('to b again');
    }, { a: a.handle, b: b.handle });
    expect([a.size, b.size]).toEqual([1, 2]);
    expect(a.get()).toBe('to a');
    expect([b.get(), b.get()]).toEqual(['to b', 'to b again']);
  });

  test('a worker blocked in get() is woken by putAsync from the main thread, and vice versa', async () => {
    const q = new Queue<string>();
    const reply = new Queue<string>();
    const worker = startWorker(({ Queue }, { q, reply }) => {
      const input = Queue.from<string>(q);
      const output = Queue.from<string>(reply);
      for (let i = 0; i < 50; i++) output.put(`${input.get({ timeout: 20_000 })}!`);
    }, { q: q.handle, reply: reply.handle });
    for (let i = 0; i < 50; i++) {
      await q.putAsync(`m${i}`);
      expect(await reply.getAsync({ timeout: 20_000 })).toBe(`m${i}!`);
    }
    await worker.result;
  });
});
