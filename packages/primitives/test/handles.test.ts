import { afterEach, describe, expect, test } from 'vitest';
import {
  Barrier,
  BoundedSemaphore,
  Condition,
  Event,
  LifoQueue,
  Lock,
  LockStateError,
  PriorityQueue,
  Queue,
  RLock,
  Semaphore,
} from '@lockstep/primitives';
import { runInWorker, terminateAll } from './support/workers.js';
import { until } from './support/until.js';

afterEach(terminateAll);

interface Case {
  readonly name: string;
  readonly make: () => { readonly handle: object };
  readonly from: (handle: unknown) => unknown;
  /** Does something to `a` and checks that `b` (built from a's handle) sees it; both are `make()`'s kind. */
  readonly sameState: (a: never, b: never) => void;
}

const cases: Case[] = [
  {
    name: 'Lock',
    make: () => new Lock(),
    from: (h) => Lock.from(h as never),
    sameState: (a: Lock, b: Lock) => {
      a.acquire();
      expect(b.locked).toBe(true);
      expect(b.tryAcquire()).toBe(false);
      b.release();
      expect(a.locked).toBe(false);
    },
  },
  {
    name: 'RLock',
    make: () => new RLock(),
    from: (h) => RLock.from(h as never),
    sameState: (a: RLock, b: RLock) => {
      a.acquire();
      expect(b.locked).toBe(true);
      expect(b.tryAcquire()).toBe(true); // same thread owns it: re-entry through the rebuilt lock
      b.release();
      a.release();
      expect(b.locked).toBe(false);
    },
  },
  {
    name: 'Semaphore',
    make: () => new Semaphore(2),
    from: (h) => Semaphore.from(h as never),
    sameState: (a: Semaphore, b: Semaphore) => {
      const before = a.value;
      a.acquire();
      expect(b.value).toBe(before - 1);
      b.release(3);
      expect(a.value).toBe(before + 2);
    },
  },
  {
    name: 'BoundedSemaphore',
    make: () => new BoundedSemaphore(1),
    from: (h) => BoundedSemaphore.from(h as never),
    sameState: (a: BoundedSemaphore, b: BoundedSemaphore) => {
      a.acquire();
      expect(b.value).toBe(0);
      b.release();
      expect(() => b.release()).toThrow(RangeError);
      expect(a.value).toBe(1);
    },
  },
  {
    name: 'Condition',
    make: () => new Condition(new Lock()),
    from: (h) => Condition.from(h as never),
    sameState: (a: Condition, b: Condition) => {
      a.acquire();
      expect(b.lock.locked).toBe(true);
      b.notify(); // allowed: the shared lock is held
      a.release();
      expect(() => b.notify()).toThrow(LockStateError);
    },
  },
  {
    name: 'Event',
    make: () => new Event(),
    from: (h) => Event.from(h as never),
    sameState: (a: Event, b: Event) => {
      a.set();
      expect(b.isSet).toBe(true);
      b.clear();
      expect(a.isSet).toBe(false);
    },
  },
  {
    name: 'Barrier',
    make: () => new Barrier(2),
    from: (h) => Barrier.from(h as never),
    sameState: (a: Barrier, b: Barrier) => {
      expect(b.parties).toBe(2);
      a.abort();
      expect(b.broken).toBe(true);
      b.reset();
      expect(a.broken).toBe(false);
    },
  },
  {
    name: 'Queue',
    make: () => new Queue(),
    from: (h) => Queue.from(h as never),
    sameState: (a: Queue<number>, b: Queue<number>) => {
      a.put(1);
      expect(b.size).toBe(1);
      expect(b.get()).toBe(1);
      expect(a.empty).toBe(true);
    },
  },
  {
    name: 'LifoQueue',
    make: () => new LifoQueue(),
    from: (h) => LifoQueue.from(h as never),
    sameState: (a: LifoQueue<number>, b: LifoQueue<number>) => {
      a.put(1);
      a.put(2);
      expect(b.get()).toBe(2);
      expect(a.size).toBe(1);
      b.get();
    },
  },
  {
    name: 'PriorityQueue',
    make: () => new PriorityQueue(),
    from: (h) => PriorityQueue.from(h as never),
    sameState: (a: PriorityQueue<number>, b: PriorityQueue<number>) => {
      a.put(5);
      a.put(1);
      expect(b.get()).toBe(1);
      expect(a.size).toBe(1);
      b.get();
    },
  },
];

describe.each(cases)('$name handle', ({ name, make, from, sameState }) => {
  test('is a plain, structured-clonable object naming its kind and its SharedArrayBuffer', () => {
    const primitive = make();
    const handle = primitive.handle as { kind: string; buffer: unknown; byteOffset: unknown };
    expect(handle.kind).toBe(name);
    expect(handle.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(typeof handle.byteOffset).toBe('number');
    const clone = structuredClone(handle);
    expect(clone).toEqual(handle);
    // The clone shares memory with the original (a SharedArrayBuffer is shared, not copied).
    expect(new Int32Array(clone.buffer as SharedArrayBuffer).length).toBe(new Int32Array(handle.buffer as SharedArrayBuffer).length);
  });

  test('from(handle) rebuilds the very same primitive (also from a structured clone of the handle)', () => {
    const a = make();
    sameState(a as never, from(a.handle) as never);
    sameState(a as never, from(structuredClone(a.handle)) as never);
    // A handle of a rebuilt primitive points at the same memory.
    const rebuilt = from(a.handle) as { handle: { buffer: SharedArrayBuffer; byteOffset: number } };
    const original = a.handle as { buffer: SharedArrayBuffer; byteOffset: number };
    expect(rebuilt.handle.buffer).toBe(original.buffer);
    expect(rebuilt.handle.byteOffset).toBe(original.byteOffset);
    sameState(from(rebuilt.handle) as never, a as never);
  });

  test('from() rejects anything that is not such a handle with a TypeError naming the call', () => {
    for (const bad of [null, undefined, 42, 'handle', {}]) {
      expect(() => from(bad)).toThrow(TypeError);
    }
    const handle = make().handle as Record<string, unknown>;
    expect(() => from({ ...handle, buffer: new ArrayBuffer(64) })).toThrow(TypeError);
    expect(() => from({ ...handle, buffer: undefined })).toThrow(TypeError);
    const other = name === 'Event' ? new Lock() : new Event();
    expect(() => from(other.handle)).toThrow(TypeError);
    expect(() => from(other.handle)).toThrow(new RegExp(`${name}\\.from`));
  });

  test('from() rejects a byteOffset that does not address the primitive inside its buffer with a RangeError', () => {
    const handle = make().handle as { buffer: SharedArrayBuffer } & Record<string, unknown>;
    for (const byteOffset of [-4, 2, 1.5, handle.buffer.byteLength, handle.buffer.byteLength + 4096, Number.NaN]) {
      expect(() => from({ ...handle, byteOffset })).toThrow(RangeError);
    }
    expect(() => from({ ...handle, byteOffset: '0' })).toThrow(RangeError);
  });
});

describe('handles of composite primitives', () => {
  test('a Lock handle whose fair or robust flag was set by hand on a plain lock is refused, saying so', () => {
    const plain = new Lock().handle;
    expect(() => Lock.from({ ...plain, fair: true })).toThrow(/Lock\.from\(handle\): the handle says fair: true, which is not the lock its buffer holds/);
    // A robust lock's cells would fit in a plain one's buffer: the lock's own cell tells them apart.
    expect(() => Lock.from({ ...plain, robust: true })).toThrow(/says robust: true, which is not the lock/);
    const { fair: _flag, ...unflagged } = new Lock({ fair: true }).handle;
    expect(() => Lock.from(unflagged)).toThrow(/says neither fair nor robust/);
    expect(Lock.from(plain).fair).toBe(false);
  });

  test('Queue handles need their storage buffers', () => {
    const handle = new Queue().handle;
    expect(() => Queue.from({ ...handle, index: new ArrayBuffer(8) } as never)).toThrow(TypeError);
    expect(() => Queue.from({ ...handle, arena: undefined } as never)).toThrow(TypeError);
    expect(() => Queue.from({ ...handle, buffer: new SharedArrayBuffer(8) } as never)).toThrow(RangeError);
  });

  test('a Barrier handle must address a whole barrier', () => {
    const handle = new Barrier(2).handle;
    expect(() => Barrier.from({ ...handle, buffer: new SharedArrayBuffer(8) } as never)).toThrow(RangeError);
    expect(() => Barrier.from(new Lock().handle as never)).toThrow(TypeError);
  });

  test('a Condition handle carries its lock, Lock or RLock, and rebuilds it with its kind', () => {
    const withLock = new Condition(new Lock());
    const withRLock = new Condition();
    expect(Condition.from(withLock.handle).lock).toBeInstanceOf(Lock);
    expect(Condition.from(withRLock.handle).lock).toBeInstanceOf(RLock);
    expect(withRLock.handle.lock.kind).toBe('RLock');
    expect(() => Condition.from({ ...withLock.handle, lock: undefined } as never)).toThrow(TypeError);
  });

  test('a queue handle gives back its own kind: Queue.from picks the subclass; a subclass refuses other kinds', () => {
    expect(Queue.from(new LifoQueue().handle)).toBeInstanceOf(LifoQueue);
    expect(Queue.from(new PriorityQueue().handle)).toBeInstanceOf(PriorityQueue);
    expect(Queue.from(new Queue().handle)).not.toBeInstanceOf(LifoQueue);
    expect(() => LifoQueue.from(new Queue().handle)).toThrow(TypeError);
    expect(() => PriorityQueue.from(new LifoQueue().handle)).toThrow(TypeError);
    expect(() => LifoQueue.from(new PriorityQueue().handle)).toThrow(TypeError);
  });

  test('Semaphore.from on a BoundedSemaphore handle gives a BoundedSemaphore (the bound is kept); not the reverse', () => {
    const bounded = new BoundedSemaphore(1);
    const rebuilt = Semaphore.from(bounded.handle);
    expect(rebuilt).toBeInstanceOf(BoundedSemaphore);
    expect(() => rebuilt.release()).toThrow(RangeError);
    expect(() => BoundedSemaphore.from(new Semaphore(1).handle as never)).toThrow(TypeError);
  });
});

describe('handles crossing to real workers', () => {
  test('every primitive rebuilt in a worker is the same primitive as on the main thread', async () => {
    const lock = new Lock();
    const rlock = new RLock();
    const semaphore = new Semaphore(3);
    const bounded = new BoundedSemaphore(2);
    const condition = new Condition(new Lock());
    const event = new Event();
    const barrier = new Barrier(2);
    const queue = new Queue<string>();
    const lifo = new LifoQueue<string>();
    const priority = new PriorityQueue<number>();
    const handles = {
      lock: lock.handle,
      rlock: rlock.handle,
      semaphore: semaphore.handle,
      bounded: bounded.handle,
      condition: condition.handle,
      event: event.handle,
      barrier: barrier.handle,
      queue: queue.handle,
      lifo: lifo.handle,
      priority: priority.handle,
    };
    priority.put(5);
    priority.put(1);
    const running = runInWorker((lib, h) => {
      const lock = lib.Lock.from(h.lock);
      lock.acquire(); // left held: the main thread checks it is
      const rlock = lib.RLock.from(h.rlock);
      rlock.acquire(); // owned by this worker, twice
      rlock.acquire();
      const semaphore = lib.Semaphore.from(h.semaphore);
      semaphore.acquire();
      const bounded = lib.Semaphore.from(h.bounded);
      let boundKept = false;
      try {
        bounded.release();
      } catch (error) {
        boundKept = error instanceof RangeError;
      }
      bounded.acquire();
      const condition = lib.Condition.from(h.condition);
      condition.acquire(); // its Lock is the main thread's Condition's Lock
      lib.Event.from(h.event).set();
      lib.Queue.from<string>(h.queue).put('from worker');
      const lifo = lib.Queue.from<string>(h.lifo);
      lifo.put('a');
      lifo.put('b');
      const priority = lib.Queue.from<number>(h.priority);
      const firstPriority = priority.get({ timeout: 1000 });
      const index = lib.Barrier.from(h.barrier).wait({ timeout: 20_000 });
      return {
        boundKept,
        boundedKind: bounded.constructor.name,
        lifoKind: lifo.constructor.name,
        priorityKind: priority.constructor.name,
        firstPriority,
        index,
        rlockOwnedThere: rlock.isOwnedByCaller(),
      };
    }, handles);
    await until(() => barrier.nWaiting === 1, 'the worker to reach the barrier');
    const mainIndex = await barrier.waitAsync({ timeout: 20_000 });
    const seen = await running;
    expect(seen).toEqual({
      boundKept: true,
      boundedKind: 'BoundedSemaphore',
      lifoKind: 'LifoQueue',
      priorityKind: 'PriorityQueue',
      firstPriority: 1,
      index: 0,
      rlockOwnedThere: true,
    });
    expect(mainIndex).toBe(1);
    expect(lock.locked).toBe(true);
    lock.release(); // any thread may release a Lock
    expect(rlock.locked).toBe(true);
    expect(rlock.isOwnedByCaller()).toBe(false);
    expect(rlock.tryAcquire()).toBe(false);
    expect(() => rlock.release()).toThrow(LockStateError);
    expect(semaphore.value).toBe(2);
    expect(bounded.value).toBe(1);
    expect(condition.lock.locked).toBe(true);
    expect(condition.tryAcquire()).toBe(false);
    condition.release();
    expect(event.isSet).toBe(true);
    expect(queue.getNowait()).toBe('from worker');
    expect(lifo.getNowait()).toBe('b');
    expect(priority.size).toBe(1);
    expect(priority.getNowait()).toBe(5);
  });

  test('handles nested in workerData structures and passed on from worker to worker still refer to one primitive', async () => {
    const event = new Event();
    const queue = new Queue<number>();
    // The first worker hands the handles on to a second one through a queue of handle-free ids, using
    // postMessage-cloned copies of the handles it received.
    const first = await runInWorker((lib, data) => {
      const q = lib.Queue.from<number>(data.nested.deeper.queue);
      q.put(1);
      return { again: data.nested.deeper, event: data.list[0]! };
    }, { nested: { deeper: { queue: queue.handle } }, list: [event.handle] });
    await runInWorker((lib, data) => {
      lib.Queue.from<number>(data.again.queue).put(2);
      lib.Event.from(data.event).set();
    }, first);
    expect([queue.getNowait(), queue.getNowait()]).toEqual([1, 2]);
    expect(event.isSet).toBe(true);
  });
});
