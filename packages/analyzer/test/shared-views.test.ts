/**
 * findSharedViews over real programs: which typed arrays may view a SharedArrayBuffer when their type
 * (`Int32Array`, `any`) does not say, followed through fields, variables, parameters, returns and the
 * values other threads hand over. Each case asks about the view of one element update, found by its text.
 */
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { findSharedViews, type SharedOrigin } from '../src/analysis/shared-views.js';
import { VIRTUAL_ROOT, virtualProgram } from './support/virtual-program.js';

interface Asker {
  /** The origin of the array in the element access written `element` (`this.counts[i]`) in `file`. */
  originOf(file: string, element: string): SharedOrigin | undefined;
}

function program(files: Readonly<Record<string, string>>): Asker {
  const { program: built, sources } = virtualProgram(files);
  const facts = findSharedViews(built, sources, VIRTUAL_ROOT);
  return {
    originOf(file, element) {
      const source = sources.find((candidate) => candidate.fileName.endsWith(`/${file}`));
      if (source === undefined) throw new Error(`no file ${file}`);
      let found: ts.ElementAccessExpression | undefined;
      const visit = (node: ts.Node): void => {
        if (found === undefined && ts.isElementAccessExpression(node) && node.getText(source) === element) found = node;
        else ts.forEachChild(node, visit);
      };
      visit(source);
      if (found === undefined) throw new Error(`no ${element} in ${file}`);
      return facts.originOf(found.expression);
    },
  };
}

/** The parts of an origin a reader checks. */
function summary(origin: SharedOrigin | undefined): { reason: string; description: string; line: number } | undefined {
  return origin === undefined ? undefined : { reason: origin.reason, description: origin.description, line: origin.location.line };
}

describe('views the type already decides', () => {
  it('Int32Array<SharedArrayBuffer> is shared by its type, Int32Array<ArrayBuffer> is not', () => {
    const asker = program({
      'typed.ts': `export function bump(shared: Int32Array<SharedArrayBuffer>, own: Int32Array<ArrayBuffer>): void {
  shared[0]++;
  own[0]++;
}
`,
    });
    expect(summary(asker.originOf('typed.ts', 'shared[0]'))).toEqual({ reason: 'type', description: 'typed Int32Array<SharedArrayBuffer>', line: 2 });
    expect(asker.originOf('typed.ts', 'own[0]')).toBeUndefined();
  });

  it('a view created over a buffer typed SharedArrayBuffer, with an offset and a length', () => {
    const asker = program({
      'created.ts': `export function make(sab: SharedArrayBuffer): void {
  const view: Int32Array = new Int32Array(sab, 8, 4);
  view[0]++;
}
`,
    });
    expect(summary(asker.originOf('created.ts', 'view[0]'))).toEqual({ reason: 'created', description: 'created over a SharedArrayBuffer at created.ts:2', line: 2 });
  });
});

describe('fields', () => {
  it('a field declared Int32Array and assigned a shared view in the constructor', () => {
    const asker = program({
      'pool.ts': `export class Pool {
  readonly counts: Int32Array;
  constructor(size: number) {
    this.counts = new Int32Array(new SharedArrayBuffer(size * 4));
  }
  bump(i: number): void {
    this.counts[i]++;
  }
}
`,
    });
    expect(summary(asker.originOf('pool.ts', 'this.counts[i]'))).toEqual({ reason: 'field', description: 'a field assigned from a SharedArrayBuffer view at pool.ts:4', line: 4 });
  });

  it('a field initializer, and a private field assigned in a method', () => {
    const asker = program({
      'pool.ts': `const sab = new SharedArrayBuffer(64);
export class Pool {
  readonly counts: Int32Array = new Int32Array(sab);
  #flags: Int32Array | undefined;
  start(): void {
    this.#flags = new Int32Array(sab);
  }
  bump(i: number): void {
    this.counts[i]++;
    this.#flags![i]++;
  }
}
`,
    });
    expect(summary(asker.originOf('pool.ts', 'this.counts[i]'))).toEqual({ reason: 'field', description: 'a field assigned from a SharedArrayBuffer view at pool.ts:3', line: 3 });
    expect(summary(asker.originOf('pool.ts', 'this.#flags![i]'))?.reason).toBe('field');
  });

  it('a field holding the SharedArrayBuffer itself, viewed later', () => {
    const asker = program({
      'pool.ts': `export class Pool {
  readonly memory: ArrayBufferLike;
  constructor() {
    this.memory = new SharedArrayBuffer(64);
  }
  bump(i: number): void {
    const view = new Int32Array(this.memory);
    view[i]++;
  }
}
`,
    });
    expect(summary(asker.originOf('pool.ts', 'view[i]'))).toEqual({ reason: 'field', description: 'a field assigned a SharedArrayBuffer at pool.ts:4', line: 4 });
  });

  it('a field only ever assigned a view of its own is not shared', () => {
    const asker = program({
      'local.ts': `export class Histogram {
  counts: Int32Array;
  constructor(n: number) {
    this.counts = new Int32Array(n);
  }
  reset(): void {
    this.counts = new Int32Array(new ArrayBuffer(this.counts.length * 4));
  }
  add(i: number): void {
    this.counts[i]++;
  }
}
`,
    });
    expect(asker.originOf('local.ts', 'this.counts[i]')).toBeUndefined();
  });
});

describe('variables', () => {
  it('a let assigned a shared view after its declaration, and a view of a shared view', () => {
    const asker = program({
      'vars.ts': `let view: Int32Array = new Int32Array(4);
const slots = new Int32Array(new SharedArrayBuffer(64));
export function attach(): void {
  view = slots.subarray(0, 4);
}
export function bump(i: number): void {
  view[i]++;
  const again = new Int32Array(slots.buffer, 0, 2);
  again[i]++;
}
`,
    });
    expect(summary(asker.originOf('vars.ts', 'view[i]'))).toEqual({ reason: 'variable', description: 'assigned from a SharedArrayBuffer view at vars.ts:4', line: 4 });
    // Its type, inferred from the creation, says no more than the creation, which is the better evidence.
    expect(summary(asker.originOf('vars.ts', 'again[i]'))).toEqual({ reason: 'created', description: 'created over a SharedArrayBuffer at vars.ts:8', line: 8 });
  });

  it('views of their own buffers are not shared', () => {
    const asker = program({
      'own.ts': `export function count(values: readonly number[]): Int32Array {
  const a: Int32Array = new Int32Array(8);
  const b: Int32Array = new Int32Array(new ArrayBuffer(32));
  const c: Int32Array = new Int32Array(values);
  a[0]++;
  b[0]++;
  c[0]++;
  return a;
}
`,
    });
    expect(asker.originOf('own.ts', 'a[0]')).toBeUndefined();
    expect(asker.originOf('own.ts', 'b[0]')).toBeUndefined();
    expect(asker.originOf('own.ts', 'c[0]')).toBeUndefined();
  });
});

describe('parameters', () => {
  it('a parameter typed Int32Array that one call, in another file, passes a shared view', () => {
    const asker = program({
      'counter.ts': `export function bump(view: Int32Array, i: number): void {
  view[i]++;
}
`,
      'main.ts': `import { bump as increment } from './counter.js';
increment(new Int32Array(8), 0);
const shared = new Int32Array(new SharedArrayBuffer(64));
increment(shared, 1);
`,
    });
    expect(summary(asker.originOf('counter.ts', 'view[i]'))).toEqual({ reason: 'parameter', description: 'a parameter that receives a SharedArrayBuffer view at main.ts:4', line: 4 });
  });

  it('through three levels of functions and a constructor', () => {
    const asker = program({
      'levels.ts': `class Worker {
  constructor(private readonly slots: Int32Array) {}
  run(i: number): void {
    this.slots[i]++;
  }
}
function leaf(view: Int32Array): void {
  view[0]++;
}
function middle(view: Int32Array): void {
  leaf(view);
  new Worker(view).run(1);
}
export function top(view: Int32Array): void {
  middle(view);
}
top(new Int32Array(new SharedArrayBuffer(64)));
`,
    });
    expect(summary(asker.originOf('levels.ts', 'view[0]'))).toEqual({ reason: 'parameter', description: 'a parameter that receives a SharedArrayBuffer view at levels.ts:11', line: 11 });
    expect(summary(asker.originOf('levels.ts', 'this.slots[i]'))).toEqual({ reason: 'parameter', description: 'a parameter that receives a SharedArrayBuffer view at levels.ts:12', line: 12 });
  });

  it('a method parameter only ever passed views of their own is not shared, a recursive one neither', () => {
    const asker = program({
      'quiet.ts': `export class Tally {
  add(view: Int32Array, i: number): void {
    view[i]++;
    if (i > 0) this.add(view, i - 1);
  }
}
const tally = new Tally();
tally.add(new Int32Array(8), 3);
tally.add(new Int32Array(new ArrayBuffer(16)), 1);
`,
    });
    expect(asker.originOf('quiet.ts', 'view[i]')).toBeUndefined();
  });

  it('mutually recursive functions: asked in either order, both parameters receive the shared view', () => {
    const files = {
      'cycle.ts': `function x(v: Int32Array): void {
  v[0]++;
  y(v);
}
function y(v: Int32Array): void {
  v[1]++;
  x(v);
}
x(new Int32Array(new SharedArrayBuffer(8)));
`,
    };
    // Asking about x first meets y's parameter while x's is still open: y's must not be remembered as unshared.
    const first = program(files);
    expect(first.originOf('cycle.ts', 'v[0]')?.description).toBe('a parameter that receives a SharedArrayBuffer view at cycle.ts:9');
    expect(first.originOf('cycle.ts', 'v[1]')?.description).toBe('a parameter that receives a SharedArrayBuffer view at cycle.ts:3');
    const second = program(files);
    expect(second.originOf('cycle.ts', 'v[1]')?.reason).toBe('parameter');
    expect(second.originOf('cycle.ts', 'v[0]')?.reason).toBe('parameter');
  });

  it('a destructured parameter given an object literal with a shared view', () => {
    const asker = program({
      'options.ts': `interface Options { readonly view: Int32Array }
function bump({ view }: Options): void {
  view[0]++;
}
bump({ view: new Int32Array(new SharedArrayBuffer(8)) });
`,
    });
    expect(asker.originOf('options.ts', 'view[0]')?.reason).toBe('parameter');
  });
});

describe('returns', () => {
  it('the result of a function that returns a shared view', () => {
    const asker = program({
      'make.ts': `export function makeCounters(n: number): Int32Array {
  if (n === 0) return new Int32Array(0);
  return new Int32Array(new SharedArrayBuffer(n * 4));
}
export function makeLocal(n: number): Int32Array {
  return new Int32Array(n);
}
export function use(): void {
  const counters = makeCounters(4);
  counters[0]++;
  makeLocal(4)[0]++;
}
`,
    });
    expect(summary(asker.originOf('make.ts', 'counters[0]'))).toEqual({
      reason: 'return',
      description: "returned by 'makeCounters', which returns a SharedArrayBuffer view at make.ts:3",
      line: 3,
    });
    expect(asker.originOf('make.ts', 'makeLocal(4)[0]')).toBeUndefined();
  });

  it('a call used directly, and a getter', () => {
    const asker = program({
      'get.ts': `function shared(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(8));
}
class Holder {
  readonly #buffer = new SharedArrayBuffer(8);
  get view(): Int32Array {
    return new Int32Array(this.#buffer);
  }
}
export function use(holder: Holder): void {
  shared()[0]++;
  holder.view[0]++;
}
`,
    });
    expect(summary(asker.originOf('get.ts', 'shared()[0]'))).toEqual({ reason: 'return', description: "returned by 'shared', which returns a SharedArrayBuffer view at get.ts:2", line: 2 });
    expect(asker.originOf('get.ts', 'holder.view[0]')?.reason).toBe('return');
  });
});

describe('values from other threads', () => {
  const workerHeader = `import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';\n`;

  it('new Int32Array(workerData.buffer), a destructured workerData view declared Int32Array, and a property path used with Atomics', () => {
    const asker = program({
      'worker.ts': `${workerHeader}const view = new Int32Array(workerData.buffer);
const { counts }: { counts: Int32Array } = workerData;
export function step(i: number): void {
  view[i]++;
  counts[i]++;
  Atomics.add(workerData.flags, 0, 1);
  workerData.flags[i]++;
  workerData.items[i]++;
}
`,
    });
    expect(summary(asker.originOf('worker.ts', 'view[i]'))).toEqual({ reason: 'worker-data', description: 'taken from workerData at worker.ts:2', line: 2 });
    expect(summary(asker.originOf('worker.ts', 'counts[i]'))).toEqual({ reason: 'worker-data', description: 'taken from workerData at worker.ts:3', line: 3 });
    expect(asker.originOf('worker.ts', 'workerData.flags[i]')?.reason).toBe('worker-data');
    // `any` that nothing shows is a typed array: may be a plain array, copied into the worker.
    expect(asker.originOf('worker.ts', 'workerData.items[i]')).toBeUndefined();
  });

  it('a length from workerData makes a view of its own', () => {
    const asker = program({
      'worker.ts': `${workerHeader}export function step(): void {
  const local = new Int32Array(workerData.size);
  local[0]++;
}
`,
    });
    expect(asker.originOf('worker.ts', 'local[0]')).toBeUndefined();
  });

  it("parentPort.on('message'), a named handler, and receiveMessageOnPort", () => {
    const asker = program({
      'worker.ts': `${workerHeader}parentPort?.on('message', (message: { view: Int32Array }) => {
  message.view[0]++;
});
function onMessage(data: { buffer: SharedArrayBuffer | ArrayBuffer }): void {
  const view = new Int32Array(data.buffer);
  view[1]++;
}
parentPort?.once('message', onMessage);
export function poll(port: MessagePort): void {
  const view: Int32Array | undefined = receiveMessageOnPort(port)?.message;
  view![2]++;
}
`,
    });
    expect(summary(asker.originOf('worker.ts', 'message.view[0]'))).toEqual({ reason: 'message', description: 'received in a message at worker.ts:2', line: 2 });
    expect(summary(asker.originOf('worker.ts', 'view[1]'))).toEqual({ reason: 'message', description: 'received in a message at worker.ts:5', line: 5 });
    expect(summary(asker.originOf('worker.ts', 'view![2]'))?.reason).toBe('message');
  });

  it('self.onmessage and addEventListener hand over event.data', () => {
    const asker = program({
      'web-worker.ts': `interface DedicatedWorkerGlobalScope {
  onmessage: ((event: { data: any }) => void) | null;
  addEventListener(type: string, listener: (event: { data: any }) => void): void;
}
declare const self: DedicatedWorkerGlobalScope;
self.onmessage = (event) => {
  const view = new Int32Array(event.data.buffer);
  view[0]++;
};
self.addEventListener('message', ({ data }) => {
  const slots: Int32Array = data.slots;
  slots[1]++;
});
`,
    });
    expect(summary(asker.originOf('web-worker.ts', 'view[0]'))).toEqual({ reason: 'message', description: 'received in a message at web-worker.ts:6', line: 6 });
    expect(asker.originOf('web-worker.ts', 'slots[1]')?.reason).toBe('message');
  });

  it("another emitter's 'message' is not a thread's", () => {
    const asker = program({
      'socket.ts': `import { EventEmitter } from 'node:events';
const socket = new EventEmitter();
socket.on('message', (payload: { view: Int32Array }) => {
  payload.view[0]++;
});
`,
    });
    expect(asker.originOf('socket.ts', 'payload.view[0]')).toBeUndefined();
  });
});

describe('the files it is given', () => {
  it('are where assignments and calls are looked for; a type answers without them', () => {
    const files = {
      'pool.ts': `export class Pool {
  counts: Int32Array = new Int32Array(4);
  shared: Int32Array<SharedArrayBuffer> = new Int32Array(new SharedArrayBuffer(16));
  attach(): void {
    this.counts = this.shared;
  }
  bump(): void {
    this.counts[0]++;
    this.shared[0]++;
  }
}
`,
    };
    const { program: built, sources } = virtualProgram(files);
    const elements: ts.ElementAccessExpression[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isElementAccessExpression(node)) elements.push(node);
      ts.forEachChild(node, visit);
    };
    sources.forEach(visit);
    const [counts, shared] = elements.map((element) => element.expression);
    const blind = findSharedViews(built, [], VIRTUAL_ROOT);
    expect(blind.originOf(counts!)).toBeUndefined();
    expect(blind.originOf(shared!)?.reason).toBe('type');
    const seeing = findSharedViews(built, sources, VIRTUAL_ROOT);
    expect(summary(seeing.originOf(counts!))).toEqual({ reason: 'field', description: 'a field assigned from a SharedArrayBuffer view at pool.ts:5', line: 5 });
  });
});
