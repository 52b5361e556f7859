import { Linter } from 'eslint';
import { describe, expect, it } from 'vitest';
import rule from '../../src/rules/no-blocking-in-async.js';
import { createTypedRuleTester, createUntypedRuleTester } from '../rule-tester.js';

const ruleTester = createTypedRuleTester();

ruleTester.run('no-blocking-in-async', rule, {
  valid: [
    {
      name: 'receivers typed `any` (an untyped require) are not guessed at, as in plain JavaScript',
      code: `
const { Lock, Queue } = require('@lockstep/primitives');
export class Jobs {
  lock = new Lock();
  queue = new Queue();
  async next(): Promise<unknown> {
    this.lock.acquire();
    using _held = this.lock.hold();
    return this.queue.get();
  }
}
`,
    },
    {
      name: 'the blocking forms in a plain synchronous function (a worker may block)',
      code: `
import { Barrier, Condition, Event, Lock, Queue } from '@lockstep/primitives';
export function work(lock: Lock, cond: Condition, event: Event, barrier: Barrier, queue: Queue<number>): void {
  using _held = lock.hold();
  lock.acquire();
  cond.wait();
  cond.waitFor(() => true);
  event.wait();
  barrier.wait();
  queue.put(queue.get());
  queue.join();
}
`,
    },
    {
      name: "a worker's top-level loop over a shared queue",
      code: `
import { workerData } from 'node:worker_threads';
import { Queue } from '@lockstep/primitives';
const jobs = Queue.from<string>(workerData);
for (;;) {
  const job = jobs.get();
  if (job === 'stop') break;
  jobs.taskDone();
}
`,
    },
    {
      name: 'the async forms, awaited, in an async function',
      code: `
import { Barrier, Condition, Event, Lock, Queue } from '@lockstep/primitives';
export async function work(lock: Lock, cond: Condition, event: Event, barrier: Barrier, queue: Queue<number>): Promise<void> {
  await using _held = await lock.holdAsync();
  await lock.acquireAsync();
  await cond.waitAsync();
  await cond.waitForAsync(() => true);
  await event.waitAsync();
  await barrier.waitAsync();
  await queue.putAsync(await queue.getAsync());
  await queue.joinAsync();
}
`,
    },
    {
      name: 'calls that never block: tryAcquire, release, notify, set, the nowait queue forms',
      code: `
import { Condition, Event, Lock, Queue } from '@lockstep/primitives';
export async function poke(lock: Lock, cond: Condition, event: Event, queue: Queue<number>): Promise<void> {
  if (lock.tryAcquire()) lock.release();
  cond.notify();
  cond.notifyAll();
  event.set();
  queue.putNowait(1);
  queue.getNowait();
  queue.taskDone();
}
`,
    },
    {
      name: 'Thread.join is already asynchronous',
      code: `
import { Thread } from '@lockstep/primitives';
export async function run(thread: Thread): Promise<boolean> {
  thread.start();
  return await thread.join();
}
`,
    },
    {
      name: 'Atomics.waitAsync, and Atomics.wait in a synchronous function',
      code: `
export async function waitFor(cells: Int32Array<SharedArrayBuffer>): Promise<void> {
  const result = Atomics.waitAsync(cells, 0, 0);
  if (result.async) await result.value;
}
export function park(cells: Int32Array<SharedArrayBuffer>): void {
  Atomics.wait(cells, 0, 0);
}
`,
    },
    {
      name: 'a local binding named Atomics is not the global',
      code: `
export async function simulate(): Promise<void> {
  const Atomics = { wait: (..._args: unknown[]): string => 'ok' };
  Atomics.wait(1, 2, 3);
}
`,
    },
    {
      name: 'a user class with acquire, wait and get methods that are not primitives',
      code: `
class Pool {
  acquire(): number { return 1; }
  get(key: string): string { return key; }
  wait(): void {}
}
class Lock {
  acquire(): boolean { return true; }
}
export async function use(pool: Pool, lock: Lock, cache: Map<string, number>): Promise<void> {
  pool.acquire();
  pool.get('a');
  pool.wait();
  lock.acquire();
  cache.get('a');
}
`,
    },
    {
      name: 'a synchronous helper declared inside an async function runs wherever it is called',
      code: `
import { Lock } from '@lockstep/primitives';
declare function runInWorker(fn: () => void): Promise<void>;
export async function schedule(lock: Lock): Promise<void> {
  function step(): void {
    lock.acquire();
    lock.release();
  }
  await runInWorker(step);
  await runInWorker(() => lock.acquire());
}
`,
    },
    {
      name: "an 'on' method of something that is not an EventEmitter",
      code: `
import { Lock } from '@lockstep/primitives';
class Pipeline {
  on(_stage: string, run: () => void): this { run(); return this; }
}
export function build(pipeline: Pipeline, lock: Lock): void {
  pipeline.on('compile', () => lock.acquire());
}
`,
    },
    {
      name: 'an async callback on the event loop that awaits the async form',
      code: `
import { Lock } from '@lockstep/primitives';
export function later(lock: Lock): void {
  setTimeout(async () => {
    await using _held = await lock.holdAsync();
  }, 10);
}
`,
    },
    {
      name: 'a class field initialiser inside an async function runs at construction',
      code: `
import { Event } from '@lockstep/primitives';
export async function make(event: Event): Promise<object> {
  return new (class {
    readonly ready = event.wait({ timeout: 0 });
  })();
}
`,
    },
  ],
  invalid: [
    {
      name: "ReadWriteLock's blocking read in an async function",
      code: `
import { ReadWriteLock } from '@lockstep/primitives';
export async function lookup(rw: ReadWriteLock): Promise<void> {
  rw.acquireRead();
  rw.releaseRead();
}
`,
      errors: [
        {
          messageId: 'blockingCall',
          data: { type: 'ReadWriteLock', method: 'acquireRead', asyncMethod: 'acquireReadAsync', where: 'an async function' },
          line: 4,
          column: 3,
          suggestions: [
            {
              messageId: 'useAsyncForm',
              data: { asyncMethod: 'acquireReadAsync' },
              output: `
import { ReadWriteLock } from '@lockstep/primitives';
export async function lookup(rw: ReadWriteLock): Promise<void> {
  await rw.acquireReadAsync();
  rw.releaseRead();
}
`,
            },
          ],
        },
      ],
    },
    {
      name: 'Lock.acquire as a statement in an async function',
      code: `
import { Lock } from '@lockstep/primitives';
export async function update(lock: Lock): Promise<void> {
  lock.acquire();
  lock.release();
}
`,
      errors: [
        {
          messageId: 'blockingCall',
          data: { type: 'Lock', method: 'acquire', asyncMethod: 'acquireAsync', where: 'an async function' },
          line: 4,
          column: 3,
          endLine: 4,
          endColumn: 17,
          suggestions: [
            {
              messageId: 'useAsyncForm',
              data: { asyncMethod: 'acquireAsync' },
              output: `
import { Lock } from '@lockstep/primitives';
export async function update(lock: Lock): Promise<void> {
  await lock.acquireAsync();
  lock.release();
}
`,
            },
          ],
        },
      ],
    },
    {
      name: 'RLock.hold in a using declaration becomes await using',
      code: `
import { RLock } from '@lockstep/primitives';
export async function update(lock: RLock): Promise<void> {
  using _held = lock.hold();
}
`,
      errors: [
        {
          messageId: 'blockingCall',
          data: { type: 'RLock', method: 'hold', asyncMethod: 'holdAsync', where: 'an async function' },
          line: 4,
          column: 17,
          endLine: 4,
          endColumn: 28,
          suggestions: [
            {
              messageId: 'useAsyncForm',
              data: { asyncMethod: 'holdAsync' },
              output: `
import { RLock } from '@lockstep/primitives';
export async function update(lock: RLock): Promise<void> {
  await using _held = await lock.holdAsync();
}
`,
            },
          ],
        },
      ],
    },
    {
      name: 'Semaphore.acquire as a variable initialiser, arguments kept',
      code: `
import { Semaphore } from '@lockstep/primitives';
export const fetchOne = async (slots: Semaphore): Promise<boolean> => {
  const ok = slots.acquire({ timeout: 100 });
  return ok;
};
`,
      errors: [
        {
          messageId: 'blockingCall',
          data: { type: 'Semaphore', method: 'acquire', asyncMethod: 'acquireAsync', where: 'an async function' },
          line: 4,
          column: 14,
          suggestions: [
            {
              messageId: 'useAsyncForm',
              data: { asyncMethod: 'acquireAsync' },
              output: `
import { Semaphore } from '@lockstep/primitives';
export const fetchOne = async (slots: Semaphore): Promise<boolean> => {
  const ok = await slots.acquireAsync({ timeout: 100 });
  return ok;
};
`,
            },
          ],
        },
      ],
    },
    {
      name: 'BoundedSemaphore.hold kept in a const (not a using declaration)',
      code: `
import { BoundedSemaphore } from '@lockstep/primitives';
export async function enter(gate: BoundedSemaphore): Promise<Disposable> {
  const guard = gate.hold();
  return guard;
}
`,
      errors: [
        {
          messageId: 'blockingCall',
          data: { type: 'BoundedSemaphore', method: 'hold', asyncMethod: 'holdAsync', where: 'an async function' },
          line: 4,
          column: 17,
          suggestions: [
            {
              messageId: 'useAsyncForm',
              data: { asyncMethod: 'holdAsync' },
              output: `
import { BoundedSemaphore } from '@lockstep/primitives';
export async function enter(gate: BoundedSemaphore): Promise<Disposable> {
  const guard = await gate.holdAsync();
  return guard;
}
`,
            },
          ],
        },
      ],
    },
    {
      name: 'Condition.acquire, wait and waitFor in an async method',
      code: `
import { Condition } from '@lockstep/primitives';
export class Consumer {
  readonly #ready = new Condition();
  items: number[] = [];
  async take(): Promise<number | undefined> {
    this.#ready.acquire();
    this.#ready.wait();
    this.#ready.waitFor(() => this.items.length > 0);
    this.#ready.release();
    return this.items.shift();
  }
}
`,
      errors: [
        {
          messageId: 'blockingCall',
          data: { type: 'Condition', method: 'acquire', asyncMethod: 'acquireAsync', where: 'an async function' },
          line: 7,
          column: 5,
          suggestions: [
            {
              messageId: 'useAsyncForm',
              data: { asyncMethod: 'acquireAsync' },
              output: `
import { Condition } from '@lockstep/primitives';
export class Consumer {
  readonly #ready = new Condition();
  items: number[] = [];
  async take(): Promise<number | undefined> {
    await this.#ready.acquireAsync();
    this.#ready.wait();
    this.#ready.waitFor(() => this.items.length > 0);
    this.#ready.release();
    return this.items.shift();
  }
}
`,
            },
          ],
        },
        {
          messageId: 'blockingCall',
          data: { type: 'Condition', method: 'wait', asyncMethod: 'waitAsync', where: 'an async function' },
          line: 8,
          column: 5,
          suggestions: [
            {
              messageId: 'useAsyncForm',
              data: { asyncMethod: 'waitAsync' },
              output: `
import { Condition } from '@lockstep/primitives';
export class Consumer {
  readonly #ready = new Condition();
  items: number[] = [];
  async take(): Promise<number | undefined> {
    this.#ready.acquire();
    await this.#ready.waitAsync();
    this.#ready.waitFor(() => this.items.length > 0);
    this.#ready.release();
    return this.items.shift();
  }
}
`,
            },
          ],
        },
        {
          messageId: 'blockingCall',
          data: { type: 'Condition', method: 'waitFor', asyncMethod: 'waitForAsync', where: 'an async function' },
          line: 9,
          column: 5,
          suggestions: [
            {
              messageId: 'useAsyncForm',
              data: { asyncMethod: 'waitForAsync' },
              output: `
import { Condition } from '@lockstep/primitives';
export class Consumer {
  readonly #ready = new Condition();
  items: number[] = [];
  async take(): Promise<number | undefined> {
    this.#ready.acquire();
    this.#ready.wait();
    await this.#ready.waitForAsync(() => this.items.length > 0);
    this.#ready.release();
    return this.items.shift();
  }
}
`,
            },
          ],
        },
      ],
    },
    {
      name: 'Event.wait and Barrier.wait',
      code: `
import { Barrier, Event } from '@lockstep/primitives';
export async function start(ready: Event, line: Barrier): Promise<void> {
  ready.wait();
  line.wait();
}
`,
      errors: [
        {
          messageId: 'blockingCall',
          data: { type: 'Event', method: 'wait', asyncMethod: 'waitAsync', where: 'an async function' },
          line: 4,
          column: 3,
          suggestions: [
            {
              messageId: 'useAsyncForm',
              data: { asyncMethod: 'waitAsync' },
              output: `
import { Barrier, Event } from '@lockstep/primitives';
export async function start(ready: Event, line: Barrier): Promise<void> {
  await ready.waitAsync();
  line.wait();
}
`,
            },
          ],
        },
        {
          messageId: 'blockingCall',
          data: { type: 'Barrier', method: 'wait', asyncMethod: 'waitAsync', where: 'an async function' },
          line: 5,
          column: 3,
          suggestions: [
            {
              messageId: 'useAsyncForm',
              data: { asyncMethod: 'waitAsync' },
              output: `
import { Barrier, Event } from '@lockstep/primitives';
export async function start(ready: Event, line: Barrier): Promise<void> {
  ready.wait();
  await line.waitAsync();
}
`,
            },
          ],
        },
      ],
    },
    {
      name: 'Queue.get, put and join; LifoQueue and PriorityQueue too',
      code: `
import { LifoQueue, PriorityQueue, Queue } from '@lockstep/primitives';
export async function pump(from: Queue<number>, to: PriorityQueue<number>, stack: LifoQueue<number>): Promise<void> {
  const item = from.get();
  to.put(item);
  stack.get();
  from.join();
}
`,
      errors: [
        {
          messageId: 'blockingCall',
          data: { type: 'Queue', method: 'get', asyncMethod: 'getAsync', where: 'an async function' },
          line: 4,
          column: 16,
          suggestions: [
            {
              messageId: 'useAsyncForm',
              data: { asyncMethod: 'getAsync' },
              output: `
import { LifoQueue, PriorityQueue, Queue } from '@lockstep/primitives';
export async function pump(from: Queue<number>, to: PriorityQueue<number>, stack: LifoQueue<number>): Promise<void> {
  const item = await from.getAsync();
  to.put(item);
  stack.get();
  from.join();
}
`,
            },
          ],
        },
        {
          messageId: 'blockingCall',
          data: { type: 'PriorityQueue', method: 'put', asyncMethod: 'putAsync', where: 'an async function' },
          line: 5,
          column: 3,
          suggestions: [
            {
              messageId: 'useAsyncForm',
              data: { asyncMethod: 'putAsync' },
              output: `
import { LifoQueue, PriorityQueue, Queue } from '@lockstep/primitives';
export async function pump(from: Queue<number>, to: PriorityQueue<number>, stack: LifoQueue<number>): Promise<void> {
  const item = from.get();
  await to.putAsync(item);
  stack.get();
  from.join();
}
`,
            },
          ],
        },
        {
          messageId: 'blockingCall',
          data: { type: 'LifoQueue', method: 'get', asyncMethod: 'getAsync', where: 'an async function' },
          line: 6,
          column: 3,
          suggestions: [
            {
              messageId: 'useAsyncForm',
              data: { asyncMethod: 'getAsync' },
              output: `
import { LifoQueue, PriorityQueue, Queue } from '@lockstep/primitives';
export async function pump(from: Queue<number>, to: PriorityQueue<number>, stack: LifoQueue<number>): Promise<void> {
  const item = from.get();
  to.put(item);
  await stack.getAsync();
  from.join();
}
`,
            },
          ],
        },
        {
          messageId: 'blockingCall',
          data: { type: 'Queue', method: 'join', asyncMethod: 'joinAsync', where: 'an async function' },
          line: 7,
          column: 3,
          suggestions: [
            {
              messageId: 'useAsyncForm',
              data: { asyncMethod: 'joinAsync' },
              output: `
import { LifoQueue, PriorityQueue, Queue } from '@lockstep/primitives';
export async function pump(from: Queue<number>, to: PriorityQueue<number>, stack: LifoQueue<number>): Promise<void> {
  const item = from.get();
  to.put(item);
  stack.get();
  await from.joinAsync();
}
`,
            },
          ],
        },
      ],
    },
    {
      name: 'Atomics.wait in an async function: reported, with no rewrite offered',
      code: `
export async function park(cells: Int32Array<SharedArrayBuffer>): Promise<void> {
  Atomics.wait(cells, 0, 0);
}
`,
      errors: [{ messageId: 'atomicsWait', data: { where: 'an async function' }, line: 3, column: 3, endLine: 3, endColumn: 28, suggestions: [] }],
    },
    {
      name: 'a blocking call in a setTimeout callback of synchronous code runs on the event loop',
      code: `
import { Lock } from '@lockstep/primitives';
export function later(lock: Lock): void {
  setTimeout(() => lock.acquire(), 10);
}
`,
      errors: [
        {
          messageId: 'blockingCall',
          data: { type: 'Lock', method: 'acquire', asyncMethod: 'acquireAsync', where: 'a setTimeout callback' },
          line: 4,
          column: 20,
          suggestions: [],
        },
      ],
    },
    {
      name: 'a blocking call in a synchronous callback inside an async function gets no suggestion (await is invalid there)',
      code: `
import { Queue } from '@lockstep/primitives';
export async function drain(queue: Queue<number>, done: Promise<void>): Promise<void> {
  await done.then(() => {
    queue.join();
  });
}
`,
      errors: [{ messageId: 'blockingCall', data: { type: 'Queue', method: 'join', asyncMethod: 'joinAsync', where: 'a .then callback' }, line: 5, column: 5, suggestions: [] }],
    },
    {
      name: 'a blocking call whose value is used in a condition is reported without a suggestion',
      code: `
import { Lock } from '@lockstep/primitives';
export async function maybe(lock: Lock): Promise<boolean> {
  if (!lock.acquire({ timeout: 5 })) return false;
  lock.release();
  return true;
}
`,
      errors: [{ messageId: 'blockingCall', data: { type: 'Lock', method: 'acquire', asyncMethod: 'acquireAsync', where: 'an async function' }, line: 4, column: 8, suggestions: [] }],
    },
    {
      name: "event listeners: an EventEmitter's on, addEventListener, process.nextTick, queueMicrotask, a Promise executor",
      code: `
import { Worker } from 'node:worker_threads';
import { Barrier, Event } from '@lockstep/primitives';
export function wire(worker: Worker, target: EventTarget, ready: Event, line: Barrier): Promise<void> {
  worker.on('message', () => ready.wait());
  target.addEventListener('tick', () => line.wait());
  process.nextTick(() => ready.wait());
  queueMicrotask(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0));
  return new Promise((resolve) => {
    line.wait();
    resolve();
  });
}
`,
      errors: [
        { messageId: 'blockingCall', data: { type: 'Event', method: 'wait', asyncMethod: 'waitAsync', where: 'an event listener' }, line: 5, column: 30, suggestions: [] },
        { messageId: 'blockingCall', data: { type: 'Barrier', method: 'wait', asyncMethod: 'waitAsync', where: 'an event listener' }, line: 6, column: 41, suggestions: [] },
        { messageId: 'blockingCall', data: { type: 'Event', method: 'wait', asyncMethod: 'waitAsync', where: 'a process.nextTick callback' }, line: 7, column: 26, suggestions: [] },
        { messageId: 'atomicsWait', data: { where: 'a queueMicrotask callback' }, line: 8, column: 24, suggestions: [] },
        { messageId: 'blockingCall', data: { type: 'Barrier', method: 'wait', asyncMethod: 'waitAsync', where: 'a Promise executor' }, line: 10, column: 5, suggestions: [] },
      ],
    },
    {
      name: 'a subclass of Lock, a type parameter bounded by Lock, and an optional receiver',
      code: `
import { Lock } from '@lockstep/primitives';
class NamedLock extends Lock {
  constructor(readonly label: string) { super(); }
}
export async function take<L extends Lock>(named: NamedLock, generic: L, maybe: Lock | undefined): Promise<void> {
  named.acquire();
  generic.acquire();
  maybe?.acquire();
}
`,
      errors: [
        {
          messageId: 'blockingCall',
          data: { type: 'Lock', method: 'acquire', asyncMethod: 'acquireAsync', where: 'an async function' },
          line: 7,
          column: 3,
          suggestions: [
            {
              messageId: 'useAsyncForm',
              data: { asyncMethod: 'acquireAsync' },
              output: `
import { Lock } from '@lockstep/primitives';
class NamedLock extends Lock {
  constructor(readonly label: string) { super(); }
}
export async function take<L extends Lock>(named: NamedLock, generic: L, maybe: Lock | undefined): Promise<void> {
  await named.acquireAsync();
  generic.acquire();
  maybe?.acquire();
}
`,
            },
          ],
        },
        {
          messageId: 'blockingCall',
          data: { type: 'Lock', method: 'acquire', asyncMethod: 'acquireAsync', where: 'an async function' },
          line: 8,
          column: 3,
          suggestions: [
            {
              messageId: 'useAsyncForm',
              data: { asyncMethod: 'acquireAsync' },
              output: `
import { Lock } from '@lockstep/primitives';
class NamedLock extends Lock {
  constructor(readonly label: string) { super(); }
}
export async function take<L extends Lock>(named: NamedLock, generic: L, maybe: Lock | undefined): Promise<void> {
  named.acquire();
  await generic.acquireAsync();
  maybe?.acquire();
}
`,
            },
          ],
        },
        {
          messageId: 'blockingCall',
          data: { type: 'Lock', method: 'acquire', asyncMethod: 'acquireAsync', where: 'an async function' },
          line: 9,
          column: 3,
          suggestions: [
            {
              messageId: 'useAsyncForm',
              data: { asyncMethod: 'acquireAsync' },
              output: `
import { Lock } from '@lockstep/primitives';
class NamedLock extends Lock {
  constructor(readonly label: string) { super(); }
}
export async function take<L extends Lock>(named: NamedLock, generic: L, maybe: Lock | undefined): Promise<void> {
  named.acquire();
  generic.acquire();
  await maybe?.acquireAsync();
}
`,
            },
          ],
        },
      ],
    },
  ],
});

const untypedRuleTester = createUntypedRuleTester();

// Without types a receiver's class is unknown: only `Atomics.wait`, certain by its name, is reported.
untypedRuleTester.run('no-blocking-in-async (no type information)', rule, {
  valid: [
    {
      name: 'lock-like names are not guessed at',
      code: `
export async function update(lock, queue, readyEvent) {
  lock.acquire();
  queue.get();
  readyEvent.wait();
  using _held = lock.hold();
}
`,
    },
    {
      name: 'Atomics.wait in synchronous code and in a plain callback',
      code: `
export function park(cells) {
  Atomics.wait(cells, 0, 0);
  [1, 2].forEach(() => Atomics.wait(cells, 0, 0));
}
`,
    },
  ],
  invalid: [
    {
      name: 'Atomics.wait in an async arrow function',
      code: `
export const park = async (cells) => {
  Atomics.wait(cells, 0, 0);
};
`,
      errors: [{ messageId: 'atomicsWait', data: { where: 'an async function' }, line: 3, column: 3, suggestions: [] }],
    },
    {
      name: "Atomics.wait in event-loop callbacks: a timer, a promise's catch, an 'on' listener judged by name",
      code: `
export function wire(cells, emitter, promise) {
  setInterval(function () { Atomics.wait(cells, 0, 0); }, 5);
  promise.catch(() => Atomics.wait(cells, 0, 0));
  emitter.once('data', () => Atomics.wait(cells, 0, 0));
}
`,
      errors: [
        { messageId: 'atomicsWait', data: { where: 'a setInterval callback' }, line: 3, column: 29, suggestions: [] },
        { messageId: 'atomicsWait', data: { where: 'a .catch callback' }, line: 4, column: 23, suggestions: [] },
        { messageId: 'atomicsWait', data: { where: 'an event listener' }, line: 5, column: 30, suggestions: [] },
      ],
    },
  ],
});

describe('no-blocking-in-async with ESLint’s default parser (espree)', () => {
  it('runs without parser services and reports Atomics.wait only', () => {
    const linter = new Linter({ configType: 'flat' });
    const code = ['async function f(cells, lock) {', '  lock.acquire();', '  Atomics.wait(cells, 0, 0);', '}'].join('\n');
    // The rule's context type is typescript-eslint's, which ESLint's own Plugin type does not overlap.
    const config = [
      { files: ['**/*.js'], plugins: { lockstep: { rules: { 'no-blocking-in-async': rule } } }, rules: { 'lockstep/no-blocking-in-async': 'error' } },
    ] as unknown as Linter.Config[];
    const messages = linter.verify(code, config, { filename: 'plain.js' });
    expect(messages.map(({ messageId, line, column }) => ({ messageId, line, column }))).toEqual([{ messageId: 'atomicsWait', line: 3, column: 3 }]);
  });
});
