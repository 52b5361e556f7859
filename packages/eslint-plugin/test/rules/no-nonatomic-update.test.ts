import rule from '../../src/rules/no-nonatomic-update.js';
import { createTypedRuleTester, createUntypedRuleTester } from '../rule-tester.js';

const ruleTester = createTypedRuleTester();

// ---- (a) shared memory ------------------------------------------------------------------------

ruleTester.run('no-nonatomic-update (shared memory)', rule, {
  valid: [
    {
      name: 'a typed array over its own ArrayBuffer is not shared',
      code: `
const counts = new Int32Array(8);
export function bump(i: number): void {
  counts[i]++;
  counts[i] += 2;
  counts[i] = counts[i] * 2;
}
`,
    },
    {
      name: 'updates through Atomics are atomic',
      code: `
const view = new Int32Array(new SharedArrayBuffer(64));
export function bump(i: number): void {
  Atomics.add(view, i, 1);
  if (Atomics.load(view, i) === 0) Atomics.store(view, i, 1);
}
`,
    },
    {
      name: 'a plain store, and a load into a local, are each one access',
      code: `
const view = new Int32Array(new SharedArrayBuffer(64));
export function reset(i: number): number {
  view[i] = 0;
  let local = view[i]!;
  local++;
  return local;
}
`,
    },
    {
      name: 'a declared Int32Array (ArrayBufferLike) whose creation is not visible is not assumed shared',
      code: `
export function bump(view: Int32Array, i: number): void {
  view[i]++;
}
`,
    },
    {
      name: 'inside a held lock: acquire before, release in finally',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
const view = new Int32Array(new SharedArrayBuffer(64));
export function bump(i: number): void {
  lock.acquire();
  try {
    view[i]++;
    if (view[i] === 3) view[i] = 0;
  } finally {
    lock.release();
  }
}
`,
    },
    {
      name: 'inside a using scope of lock.hold()',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
const view = new Int32Array(new SharedArrayBuffer(64));
export function bump(i: number, n: number): void {
  using _ = lock.hold();
  view[i] += n;
}
`,
    },
    {
      name: 'inside a runExclusive callback',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
const view = new Int32Array(new SharedArrayBuffer(64));
export function bump(i: number): void {
  lock.runExclusive(() => {
    view[i] = view[i]! + 1;
  });
}
`,
    },
    {
      name: 'a lock released before the update does not protect it, but one released on an early-return path still does',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
const view = new Int32Array(new SharedArrayBuffer(64));
export function bump(i: number, stop: boolean): void {
  lock.acquire();
  if (stop) {
    lock.release();
    return;
  }
  view[i]++;
  lock.release();
}
`,
    },
  ],
  invalid: [
    {
      name: 'view[i]++ on Int32Array<SharedArrayBuffer> suggests Atomics.add',
      code: `
export function bump(view: Int32Array<SharedArrayBuffer>, i: number): void {
  view[i]++;
}
`,
      errors: [
        {
          messageId: 'nonAtomicSharedMemory',
          data: { view: 'view', element: 'view[i]', operator: '++', why: 'typed Int32Array<SharedArrayBuffer>' },
          line: 3,
          column: 3,
          endColumn: 12,
          suggestions: [
            {
              messageId: 'useAtomics',
              data: { method: 'add' },
              output: `
export function bump(view: Int32Array<SharedArrayBuffer>, i: number): void {
  Atomics.add(view, i, 1);
}
`,
            },
          ],
        },
      ],
    },
    {
      name: 'a view created over a new SharedArrayBuffer: --, -=, &=, |=, ^=',
      code: `
const view = new Uint32Array(new SharedArrayBuffer(64));
export function update(i: number, m: number): void {
  --view[i];
  view[i] -= m;
  view[i] &= m;
  view[i] |= m;
  view[i] ^= m;
}
`,
      errors: [
        {
          messageId: 'nonAtomicSharedMemory',
          data: { view: 'view', element: 'view[i]', operator: '--', why: 'created over a SharedArrayBuffer at file.ts:2' },
          line: 4,
          suggestions: [{ messageId: 'useAtomics', data: { method: 'sub' }, output: `\nconst view = new Uint32Array(new SharedArrayBuffer(64));\nexport function update(i: number, m: number): void {\n  Atomics.sub(view, i, 1);\n  view[i] -= m;\n  view[i] &= m;\n  view[i] |= m;\n  view[i] ^= m;\n}\n` }],
        },
        {
          messageId: 'nonAtomicSharedMemory',
          data: { view: 'view', element: 'view[i]', operator: '-=', why: 'created over a SharedArrayBuffer at file.ts:2' },
          line: 5,
          suggestions: [{ messageId: 'useAtomics', data: { method: 'sub' }, output: `\nconst view = new Uint32Array(new SharedArrayBuffer(64));\nexport function update(i: number, m: number): void {\n  --view[i];\n  Atomics.sub(view, i, m);\n  view[i] &= m;\n  view[i] |= m;\n  view[i] ^= m;\n}\n` }],
        },
        {
          messageId: 'nonAtomicSharedMemory',
          data: { view: 'view', element: 'view[i]', operator: '&=', why: 'created over a SharedArrayBuffer at file.ts:2' },
          line: 6,
          suggestions: [{ messageId: 'useAtomics', data: { method: 'and' }, output: `\nconst view = new Uint32Array(new SharedArrayBuffer(64));\nexport function update(i: number, m: number): void {\n  --view[i];\n  view[i] -= m;\n  Atomics.and(view, i, m);\n  view[i] |= m;\n  view[i] ^= m;\n}\n` }],
        },
        {
          messageId: 'nonAtomicSharedMemory',
          data: { view: 'view', element: 'view[i]', operator: '|=', why: 'created over a SharedArrayBuffer at file.ts:2' },
          line: 7,
          suggestions: [{ messageId: 'useAtomics', data: { method: 'or' }, output: `\nconst view = new Uint32Array(new SharedArrayBuffer(64));\nexport function update(i: number, m: number): void {\n  --view[i];\n  view[i] -= m;\n  view[i] &= m;\n  Atomics.or(view, i, m);\n  view[i] ^= m;\n}\n` }],
        },
        {
          messageId: 'nonAtomicSharedMemory',
          data: { view: 'view', element: 'view[i]', operator: '^=', why: 'created over a SharedArrayBuffer at file.ts:2' },
          line: 8,
          suggestions: [{ messageId: 'useAtomics', data: { method: 'xor' }, output: `\nconst view = new Uint32Array(new SharedArrayBuffer(64));\nexport function update(i: number, m: number): void {\n  --view[i];\n  view[i] -= m;\n  view[i] &= m;\n  view[i] |= m;\n  Atomics.xor(view, i, m);\n}\n` }],
        },
      ],
    },
    {
      name: 'view[i] = view[i] + x and x + view[i] suggest Atomics.add; a declared Int32Array created over a SharedArrayBuffer counts',
      code: `
const sab: SharedArrayBuffer = new SharedArrayBuffer(64);
const view: Int32Array = new Int32Array(sab);
export function add(i: number, x: number): void {
  view[i] = view[i]! + x;
  view[i] = x + view[i]!;
}
`,
      errors: [
        {
          messageId: 'nonAtomicSharedMemory',
          data: { view: 'view', element: 'view[i]', operator: '+', why: 'created over a SharedArrayBuffer at file.ts:3' },
          line: 5,
          suggestions: [{ messageId: 'useAtomics', data: { method: 'add' }, output: `\nconst sab: SharedArrayBuffer = new SharedArrayBuffer(64);\nconst view: Int32Array = new Int32Array(sab);\nexport function add(i: number, x: number): void {\n  Atomics.add(view, i, x);\n  view[i] = x + view[i]!;\n}\n` }],
        },
        {
          messageId: 'nonAtomicSharedMemory',
          data: { view: 'view', element: 'view[i]', operator: '+', why: 'created over a SharedArrayBuffer at file.ts:3' },
          line: 6,
          suggestions: [{ messageId: 'useAtomics', data: { method: 'add' }, output: `\nconst sab: SharedArrayBuffer = new SharedArrayBuffer(64);\nconst view: Int32Array = new Int32Array(sab);\nexport function add(i: number, x: number): void {\n  view[i] = view[i]! + x;\n  Atomics.add(view, i, x);\n}\n` }],
        },
      ],
    },
    {
      name: 'x - view[i] is not a subtraction Atomics can do, and * has no Atomics method: reported without suggestion',
      code: `
const view = new Int32Array(new SharedArrayBuffer(64));
export function f(i: number, x: number): void {
  view[i] = x - view[i]!;
  view[i] *= 2;
}
`,
      errors: [
        { messageId: 'nonAtomicSharedMemory', data: { view: 'view', element: 'view[i]', operator: '-', why: 'created over a SharedArrayBuffer at file.ts:2' }, line: 4, suggestions: [] },
        { messageId: 'nonAtomicSharedMemory', data: { view: 'view', element: 'view[i]', operator: '*=', why: 'created over a SharedArrayBuffer at file.ts:2' }, line: 5, suggestions: [] },
      ],
    },
    {
      name: 'the value of the update is used: no suggestion (Atomics.add returns the old value)',
      code: `
const view = new Int32Array(new SharedArrayBuffer(64));
export function next(i: number): number {
  return view[i]++;
}
`,
      errors: [{ messageId: 'nonAtomicSharedMemory', data: { view: 'view', element: 'view[i]', operator: '++', why: 'created over a SharedArrayBuffer at file.ts:2' }, line: 4, column: 10, suggestions: [] }],
    },
    {
      name: 'Float64Array and Uint8ClampedArray over shared memory: reported, no Atomics suggestion',
      code: `
const floats = new Float64Array(new SharedArrayBuffer(64));
const pixels = new Uint8ClampedArray(new SharedArrayBuffer(64));
export function f(i: number): void {
  floats[i] += 0.5;
  pixels[i]++;
}
`,
      errors: [
        { messageId: 'nonAtomicSharedMemory', data: { view: 'floats', element: 'floats[i]', operator: '+=', why: 'created over a SharedArrayBuffer at file.ts:2' }, line: 5, suggestions: [] },
        { messageId: 'nonAtomicSharedMemory', data: { view: 'pixels', element: 'pixels[i]', operator: '++', why: 'created over a SharedArrayBuffer at file.ts:3' }, line: 6, suggestions: [] },
      ],
    },
    {
      name: 'BigInt64Array increments by 1n',
      code: `
const big = new BigInt64Array(new SharedArrayBuffer(64));
export function f(i: number): void {
  big[i]++;
}
`,
      errors: [
        {
          messageId: 'nonAtomicSharedMemory',
          data: { view: 'big', element: 'big[i]', operator: '++', why: 'created over a SharedArrayBuffer at file.ts:2' },
          line: 4,
          suggestions: [{ messageId: 'useAtomics', data: { method: 'add' }, output: `\nconst big = new BigInt64Array(new SharedArrayBuffer(64));\nexport function f(i: number): void {\n  Atomics.add(big, i, 1n);\n}\n` }],
        },
      ],
    },
    {
      name: 'check-then-act suggests Atomics.compareExchange',
      code: `
const flags = new Int32Array(new SharedArrayBuffer(64));
export function claim(i: number): void {
  if (flags[i] === 0) flags[i] = 1;
}
`,
      errors: [
        {
          messageId: 'nonAtomicCheckThenAct',
          data: { view: 'flags', element: 'flags[i]', why: 'created over a SharedArrayBuffer at file.ts:2' },
          line: 4,
          column: 3,
          endColumn: 21,
          suggestions: [
            {
              messageId: 'useAtomics',
              data: { method: 'compareExchange' },
              output: `\nconst flags = new Int32Array(new SharedArrayBuffer(64));\nexport function claim(i: number): void {\n  Atomics.compareExchange(flags, i, 0, 1);\n}\n`,
            },
          ],
        },
      ],
    },
    {
      name: 'check-then-act with an else, or more in the body: reported without suggestion',
      code: `
const flags = new Int32Array(new SharedArrayBuffer(64));
export function claim(i: number): boolean {
  if (flags[i] === 0) {
    flags[i] = 1;
    return true;
  } else {
    return false;
  }
}
`,
      errors: [{ messageId: 'nonAtomicCheckThenAct', data: { view: 'flags', element: 'flags[i]', why: 'created over a SharedArrayBuffer at file.ts:2' }, line: 4, suggestions: [] }],
    },
    {
      name: 'docs/rules/no-nonatomic-update.md, incorrect example 1',
      code: `
const hits = new Int32Array(new SharedArrayBuffer(1024));
export function record(bucket: number): void {
  hits[bucket]++; // lost update
}
export function claim(slots: Int32Array<SharedArrayBuffer>, i: number): void {
  if (slots[i] === 0) slots[i] = 1; // both claim
}
`,
      errors: [
        {
          messageId: 'nonAtomicSharedMemory',
          data: { view: 'hits', element: 'hits[bucket]', operator: '++', why: 'created over a SharedArrayBuffer at file.ts:2' },
          line: 4,
          suggestions: [
            {
              messageId: 'useAtomics',
              data: { method: 'add' },
              output: `
const hits = new Int32Array(new SharedArrayBuffer(1024));
export function record(bucket: number): void {
  Atomics.add(hits, bucket, 1); // lost update
}
export function claim(slots: Int32Array<SharedArrayBuffer>, i: number): void {
  if (slots[i] === 0) slots[i] = 1; // both claim
}
`,
            },
          ],
        },
        {
          messageId: 'nonAtomicCheckThenAct',
          data: { view: 'slots', element: 'slots[i]', why: 'typed Int32Array<SharedArrayBuffer>' },
          line: 7,
          suggestions: [
            {
              messageId: 'useAtomics',
              data: { method: 'compareExchange' },
              output: `
const hits = new Int32Array(new SharedArrayBuffer(1024));
export function record(bucket: number): void {
  hits[bucket]++; // lost update
}
export function claim(slots: Int32Array<SharedArrayBuffer>, i: number): void {
  Atomics.compareExchange(slots, i, 0, 1); // both claim
}
`,
            },
          ],
        },
      ],
    },
    {
      name: 'a class field typed over shared memory; the shared element is found after an unshared one in the test',
      code: `
export class Pool {
  readonly local = new Int32Array(4);
  constructor(readonly slots: Int32Array<SharedArrayBuffer>) {}
  release(i: number): void {
    if (this.local[0] === 1 && this.slots[i] === 1) {
      this.local[0] = 0;
      this.slots[i] = 0;
    }
  }
}
`,
      errors: [{ messageId: 'nonAtomicCheckThenAct', data: { view: 'this.slots', element: 'this.slots[i]', why: 'typed Int32Array<SharedArrayBuffer>' }, line: 6, column: 5, suggestions: [] }],
    },
    {
      name: 'a view over a buffer of type any from workerData is shared: workerData is followed',
      code: `
declare const workerData: any;
const view = new Int32Array(workerData.buffer);
export function bump(i: number): void {
  view[i]++;
}
`,
      errors: [
        {
          messageId: 'nonAtomicSharedMemory',
          data: { view: 'view', element: 'view[i]', operator: '++', why: 'taken from workerData at file.ts:3' },
          line: 5,
          column: 3,
          suggestions: [
            {
              messageId: 'useAtomics',
              data: { method: 'add' },
              output: `
declare const workerData: any;
const view = new Int32Array(workerData.buffer);
export function bump(i: number): void {
  Atomics.add(view, i, 1);
}
`,
            },
          ],
        },
      ],
    },
    {
      name: 'a view over workerData cast to SharedArrayBuffer is checked',
      code: `
declare const workerData: { buffer: unknown };
const view = new Int32Array(workerData.buffer as SharedArrayBuffer);
export function bump(i: number): number {
  return (view[i] += 1);
}
`,
      errors: [{ messageId: 'nonAtomicSharedMemory', data: { view: 'view', element: 'view[i]', operator: '+=', why: 'created over a SharedArrayBuffer at file.ts:3' }, line: 5, column: 11, suggestions: [] }],
    },
    {
      name: 'the lock was released before the update',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
const view = new Int32Array(new SharedArrayBuffer(64));
export function bump(i: number): void {
  lock.acquire();
  view[0] = 1;
  lock.release();
  view[i]++;
}
`,
      errors: [
        {
          messageId: 'nonAtomicSharedMemory',
          data: { view: 'view', element: 'view[i]', operator: '++', why: 'created over a SharedArrayBuffer at file.ts:4' },
          line: 9,
          suggestions: [
            {
              messageId: 'useAtomics',
              data: { method: 'add' },
              output: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
const view = new Int32Array(new SharedArrayBuffer(64));
export function bump(i: number): void {
  lock.acquire();
  view[0] = 1;
  lock.release();
  Atomics.add(view, i, 1);
}
`,
            },
          ],
        },
      ],
    },
  ],
});

// ---- (b) stale writes across await ------------------------------------------------------------

ruleTester.run('no-nonatomic-update (across await)', rule, {
  valid: [
    {
      name: 'a property of a local object that a call filled during the suspension (xmtp-js compress: the sink is sized from the old value, then refilled by pipeTo)',
      code: `
export interface Encoded { content: Uint8Array }
declare function writeInto(sink: { bytes: Uint8Array }): WritableStream<Uint8Array>;
declare function readFrom(bytes: Uint8Array): ReadableStream<Uint8Array>;
export async function compress(encoded: Encoded): Promise<void> {
  const sink = { bytes: new Uint8Array(encoded.content.length) };
  await readFrom(encoded.content).pipeTo(writeInto(sink));
  encoded.content = sink.bytes;
}
`,
    },
    {
      name: "a platform dictionary parameter restored after a failed call (livekit-client PCTransport.setMungedSDP): the caller's argument bag",
      code: `
/// <reference lib="dom" />
declare const pc: RTCPeerConnection;
export async function setMunged(sd: RTCSessionDescriptionInit, munged: string): Promise<void> {
  const originalSdp = sd.sdp;
  sd.sdp = munged;
  try {
    await pc.setLocalDescription(sd);
  } catch {
    sd.sdp = originalSdp;
  }
}
`,
    },
    {
      name: 'the chunk of a TransformStream transform, written after an await: the stream hands each chunk to one call at a time',
      code: `
interface Frame { data: ArrayBuffer; timestamp: number }
declare function encrypt(data: ArrayBuffer): Promise<ArrayBuffer>;
export class Cryptor {
  headerOf(frame: Frame): number { return frame.timestamp > 0 ? 10 : 1; }
  async encode(frame: Frame, controller: TransformStreamDefaultController<Frame>): Promise<void> {
    const plain = frame.data;
    const header = this.headerOf(frame);
    const sealed = await encrypt(plain.slice(header));
    frame.data = sealed.byteLength > 0 ? sealed : plain;
    controller.enqueue(frame);
  }
}
`,
    },
    {
      name: 'the old value handed to the awaited operation that computes the new one (a refresh)',
      code: `
declare function intoIdSet(ids: readonly string[]): Promise<string[]>;
export class Filter {
  chats: string[] = [];
  async resolve(): Promise<void> {
    this.chats = await intoIdSet(this.chats);
  }
}
`,
    },
    {
      name: "a write inside a callback the application's own lock helper runs under its mutex",
      code: `
import { Mutex } from 'async-mutex';
async function withLock<T>(mutex: Mutex, fn: () => Promise<T>): Promise<T> {
  const release = await mutex.acquire();
  try {
    return await fn();
  } finally {
    release();
  }
}
declare function save(balance: number): Promise<void>;
export class Account {
  readonly #mutex = new Mutex();
  balance = 0;
  async deposit(amount: number): Promise<void> {
    await withLock(this.#mutex, async () => {
      const next = this.balance + amount;
      await save(next);
      this.balance = next;
    });
  }
}
`,
    },
    {
      name: 'koajs/koa#1351: ctx.body assigned from an awaited value in middleware',
      code: `
interface Context { body: unknown; state: Record<string, unknown>; path: string }
declare function render(path: string): Promise<string>;
export async function middleware(ctx: Context, next: () => Promise<void>): Promise<void> {
  const path = ctx.path;
  await next();
  ctx.body = await render(path);
}
`,
    },
    {
      name: 'a Koa ctx updated from its own earlier read across next(): ctx is per request',
      code: `
export async function timing(ctx: { state: { ms: number } }, next: () => Promise<void>): Promise<void> {
  const start = ctx.state.ms;
  await next();
  ctx.state.ms = start + 1;
}
`,
    },
    {
      name: 'eslint/eslint#11899: a property destructured from the argument, then an unrelated property written',
      code: `
export const fn = async (someObj: { foo: number; bar: string }): Promise<void> => {
  const { foo } = someObj;
  await Promise.resolve(foo);
  someObj.bar = 'whatever';
};
`,
    },
    {
      name: 'eslint/eslint#17312: a key added to an object after awaiting a call that received it',
      code: `
async function f(headers: Record<string, string>): Promise<void> {
  headers['a'] = 'b';
}
export async function g(headers: Record<string, string>): Promise<void> {
  await f(headers);
  headers['x'] = 'y';
}
`,
    },
    {
      name: 'eslint/eslint#12423: a property set from a local that was awaited',
      code: `
interface Note { filePath: string; metadata: { created: Date } }
declare function stat(path: string): Promise<{ birthtime: Date } | undefined>;
export async function update(note: Note): Promise<void> {
  let info;
  if (!info) info = await stat(note.filePath);
  note.metadata.created = info ? info.birthtime : new Date();
}
`,
    },
    {
      name: 'eslint/eslint#11950: a module object property set from an awaited value with no earlier read of it',
      code: `
const flasher = { manifestId: 'x', config: undefined as unknown };
declare function fetchManifest(id: string): Promise<unknown>;
export async function tryFetch(): Promise<void> {
  const config = await fetchManifest(flasher.manifestId);
  if (config) flasher.config = config;
}
`,
    },
    {
      name: 'eslint/eslint#12353: a busy flag set to constants around an await',
      code: `
const state = { syncing: false };
declare function pull(): Promise<void>;
export async function sync(): Promise<void> {
  if (state.syncing) return;
  state.syncing = true;
  await pull();
  state.syncing = false;
}
`,
    },
    {
      name: 'eslint/eslint#18785: objects created in the function and written after an await',
      code: `
class Sprite { width = 0; loaded(): Promise<void> { return Promise.resolve(); } }
export async function load(): Promise<void> {
  const a = new Sprite();
  const b = new Sprite();
  const w = a.width;
  await Promise.all([a.loaded(), b.loaded()]);
  a.width = w + 100;
}
`,
    },
    {
      name: 'eslint/eslint#15076: process.exitCode set from an awaited result',
      code: `
declare function run(): Promise<{ exitCode: number }>;
export async function main(): Promise<void> {
  const { exitCode } = await run();
  process.exitCode = exitCode;
}
`,
    },
    {
      name: "eslint/eslint#12423: a local variable read before and written after an await is nobody else's",
      code: `
declare function part(i: number): Promise<number>;
export async function sum(): Promise<number> {
  let total = 0;
  for (let i = 0; i < 3; i++) total += await part(i);
  return total;
}
`,
    },
    {
      name: 'this.x = await y with no earlier read of this.x',
      code: `
declare function connect(): Promise<object>;
export class Client {
  connection: object | undefined;
  async open(): Promise<void> {
    this.connection = await connect();
  }
}
`,
    },
    {
      name: 'the property is read again after the await (optimistic check)',
      code: `
declare function save(): Promise<void>;
export class Counter {
  count = 0;
  async increment(): Promise<void> {
    const before = this.count;
    await save();
    if (this.count !== before) return;
    this.count = before + 1;
  }
}
`,
    },
    {
      name: 'the write reads the current value after the await',
      code: `
let total = 0;
declare function part(): Promise<number>;
export async function add(): Promise<void> {
  const seen = total;
  const n = await part();
  total = total + n + seen * 0;
}
`,
    },
    {
      name: 'one lock held across the read, the await and the write',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
let total = 0;
declare function part(): Promise<number>;
export async function add(): Promise<void> {
  await lock.acquireAsync();
  try {
    total += await part();
  } finally {
    lock.release();
  }
}
`,
    },
    {
      name: 'an await using hold scope and a runExclusive callback',
      code: `
import { Lock } from '@lockstep/primitives';
declare function save(): Promise<void>;
export class Counter {
  readonly lock = new Lock();
  count = 0;
  async a(): Promise<void> {
    await using _ = await this.lock.holdAsync();
    const v = this.count;
    await save();
    this.count = v + 1;
  }
  async b(): Promise<void> {
    await this.lock.runExclusive(async () => {
      const v = this.count;
      await save();
      this.count = v + 1;
    });
  }
}
`,
    },
    {
      name: 'a local object built across awaits that never escapes',
      code: `
declare function fetchPart(): Promise<number>;
export async function build(): Promise<number> {
  const stats = { count: 0 };
  stats.count += await fetchPart();
  stats.count += await fetchPart();
  return stats.count;
}
`,
    },
    { name: 'docs/rules/no-nonatomic-update.md, correct example 1', code: `
import { Lock } from '@lockstep/primitives';

const hits = new Int32Array(new SharedArrayBuffer(1024));
const lock = new Lock();

export function record(bucket: number): void {
  Atomics.add(hits, bucket, 1);
}

export function claim(slots: Int32Array<SharedArrayBuffer>, i: number): boolean {
  return Atomics.compareExchange(slots, i, 0, 1) === 0;
}

export function reset(bucket: number): void {
  using _ = lock.hold();
  if (hits[bucket] !== 0) hits[bucket] = 0; // under the lock every writer holds
}

const privateCounts = new Int32Array(16); // not shared
export function local(i: number): void {
  privateCounts[i]++;
}
` },
    { name: 'docs/rules/no-nonatomic-update.md, correct example 2', code: `
import { Lock } from '@lockstep/primitives';

let total = 0;
const lock = new Lock();
declare function fetchPart(): Promise<number>;

export async function collect(): Promise<void> {
  const part = await fetchPart();
  total += part; // read and written with no suspension in between
}

export async function collectLocked(): Promise<void> {
  await using _ = await lock.holdAsync();
  total += await fetchPart();
}

// Koa middleware: \`ctx\` belongs to this request alone.
export async function render(ctx: { body: unknown; path: string }, next: () => Promise<void>): Promise<void> {
  const path = ctx.path;
  await next();
  ctx.body = await load(path);
}
declare function load(path: string): Promise<string>;
` },
    {
      name: 'an Express-style req/res pair',
      code: `
interface Req { session: { views: number } }
interface Res { locals: { views: number } }
declare function audit(): Promise<void>;
export async function handler(req: Req, res: Res): Promise<void> {
  const views = req.session.views;
  await audit();
  req.session.views = views + 1;
  res.locals.views = views + 1;
}
`,
    },
    {
      name: 'the old value read on one branch of a conditional, the await on the other: never both',
      code: `
let cached = 0;
declare function load(): Promise<number>;
export async function current(fresh: boolean): Promise<void> {
  cached = fresh ? cached : await load();
}
`,
    },
    {
      name: 'an async closure invoked once, in place, updating its enclosing function\'s variable',
      code: `
declare function fetchPart(): Promise<number>;
export async function collect(): Promise<number> {
  let total = 0;
  await (async () => {
    total += await fetchPart();
  })();
  const addOne = async (): Promise<void> => {
    total += await fetchPart();
  };
  await addOne();
  return total;
}
`,
    },
    {
      name: 'a closure that only reads its enclosing function\'s variable cannot lose an update to it',
      code: `
declare function fetchPart(): Promise<number>;
declare function report(read: () => number): void;
export async function collect(): Promise<number> {
  let total = 0;
  report(() => total);
  total += await fetchPart();
  return total;
}
`,
    },
  ],
  invalid: [
    {
      name: 'a compound update reads the target before the suspension even when it also passes it on',
      code: `
declare function interest(balance: number): Promise<number>;
export class Account {
  balance = 0;
  async accrue(): Promise<void> {
    this.balance += await interest(this.balance);
  }
}
`,
      errors: [{ messageId: 'staleWriteInStatement', data: { target: 'this.balance', suspension: 'await' } }],
    },
    {
      name: 'a module counter updated with += await',
      code: `
let total = 0;
declare function fetchPart(): Promise<number>;
export async function collect(): Promise<void> {
  total += await fetchPart();
}
`,
      errors: [{ messageId: 'staleWriteInStatement', data: { target: 'total', suspension: 'await' }, line: 5, column: 3, endColumn: 29 }],
    },
    {
      name: 'async callbacks run together by Promise.all, each adding to the enclosing function\'s total',
      code: `
declare function priceOf(sku: string): Promise<number>;
export async function orderTotal(skus: readonly string[]): Promise<number> {
  let total = 0;
  await Promise.all(
    skus.map(async (sku) => {
      total += await priceOf(sku);
    }),
  );
  return total;
}
`,
      errors: [{ messageId: 'staleWriteInStatement', data: { target: 'total', suspension: 'await' }, line: 7, column: 7 }],
    },
    {
      name: 'an async handler handed out by a generator updates the generator\'s variable',
      code: `
declare function fetchPart(): Promise<number>;
export function* handlers(): Generator<() => Promise<void>> {
  let received = 0;
  yield async function onPart(): Promise<void> {
    received += await fetchPart();
  };
}
`,
      errors: [{ messageId: 'staleWriteInStatement', data: { target: 'received', suspension: 'await' }, line: 6 }],
    },
    {
      name: 'an element of a module map picked by a key variable, updated across an await',
      code: `
const totals: Record<string, number> = {};
declare function amountOf(customer: string): Promise<number>;
export async function add(customer: string): Promise<void> {
  totals[customer] += await amountOf(customer);
  totals[customer] = (totals[customer] ?? 0) + (await amountOf(customer));
}
`,
      errors: [
        { messageId: 'staleWriteInStatement', data: { target: 'totals[customer]', suspension: 'await' }, line: 5 },
        { messageId: 'staleWriteInStatement', data: { target: 'totals[customer]', suspension: 'await' }, line: 6 },
      ],
    },
    {
      name: 'x = x + await y reads x before the await',
      code: `
let total = 0;
declare function fetchPart(): Promise<number>;
export async function collect(): Promise<void> {
  total = total + (await fetchPart());
}
`,
      errors: [{ messageId: 'staleWriteInStatement', data: { target: 'total', suspension: 'await' }, line: 5 }],
    },
    {
      name: 'this.count read into a local before an await and written from it after',
      code: `
declare function save(): Promise<void>;
export class Counter {
  count = 0;
  async increment(): Promise<void> {
    const v = this.count;
    await save();
    this.count = v + 1;
  }
}
`,
      errors: [{ messageId: 'staleWriteAfterAwait', data: { target: 'this.count', line: '7' }, line: 8, column: 5 }],
    },
    {
      name: 'the stale value reaches the write through two locals; a re-read that the write does not use does not help',
      code: `
declare function save(): Promise<void>;
export class Stock {
  items: string[] = [];
  async add(item: string): Promise<void> {
    const items = this.items;
    const next = [...items, item];
    await save();
    console.log(this.items.length);
    await save();
    this.items = next;
  }
}
`,
      errors: [{ messageId: 'staleWriteAfterAwait', data: { target: 'this.items', line: '10' }, line: 11 }],
    },
    {
      name: 'a parameter typed as a class instance is shared',
      code: `
export class Account { balance = 0 }
declare function audit(): Promise<void>;
export async function credit(account: Account, amount: number): Promise<void> {
  const balance = account.balance;
  await audit();
  account.balance = balance + amount;
}
`,
      errors: [{ messageId: 'staleWriteAfterAwait', data: { target: 'account.balance', line: '6' }, line: 7 }],
    },
    {
      name: 'a property of a local object nobody else touched still carries what its initializer read',
      code: `
export interface Account { balance: number }
declare function audit(): Promise<void>;
export async function credit(account: Account, amount: number): Promise<void> {
  const draft = { next: account.balance + amount };
  await audit();
  account.balance = draft.next;
}
`,
      errors: [{ messageId: 'staleWriteAfterAwait', data: { target: 'account.balance', line: '6' }, line: 7 }],
    },
    {
      name: "an application's own data interface as a parameter is still taken as shared (only the platform's dictionaries are argument bags)",
      code: `
export interface Cart { items: string[] }
declare function price(id: string): Promise<number>;
export async function add(cart: Cart, id: string): Promise<number> {
  const items = cart.items;
  const cost = await price(id);
  cart.items = [...items, id];
  return cost;
}
`,
      errors: [{ messageId: 'staleWriteAfterAwait', data: { target: 'cart.items', line: '6' }, line: 7 }],
    },
    {
      name: "a stream callback's writes to its object's own state are still across a suspension",
      code: `
declare function encrypt(data: ArrayBuffer): Promise<ArrayBuffer>;
export class Cryptor {
  bytes = 0;
  async encode(frame: ArrayBuffer, controller: TransformStreamDefaultController<ArrayBuffer>): Promise<void> {
    const before = this.bytes;
    const sealed = await encrypt(frame);
    this.bytes = before + sealed.byteLength;
    controller.enqueue(sealed);
  }
}
`,
      errors: [{ messageId: 'staleWriteAfterAwait', data: { target: 'this.bytes', line: '7' }, line: 8 }],
    },
    {
      name: 'a module object, spread into its new value, in a generator across yield',
      code: `
let cache: Record<string, number> = {};
export function* fill(key: string): Generator<string, void, number> {
  cache = { ...cache, [key]: yield key };
}
`,
      errors: [{ messageId: 'staleWriteInStatement', data: { target: 'cache', suspension: 'yield' }, line: 4 }],
    },
    {
      name: 'a per-request object that escapes into module state is shared',
      code: `
interface Context { hits: number }
const live: Context[] = [];
declare function work(): Promise<void>;
export async function handle(ctx: Context): Promise<void> {
  live.push(ctx);
  const hits = ctx.hits;
  await work();
  ctx.hits = hits + 1;
}
`,
      errors: [{ messageId: 'staleWriteAfterAwait', data: { target: 'ctx.hits', line: '8' }, line: 9 }],
    },
    {
      name: 'docs/rules/no-nonatomic-update.md, incorrect example 2',
      code: `
let total = 0;
declare function fetchPart(): Promise<number>;

export async function collect(): Promise<void> {
  total += await fetchPart(); // \`total\` is read before the await
}

export class Counter {
  count = 0;
  async increment(save: () => Promise<void>): Promise<void> {
    const v = this.count;
    await save();
    this.count = v + 1; // overwrites increments made during save()
  }
}
`,
      errors: [
        { messageId: 'staleWriteInStatement', data: { target: 'total', suspension: 'await' }, line: 6 },
        { messageId: 'staleWriteAfterAwait', data: { target: 'this.count', line: '13' }, line: 14 },
      ],
    },
    {
      name: 'the lock is released before the await',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
let total = 0;
declare function part(): Promise<number>;
export async function add(): Promise<void> {
  await lock.acquireAsync();
  const v = total;
  lock.release();
  const n = await part();
  total = v + n;
}
`,
      errors: [{ messageId: 'staleWriteAfterAwait', data: { target: 'total', line: '10' }, line: 11 }],
    },
  ],
});

// ---- without type information -----------------------------------------------------------------

const untypedRuleTester = createUntypedRuleTester();

untypedRuleTester.run('no-nonatomic-update (untyped)', rule, {
  valid: [
    {
      name: 'a parameter of unknown type is not assumed to view shared memory',
      code: `
export function bump(view, i) { view[i]++; }
`,
    },
    {
      name: 'a parameter of unknown type is not assumed shared across await',
      code: `
export async function f(user) {
  const n = user.visits;
  await save();
  user.visits = n + 1;
}
`,
    },
    {
      name: 'a lock recognised by name protects the update',
      code: `
const view = new Int32Array(new SharedArrayBuffer(64));
export function bump(i) {
  counterLock.acquire();
  try { view[i]++; } finally { counterLock.release(); }
}
`,
    },
    {
      name: "async-mutex's returned release function: the lock counts as held to the end of the function",
      code: `
let total = 0;
export async function add() {
  const release = await mutex.acquire();
  try {
    total += await part();
  } finally {
    release();
  }
}
`,
    },
    {
      name: 'a mutex recognised by name protects the module counter',
      code: `
let total = 0;
export async function add() {
  await mutex.runExclusive(async () => {
    total += await part();
  });
}
`,
    },
  ],
  invalid: [
    {
      name: 'the creation site shows the shared buffer',
      code: `
const sab = new SharedArrayBuffer(64);
const view = new Int32Array(sab);
export function bump(i) { view[i] += 2; }
`,
      errors: [
        {
          messageId: 'nonAtomicSharedMemory',
          data: { view: 'view', element: 'view[i]', operator: '+=', why: 'created over a SharedArrayBuffer on line 3' },
          line: 4,
          column: 27,
          suggestions: [{ messageId: 'useAtomics', data: { method: 'add' }, output: `\nconst sab = new SharedArrayBuffer(64);\nconst view = new Int32Array(sab);\nexport function bump(i) { Atomics.add(view, i, 2); }\n` }],
        },
      ],
    },
    {
      name: 'module state and this are shared without types',
      code: `
let total = 0;
export class C {
  async f() {
    const v = this.count;
    await save();
    this.count = v + 1;
    total += await part();
  }
}
`,
      errors: [
        { messageId: 'staleWriteAfterAwait', data: { target: 'this.count', line: '6' }, line: 7 },
        { messageId: 'staleWriteInStatement', data: { target: 'total', suspension: 'await' }, line: 8 },
      ],
    },
  ],
});
