import { afterEach, describe, expect, test } from 'vitest';
import { ItemDecodeError, LifoQueue, PriorityQueue, Queue, QueueReentryError, type QueueHandle } from '@lockstep/primitives';
import { startWorker, terminateAll } from './support/workers.js';

// Items a queue cannot order, rebuild or share: the call fails with a clear error and nothing is lost.

afterEach(terminateAll);

function drain<T>(queue: Queue<T>): T[] {
  const items: T[] = [];
  while (!queue.empty) items.push(queue.getNowait());
  return items;
}

describe('a PriorityQueue comparator that throws', () => {
  const values = [5, 3, 8, 1, 9, 2, 7, 4, 6];
  function queueWithFaultyComparator(): { queue: PriorityQueue<number>; fail: { now: boolean } } {
    const fail = { now: false };
    const queue = new PriorityQueue<number>({
      compare: (a, b) => {
        if (fail.now) throw new Error('comparator failed');
        return a - b;
      },
    });
    for (const value of values) queue.put(value);
    return { queue, fail };
  }

  test('during get: the comparator\'s own error reaches the caller, the top item and the heap order stay', () => {
    const { queue, fail } = queueWithFaultyComparator();
    fail.now = true;
    expect(() => queue.get()).toThrow('comparator failed');
    expect(() => queue.getNowait()).toThrow('comparator failed');
    expect(queue.size).toBe(values.length);
    fail.now = false;
    expect(drain(queue)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test('during getAsync: the same', async () => {
    const { queue, fail } = queueWithFaultyComparator();
    fail.now = true;
    await expect(queue.getAsync({ timeout: 1_000 })).rejects.toThrow('comparator failed');
    fail.now = false;
    expect(drain(queue)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test('during put: the item is not added, the heap stays as it was, the task count too', () => {
    const { queue, fail } = queueWithFaultyComparator();
    fail.now = true;
    expect(() => queue.put(0)).toThrow('comparator failed');
    fail.now = false;
    expect(queue.size).toBe(values.length);
    expect(drain(queue)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (let i = 0; i < values.length; i++) queue.taskDone();
    expect(queue.join({ timeout: 0 })).toBe(true);
  });

  test('shutdown({ immediate: true }) drops every item without comparing', () => {
    const { queue, fail } = queueWithFaultyComparator();
    fail.now = true;
    queue.shutdown({ immediate: true });
    expect(queue.size).toBe(0);
    expect(queue.join({ timeout: 0 })).toBe(true);
  });
});

describe('a comparator that calls back into its own queue', () => {
  test('put, get, taskDone, join and shutdown from inside it throw QueueReentryError instead of deadlocking; the queue stays intact', async () => {
    const reentries: Record<string, string> = {};
    let reenter: (() => unknown) | undefined;
    const queue: PriorityQueue<number> = new PriorityQueue<number>({
      compare: (a, b) => {
        if (reenter !== undefined) {
          const call = reenter;
          reenter = undefined;
          call();
        }
        return a - b;
      },
    });
    queue.put(2);
    queue.put(3);
    const calls: Record<string, () => unknown> = {
      put: () => queue.put(9),
      putNowait: () => queue.putNowait(9),
      get: () => queue.get({ timeout: 1_000 }),
      getNowait: () => queue.getNowait(),
      taskDone: () => queue.taskDone(),
      join: () => queue.join({ timeout: 0 }),
      shutdown: () => queue.shutdown(),
      viaAnotherView: () => PriorityQueue.from<number>(queue.handle, { compare: (a, b) => a - b }).getNowait(),
      putAsync: () => {
        pendingPut = queue.putAsync(9);
      },
    };
    let pendingPut: Promise<void> | undefined;
    for (const [name, call] of Object.entries(calls)) {
      reenter = call;
      try {
        queue.put(1); // compares, which re-enters
        reentries[name] = 'no error';
        queue.getNowait(); // take the 1 back out (compares too, no re-entry armed)
        queue.taskDone();
      } catch (error) {
        reentries[name] = (error as Error).name;
      }
    }
    // putAsync's refusal is a rejected promise inside the comparator, not a throw out of put.
    expect(reentries).toEqual({
      put: 'QueueReentryError',
      putNowait: 'QueueReentryError',
      get: 'QueueReentryError',
      getNowait: 'QueueReentryError',
      taskDone: 'QueueReentryError',
      join: 'QueueReentryError',
      shutdown: 'QueueReentryError',
      viaAnotherView: 'QueueReentryError',
      putAsync: 'no error',
    });
    await expect(pendingPut).rejects.toThrow(QueueReentryError);
    expect(queue.isShutDown).toBe(false);
    expect(drain(queue)).toEqual([2, 3]);
    // Re-entry during get is refused the same way, and the item stays.
    queue.put(5);
    queue.put(4);
    queue.put(6);
    reenter = () => queue.getNowait();
    expect(() => queue.getNowait()).toThrow(QueueReentryError);
    expect(drain(queue)).toEqual([4, 5, 6]);
  });

  test('read-only getters stay allowed inside a comparator', () => {
    const sizes: number[] = [];
    const queue: PriorityQueue<number> = new PriorityQueue<number>({
      compare: (a, b) => {
        sizes.push(queue.size);
        return a - b;
      },
    });
    queue.put(2);
    queue.put(1);
    expect(sizes.length).toBeGreaterThan(0);
    expect(drain(queue)).toEqual([1, 2]);
  });
});

describe('an item the receiving thread cannot rebuild (too deep for its stack)', () => {
  /** An array nested `depth` levels, the innermost holding `leaf`. */
  function nested(depth: number, leaf: string): unknown[] {
    const root: unknown[] = [];
    let level = root;
    for (let i = 1; i < depth; i++) {
      const inner: unknown[] = [];
      level.push(inner);
      level = inner;
    }
    level.push(leaf);
    return root;
  }

  function depthOf(item: unknown): { depth: number; leaf: unknown } {
    let depth = 0;
    let level = item;
    while (Array.isArray(level)) {
      depth++;
      level = level[0];
    }
    return { depth, leaf: level };
  }

  // A worker with a small stack (512 KiB; this thread has about 1 MiB) takes from the queue. The depth
  // sits between the two threads' limits (about 2 000 and 4 000 levels on Node 20).
  const smallStack = { resourceLimits: { stackSizeMb: 0.5 } };
  const DEPTH = 3_000;

  for (const Kind of [Queue, LifoQueue]) {
    test(`${Kind.name}: get throws ItemDecodeError, the item stays in its place with its task, and a bigger stack takes it`, async () => {
      const queue = new Kind<unknown>();
      queue.put('before');
      queue.put(nested(DEPTH, 'deep'));
      queue.put('after');
      const worker = startWorker(
        ({ Queue }, handle: QueueHandle) => {
          const q = Queue.from<unknown>(handle);
          const outcomes: string[] = [];
          for (let i = 0; i < 4; i++) {
            try {
              const item = q.get({ timeout: 0 });
              outcomes.push(typeof item === 'string' ? item : 'a deep item');
              q.taskDone();
            } catch (error) {
              outcomes.push(`${(error as Error).name} (cause ${((error as Error).cause as Error | undefined)?.name})`);
            }
            if (outcomes.length >= 2 && outcomes.at(-1)!.startsWith('ItemDecodeError')) break;
          }
          return { outcomes, size: q.size, joined: q.join({ timeout: 0 }) };
        },
        queue.handle,
        smallStack,
      );
      const { outcomes, size, joined } = await worker.result;
      const first = Kind === Queue ? 'before' : 'after';
      expect(outcomes).toEqual([first, 'ItemDecodeError (cause RangeError)']);
      expect([size, joined]).toEqual([2, false]);
      // This thread's stack is big enough: the item is intact, in order.
      const rest = drain(queue);
      expect(rest.map((item) => (typeof item === 'string' ? item : depthOf(item)))).toEqual(
        Kind === Queue ? [{ depth: DEPTH, leaf: 'deep' }, 'after'] : [{ depth: DEPTH, leaf: 'deep' }, 'before'],
      );
      queue.taskDone();
      queue.taskDone();
      expect(queue.join({ timeout: 0 })).toBe(true);
    });
  }

  test('getAsync too', async () => {
    const queue = new Queue<unknown>();
    queue.put(nested(DEPTH, 'deep'));
    const worker = startWorker(
      async ({ Queue }, handle: QueueHandle) => {
        try {
          await Queue.from<unknown>(handle).getAsync({ timeout: 1_000 });
          return 'taken';
        } catch (error) {
          return (error as Error).name;
        }
      },
      queue.handle,
      smallStack,
    );
    expect(await worker.result).toBe('ItemDecodeError');
    expect(depthOf(queue.getNowait())).toEqual({ depth: DEPTH, leaf: 'deep' });
  });

  test('PriorityQueue: decoded before it leaves the heap, so it stays there', async () => {
    const queue = new PriorityQueue<[number, unknown]>();
    queue.put([1, nested(DEPTH, 'deep')]);
    queue.put([2, 'shallow']);
    const worker = startWorker(
      ({ PriorityQueue }, handle: QueueHandle) => {
        try {
          PriorityQueue.from<unknown>(handle).getNowait();
          return 'taken';
        } catch (error) {
          return (error as Error).name;
        }
      },
      queue.handle,
      smallStack,
    );
    expect(await worker.result).toBe('ItemDecodeError');
    expect(queue.size).toBe(2);
    const [first, second] = drain(queue);
    expect([first![0], depthOf(first![1])]).toEqual([1, { depth: DEPTH, leaf: 'deep' }]);
    expect(second).toEqual([2, 'shallow']);
  });
});

describe('shared memory in an item', () => {
  const shared = new SharedArrayBuffer(16);
  const growable = new SharedArrayBuffer(16, { maxByteLength: 64 });
  const refused: Record<string, unknown> = {
    'a SharedArrayBuffer': shared,
    'a Uint8Array over one (the fast path)': new Uint8Array(shared),
    'an Int32Array over one': new Int32Array(shared),
    'a DataView over one': new DataView(shared),
    'a Buffer over one': Buffer.from(shared),
    'a view on a growable one': new Float64Array(growable),
    'a view nested in an object': { deep: [{ view: new Int16Array(shared, 2, 3) }] },
    'a view in a Map': new Map([['k', new BigInt64Array(shared)]]),
  };
  for (const [what, item] of Object.entries(refused)) {
    test(`${what} is refused at put with TypeError, nothing queued`, async () => {
      const queue = new Queue<unknown>();
      expect(() => queue.put(item)).toThrow(TypeError);
      expect(() => queue.putNowait(item)).toThrow(TypeError);
      await expect(queue.putAsync(item)).rejects.toThrow(TypeError);
      expect(queue.size).toBe(0);
      expect(queue.join({ timeout: 0 })).toBe(true);
    });
  }

  test('unshared typed arrays and views still go through, as copies', () => {
    const queue = new Queue<unknown>();
    const bytes = new Uint8Array([1, 2, 3]);
    queue.put(bytes);
    queue.put({ view: new Int32Array([4, 5]) });
    queue.put(new DataView(new ArrayBuffer(4)));
    const out = drain(queue);
    expect(out[0]).toEqual(bytes);
    expect(out[0]).not.toBe(bytes);
    expect(out[1]).toEqual({ view: new Int32Array([4, 5]) });
    expect(out[2]).toBeInstanceOf(DataView);
  });

  test('ItemDecodeError is exported with the other errors', () => {
    expect(new ItemDecodeError('x')).toBeInstanceOf(Error);
  });
});
