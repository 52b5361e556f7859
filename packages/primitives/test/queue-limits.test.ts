/**
 * A queue's limits and its refusals of bad input: what it says, in the name of the call that hit
 * them, and that the queue is left as it was.
 */
import { describe, expect, test } from 'vitest';
import { LifoQueue, PriorityQueue, Queue } from '@lockstep/primitives';

function thrown(fn: () => unknown): Error & { itemsPut?: number } {
  try {
    fn();
  } catch (error) {
    return error as Error & { itemsPut?: number };
  }
  throw new Error('expected a throw');
}

describe('storage limits', () => {
  test('maxBytes from 1024 to just under 2 GiB (record offsets are 32-bit): above it is refused up front', () => {
    expect(thrown(() => new Queue({ maxBytes: 2 ** 31 }))).toMatchObject({ name: 'RangeError', message: expect.stringContaining('maxBytes must be an integer from 1024 to 2147418112') });
    expect(thrown(() => new Queue({ maxBytes: 2 ** 32 })).name).toBe('RangeError');
    // Reserved, not committed: the largest is cheap to make.
    const largest = new Queue<string>({ maxBytes: 2 ** 31 - 64 * 1024 });
    largest.put('fits');
    expect(largest.get()).toBe('fits');
  });

  test('storage full in a batch: RangeError named for the call, with itemsPut, and the items before it stay', () => {
    const stack = new LifoQueue<string>({ maxBytes: 64 * 1024 });
    const items = Array.from({ length: 100 }, (_, i) => `${i}`.padEnd(2_000, '.'));
    const error = thrown(() => stack.putMany(items));
    expect(error.name).toBe('RangeError');
    expect(error.message).toMatch(/^LifoQueue\.putMany\(\): the queue's shared storage is full \(65536 bytes\); raise maxBytes or take items out first; \d+ of the 100 items were put$/);
    expect(error.itemsPut).toBeGreaterThan(0);
    expect(stack.size).toBe(error.itemsPut);
    // Taking items out makes room again.
    stack.getMany(stack.size);
    stack.put('again');
    expect(stack.get()).toBe('again');
  });

  test('one item larger than the storage can ever be: the message does not suggest draining', () => {
    const queue = new PriorityQueue<string>({ maxBytes: 16 * 1024 });
    const error = thrown(() => queue.put('x'.repeat(100_000)));
    expect(error.message).toMatch(/^PriorityQueue\.put\(\): an item of \d+ bytes is larger than the queue's shared storage can ever be \(maxBytes 16384\); raise maxBytes$/);
    expect(queue.size).toBe(0);
  });
});

describe('refusals name the call', () => {
  test('an item that cannot be cloned, in a LifoQueue batch: TypeError from LifoQueue.putMany(), nothing put', () => {
    const stack = new LifoQueue<unknown>();
    const error = thrown(() => stack.putMany([1, () => 2]));
    expect(error.name).toBe('TypeError');
    expect(error.message).toMatch(/^LifoQueue\.putMany\(\): the item cannot be cloned to another thread/);
    expect(stack.size).toBe(0);
  });

  test('a Uint8Array whose buffer was transferred away: the documented TypeError, not the engine’s bare one', () => {
    const queue = new Queue<Uint8Array>();
    const bytes = new Uint8Array(8);
    structuredClone(bytes, { transfer: [bytes.buffer] });
    const error = thrown(() => queue.put(bytes));
    expect(error.name).toBe('TypeError');
    expect(error.message).toMatch(/^Queue\.put\(\): the item cannot be cloned to another thread \(.*detached/);
    expect(queue.size).toBe(0);
  });
});

describe('shutdown(options)', () => {
  test('options must be an object and immediate a boolean: shutdown(true) (Python’s positional form) is refused, not a plain shutdown', () => {
    const queue = new Queue<number>();
    queue.put(1);
    for (const bad of [true, null, 'immediate', 1]) {
      expect(thrown(() => queue.shutdown(bad as unknown as { immediate?: boolean }))).toMatchObject({ name: 'TypeError', message: expect.stringContaining('Queue.shutdown(): options must be an object like { immediate: true }') });
    }
    for (const immediate of [1, 'yes', null]) {
      expect(thrown(() => queue.shutdown({ immediate } as unknown as { immediate?: boolean }))).toMatchObject({ name: 'TypeError', message: expect.stringContaining('immediate must be true or false') });
    }
    expect(queue.isShutDown).toBe(false);
    queue.shutdown({ immediate: false });
    expect(queue.isShutDown).toBe(true);
    expect(queue.get()).toBe(1);
  });
});

describe('from(handle)', () => {
  test('a handle without a kind, or put together from another buffer, is refused and the real queue keeps its items', () => {
    const queue = new Queue<{ a: number }>();
    queue.put({ a: 1 });
    expect(thrown(() => Queue.from({} as never)).message).toBe("Queue.from(handle): expected the object from a Queue's .handle, got an object without a kind");
    const forged = { ...queue.handle, arena: new SharedArrayBuffer(16) };
    expect(thrown(() => Queue.from(forged))).toMatchObject({ name: 'TypeError', message: expect.stringContaining('not the handle of a queue') });
    expect(thrown(() => Queue.from({ ...queue.handle, index: new SharedArrayBuffer(256) })).name).toBe('TypeError');
    expect(Queue.from(queue.handle).get()).toEqual({ a: 1 });
  });
});
