/**
 * no-nonatomic-update on views whose type does not name their buffer (`Int32Array`, `any`): shared
 * memory followed through the program by the analyzer's findSharedViews — fields, variables,
 * parameters (in this file and from others), returns, workerData and messages — and the `why` of
 * each report. The views worker pools keep are declared like this; their own views stay quiet.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RuleTester } from '@typescript-eslint/rule-tester';
import rule from '../../src/rules/no-nonatomic-update.js';
import { createTypedRuleTester } from '../rule-tester.js';

const ruleTester = createTypedRuleTester();

/** The suggestion that turns `from` in `code` into the `Atomics` call `to`. */
function atomics(method: string, code: string, from: string, to: string): { messageId: 'useAtomics'; data: { method: string }; output: string } {
  return { messageId: 'useAtomics', data: { method }, output: code.replace(from, to) };
}

const fieldInConstructor = `
export class Pool {
  readonly counts: Int32Array;
  constructor(size: number) {
    this.counts = new Int32Array(new SharedArrayBuffer(size * 4));
  }
  bump(i: number): void {
    this.counts[i]++;
  }
}
`;

const fieldInitializer = `
const sab = new SharedArrayBuffer(64);
export class Stats {
  readonly hits: Int32Array = new Int32Array(sab);
  record(i: number, n: number): void {
    this.hits[i] += n;
  }
}
`;

const bufferField = `
export class Ring {
  readonly #memory: ArrayBufferLike;
  constructor() {
    this.#memory = new SharedArrayBuffer(64);
  }
  push(i: number): void {
    const cells = new Int32Array(this.#memory);
    cells[i]++;
  }
}
`;

const sameFileParameter = `
function bump(view: Int32Array, i: number): void {
  view[i]++;
}
bump(new Int32Array(8), 0);
bump(new Int32Array(new SharedArrayBuffer(64)), 1);
`;

const multiLevel = `
function leaf(view: Int32Array): void {
  view[0]++;
}
function middle(view: Int32Array): void {
  leaf(view);
}
export function top(view: Int32Array): void {
  middle(view);
}
top(new Int32Array(new SharedArrayBuffer(64)));
`;

const returned = `
function makeCounters(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(n * 4));
}
export function run(): void {
  const counters = makeCounters(4);
  counters[0]++;
}
`;

const workerDataBuffer = `
import { workerData } from 'node:worker_threads';
const view = new Int32Array(workerData.buffer);
export function step(i: number): void {
  view[i]++;
}
`;

const workerDataPath = `
import { workerData } from 'node:worker_threads';
const counts: Int32Array = workerData.pool.counts;
export function step(i: number): void {
  counts[i]++;
}
`;

const workerDataDestructured = `
import { workerData } from 'node:worker_threads';
const { flags } = workerData;
export function step(i: number): void {
  Atomics.wait(flags, 0, 0);
  flags[i]++;
}
`;

const parentPortHandler = `
import { parentPort } from 'node:worker_threads';
parentPort?.on('message', (message: { slots: Int32Array }) => {
  message.slots[0]++;
});
`;

const receivedOnPort = `
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
export function poll(port: MessagePort): void {
  const view = new Int32Array(receiveMessageOnPort(port)?.message);
  view[0]++;
}
`;

const selfOnMessage = `
interface DedicatedWorkerGlobalScope {
  onmessage: ((event: { data: any }) => void) | null;
}
declare const self: DedicatedWorkerGlobalScope;
self.onmessage = (event) => {
  const view = new Int32Array(event.data.buffer);
  view[0]++;
};
`;

const checkThenActOnField = `
export class Slots {
  slots: Int32Array = new Int32Array(4);
  attach(memory: SharedArrayBuffer): void {
    this.slots = new Int32Array(memory);
  }
  claim(i: number): void {
    if (this.slots[i] === 0) this.slots[i] = 1;
  }
}
`;

ruleTester.run('no-nonatomic-update (shared memory through the program)', rule, {
  valid: [
    {
      name: 'views of their own buffers, declared Int32Array, are never shared',
      code: `
export function count(values: readonly number[]): void {
  const a: Int32Array = new Int32Array(8);
  const b: Int32Array = new Int32Array(new ArrayBuffer(32));
  const c: Int32Array = new Int32Array(values);
  a[0]++;
  b[0] += 2;
  c[0] = c[0]! + 1;
}
`,
    },
    {
      name: 'a parameter only ever called with views of their own',
      code: `
class Tally {
  add(view: Int32Array, i: number): void {
    view[i]++;
  }
}
const tally = new Tally();
tally.add(new Int32Array(8), 0);
tally.add(new Int32Array(new ArrayBuffer(16)), 1);
`,
    },
    {
      name: 'a field only assigned a view of its own',
      code: `
export class Histogram {
  counts: Int32Array;
  constructor(n: number) {
    this.counts = new Int32Array(n);
  }
  add(i: number): void {
    this.counts[i]++;
    if (this.counts[i] === 9) this.counts[i] = 0;
  }
}
`,
    },
    {
      name: 'an any from workerData that nothing shows is a typed array (it may be a plain array, copied)',
      code: `
import { workerData } from 'node:worker_threads';
export function step(i: number): void {
  workerData.items[i]++;
}
`,
    },
    {
      name: 'a length from workerData makes a view of its own',
      code: `
import { workerData } from 'node:worker_threads';
const local = new Int32Array(workerData.size);
export function step(i: number): void {
  local[i]++;
}
`,
    },
    {
      name: "another emitter's 'message' carries no shared memory",
      code: `
import { EventEmitter } from 'node:events';
const socket = new EventEmitter();
socket.on('message', (payload: { view: Int32Array }) => {
  payload.view[0]++;
});
`,
    },
  ],
  invalid: [
    {
      name: 'a field declared Int32Array, assigned a shared view in the constructor',
      code: fieldInConstructor,
      errors: [
        {
          messageId: 'nonAtomicSharedMemory',
          data: { view: 'this.counts', element: 'this.counts[i]', operator: '++', why: 'a field assigned from a SharedArrayBuffer view at file.ts:5' },
          line: 8,
          suggestions: [atomics('add', fieldInConstructor, 'this.counts[i]++;', 'Atomics.add(this.counts, i, 1);')],
        },
      ],
    },
    {
      name: 'a field initializer over a shared buffer',
      code: fieldInitializer,
      errors: [
        {
          messageId: 'nonAtomicSharedMemory',
          data: { view: 'this.hits', element: 'this.hits[i]', operator: '+=', why: 'a field assigned from a SharedArrayBuffer view at file.ts:4' },
          line: 6,
          suggestions: [atomics('add', fieldInitializer, 'this.hits[i] += n;', 'Atomics.add(this.hits, i, n);')],
        },
      ],
    },
    {
      name: 'a private field holding the SharedArrayBuffer itself, viewed later',
      code: bufferField,
      errors: [
        {
          messageId: 'nonAtomicSharedMemory',
          data: { view: 'cells', element: 'cells[i]', operator: '++', why: 'a field assigned a SharedArrayBuffer at file.ts:5' },
          line: 9,
          suggestions: [atomics('add', bufferField, 'cells[i]++;', 'Atomics.add(cells, i, 1);')],
        },
      ],
    },
    {
      name: 'a parameter typed Int32Array that one call of this file passes a shared view',
      code: sameFileParameter,
      errors: [
        {
          messageId: 'nonAtomicSharedMemory',
          data: { view: 'view', element: 'view[i]', operator: '++', why: 'a parameter that receives a SharedArrayBuffer view at file.ts:6' },
          line: 3,
          suggestions: [atomics('add', sameFileParameter, 'view[i]++;', 'Atomics.add(view, i, 1);')],
        },
      ],
    },
    {
      name: 'a view passed down through three functions',
      code: multiLevel,
      errors: [
        {
          messageId: 'nonAtomicSharedMemory',
          data: { view: 'view', element: 'view[0]', operator: '++', why: 'a parameter that receives a SharedArrayBuffer view at file.ts:6' },
          line: 3,
          suggestions: [atomics('add', multiLevel, 'view[0]++;', 'Atomics.add(view, 0, 1);')],
        },
      ],
    },
    {
      name: 'the result of a function that returns a shared view',
      code: returned,
      errors: [
        {
          messageId: 'nonAtomicSharedMemory',
          data: { view: 'counters', element: 'counters[0]', operator: '++', why: "returned by 'makeCounters', which returns a SharedArrayBuffer view at file.ts:3" },
          line: 7,
          suggestions: [atomics('add', returned, 'counters[0]++;', 'Atomics.add(counters, 0, 1);')],
        },
      ],
    },
    {
      name: 'new Int32Array(workerData.buffer) with workerData imported from node:worker_threads',
      code: workerDataBuffer,
      errors: [
        {
          messageId: 'nonAtomicSharedMemory',
          data: { view: 'view', element: 'view[i]', operator: '++', why: 'taken from workerData at file.ts:3' },
          line: 5,
          suggestions: [atomics('add', workerDataBuffer, 'view[i]++;', 'Atomics.add(view, i, 1);')],
        },
      ],
    },
    {
      name: 'a property path of workerData, declared Int32Array',
      code: workerDataPath,
      errors: [
        {
          messageId: 'nonAtomicSharedMemory',
          data: { view: 'counts', element: 'counts[i]', operator: '++', why: 'taken from workerData at file.ts:3' },
          line: 5,
          suggestions: [atomics('add', workerDataPath, 'counts[i]++;', 'Atomics.add(counts, i, 1);')],
        },
      ],
    },
    {
      name: 'destructured from workerData, an any shown to be a typed array by its use with Atomics',
      code: workerDataDestructured,
      // No class to suggest an Atomics call for: the view is `any`.
      errors: [{ messageId: 'nonAtomicSharedMemory', data: { view: 'flags', element: 'flags[i]', operator: '++', why: 'taken from workerData at file.ts:3' }, line: 6, suggestions: [] }],
    },
    {
      name: "a view in the message of a parentPort.on('message') handler",
      code: parentPortHandler,
      errors: [
        {
          messageId: 'nonAtomicSharedMemory',
          data: { view: 'message.slots', element: 'message.slots[0]', operator: '++', why: 'received in a message at file.ts:3' },
          line: 4,
          suggestions: [atomics('add', parentPortHandler, 'message.slots[0]++;', 'Atomics.add(message.slots, 0, 1);')],
        },
      ],
    },
    {
      name: 'a view over receiveMessageOnPort(port)?.message',
      code: receivedOnPort,
      errors: [
        {
          messageId: 'nonAtomicSharedMemory',
          data: { view: 'view', element: 'view[0]', operator: '++', why: 'received in a message at file.ts:4' },
          line: 5,
          suggestions: [atomics('add', receivedOnPort, 'view[0]++;', 'Atomics.add(view, 0, 1);')],
        },
      ],
    },
    {
      name: 'a view over event.data.buffer in self.onmessage',
      code: selfOnMessage,
      errors: [
        {
          messageId: 'nonAtomicSharedMemory',
          data: { view: 'view', element: 'view[0]', operator: '++', why: 'received in a message at file.ts:6' },
          line: 8,
          suggestions: [atomics('add', selfOnMessage, 'view[0]++;', 'Atomics.add(view, 0, 1);')],
        },
      ],
    },
    {
      name: 'check-then-act on a field a method assigns a view over a SharedArrayBuffer parameter',
      code: checkThenActOnField,
      errors: [
        {
          messageId: 'nonAtomicCheckThenAct',
          data: { view: 'this.slots', element: 'this.slots[i]', why: 'a field assigned from a SharedArrayBuffer view at file.ts:5' },
          line: 8,
          suggestions: [atomics('compareExchange', checkThenActOnField, 'if (this.slots[i] === 0) this.slots[i] = 1;', 'Atomics.compareExchange(this.slots, i, 0, 1);')],
        },
      ],
    },
  ],
});

// ---- views handed over by another file -----------------------------------------------------------

const crossFileTester = new RuleTester({
  languageOptions: {
    parserOptions: { projectService: true, tsconfigRootDir: path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures-shared-views') },
  },
});

const bumpInCounter = `
export function bump(view: Int32Array, index: number): void {
  view[index]++;
}
export function tally(view: Int32Array, index: number): void {
  Atomics.add(view, index, 1);
}
export function deepen(view: Int32Array, index: number): void {
  Atomics.add(view, index, 1);
}
`;

const deepenInCounter = `
export function bump(view: Int32Array, index: number): void {
  Atomics.add(view, index, 1);
}
export function tally(view: Int32Array, index: number): void {
  Atomics.add(view, index, 1);
}
export function deepen(view: Int32Array, index: number): void {
  view[index] += 1;
}
`;

const takeInPool = `
export class Pool {
  constructor(readonly slots: Int32Array) {}
  take(index: number): void {
    if (this.slots[index] === 0) this.slots[index] = 1;
  }
}
`;

crossFileTester.run('no-nonatomic-update (shared views from another file)', rule, {
  valid: [
    {
      name: 'a function main.ts calls only with a view of its own',
      filename: 'counter.ts',
      code: `
export function bump(view: Int32Array, index: number): void {
  Atomics.add(view, index, 1);
}
export function tally(view: Int32Array, index: number): void {
  view[index]++;
}
export function deepen(view: Int32Array, index: number): void {
  Atomics.add(view, index, 1);
}
`,
    },
  ],
  invalid: [
    {
      name: 'a parameter main.ts passes a view over a SharedArrayBuffer',
      filename: 'counter.ts',
      code: bumpInCounter,
      errors: [
        {
          messageId: 'nonAtomicSharedMemory',
          data: { view: 'view', element: 'view[index]', operator: '++', why: 'a parameter that receives a SharedArrayBuffer view at main.ts:7' },
          line: 3,
          suggestions: [atomics('add', bumpInCounter, 'view[index]++;', 'Atomics.add(view, index, 1);')],
        },
      ],
    },
    {
      name: 'a parameter reached through relay.ts, two files away from the creation',
      filename: 'counter.ts',
      code: deepenInCounter,
      errors: [
        {
          messageId: 'nonAtomicSharedMemory',
          data: { view: 'view', element: 'view[index]', operator: '+=', why: 'a parameter that receives a SharedArrayBuffer view at relay.ts:5' },
          line: 9,
          suggestions: [atomics('add', deepenInCounter, 'view[index] += 1;', 'Atomics.add(view, index, 1);')],
        },
      ],
    },
    {
      name: 'a constructor parameter property main.ts gives a shared view (new Pool(shared))',
      filename: 'pool.ts',
      code: takeInPool,
      errors: [
        {
          messageId: 'nonAtomicCheckThenAct',
          data: { view: 'this.slots', element: 'this.slots[index]', why: 'a parameter that receives a SharedArrayBuffer view at main.ts:10' },
          line: 5,
          suggestions: [atomics('compareExchange', takeInPool, 'if (this.slots[index] === 0) this.slots[index] = 1;', 'Atomics.compareExchange(this.slots, index, 0, 1);')],
        },
      ],
    },
  ],
});
