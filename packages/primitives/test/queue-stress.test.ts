import { afterEach, describe, expect, test } from 'vitest';
import { Event, LifoQueue, PriorityQueue, Queue, QueueShutDown, type EventHandle, type QueueHandle } from '@lockstep/primitives';
import { runInWorker, sleep, terminateAll, type Lib } from './support/workers.js';
import { sharedInts, track, until } from './support/until.js';

afterEach(terminateAll);

const SENTINEL = -1;

/**
 * What every consumer worker runs: take items until the sentinel, check each against what the producer
 * put for its id, count it in `seen[id]`, bump `done`, then call taskDone() (so `done` is complete
 * whenever every taskDone() has been made). Returns how many items it took and how many were corrupt.
 */
const consume = (
  { Queue, Event }: Lib,
  d: { handle: QueueHandle; seen: Int32Array; done: Int32Array; gate?: EventHandle; sentinel: number },
): { taken: number; corrupt: number } => {
  const q = Queue.from<unknown>(d.handle);
  if (d.gate !== undefined && !Event.from(d.gate).wait({ timeout: 30_000 })) throw new Error('never let in');
  let taken = 0;
  let corrupt = 0;
  for (;;) {
    const item = q.get({ timeout: 30_000 });
    if (item === d.sentinel) {
      Atomics.add(d.done, 0, 1);
      q.taskDone();
      return { taken, corrupt };
    }
    let id: number;
    if (typeof item === 'number') {
      id = item;
      if (id % 3 !== 0) corrupt++;
    } else if (typeof item === 'string') {
      id = Number(item.slice(5));
      if (item !== `item-${id}` || id % 3 !== 1) corrupt++;
    } else {
      const o = item as { id: number; payload: [number, string] };
      id = o.id;
      if (o.payload[0] !== id || o.payload[1] !== 'x'.repeat(id % 50) || id % 3 !== 2) corrupt++;
    }
    Atomics.add(d.seen, id, 1);
    taken++;
    Atomics.add(d.done, 0, 1);
    q.taskDone();
  }
};

/** What the producer worker runs: items 0..count-1 of three kinds (numbers, strings, objects), then sentinels. */
const produce = (
  { Queue, Event }: Lib,
  d: { handle: QueueHandle; count: number; sentinels: number; sentinel: number; produced: EventHandle },
): number => {
  const q = Queue.from<unknown>(d.handle);
  for (let i = 0; i < d.count; i++) {
    q.put(i % 3 === 0 ? i : i % 3 === 1 ? `item-${i}` : { id: i, payload: [i, 'x'.repeat(i % 50)] }, { timeout: 30_000 });
  }
  for (let i = 0; i < d.sentinels; i++) q.put(d.sentinel, { timeout: 30_000 });
  Event.from(d.produced).set();
  return d.count;
};

describe('Queue stress: 1 producer and 3 consumers, all real workers', () => {
  test('a bounded queue delivers every item exactly once, and join() returns only after every taskDone()', async () => {
    const count = 20_000;
    const consumers = 3;
    const q = new Queue<unknown>({ maxSize: 64 });
    const produced = new Event();
    const seen = sharedInts(count);
    const done = sharedInts(1);
    const consumerRuns = Array.from({ length: consumers }, () =>
      runInWorker(consume, { handle: q.handle, seen, done, sentinel: SENTINEL }),
    );
    const producer = runInWorker(produce, { handle: q.handle, count, sentinels: consumers, sentinel: SENTINEL, produced: produced.handle });
    // A joiner worker that blocks in join() once everything has been put.
    const joiner = runInWorker(({ Queue, Event }, { handle, produced, done }) => {
      if (!Event.from(produced).wait({ timeout: 30_000 })) throw new Error('never produced');
      const joined = Queue.from(handle).join({ timeout: 60_000 });
      return { joined, doneWhenJoined: Atomics.load(done, 0) };
    }, { handle: q.handle, produced: produced.handle, done });

    expect(await producer).toBe(count);
    expect(await q.joinAsync({ timeout: 60_000 })).toBe(true);
    expect(Atomics.load(done, 0)).toBe(count + consumers);
    expect(await joiner).toEqual({ joined: true, doneWhenJoined: count + consumers });

    const results = await Promise.all(consumerRuns);
    expect(results.reduce((sum, r) => sum + r.taken, 0)).toBe(count);
    expect(results.reduce((sum, r) => sum + r.corrupt, 0)).toBe(0);
    const missing: number[] = [];
    const duplicated: number[] = [];
    seen.forEach((n, id) => {
      if (n === 0) missing.push(id);
      else if (n > 1) duplicated.push(id);
    });
    expect({ missing: missing.slice(0, 10), duplicated: duplicated.slice(0, 10) }).toEqual({ missing: [], duplicated: [] });
    expect(q.empty).toBe(true);
    expect(() => q.taskDone()).toThrow(RangeError);
  });

  test('join() keeps waiting while items are taken but not yet done, however long that is', async () => {
    const count = 5_000;
    const consumers = 3;
    const q = new Queue<unknown>();
    const produced = new Event();
    const gate = new Event();
    const seen = sharedInts(count);
    const done = sharedInts(1);
    const consumerRuns = Array.from({ length: consumers }, () =>
      runInWorker(consume, { handle: q.handle, seen, done, gate: gate.handle, sentinel: SENTINEL }),
    );
    const producer = runInWorker(produce, { handle: q.handle, count, sentinels: consumers, sentinel: SENTINEL, produced: produced.handle });
    expect(await producer).toBe(count);
    const joined = track(q.joinAsync({ timeout: 60_000 }));
    await sleep(50);
    expect(joined.settled).toBe(false); // nothing consumed yet: join must not return
    gate.set();
    expect(await joined.promise).toBe(true);
    expect(Atomics.load(done, 0)).toBe(count + consumers);
    const results = await Promise.all(consumerRuns);
    expect(results.reduce((sum, r) => sum + r.taken, 0)).toBe(count);
    expect([...seen].every((n) => n === 1)).toBe(true);
  });
});

describe.each([
  ['LifoQueue', LifoQueue],
  ['PriorityQueue', PriorityQueue],
] as const)('%s stress: 2 producers and 3 consumers', (_name, QueueClass) => {
  test('every item is delivered exactly once', async () => {
    const perProducer = 4_000;
    const q = new QueueClass<number>({ maxSize: 32 }) as Queue<number>;
    const seen = sharedInts(2 * perProducer);
    const producers = [0, 1].map((p) =>
      runInWorker(({ Queue }, { handle, p, perProducer }) => {
        const q = Queue.from<number>(handle);
        for (let k = 0; k < perProducer; k++) q.put(p * perProducer + k, { timeout: 30_000 });
      }, { handle: q.handle, p, perProducer }),
    );
    const consumers = [0, 1, 2].map(() =>
      runInWorker(({ Queue }, { handle, seen }) => {
        const q = Queue.from<number>(handle);
        let taken = 0;
        for (;;) {
          const id = q.get({ timeout: 30_000 });
          if (id === -1) return taken;
          Atomics.add(seen, id, 1);
          taken++;
          q.taskDone();
        }
      }, { handle: q.handle, seen }),
    );
    await Promise.all(producers);
    expect(await q.joinAsync({ timeout: 60_000 })).toBe(true);
    for (let i = 0; i < 3; i++) await q.putAsync(-1);
    const taken = await Promise.all(consumers);
    expect(taken.reduce((a, b) => a + b, 0)).toBe(2 * perProducer);
    expect([...seen].every((n) => n === 1)).toBe(true);
  });
});

describe('Queue stress: shutdown while producers and consumers run (Python _shutdown_all_methods_in_many_threads)', () => {
  test.each([false, true])('immediate=%s: producers and consumers all end with QueueShutDown; nothing is delivered twice', async (immediate) => {
    const limit = 200_000;
    const producers = 2;
    const q = new Queue<number>({ maxSize: 100 });
    const seen = sharedInts(producers * limit);
    const taken = sharedInts(1);
    const producerRuns = Array.from({ length: producers }, (_, p) =>
      runInWorker(({ Queue }, { handle, p, limit }) => {
        const q = Queue.from<number>(handle);
        let put = 0;
        try {
          for (; put < limit; put++) q.put(p * limit + put, { timeout: 30_000 });
          return { put, end: 'limit' };
        } catch (error) {
          return { put, end: (error as Error).name };
        }
      }, { handle: q.handle, p, limit }),
    );
    const consumerRuns = [0, 1, 2].map(() =>
      runInWorker(({ Queue }, { handle, seen, taken }) => {
        const q = Queue.from<number>(handle);
        try {
          for (;;) {
            const id = q.get({ timeout: 30_000 });
            Atomics.add(seen, id, 1);
            Atomics.add(taken, 0, 1);
            q.taskDone();
          }
        } catch (error) {
          return (error as Error).name;
        }
      }, { handle: q.handle, seen, taken }),
    );
    await until(() => Atomics.load(taken, 0) >= 5_000, 'consumers to take 5000 items');
    q.shutdown({ immediate });
    const produced = await Promise.all(producerRuns);
    expect(produced.map((r) => r.end)).toEqual(['QueueShutDown', 'QueueShutDown']);
    expect(await Promise.all(consumerRuns)).toEqual(['QueueShutDown', 'QueueShutDown', 'QueueShutDown']);
    expect(q.size).toBe(0);
    let twice = 0;
    let delivered = 0;
    let outOfRange = 0;
    for (let p = 0; p < producers; p++) {
      for (let k = 0; k < limit; k++) {
        const n = seen[p * limit + k]!;
        if (n > 1) twice++;
        if (n > 0) delivered++;
        if (n > 0 && k >= produced[p]!.put) outOfRange++; // delivered but never successfully put
      }
    }
    expect({ twice, outOfRange }).toEqual({ twice: 0, outOfRange: 0 });
    const totalPut = produced.reduce((sum, r) => sum + r.put, 0);
    if (immediate) {
      expect(delivered).toBeLessThanOrEqual(totalPut); // the rest were dropped
    } else {
      expect(delivered).toBe(totalPut); // a plain shutdown lets consumers drain every item put
    }
    // Every item was either taken and done, or dropped (counted done) by an immediate shutdown.
    expect(await q.joinAsync({ timeout: 20_000 })).toBe(true);
    expect(() => q.put(1)).toThrow(QueueShutDown);
  });
});
