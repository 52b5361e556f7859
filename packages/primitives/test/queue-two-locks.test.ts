import { afterEach, describe, expect, test } from 'vitest';
import { InternalStateLockedError, ItemDecodeError, Queue, QueueEmpty, QueueFull, type QueueHandle } from '@lockstep/primitives';
// The same module instance as the package's (its exports resolve to dist/): where the lock words and counters are.
import { QUEUE_CELLS_FOR_TESTS as CELLS } from '../dist/queue/queue.js';
import { startWorker, terminateAll } from './support/workers.js';

afterEach(terminateAll);

// A FIFO Queue has two internal locks: puts hold one, gets the other (see record-store.ts). These
// tests hold each by hand, run one producer and one consumer flat out through every path that moves
// what the other side reads, start the 32-bit counters near their wrap, and mix queue objects.

/** A robust mutex's word when held by thread `ident` (never registered here, so never found dead). */
const heldBy = (ident: number): number => (ident + 1) << 2;
const STRANGER = 4_321;

function cellsOf(queue: Queue<unknown>): Int32Array {
  const { buffer, byteOffset } = queue.handle;
  return new Int32Array(buffer, byteOffset, CELLS.head + 1);
}

function thrown(call: () => unknown): { name: string; cause: string | undefined; itemsPut?: number } {
  try {
    call();
  } catch (error) {
    const { name, cause, itemsPut } = error as Error & { itemsPut?: number };
    return { name, cause: (cause as Error | undefined)?.name, ...(itemsPut === undefined ? {} : { itemsPut }) };
  }
  throw new Error('expected a throw');
}

describe('a FIFO queue with one of its two internal locks stuck', () => {
  test('the take lock held: puts go in, gets give up by their deadline, shutdown() cannot; let go, every item is there in order', () => {
    const queue = new Queue<number>();
    const cells = cellsOf(queue);
    Atomics.store(cells, CELLS.takeLock, heldBy(STRANGER));
    queue.put(1);
    queue.putNowait(2);
    queue.putMany([3, 4]);
    expect(queue.size).toBe(4);
    expect(thrown(() => queue.getNowait())).toEqual({ name: 'InternalStateLockedError', cause: undefined });
    expect(thrown(() => queue.get({ timeout: 20 }))).toEqual({ name: 'QueueEmpty', cause: 'InternalStateLockedError' });
    expect(thrown(() => queue.getMany(4, { timeout: 20 }))).toEqual({ name: 'QueueEmpty', cause: 'InternalStateLockedError' });
    expect(thrown(() => queue.shutdown())).toEqual({ name: 'InternalStateLockedError', cause: undefined });
    // Marking work done needs only the put lock.
    queue.taskDone();
    expect(queue.join({ timeout: 0 })).toBe(false);
    Atomics.store(cells, CELLS.takeLock, 0);
    expect(queue.getMany(10)).toEqual([1, 2, 3, 4]);
    expect(queue.isShutDown).toBe(false);
  });

  test('the take lock held, a put that must grow the index (which moves what getters read) gives up as a put whose lock stayed held, changing nothing', () => {
    const queue = new Queue<number>();
    // The index starts with room for 64 entries.
    queue.putMany(Array.from({ length: 64 }, (_, i) => i));
    const cells = cellsOf(queue);
    Atomics.store(cells, CELLS.takeLock, heldBy(STRANGER));
    expect(thrown(() => queue.put(64, { timeout: 20 }))).toEqual({ name: 'QueueFull', cause: 'InternalStateLockedError', itemsPut: 0 });
    expect(thrown(() => queue.putNowait(64))).toEqual({ name: 'InternalStateLockedError', cause: undefined });
    expect(thrown(() => queue.putMany([64, 65], { timeout: 20 }))).toEqual({ name: 'QueueFull', cause: 'InternalStateLockedError', itemsPut: 0 });
    expect(queue.size).toBe(64);
    Atomics.store(cells, CELLS.takeLock, 0);
    queue.putMany([64, 65]);
    expect(queue.getMany(100)).toEqual(Array.from({ length: 66 }, (_, i) => i));
    queue.taskDone(66);
    expect(queue.join({ timeout: 0 })).toBe(true);
  });

  test('the put lock held: gets take what is there, then find the queue empty; puts, taskDone() and join() give up', () => {
    const queue = new Queue<number>();
    queue.putMany([1, 2, 3]);
    const cells = cellsOf(queue);
    Atomics.store(cells, CELLS.putLock, heldBy(STRANGER));
    expect(queue.getNowait()).toBe(1);
    expect(queue.get({ timeout: 20 })).toBe(2);
    expect(queue.getMany(5)).toEqual([3]);
    expect(thrown(() => queue.getNowait())).toEqual({ name: 'QueueEmpty', cause: undefined });
    expect(thrown(() => queue.putNowait(4))).toEqual({ name: 'InternalStateLockedError', cause: undefined });
    expect(thrown(() => queue.put(4, { timeout: 20 }))).toEqual({ name: 'QueueFull', cause: 'InternalStateLockedError', itemsPut: 0 });
    expect(thrown(() => queue.taskDone())).toEqual({ name: 'InternalStateLockedError', cause: undefined });
    expect(queue.join({ timeout: 20 })).toBe(false);
    Atomics.store(cells, CELLS.putLock, 0);
    queue.put(4);
    expect(queue.getNowait()).toBe(4);
  });

  test('errors are the documented classes', () => {
    expect(new InternalStateLockedError('x')).toBeInstanceOf(Error);
    expect(new QueueEmpty('x')).toBeInstanceOf(Error);
    expect(new QueueFull('x')).toBeInstanceOf(Error);
  });
});

describe('a producer and a consumer on two workers, flat out', () => {
  // Items of every kind and of growing size, so that the index grows and the arena fills, is
  // compacted and grows while the consumer takes; the consumer checks every one, in order.
  const produce = ({ Queue }: typeof import('@lockstep/primitives'), d: { handle: QueueHandle; n: number; batch: boolean }): number => {
    const q = Queue.from<unknown>(d.handle);
    const item = (i: number): unknown =>
      i % 4 === 0 ? i : i % 4 === 1 ? `s${i}:${'x'.repeat(i % 300)}` : i % 4 === 2 ? { i, list: [i, 0.5] } : i + 0.25;
    for (let i = 0; i < d.n; ) {
      if (d.batch && i % 7 === 0) {
        const run = Array.from({ length: Math.min(5, d.n - i) }, (_, k) => item(i + k));
        q.putMany(run);
        i += run.length;
      } else {
        q.put(item(i));
        i++;
      }
    }
    return d.n;
  };
  const consume = ({ Queue }: typeof import('@lockstep/primitives'), d: { handle: QueueHandle; n: number; batch: boolean }): string[] => {
    const q = Queue.from<unknown>(d.handle);
    const wrong: string[] = [];
    const check = (i: number, got: unknown): void => {
      const ok =
        i % 4 === 0
          ? got === i
          : i % 4 === 1
            ? got === `s${i}:${'x'.repeat(i % 300)}`
            : i % 4 === 2
              ? (got as { i: number }).i === i && (got as { list: number[] }).list[1] === 0.5
              : got === i + 0.25;
      if (!ok && wrong.length < 5) wrong.push(`item ${i}: ${JSON.stringify(got)}`);
    };
    for (let i = 0; i < d.n; ) {
      if (d.batch && i % 3 === 0) {
        for (const got of q.getMany(8, { timeout: 10_000 })) check(i++, got);
      } else {
        check(i, q.get({ timeout: 10_000 }));
        i++;
      }
    }
    q.taskDone(d.n);
    return wrong;
  };

  for (const batch of [false, true]) {
    test(`60 000 items ${batch ? 'mixing put/putMany and get/getMany' : 'one by one'}: each once, intact, in order; the task count ends at zero`, async () => {
      const queue = new Queue<unknown>();
      const n = 60_000;
      const consumer = startWorker(consume, { handle: queue.handle, n, batch });
      const producer = startWorker(produce, { handle: queue.handle, n, batch });
      expect(await producer.result).toBe(n);
      expect(await consumer.result).toEqual([]);
      expect(queue.size).toBe(0);
      expect(queue.join({ timeout: 0 })).toBe(true);
    });
  }

  test('two producers and two consumers: every item once, and each producer\'s items reach each consumer in the order put', async () => {
    const queue = new Queue<number>();
    const n = 30_000;
    const producers = [0, 1].map((p) =>
      startWorker(
        ({ Queue }, d: { handle: QueueHandle; n: number; p: number }) => {
          const q = Queue.from<number>(d.handle);
          for (let i = 0; i < d.n; i++) q.put(d.p * 1_000_000 + i);
          return d.n;
        },
        { handle: queue.handle, n, p },
      ),
    );
    const consumers = [0, 1].map(() =>
      startWorker(
        ({ Queue }, d: { handle: QueueHandle; total: number }) => {
          const q = Queue.from<number>(d.handle);
          const got: number[] = [];
          for (;;) {
            const item = q.get({ timeout: 10_000 });
            if (item < 0) return got;
            got.push(item);
          }
        },
        { handle: queue.handle, total: 2 * n },
      ),
    );
    await Promise.all(producers.map((p) => p.result));
    queue.putMany([-1, -1]);
    const [a, b] = await Promise.all(consumers.map((c) => c.result));
    for (const got of [a!, b!]) {
      for (const p of [0, 1]) {
        const mine = got.filter((item) => Math.floor(item / 1_000_000) === p);
        expect(mine.every((item, k) => k === 0 || item > mine[k - 1]!)).toBe(true);
      }
    }
    const all = [...a!, ...b!].sort((x, y) => x - y);
    expect(all).toEqual([...Array.from({ length: n }, (_, i) => i), ...Array.from({ length: n }, (_, i) => 1_000_000 + i)]);
  });
});

describe('waking across the two locks', () => {
  // A getter registers under the take lock and is notified by a putter under the put lock, and the
  // other way round on a full bounded queue: every form of call, two of each side, on queues small
  // enough that both sides wait all the time. A lost wake-up shows as a timeout.
  for (const maxSize of [1, 8]) {
    test(`maxSize ${maxSize}: 2 producers and 2 consumers mixing blocking, async, batch and select calls; every item once, intact`, async () => {
      const queue = new Queue<unknown>({ maxSize });
      const n = 15_000;
      const seen = new Int32Array(new SharedArrayBuffer(4 * 2 * n));
      const producers = [0, 1].map((p) =>
        startWorker(
          async ({ Queue }, d: { handle: QueueHandle; n: number; p: number }) => {
            const q = Queue.from<unknown>(d.handle);
            for (let i = 0; i < d.n; i++) {
              const k = d.p * d.n + i;
              const item = k % 3 === 0 ? k : k % 3 === 1 ? { k, s: 'y'.repeat(k % 40) } : `${k}`;
              if (i % 5 === 0) await q.putAsync(item, { timeout: 10_000 });
              else if (i % 7 === 0) q.putMany([item], { timeout: 10_000 });
              else q.put(item, { timeout: 10_000 });
            }
            return d.n;
          },
          { handle: queue.handle, n, p },
        ),
      );
      const consumers = [0, 1].map(() =>
        startWorker(
          async ({ Queue }, d: { handle: QueueHandle; seen: Int32Array }) => {
            const q = Queue.from<unknown>(d.handle);
            let corrupt = 0;
            for (let call = 0; ; call++) {
              const items =
                call % 4 === 0
                  ? [await q.getAsync({ timeout: 10_000 })]
                  : call % 4 === 1
                    ? q.getMany(3, { timeout: 10_000 })
                    : call % 4 === 2
                      ? [Queue.select([q], { timeout: 10_000 }).item]
                      : [q.get({ timeout: 10_000 })];
              // A getMany may take both sentinels: the one that is not this consumer's goes back.
              const sentinels = items.filter((item) => item === -1).length;
              for (let extra = 1; extra < sentinels; extra++) q.put(-1);
              for (const item of items) {
                if (item === -1) return corrupt;
                const k = typeof item === 'number' ? item : typeof item === 'string' ? Number(item) : (item as { k: number }).k;
                if (typeof item === 'object' && (item as { s: string }).s.length !== k % 40) corrupt++;
                Atomics.add(d.seen, k, 1);
              }
            }
          },
          { handle: queue.handle, seen },
        ),
      );
      expect(await Promise.all(producers.map((p) => p.result))).toEqual([n, n]);
      queue.put(-1);
      queue.put(-1);
      expect(await Promise.all(consumers.map((c) => c.result))).toEqual([0, 0]);
      expect([...seen].filter((count) => count !== 1)).toEqual([]);
    });
  }
});

describe('the counters and the caches', () => {
  test('TAIL and HEAD started just under the int32 wrap: items cross it in order, the index grows across it, size stays right', async () => {
    const made = new Queue<number>();
    const cells = cellsOf(made);
    const start = 2 ** 31 - 40; // stored as a positive int32; 40 puts later it wraps to -2^31
    Atomics.store(cells, CELLS.tail, start);
    Atomics.store(cells, CELLS.head, start);
    // Objects made from now on read the counters as they are.
    const queue = Queue.from<number>(made.handle);
    expect(queue.size).toBe(0);
    queue.putMany(Array.from({ length: 100 }, (_, i) => i)); // past the wrap, and past the 64 entries the index started with
    expect(queue.size).toBe(100);
    expect(queue.getMany(30)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    const consumer = startWorker(
      ({ Queue }, d: { handle: QueueHandle; n: number }) => {
        const q = Queue.from<number>(d.handle);
        const got: number[] = [];
        for (let i = 0; i < d.n; i++) got.push(q.get({ timeout: 10_000 }));
        return got;
      },
      { handle: queue.handle, n: 70 + 5_000 },
    );
    for (let i = 100; i < 5_100; i++) queue.put(i);
    expect(await consumer.result).toEqual(Array.from({ length: 5_070 }, (_, i) => 30 + i));
    expect(queue.size).toBe(0);
    expect(Atomics.load(cells, CELLS.tail)).toBe((start + 5_100) | 0);
    expect(Atomics.load(cells, CELLS.tail)).toBeLessThan(0);
  });

  test('two queue objects of one queue on one thread, putting and getting in turn: neither trusts what it saw once the other moved a counter', () => {
    const a = new Queue<number>();
    const b = Queue.from<number>(a.handle);
    const out: number[] = [];
    let next = 0;
    for (let round = 0; round < 300; round++) {
      // Uneven runs, so that each object's cached view is stale in every way.
      for (let k = 0; k < (round % 5) + 1; k++) (k % 2 === 0 ? a : b).put(next++);
      b.putMany([next, next + 1]);
      next += 2;
      for (let k = 0; k < (round % 3) + 1; k++) out.push((k % 2 === 0 ? b : a).get({ timeout: 0 }));
      expect(a.size).toBe(next - out.length);
      expect(b.size).toBe(next - out.length);
    }
    out.push(...a.getMany(Number.MAX_SAFE_INTEGER));
    expect(out).toEqual(Array.from({ length: next }, (_, i) => i));
  });

  test('an item a getter cannot rebuild goes back in front while a producer on another worker keeps putting', async () => {
    const queue = new Queue<unknown>();
    let deep: unknown = 'leaf';
    for (let i = 0; i < 3_000; i++) deep = [deep];
    queue.put(deep);
    const producer = startWorker(
      ({ Queue }, d: { handle: QueueHandle }) => {
        const q = Queue.from<unknown>(d.handle);
        for (let i = 0; i < 20_000; i++) q.put(i);
        return 20_000;
      },
      { handle: queue.handle },
    );
    // A 512 KiB stack cannot rebuild 3 000 nested arrays (this thread's can).
    const getter = startWorker(
      ({ Queue }, d: { handle: QueueHandle }) => {
        try {
          Queue.from<unknown>(d.handle).get({ timeout: 10_000 });
          return 'taken';
        } catch (error) {
          return (error as Error).name;
        }
      },
      { handle: queue.handle },
      { resourceLimits: { stackSizeMb: 0.5 } },
    );
    expect(await getter.result).toBe(ItemDecodeError.name);
    await producer.result;
    const first = queue.getNowait();
    let depth = 0;
    for (let x = first; Array.isArray(x); x = x[0] as unknown) depth++;
    expect(depth).toBe(3_000);
    expect(queue.getMany(Number.MAX_SAFE_INTEGER)).toEqual(Array.from({ length: 20_000 }, (_, i) => i));
  });
});
