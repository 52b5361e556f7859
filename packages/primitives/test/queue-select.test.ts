import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, expectTypeOf, test } from 'vitest';
import { LifoQueue, PriorityQueue, Queue, QueueEmpty, QueueShutDown, type QueueHandle } from '@lockstep/primitives';
import { runInWorker, sleep, startWorker, terminateAll } from './support/workers.js';
import { rejectionOf, sharedInts, SLACK_MS, track, until } from './support/until.js';

afterEach(terminateAll);

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

describe('Queue.select on one thread', () => {
  test('takes from whichever queue has an item, each in its own order, and says which', async () => {
    const fifo = new Queue<number>();
    const lifo = new LifoQueue<string>();
    const priority = new PriorityQueue<number>();
    lifo.put('a');
    lifo.put('b');
    const only = Queue.select([fifo, lifo, priority]);
    expect(only).toEqual({ queue: lifo, index: 1, item: 'b' });
    expect(only.queue).toBe(lifo);
    priority.put(5);
    priority.put(3);
    fifo.put(1);
    fifo.put(2);
    const taken: [number, unknown][] = [];
    for (let i = 0; i < 5; i++) {
      const { index, item } = i % 2 === 0 ? Queue.select([fifo, lifo, priority]) : await Queue.selectAsync([fifo, lifo, priority]);
      taken.push([index, item]);
    }
    // Every item once; each queue's items in that queue's order.
    expect(taken.filter(([index]) => index === 0).map(([, item]) => item)).toEqual([1, 2]);
    expect(taken.filter(([index]) => index === 1).map(([, item]) => item)).toEqual(['a']);
    expect(taken.filter(([index]) => index === 2).map(([, item]) => item)).toEqual([3, 5]);
    expect([fifo.size, lifo.size, priority.size]).toEqual([0, 0, 0]);
  });

  test('a select counts as a get: taskDone() and join() see it, and a bounded queue gets room', () => {
    const bounded = new Queue<number>({ maxSize: 1 });
    bounded.put(1);
    expect(() => bounded.putNowait(2)).toThrow();
    expect(Queue.select([bounded]).item).toBe(1);
    bounded.putNowait(2);
    expect(bounded.join({ timeout: 0 })).toBe(false);
    bounded.getNowait();
    bounded.taskDone();
    bounded.taskDone();
    expect(bounded.join({ timeout: 0 })).toBe(true);
  });

  test('with all queues empty: timeout 0 throws QueueEmpty at once; a timeout throws it no earlier than asked', async () => {
    const queues = [new Queue(), new LifoQueue(), new PriorityQueue()] as const;
    const atOnce = errorOf(() => Queue.select(queues, { timeout: 0 }));
    expect(atOnce).toBeInstanceOf(QueueEmpty);
    expect((atOnce as Error).message).toMatch(/Queue\.select\(\): every queue is empty/);
    expect(await rejectionOf(Queue.selectAsync(queues, { timeout: 0 }))).toBeInstanceOf(QueueEmpty);
    let started = performance.now();
    expect(errorOf(() => Queue.select(queues, { timeout: 60 }))).toBeInstanceOf(QueueEmpty);
    expect(performance.now() - started).toBeGreaterThanOrEqual(60 - SLACK_MS);
    started = performance.now();
    const timedOut = await rejectionOf(Queue.selectAsync(queues, { timeout: 60 }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(60 - SLACK_MS);
    expect((timedOut as Error).message).toMatch(/no queue gave an item within the timeout/);
    // Nothing was left registered or taken: the queues work as before.
    queues[2].put(7);
    expect(Queue.select(queues, { timeout: 0 })).toMatchObject({ index: 2, item: 7 });
  });

  test('bad arguments are refused with TypeError / RangeError naming the call', async () => {
    expect(() => Queue.select([])).toThrow(/Queue\.select\(\): expected a non-empty array of queues/);
    expect(() => Queue.select('queues' as never)).toThrow(TypeError);
    expect(() => Queue.select([new Queue(), {} as never])).toThrow(/queues\[1\] is not a Queue/);
    expect(() => Queue.select([new Queue()], { timeout: -1 })).toThrow(RangeError);
    expect(await rejectionOf(Queue.selectAsync([]))).toBeInstanceOf(TypeError);
    expect(await rejectionOf(Queue.selectAsync([new Queue()], { signal: {} as never }))).toBeInstanceOf(TypeError);
    const handle = new Queue().handle;
    expect(() => Queue.from({ ...handle, selectBoard: undefined } as never)).toThrow(/handle\.selectBoard/);
  });

  test('the same queue twice, or two views of it, is still one queue: each item once', () => {
    const queue = new Queue<number>();
    const view = Queue.from<number>(queue.handle);
    queue.put(1);
    queue.put(2);
    const items = [Queue.select([queue, view]).item, Queue.select([queue, queue]).item];
    expect(items).toEqual([1, 2]);
    expect(errorOf(() => Queue.select([queue, view], { timeout: 0 }))).toBeInstanceOf(QueueEmpty);
  });

  test('the result type follows the queues: a tuple narrows by index', () => {
    const numbers = new Queue<number>();
    const words = new LifoQueue<string>();
    numbers.put(1);
    const result = Queue.select([numbers, words]);
    if (result.index === 0) expectTypeOf(result.item).toEqualTypeOf<number>();
    else expectTypeOf(result.item).toEqualTypeOf<string>();
    const list: Queue<number>[] = [numbers];
    numbers.put(2);
    expectTypeOf(Queue.select(list).item).toEqualTypeOf<number>();
    expect(result.item).toBe(1);
  });
});

describe('Queue.select across threads', () => {
  test('a worker blocked in select is woken by a put to whichever queue gets one, here the last', async () => {
    const queues = [new Queue<string>(), new LifoQueue<string>(), new PriorityQueue<string>()];
    const step = sharedInts(1);
    const worker = startWorker(({ Queue }, { handles, step }) => {
      const queues = handles.map((handle) => Queue.from<string>(handle));
      Atomics.store(step, 0, 1);
      const { index, item } = Queue.select(queues, { timeout: 20_000 });
      return { index, item, sizes: queues.map((queue) => queue.size) };
    }, { handles: queues.map((queue) => queue.handle), step });
    await until(() => Atomics.load(step, 0) === 1, 'the worker to select');
    await sleep(30); // most likely asleep by now; a select that has not slept yet finds the item all the same
    queues[2]!.put('wake up');
    expect(await worker.result).toEqual({ index: 2, item: 'wake up', sizes: [0, 0, 0] });
  });

  test('the main thread\'s selectAsync is woken by a worker\'s put to its second queue', async () => {
    const first = new Queue<number>();
    const second = new PriorityQueue<number>();
    const waiting = track(Queue.selectAsync([first, second], { timeout: 20_000 }));
    await sleep(20);
    expect(waiting.settled).toBe(false);
    await runInWorker(({ Queue }, { handle }) => Queue.from<number>(handle).put(42), { handle: second.handle });
    expect(await waiting.promise).toEqual({ queue: second, index: 1, item: 42 });
  });

  test('a selector takes no wake-up from a getter of the same queue: two items, both served', async () => {
    const shared = new Queue<number>();
    const other = new Queue<number>();
    const ready = sharedInts(1);
    const getter = runInWorker(({ Queue }, { handle, ready }) => {
      const queue = Queue.from<number>(handle);
      Atomics.add(ready, 0, 1);
      return queue.get({ timeout: 20_000 });
    }, { handle: shared.handle, ready });
    const selector = runInWorker(({ Queue }, { handles, ready }) => {
      const queues = handles.map((handle) => Queue.from<number>(handle));
      Atomics.add(ready, 0, 1);
      return Queue.select(queues, { timeout: 20_000 }).item;
    }, { handles: [shared.handle, other.handle], ready });
    await until(() => Atomics.load(ready, 0) === 2, 'both to wait');
    await sleep(30);
    shared.put(1);
    shared.put(2);
    expect([await getter, await selector].sort()).toEqual([1, 2]);
  });

  test('stress: 3 producers, 5 consumers (blocking select, selectAsync, plain get) over 3 kinds of queue; every item exactly once', async () => {
    const PER_PRODUCER = 3_000;
    const PRODUCERS = 3;
    const total = PER_PRODUCER * PRODUCERS;
    const queues = [new Queue<number>({ maxSize: 64 }), new LifoQueue<number>(), new PriorityQueue<number>()];
    const handles = queues.map((queue) => queue.handle);
    const seen = sharedInts(total + 1);
    const producers = Array.from({ length: PRODUCERS }, (_, p) =>
      runInWorker(async ({ Queue }, { handles, p, perProducer }) => {
        const queues = handles.map((handle) => Queue.from<number>(handle));
        for (let i = 0; i < perProducer; i++) {
          const id = p * perProducer + i + 1;
          const queue = queues[(id * 7 + p) % queues.length]!;
          if (i % 3 === 0) await queue.putAsync(id, { timeout: 20_000 });
          else queue.put(id, { timeout: 20_000 });
        }
      }, { handles, p, perProducer: PER_PRODUCER }),
    );
    const blockingSelector = (): Promise<{ count: number; sum: number }> =>
      runInWorker(({ Queue }, { handles, seen }) => {
        const queues = handles.map((handle) => Queue.from<number>(handle));
        let count = 0;
        let sum = 0;
        for (;;) {
          let item: number;
          try {
            item = Queue.select(queues, { timeout: 20_000 }).item;
          } catch (error) {
            if ((error as Error).name === 'QueueShutDown') return { count, sum };
            throw error;
          }
          Atomics.add(seen, item, 1);
          count += 1;
          sum += item;
        }
      }, { handles, seen });
    const asyncSelector = runInWorker(async ({ Queue }, { handles, seen }) => {
      const queues = handles.map((handle) => Queue.from<number>(handle));
      let count = 0;
      let sum = 0;
      for (;;) {
        let item: number;
        try {
          item = (await Queue.selectAsync(queues, { timeout: 20_000 })).item;
        } catch (error) {
          if ((error as Error).name === 'QueueShutDown') return { count, sum };
          throw error;
        }
        Atomics.add(seen, item, 1);
        count += 1;
        sum += item;
      }
    }, { handles, seen });
    const getter = runInWorker(({ Queue }, { handle, seen }) => {
      const queue = Queue.from<number>(handle);
      let count = 0;
      let sum = 0;
      for (;;) {
        let item: number;
        try {
          item = queue.get({ timeout: 20_000 });
        } catch (error) {
          if ((error as Error).name === 'QueueShutDown') return { count, sum };
          throw error;
        }
        Atomics.add(seen, item, 1);
        count += 1;
        sum += item;
      }
    }, { handle: handles[0]!, seen });
    const consumers = [blockingSelector(), blockingSelector(), blockingSelector(), asyncSelector, getter];
    await Promise.all(producers);
    for (const queue of queues) queue.shutdown();
    const outcomes = await Promise.all(consumers);
    expect(outcomes.reduce((n, o) => n + o.count, 0)).toBe(total);
    expect(outcomes.reduce((n, o) => n + o.sum, 0)).toBe((total * (total + 1)) / 2);
    const notOnce = Array.from(seen.subarray(1)).flatMap((times, i) => (times === 1 ? [] : [[i + 1, times]]));
    expect(notOnce).toEqual([]);
    expect(queues.map((queue) => queue.size)).toEqual([0, 0, 0]);
  }, 30_000);
});

describe('Queue.select fairness', () => {
  test('with every queue busy, one thread\'s selects take turns: each queue served the same number of times', async () => {
    const queues = [new Queue<number>(), new LifoQueue<number>(), new PriorityQueue<number>()];
    for (const queue of queues) for (let i = 0; i < 40; i++) queue.put(i);
    const counts = [0, 0, 0];
    for (let i = 0; i < 60; i++) counts[(i % 2 === 0 ? Queue.select(queues) : await Queue.selectAsync(queues)).index]! += 1;
    expect(counts).toEqual([20, 20, 20]);
  });

  test('one thread alternating between two lists that share a queue starves none of the three', () => {
    const [a, b, c] = [new Queue<number>(), new Queue<number>(), new Queue<number>()];
    for (const queue of [a, b, c]) for (let i = 0; i < 100; i++) queue.put(i);
    const served = new Map([[a, 0], [b, 0], [c, 0]]);
    for (let i = 0; i < 60; i++) {
      const { queue } = i % 2 === 0 ? Queue.select([a, b]) : Queue.select([a, c]);
      served.set(queue, served.get(queue)! + 1);
    }
    // A rotation by call count would give [a, b] only even turns and never serve b; least recently served first does.
    expect([...served.values()].every((count) => count >= 15)).toBe(true);
    expect([...served.values()].reduce((x, y) => x + y)).toBe(60);
  });

  test('two workers selecting at once over busy queues: each serves every queue, equally', async () => {
    const queues = [new Queue<number>(), new Queue<number>(), new Queue<number>(), new Queue<number>()];
    for (const queue of queues) for (let i = 0; i < 500; i++) queue.put(i);
    const handles = queues.map((queue) => queue.handle);
    const counts = await Promise.all(
      [0, 1].map(() =>
        runInWorker(({ Queue }, { handles }) => {
          const queues = handles.map((handle) => Queue.from<number>(handle));
          const counts = queues.map(() => 0);
          for (let i = 0; i < 400; i++) counts[Queue.select(queues, { timeout: 20_000 }).index]! += 1;
          return counts;
        }, { handles }),
      ),
    );
    expect(counts).toEqual([
      [100, 100, 100, 100],
      [100, 100, 100, 100],
    ]);
    expect(queues.map((queue) => queue.size)).toEqual([300, 300, 300, 300]);
  });
});

describe('Queue.selectAsync and AbortSignal', () => {
  test('an aborted select rejects with the signal\'s reason and takes nothing; a later put stays queued', async () => {
    const queues = [new Queue<number>(), new LifoQueue<number>()];
    const controller = new AbortController();
    const pending = Queue.selectAsync(queues, { signal: controller.signal });
    await sleep(10);
    controller.abort(new Error('enough'));
    expect(((await rejectionOf(pending)) as Error).message).toBe('enough');
    queues[1]!.put(9);
    await sleep(10);
    expect(queues[1]!.size).toBe(1);
    const already = new AbortController();
    already.abort();
    expect(((await rejectionOf(Queue.selectAsync(queues, { signal: already.signal }))) as Error).name).toBe('AbortError');
    expect(queues[1]!.size).toBe(1);
    expect(Queue.select(queues, { timeout: 0 }).item).toBe(9);
  });

  test('a worker\'s aborted selectAsync leaves the item to the other selector', async () => {
    const queue = new Queue<string>();
    const ready = sharedInts(1);
    const aborted = runInWorker(async ({ Queue }, { handle, ready }) => {
      const controller = new AbortController();
      const pending = Queue.selectAsync([Queue.from<string>(handle)], { signal: controller.signal });
      Atomics.add(ready, 0, 1);
      controller.abort();
      try {
        await pending;
        return 'took it';
      } catch (error) {
        return (error as Error).name;
      }
    }, { handle: queue.handle, ready });
    const live = Queue.selectAsync([new Queue<string>(), queue], { timeout: 20_000 });
    expect(await aborted).toBe('AbortError');
    queue.put('for the live one');
    expect((await live).item).toBe('for the live one');
  });
});

describe('Queue.select and shutdown', () => {
  test('a queue shut down and empty is passed over; QueueShutDown only once every queue is', async () => {
    const closed = new Queue<number>();
    const open = new Queue<number>();
    closed.put(1);
    closed.shutdown();
    expect(Queue.select([closed, open]).item).toBe(1); // drained first, as get() would
    expect(errorOf(() => Queue.select([closed, open], { timeout: 0 }))).toBeInstanceOf(QueueEmpty);
    open.put(2);
    expect(Queue.select([closed, open], { timeout: 0 })).toMatchObject({ index: 1, item: 2 });
    open.shutdown();
    const error = errorOf(() => Queue.select([closed, open]));
    expect(error).toBeInstanceOf(QueueShutDown);
    expect((error as Error).message).toMatch(/every queue was shut down and is empty/);
    expect(await rejectionOf(Queue.selectAsync([closed, open], { timeout: 0 }))).toBeInstanceOf(QueueShutDown);
  });

  test('selectors blocked in workers and on the main thread get QueueShutDown when the last queue shuts down', async () => {
    const queues = [new Queue<number>(), new PriorityQueue<number>()];
    queues[0]!.shutdown();
    const ready = sharedInts(1);
    const blocked = runInWorker(({ Queue }, { handles, ready }) => {
      const queues = handles.map((handle) => Queue.from<number>(handle));
      Atomics.add(ready, 0, 1);
      try {
        return Queue.select(queues, { timeout: 20_000 });
      } catch (error) {
        return (error as Error).name;
      }
    }, { handles: queues.map((queue) => queue.handle), ready });
    const local = track(Queue.selectAsync(queues, { timeout: 20_000 }));
    await until(() => Atomics.load(ready, 0) === 1, 'the worker to select');
    await sleep(30);
    expect(local.settled).toBe(false);
    queues[1]!.shutdown({ immediate: true });
    expect(await blocked).toBe('QueueShutDown');
    expect(await rejectionOf(local.promise)).toBeInstanceOf(QueueShutDown);
  });
});

describe('Queue.select over queues made on threads with different select boards', () => {
  test('still gets the item, by looking again every few milliseconds', async () => {
    // A worker that does not inherit the board (its environment data cleared before the package
    // loads, as for a worker started before the parent loaded the primitives) makes its own.
    const libUrl = import.meta.resolve('@lockstep/primitives');
    const local = new Queue<string>();
    const worker = new Worker(
      `import { parentPort, setEnvironmentData, workerData } from 'node:worker_threads';
       setEnvironmentData('lockstep:select-board', undefined);
       const { Queue } = await import(workerData.libUrl);
       const own = new Queue();
       parentPort.postMessage(own.handle);
       parentPort.once('message', () => own.put('from another board'));`,
      { eval: true, execArgv: ['--input-type=module'], workerData: { libUrl } },
    );
    try {
      const handle = await new Promise<QueueHandle>((resolve) => worker.once('message', resolve));
      const foreign = Queue.from<string>(handle);
      const boardId = (h: QueueHandle): number[] => Array.from(new Int32Array(h.selectBoard, 0, 2));
      expect(boardId(foreign.handle)).not.toEqual(boardId(local.handle)); // really two boards
      const waiting = Queue.selectAsync([local, foreign], { timeout: 20_000 });
      worker.postMessage('put');
      expect(await waiting).toMatchObject({ index: 1, item: 'from another board' });
      // And a blocking select from a worker of this board over both.
      const other = runInWorker(({ Queue }, { handles }) => Queue.select(handles.map((h) => Queue.from<string>(h)), { timeout: 20_000 }).index, {
        handles: [foreign.handle, local.handle],
      });
      await sleep(20);
      local.put('home');
      expect(await other).toBe(1);
    } finally {
      await worker.terminate();
    }
  });
});
