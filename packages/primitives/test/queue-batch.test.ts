import { afterEach, describe, expect, test } from 'vitest';
import {
  LifoQueue,
  PriorityQueue,
  Queue,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  registerWorker,
  type QueueHandle,
} from '@lockstep/primitives';
import { runInWorker, sleep, startWorker, terminateAll, type Lib, type RunningWorker } from './support/workers.js';
import { rejectionOf, sharedInts, SLACK_MS, track, until } from './support/until.js';

// putMany / getMany and their async and no-wait forms: a batch is a loop of put() or get() calls in one
// lock hold, so everything here holds for the single calls too, counted item by item.

afterEach(terminateAll);

type AnyQueueClass = typeof Queue | typeof LifoQueue | typeof PriorityQueue;

/** What `get` would return, one by one, for `items` put in that order. */
const orders: [string, AnyQueueClass, (items: number[]) => number[]][] = [
  ['Queue', Queue, (items) => [...items]],
  ['LifoQueue', LifoQueue, (items) => [...items].reverse()],
  ['PriorityQueue', PriorityQueue, (items) => [...items].sort((a, b) => a - b)],
];

/** Runs `fn`, returning the class name of what it threw ('returned' if nothing). */
function thrownName(fn: () => unknown): string {
  try {
    fn();
    return 'returned';
  } catch (error) {
    return (error as Error).name;
  }
}

describe.each(orders)('%s: batches keep the order of get', (name, QueueClass, order) => {
  test('a worker putMany()s, the main thread getMany()s: the same order as put() and get() one by one', async () => {
    const items = [40, 7, 99, 7, -3, 12, 0, 55, 1e9, 2.5];
    const q = new QueueClass() as Queue<number>;
    await runInWorker(({ Queue }, { handle, items }) => Queue.from<number>(handle).putMany(items), { handle: q.handle, items });
    expect(q.size).toBe(items.length);
    expect(q.getMany(4)).toEqual(order(items).slice(0, 4));
    expect(q.getMany(100)).toEqual(order(items).slice(4));
    expect(q.empty).toBe(true);
  });

  test('the main thread putMany()s, a worker getMany()s, mixed with single put() and get()', async () => {
    const q = new QueueClass() as Queue<number>;
    q.put(5);
    q.putMany([3, 8]);
    q.putMany(new Set([1, 9]));
    q.put(4);
    const taken = await runInWorker(({ Queue }, { handle }) => {
      const q = Queue.from<number>(handle);
      return [q.get(), ...q.getMany(3), ...q.getManyNowait(10)];
    }, { handle: q.handle });
    expect(taken).toEqual(order([5, 3, 8, 1, 9, 4]));
    expect(q.constructor.name).toBe(name);
  });
});

describe.each([
  ['Queue', Queue],
  ['LifoQueue', LifoQueue],
] as const)('%s: every kind of item in one batch', (name, QueueClass) => {
  test('comes out as put, in order (inline integers, records of every tag)', async () => {
    const q = new QueueClass<unknown>();
    const items: unknown[] = [0, -0, 1, -1, 2 ** 30 - 1, -(2 ** 30), 2 ** 30, -(2 ** 30) - 1, 0.5, NaN, Infinity, 2 ** 53, 'text', '', 'ünï', new Uint8Array([1, 2, 3]), { id: 1, name: 'a' }, [1, [2]], null, undefined, true, 10n];
    const out = await runInWorker(({ Queue }, { handle, items }) => {
      const q = Queue.from<unknown>(handle);
      q.putMany(items);
      return q.getMany(items.length);
    }, { handle: q.handle, items });
    expect(out).toEqual(name === 'Queue' ? items : [...items].reverse());
    expect(Object.is(out[name === 'Queue' ? 1 : items.length - 2], -0)).toBe(true);
  });
});

describe('getMany takes what is there, up to max', () => {
  test('fewer than max: all of them, at once; more: max of them', () => {
    const q = new Queue<number>();
    q.putMany([1, 2, 3, 4, 5]);
    expect(q.getMany(3)).toEqual([1, 2, 3]);
    expect(q.getMany(10)).toEqual([4, 5]);
    expect(() => q.getManyNowait(1)).toThrow(QueueEmpty);
    q.put(6);
    expect(q.getManyNowait(1000)).toEqual([6]);
  });

  test('a worker blocked in getMany() wakes for the first put and takes the whole batch put with it', async () => {
    const q = new Queue<number>();
    const flags = sharedInts(2);
    const getter = runInWorker(({ Queue }, { handle, flags }) => {
      const q = Queue.from<number>(handle);
      Atomics.store(flags, 0, 1);
      const items = q.getMany(100, { timeout: 20_000 });
      return { items, triggered: Atomics.load(flags, 1) };
    }, { handle: q.handle, flags });
    await until(() => Atomics.load(flags, 0) === 1, 'the getter to start');
    await sleep(30);
    Atomics.store(flags, 1, 1);
    q.putMany([7, 8, 9]);
    // One lock hold put all three: the getter, waiting for one, finds three.
    expect(await getter).toEqual({ items: [7, 8, 9], triggered: 1 });
  });

  test('getManyAsync on the main thread wakes for a worker\'s putMany()', async () => {
    const q = new LifoQueue<string>();
    const waiting = q.getManyAsync(2, { timeout: 20_000 });
    await sleep(20);
    await runInWorker(({ Queue }, handle) => Queue.from<string>(handle).putMany(['a', 'b', 'c']), q.handle);
    expect(await waiting).toEqual(['c', 'b']);
    expect(q.getManyNowait(5)).toEqual(['a']);
  });

  test('several getters blocked in getMany() share one batch, each item to exactly one of them', async () => {
    const q = new Queue<number>();
    const ready = sharedInts(1);
    const getters = [0, 1, 2].map(() =>
      runInWorker(({ Queue }, { handle, ready }) => {
        const q = Queue.from<number>(handle);
        Atomics.add(ready, 0, 1);
        return q.getMany(2, { timeout: 20_000 });
      }, { handle: q.handle, ready }),
    );
    await until(() => Atomics.load(ready, 0) === 3, 'the getters to start');
    await sleep(30);
    q.putMany([1, 2, 3, 4, 5, 6]);
    // Six items, three getters of at most 2: whoever comes first finds at least 2 left.
    const got = await Promise.all(getters);
    expect(got.map((items) => items.length)).toEqual([2, 2, 2]);
    expect(got.flat().sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const items of got) expect(items[0]).toBeLessThan(items[1]!);
  });
});

describe('batch timeouts', () => {
  test('getMany({ timeout }) in a worker throws QueueEmpty no earlier than the timeout, taking nothing', async () => {
    const q = new Queue<number>();
    const result = await runInWorker(({ Queue }, handle) => {
      const q = Queue.from(handle);
      const started = performance.now();
      try {
        q.getMany(10, { timeout: 100 });
        return { name: 'returned', elapsed: 0 };
      } catch (error) {
        return { name: (error as Error).name, elapsed: performance.now() - started };
      }
    }, q.handle);
    expect(result.name).toBe('QueueEmpty');
    expect(result.elapsed).toBeGreaterThanOrEqual(100 - SLACK_MS);
    q.put(1);
    expect(q.getMany(10)).toEqual([1]);
  });

  test('putMany({ timeout }) on a bounded queue puts what fits, then throws QueueFull with itemsPut; the task count has exactly those', async () => {
    const q = new Queue<number>({ maxSize: 5 });
    q.putMany([1, 2]);
    const result = await runInWorker(({ Queue, QueueFull }, handle) => {
      const q = Queue.from<number>(handle);
      const started = performance.now();
      try {
        q.putMany([3, 4, 5, 6, 7, 8], { timeout: 100 });
        return { name: 'returned', itemsPut: -1, elapsed: 0 };
      } catch (error) {
        return { name: (error as Error).name, itemsPut: error instanceof QueueFull ? error.itemsPut : -1, elapsed: performance.now() - started };
      }
    }, q.handle);
    expect(result).toMatchObject({ name: 'QueueFull', itemsPut: 3 });
    expect(result.elapsed).toBeGreaterThanOrEqual(100 - SLACK_MS);
    expect(q.getMany(10)).toEqual([1, 2, 3, 4, 5]);
    q.taskDone(5);
    expect(() => q.taskDone()).toThrow(RangeError);
    expect(q.join({ timeout: 0 })).toBe(true);
  });

  test('putManyNowait puts what fits now; on a full queue nothing, itemsPut 0', () => {
    const q = new Queue<number>({ maxSize: 3 });
    const error = (() => {
      try {
        q.putManyNowait([1, 2, 3, 4]);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(QueueFull);
    expect((error as QueueFull).itemsPut).toBe(3);
    expect((error as QueueFull).message).toContain('3 of the 4 items were put');
    try {
      q.putManyNowait([9]);
    } catch (caught) {
      expect((caught as QueueFull).itemsPut).toBe(0);
    }
    expect(q.getManyNowait(10)).toEqual([1, 2, 3]);
  });

  test('putManyAsync/getManyAsync time out no earlier than the timeout', async () => {
    const q = new Queue<number>({ maxSize: 2 });
    let started = performance.now();
    await expect(q.getManyAsync(5, { timeout: 80 })).rejects.toThrow(QueueEmpty);
    expect(performance.now() - started).toBeGreaterThanOrEqual(80 - SLACK_MS);
    started = performance.now();
    const error = await rejectionOf(q.putManyAsync([1, 2, 3], { timeout: 80 }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(80 - SLACK_MS);
    expect(error).toBeInstanceOf(QueueFull);
    expect((error as QueueFull).itemsPut).toBe(2);
    expect(await q.getManyAsync(5, { timeout: 1000 })).toEqual([1, 2]);
  });
});

describe('batch AbortSignal (async forms)', () => {
  test('an already aborted signal rejects with its reason and changes nothing', async () => {
    const q = new Queue<number>();
    const reason = new Error('no');
    const signal = AbortSignal.abort(reason);
    await expect(q.putManyAsync([1, 2], { signal })).rejects.toBe(reason);
    expect(q.size).toBe(0);
    q.putMany([3, 4]);
    await expect(q.getManyAsync(2, { signal })).rejects.toBe(reason);
    expect(q.getMany(5)).toEqual([3, 4]);
  });

  test('an aborted getManyAsync rejects with the reason and takes nothing put afterwards', async () => {
    const q = new Queue<string>();
    const controller = new AbortController();
    const waiting = q.getManyAsync(10, { signal: controller.signal, timeout: 20_000 });
    await sleep(10);
    const reason = new Error('cancelled');
    controller.abort(reason);
    expect(await rejectionOf(waiting)).toBe(reason);
    await runInWorker(({ Queue }, handle) => Queue.from<string>(handle).putMany(['x', 'y']), q.handle);
    await sleep(20);
    expect(q.getManyNowait(10)).toEqual(['x', 'y']);
  });

  test('an aborted putManyAsync waiting for room keeps the items already in, and adds no more', async () => {
    const q = new Queue<number>({ maxSize: 2 });
    const controller = new AbortController();
    const putting = q.putManyAsync([1, 2, 3, 4], { signal: controller.signal, timeout: 20_000 });
    await sleep(20);
    expect(q.size).toBe(2);
    const reason = new Error('enough');
    controller.abort(reason);
    expect(await rejectionOf(putting)).toBe(reason);
    expect(q.getMany(10)).toEqual([1, 2]);
    await sleep(20);
    expect(q.size).toBe(0);
  });

  test('an aborted getManyAsync does not swallow the wake-up meant for a worker blocked in getMany()', async () => {
    const q = new Queue<number>();
    const controller = new AbortController();
    const aborted = q.getManyAsync(5, { signal: controller.signal, timeout: 20_000 });
    const ready = sharedInts(1);
    const getter = runInWorker(({ Queue }, { handle, ready }) => {
      const q = Queue.from<number>(handle);
      Atomics.store(ready, 0, 1);
      return q.getMany(5, { timeout: 20_000 });
    }, { handle: q.handle, ready });
    await until(() => Atomics.load(ready, 0) === 1, 'the getter to start');
    await sleep(30);
    controller.abort(new Error('gone'));
    await rejectionOf(aborted);
    q.putMany([1, 2]);
    expect(await getter).toEqual([1, 2]);
  });
});

describe('a bounded queue and putMany', () => {
  test('putMany of more than maxSize in a worker blocks until the getters make room, and every item arrives in order', async () => {
    const q = new Queue<number>({ maxSize: 4 });
    const putter = track(
      runInWorker(({ Queue }, { handle }) => {
        Queue.from<number>(handle).putMany(Array.from({ length: 10 }, (_, i) => i), { timeout: 20_000 });
      }, { handle: q.handle }),
    );
    await until(() => q.size === 4, 'the first 4 to go in');
    await sleep(30);
    expect([q.size, putter.settled]).toEqual([4, false]); // still waiting for room
    const got: number[] = [];
    while (got.length < 10) got.push(...(await q.getManyAsync(3, { timeout: 20_000 })));
    expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await putter.promise;
  });

  test('a putMany blocked on a full queue is woken by getMany in a worker', async () => {
    const q = new LifoQueue<number>({ maxSize: 2 });
    q.putMany([1, 2]);
    const putting = track(q.putManyAsync([3, 4], { timeout: 20_000 }));
    await sleep(20);
    expect(putting.settled).toBe(false);
    expect(await runInWorker(({ Queue }, handle) => Queue.from<number>(handle).getMany(2, { timeout: 20_000 }), q.handle)).toEqual([2, 1]);
    await putting.promise;
    expect(q.getMany(5)).toEqual([4, 3]);
  });

  test('a put blocked on a large full queue goes in after a single get, whether it spins or sleeps meanwhile', async () => {
    // maxSize 1024: a waiting putter looks for 64 slots freed while it spins; one must still do.
    const q = new Queue<number>({ maxSize: 1024 });
    q.putMany(Array.from({ length: 1024 }, (_, i) => i));
    for (const pause of [0, 50]) {
      const ready = sharedInts(1);
      const putter = runInWorker(({ Queue }, { handle, ready }) => {
        const q = Queue.from<number>(handle);
        Atomics.store(ready, 0, 1);
        q.put(-1, { timeout: 20_000 });
        q.putMany([-2, -3], { timeout: 20_000 });
        return q.size;
      }, { handle: q.handle, ready });
      await until(() => Atomics.load(ready, 0) === 1, 'the putter to start');
      await sleep(pause);
      q.get();
      await until(() => q.full, 'the put to go in');
      q.get();
      q.get();
      expect(await putter).toBe(1024);
    }
  });

  test('an empty batch returns at once, even on a full queue', () => {
    const q = new Queue<number>({ maxSize: 1 });
    q.put(1);
    q.putMany([]);
    q.putManyNowait([]);
    expect(q.size).toBe(1);
  });
});

describe('shutdown during a batch', () => {
  test('a putMany blocked for room gets QueueShutDown with the count put; the items in stay (or are dropped, immediate)', async () => {
    for (const immediate of [false, true]) {
      const q = new Queue<number>({ maxSize: 3 });
      const ready = sharedInts(1);
      const putter = runInWorker(({ Queue, QueueShutDown }, { handle, ready }) => {
        const q = Queue.from<number>(handle);
        Atomics.store(ready, 0, 1);
        try {
          q.putMany([1, 2, 3, 4, 5], { timeout: 20_000 });
          return { name: 'returned', itemsPut: -1 };
        } catch (error) {
          return { name: (error as Error).name, itemsPut: error instanceof QueueShutDown ? error.itemsPut : -1 };
        }
      }, { handle: q.handle, ready });
      await until(() => Atomics.load(ready, 0) === 1 && q.size === 3, 'the putter to fill the queue');
      await sleep(30);
      q.shutdown({ immediate });
      expect(await putter).toEqual({ name: 'QueueShutDown', itemsPut: 3 });
      if (immediate) {
        expect(q.size).toBe(0);
        expect(q.join({ timeout: 0 })).toBe(true);
      } else {
        expect(q.getMany(10)).toEqual([1, 2, 3]);
      }
      expect(() => q.getManyNowait(1)).toThrow(QueueShutDown);
      expect(thrownName(() => q.putMany([6]))).toBe('QueueShutDown');
    }
  });

  test('getMany blocked on an empty queue gets QueueShutDown; after a plain shutdown it drains what is left first', async () => {
    const q = new Queue<number>();
    const ready = sharedInts(1);
    const getter = runInWorker(({ Queue }, { handle, ready }) => {
      const q = Queue.from<number>(handle);
      Atomics.store(ready, 0, 1);
      try {
        q.getMany(10, { timeout: 20_000 });
        return 'returned';
      } catch (error) {
        return (error as Error).name;
      }
    }, { handle: q.handle, ready });
    await until(() => Atomics.load(ready, 0) === 1, 'the getter to start');
    await sleep(30);
    q.shutdown();
    expect(await getter).toBe('QueueShutDown');

    const r = new Queue<number>();
    r.putMany([1, 2, 3]);
    r.shutdown();
    expect(r.getMany(2)).toEqual([1, 2]);
    expect(await r.getManyAsync(2)).toEqual([3]);
    await expect(r.getManyAsync(2)).rejects.toThrow(QueueShutDown);
  });
});

describe('taskDone/join with batches', () => {
  test('every item of a batch is one task; taskDone(n) marks n of them at once', () => {
    const q = new Queue<number>();
    q.putMany(Array.from({ length: 100 }, (_, i) => i));
    expect(q.join({ timeout: 0 })).toBe(false);
    const first = q.getMany(60);
    q.taskDone(first.length);
    expect(q.join({ timeout: 0 })).toBe(false);
    q.taskDone(q.getMany(100).length - 1);
    expect(q.join({ timeout: 0 })).toBe(false);
    q.taskDone();
    expect(q.join({ timeout: 0 })).toBe(true);
    expect(() => q.taskDone()).toThrow(RangeError);
  });

  test('taskDone(n) past the count throws RangeError and marks nothing', () => {
    const q = new Queue<number>();
    q.putMany([1, 2, 3]);
    q.getMany(3);
    expect(() => q.taskDone(4)).toThrow(/only 3 items/);
    q.taskDone(3);
    expect(q.join({ timeout: 0 })).toBe(true);
  });

  test('join() across threads waits for consumers that getMany() and taskDone(n) in workers', async () => {
    const q = new Queue<number>({ maxSize: 50 });
    const done = sharedInts(1);
    const consumers = [0, 1].map(() =>
      runInWorker(({ Queue, QueueShutDown }, { handle, done }) => {
        const q = Queue.from<number>(handle);
        for (;;) {
          let items: number[];
          try {
            items = q.getMany(7, { timeout: 20_000 });
          } catch (error) {
            if (error instanceof QueueShutDown) return;
            throw error;
          }
          Atomics.add(done, 0, items.length);
          q.taskDone(items.length);
        }
      }, { handle: q.handle, done }),
    );
    const producer = runInWorker(({ Queue }, { handle }) => {
      const q = Queue.from<number>(handle);
      for (let i = 0; i < 20; i++) q.putMany(Array.from({ length: 25 }, (_, j) => i * 25 + j), { timeout: 20_000 });
    }, { handle: q.handle });
    await producer;
    expect(await q.joinAsync({ timeout: 30_000 })).toBe(true);
    expect(Atomics.load(done, 0)).toBe(500);
    q.shutdown();
    await Promise.all(consumers);
  });
});

describe('batch argument errors', () => {
  test('max must be a positive integer: RangeError (TypeError for a non-number), naming it; nothing is taken', async () => {
    const q = new Queue<number>();
    q.put(1);
    for (const max of [0, -1, 1.5, Number.NaN, Infinity]) {
      expect(() => q.getMany(max)).toThrow(RangeError);
      expect(() => q.getMany(max)).toThrow(/max must be a positive integer/);
      expect(() => q.getManyNowait(max)).toThrow(RangeError);
      await expect(q.getManyAsync(max)).rejects.toThrow(RangeError);
    }
    expect(() => q.getMany('2' as unknown as number)).toThrow(TypeError);
    expect(q.size).toBe(1);
  });

  test('items must be iterable: TypeError naming them', async () => {
    const q = new Queue<number>();
    for (const items of [42, null, undefined, { length: 1, 0: 1 }]) {
      expect(() => q.putMany(items as unknown as number[])).toThrow(/items must be iterable/);
      await expect(q.putManyAsync(items as unknown as number[])).rejects.toThrow(TypeError);
    }
    expect(q.size).toBe(0);
  });

  test('an item that cannot be queued fails the batch with TypeError before anything is put', () => {
    const q = new Queue<unknown>();
    expect(() => q.putMany([1, 'two', () => 3, 4])).toThrow(TypeError);
    expect(() => q.putMany([1, new Int32Array(new SharedArrayBuffer(8))])).toThrow(TypeError);
    expect(q.size).toBe(0);
    expect(q.join({ timeout: 0 })).toBe(true);
  });

  test('an iterable that throws fails the batch before anything is put', () => {
    const q = new Queue<number>();
    function* failing(): Generator<number> {
      yield 1;
      throw new Error('source failed');
    }
    expect(() => q.putMany(failing())).toThrow('source failed');
    expect(q.size).toBe(0);
  });

  test('timeouts and counts are checked as for the single calls', async () => {
    const q = new Queue<number>();
    expect(() => q.putMany([1], { timeout: -1 })).toThrow(RangeError);
    expect(() => q.getMany(1, { timeout: -1 })).toThrow(RangeError);
    await expect(q.getManyAsync(1, { timeout: Number.NaN })).rejects.toThrow(TypeError);
    for (const count of [0, -2, 1.5]) expect(() => q.taskDone(count)).toThrow(/count must be a positive integer/);
    expect(q.size).toBe(0);
  });

  test('a PriorityQueue comparator that throws mid-batch: the items before it are in, the error goes on, the heap is intact', () => {
    const q = new PriorityQueue<unknown>();
    expect(() => q.putMany([3, 1, 'x', 2])).toThrow(TypeError);
    expect(q.getMany(10)).toEqual([1, 3]);
    q.taskDone(2);
    expect(q.join({ timeout: 0 })).toBe(true);
  });
});

describe('a batch holding an item this thread cannot rebuild (too deep for its stack)', () => {
  function nested(depth: number): unknown[] {
    const root: unknown[] = [];
    let level = root;
    for (let i = 1; i < depth; i++) {
      const inner: unknown[] = [];
      level.push(inner);
      level = inner;
    }
    return root;
  }
  const DEPTH = 3_000;

  for (const Kind of [Queue, LifoQueue]) {
    test(`${Kind.name}: getMany returns the items before it; it and the rest stay in their places; the next getMany throws ItemDecodeError`, async () => {
      const queue = new Kind<unknown>();
      queue.putMany(Kind === Queue ? ['a', 'b', nested(DEPTH), 'c', 'd'] : ['d', 'c', nested(DEPTH), 'b', 'a']);
      const worker = startWorker(
        ({ Queue }, handle: QueueHandle) => {
          const q = Queue.from<unknown>(handle);
          const first = q.getMany(10);
          let second: string;
          try {
            q.getMany(10);
            second = 'returned';
          } catch (error) {
            second = (error as Error).name;
          }
          return { first, second, size: q.size };
        },
        queue.handle,
        { resourceLimits: { stackSizeMb: 0.5 } },
      );
      expect(await worker.result).toEqual({ first: ['a', 'b'], second: 'ItemDecodeError', size: 3 });
      const rest = queue.getMany(10);
      expect(Array.isArray(rest[0])).toBe(true);
      expect(rest.slice(1)).toEqual(['c', 'd']);
      queue.taskDone(5);
      expect(queue.join({ timeout: 0 })).toBe(true);
    });
  }

  test('ItemDecodeError is what getMany throws when the first item cannot be rebuilt', async () => {
    const queue = new Queue<unknown>();
    queue.putMany([nested(DEPTH), 1]);
    const worker = startWorker(
      ({ Queue, ItemDecodeError }, handle: QueueHandle) => {
        try {
          Queue.from<unknown>(handle).getMany(2);
          return 'returned';
        } catch (error) {
          return error instanceof ItemDecodeError ? (error as Error).message : String(error);
        }
      },
      queue.handle,
      { resourceLimits: { stackSizeMb: 0.5 } },
    );
    expect(await worker.result).toMatch(/put back where it was, with the 1 taken after it/);
    expect(queue.size).toBe(2);
  });
});

describe('batches and the storage', () => {
  test('a ring wrapped around grows under one putMany and keeps its order', () => {
    const q = new Queue<number>();
    let next = 0;
    let expected = 0;
    for (const [puts, gets] of [[50, 40], [500, 300], [5000, 4000], [20_000, 0]] as const) {
      q.putMany(Array.from({ length: puts }, () => next++));
      for (let taken = 0; taken < gets; ) {
        const items = q.getMany(gets - taken);
        for (const item of items) expect(item).toBe(expected++);
        taken += items.length;
      }
    }
    for (const item of q.getMany(1_000_000)) expect(item).toBe(expected++);
    expect(expected).toBe(next);
  });

  test('strings and objects of many sizes in batches, through a worker, arena growing and compacting', async () => {
    const q = new Queue<unknown>();
    const result = await runInWorker(({ Queue }, { handle }) => {
      const q = Queue.from<unknown>(handle);
      const item = (i: number): unknown => (i % 3 === 0 ? `s${i}:${'x'.repeat(i % 200)}` : i % 3 === 1 ? { i, pad: 'y'.repeat(i % 500) } : i + 0.5);
      let next = 0;
      let expected = 0;
      let mismatches = 0;
      const check = (got: unknown): void => {
        if (JSON.stringify(got) !== JSON.stringify(item(expected++))) mismatches++;
      };
      for (let round = 0; round < 200; round++) {
        q.putMany(Array.from({ length: 1 + ((round * 37) % 90) }, () => item(next++)));
        for (const got of q.getMany(1 + ((round * 53) % 80))) check(got);
      }
      for (const got of q.getMany(1_000_000)) check(got);
      return { mismatches, all: expected === next };
    }, { handle: q.handle });
    expect(result).toEqual({ mismatches: 0, all: true });
  });

  test('byte arrays and strings of every small length, in one batch and one by one, come out exact', () => {
    const q = new Queue<Uint8Array | string | number>();
    const items: (Uint8Array | string)[] = [];
    for (let n = 0; n < 300; n++) items.push(n % 2 === 0 ? Uint8Array.from({ length: n }, (_, i) => (i * 7 + n) & 0xff) : 'é'.repeat(n % 37) + 'x'.repeat(n));
    q.putMany(items);
    for (const item of items.slice(0, 50)) q.put(item);
    const out = [...q.getMany(300), ...Array.from({ length: 50 }, () => q.get({ timeout: 0 }))];
    expect(out).toEqual([...items, ...items.slice(0, 50)]);
    const bytes = out[2] as Uint8Array;
    expect(bytes.buffer.byteLength).toBe(2); // its own memory, just its bytes
    // Odd sizes past anything encoded so far (the encoding buffers grow to fit), then small items
    // through the same, reused, buffers.
    for (const size of [100_003, 300_001]) {
      const odd = [Uint8Array.from({ length: size }, (_, i) => i & 0xff), 'y'.repeat(size)];
      q.putMany(odd);
      q.put(1.5);
      q.putMany(['s', 2.5]);
      expect(q.getMany(10)).toEqual([...odd, 1.5, 's', 2.5]);
    }
  });

  test('a batch past maxBytes goes in as far as it fits, one by one, then throws RangeError', () => {
    const q = new Queue<string>({ maxBytes: 16 * 1024 });
    const big = 'z'.repeat(5000);
    expect(() => q.putMany([big, big, big, big])).toThrow(RangeError);
    expect(q.size).toBe(3);
    expect(q.getMany(10)).toEqual([big, big, big]);
  });
});

describe('select and batches', () => {
  test('a worker in Queue.select wakes for a putMany and takes its first item; the rest stay', async () => {
    const a = new Queue<number>();
    const b = new Queue<number>();
    const ready = sharedInts(1);
    const selector = runInWorker(({ Queue }, { ha, hb, ready }) => {
      const queues = [Queue.from<number>(ha), Queue.from<number>(hb)];
      Atomics.store(ready, 0, 1);
      const { index, item } = Queue.select(queues, { timeout: 20_000 });
      return { index, item };
    }, { ha: a.handle, hb: b.handle, ready });
    await until(() => Atomics.load(ready, 0) === 1, 'the selector to start');
    await sleep(30);
    b.putMany([5, 6, 7]);
    expect(await selector).toEqual({ index: 1, item: 5 });
    expect(b.getMany(5)).toEqual([6, 7]);
  });
});

describe('batch stress: 3 producers putMany, 3 consumers getMany, all real workers', () => {
  test.each([
    ['Queue', Queue],
    ['LifoQueue', LifoQueue],
    ['PriorityQueue', PriorityQueue],
  ] as const)('%s, bounded: every item arrives exactly once, intact; join() returns after the last taskDone(n)', async (name, QueueClass) => {
    const perProducer = name === 'PriorityQueue' ? 6_000 : 15_000;
    const producers = 3;
    const total = producers * perProducer;
    const q = new QueueClass<unknown>({ maxSize: 200 }) as Queue<unknown>;
    const seen = sharedInts(total);
    const done = sharedInts(1);
    const consumerRuns = [0, 1, 2].map((c) =>
      runInWorker(({ Queue, QueueShutDown }, { handle, seen, done, c, perProducer, fifo }) => {
        const q = Queue.from<unknown>(handle);
        let corrupt = 0;
        let outOfOrder = 0;
        const lastOf = [-1, -1, -1];
        for (let round = 0; ; round++) {
          let items: unknown[];
          try {
            items = q.getMany(1 + ((round * 31 + c * 7) % 97), { timeout: 30_000 });
          } catch (error) {
            if (error instanceof QueueShutDown) return { corrupt, outOfOrder };
            throw error;
          }
          for (const item of items) {
            let id: number;
            if (typeof item === 'number') id = item;
            else if (typeof item === 'string') {
              id = Number(item.slice(3));
              if (item !== `id-${id}`) corrupt++;
            } else if (Array.isArray(item)) {
              id = item[0] as number;
              if (item[1] !== 'p'.repeat(id % 40)) corrupt++;
            } else {
              const o = item as { id: number; name: string };
              id = o.id;
              if (o.name !== `n${id % 10}`) corrupt++;
            }
            Atomics.add(seen, id, 1);
            // Within one consumer, a FIFO queue gives each producer's items in the order it put them.
            const producer = Math.floor(id / perProducer);
            if (fifo && id < lastOf[producer]!) outOfOrder++;
            lastOf[producer] = id;
          }
          Atomics.add(done, 0, items.length);
          q.taskDone(items.length);
        }
      }, { handle: q.handle, seen, done, c, perProducer, fifo: name === 'Queue' }),
    );
    const producerRuns = Array.from({ length: producers }, (_, p) =>
      runInWorker(({ Queue }, { handle, p, perProducer, sorted }) => {
        const q = Queue.from<unknown>(handle);
        // Numbers stay numbers in a priority queue (the default order compares like with like).
        const make = (id: number): unknown => {
          if (sorted) return id;
          switch (id % 4) {
            case 0:
              return id;
            case 1:
              return `id-${id}`;
            case 2:
              return [id, 'p'.repeat(id % 40)];
            default:
              return { id, name: `n${id % 10}` };
          }
        };
        for (let sent = 0, round = 0; sent < perProducer; round++) {
          const size = Math.min(perProducer - sent, 1 + ((round * 17 + p * 5) % 300));
          q.putMany(Array.from({ length: size }, (_, j) => make(p * perProducer + sent + j)), { timeout: 30_000 });
          sent += size;
        }
      }, { handle: q.handle, p, perProducer, sorted: name === 'PriorityQueue' }),
    );
    await Promise.all(producerRuns);
    expect(await q.joinAsync({ timeout: 60_000 })).toBe(true);
    expect(Atomics.load(done, 0)).toBe(total);
    q.shutdown(); // the consumers' getMany throws QueueShutDown once it is drained: their way out
    expect(await Promise.all(consumerRuns)).toEqual([0, 1, 2].map(() => ({ corrupt: 0, outOfOrder: 0 })));
    const missing: number[] = [];
    const duplicated: number[] = [];
    seen.forEach((n, id) => {
      if (n === 0) missing.push(id);
      else if (n > 1) duplicated.push(id);
    });
    expect({ missing: missing.slice(0, 10), duplicated: duplicated.slice(0, 10) }).toEqual({ missing: [], duplicated: [] });
  });
});

describe('a registered worker killed inside putMany/getMany', () => {
  const KILLS = 24;
  const PARALLEL = 4;
  const MAX_BATCH = 40;

  function startRegistered<D, R>(fn: (lib: Lib, data: D) => R | Promise<R>, data: D): RunningWorker<Awaited<R>> {
    const running = startWorker(fn, data);
    registerWorker(running.worker);
    running.result.catch(() => {}); // the victims die on purpose
    return running;
  }

  test(`Queue, LifoQueue, PriorityQueue: ${KILLS} kills; the next calls never hang, a batch is in up to a prefix, and the task count matches what is queued`, async () => {
    let state = 77;
    const random = (): number => ((state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32);
    let next = 0;
    const round = async (n: number): Promise<void> => {
      const kind = (['Queue', 'LifoQueue', 'PriorityQueue'] as const)[n % 3]!;
      const consumer = Math.floor(n / 3) % 2 === 0;
      const queue = kind === 'Queue' ? new Queue<number>() : kind === 'LifoQueue' ? new LifoQueue<number>() : new PriorityQueue<number>();
      const ITEMS = 4_000;
      if (consumer) queue.putMany(Array.from({ length: ITEMS }, (_, id) => id));
      const seen = sharedInts(ITEMS + 1); // [0]: items done; [1 + id]: the victim took id
      const victim = startRegistered(
        (lib, d: { handle: QueueHandle; seen: Int32Array; consumer: boolean; items: number; maxBatch: number }) => {
          const q = lib.Queue.from<number>(d.handle);
          for (let done = 0, k = 0; done < d.items; k++) {
            const size = Math.min(d.items - done, 1 + ((k * 13) % d.maxBatch));
            if (d.consumer) {
              const items = q.getMany(size, { timeout: 20_000 });
              for (const id of items) Atomics.store(d.seen, 1 + id, 1);
              q.taskDone(items.length);
              done += items.length;
            } else {
              q.putMany(Array.from({ length: size }, (_, j) => done + j), { timeout: 20_000 });
              done += size;
            }
            Atomics.store(d.seen, 0, done);
          }
        },
        { handle: queue.handle, seen, consumer, items: ITEMS, maxBatch: MAX_BATCH },
      );
      const target = Math.floor(random() * ITEMS * 0.8);
      await until(() => Atomics.load(seen, 0) >= target, 'the victim to make progress');
      await victim.worker.terminate();
      const progress = Atomics.load(seen, 0);
      // No call may meet InternalStateLockedError: a dead registered holder's step is rolled back.
      const left = queue.empty ? [] : queue.getManyNowait(ITEMS + 1);
      expect(queue.empty).toBe(true);
      queue.putManyNowait([-1, -2]);
      expect(queue.getManyNowait(2).sort((a, b) => a - b)).toEqual([-2, -1]);
      expect(new Set(left).size, 'no item twice').toBe(left.length);
      if (consumer) {
        const taken = Array.from({ length: ITEMS }, (_, id) => id).filter((id) => Atomics.load(seen, 1 + id) === 1);
        for (const id of taken) expect(left.includes(id), `item ${id} taken by the victim and still queued`).toBe(false);
        // At most the batch in the victim's hands is neither queued nor marked taken.
        expect(ITEMS - taken.length - left.length).toBeGreaterThanOrEqual(0);
        expect(ITEMS - taken.length - left.length).toBeLessThanOrEqual(MAX_BATCH);
      } else {
        // Every batch put that returned is there, and of the one in flight a prefix at most.
        expect(left.length).toBeGreaterThanOrEqual(progress);
        expect(left.length).toBeLessThanOrEqual(progress + MAX_BATCH);
        expect([...left].sort((a, b) => a - b)).toEqual(Array.from({ length: left.length }, (_, i) => i));
        // The task count holds exactly the items queued: none lost, none counted twice.
        queue.taskDone(left.length + 2);
        expect(queue.join({ timeout: 0 })).toBe(true);
        expect(() => queue.taskDone()).toThrow(RangeError);
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, async () => {
      while (next < KILLS) await round(next++);
    }));
  });
});
