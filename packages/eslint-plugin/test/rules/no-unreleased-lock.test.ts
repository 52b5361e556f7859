import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';
import rule from '../../src/rules/no-unreleased-lock.js';
import type { MessageId, Options } from '../../src/rules/no-unreleased-lock.js';
import { createTypedRuleTester, createUntypedRuleTester } from '../rule-tester.js';

const ruleTester = createTypedRuleTester();

ruleTester.run('no-unreleased-lock', rule, {
  valid: [
    {
      name: 'a lock class built on an inner lock leaves the inner one held from its own methods (RLock over its #mutex, restoring a Condition wait)',
      code: `
class InnerMutex {
  async lockAsync(): Promise<void> { await Promise.resolve(); }
  unlock(): void {}
}
export class ReentrantLock {
  readonly #mutex = new InnerMutex();
  async acquire(): Promise<void> { await this.#mutex.lockAsync(); }
  release(): void { this.#mutex.unlock(); }
  async restoreAsync(): Promise<void> {
    await this.#mutex.lockAsync();
  }
}
`,
    },
    {
      name: 'a lock given back around a callback and taken again in a finally restores the hold of the helper that runs the function (@ethereumjs/blockchain iterator)',
      code: `
import { Mutex } from 'async-mutex';
export class Chain {
  readonly lock = new Mutex();
  async runWithLock<T>(action: () => Promise<T>): Promise<T> {
    await this.lock.acquire();
    try {
      return await action();
    } finally {
      this.lock.release();
    }
  }
  async iterate(items: number[], releaseOnCallback: boolean, onItem: (n: number) => Promise<void>): Promise<number> {
    return this.runWithLock(async () => {
      let count = 0;
      for (const item of items) {
        if (releaseOnCallback) this.lock.release();
        try {
          await onItem(item);
        } finally {
          if (releaseOnCallback) await this.lock.acquire();
        }
        if (item < 0) break;
        count++;
      }
      return count;
    });
  }
}
`,
    },
    {
      name: "a lock taken and released under the same const test, the release in a finally (sqlocal's exec)",
      code: `
import { Mutex } from 'async-mutex';
export class Processor {
  readonly transactionMutex = new Mutex();
  transactionKey: string | null = null;
  async exec(key: string | null, run: () => Promise<void>): Promise<void> {
    const partOfTransaction = this.transactionKey !== null && this.transactionKey === key;
    try {
      if (!partOfTransaction) {
        await this.transactionMutex.acquire();
      }
      await run();
    } finally {
      if (!partOfTransaction) {
        this.transactionMutex.release();
      }
    }
  }
}
`,
    },
    {
      name: 'calls of async functions made without await, and a plain function that only assigns and starts one, cannot throw (sqlocal postMessage)',
      code: `
import { Mutex } from 'async-mutex';
export class Processor {
  readonly initMutex = new Mutex();
  config: { path: string } = { path: '' };
  protected init = async (): Promise<void> => { await Promise.resolve(this.config.path); };
  protected editConfig = (message: { config: { path: string } }): void => {
    this.config = message.config;
    this.init();
  };
  protected exec = async (_message: unknown): Promise<void> => { await Promise.resolve(); };
  async postMessage(message: { type: string; config: { path: string } }): Promise<void> {
    const release = await this.initMutex.acquire();
    switch (message.type) {
      case 'config':
        this.editConfig(message);
        break;
      default:
        void this.exec(message);
    }
    release();
  }
}
`,
    },
    {
      name: 'a release made early on success and in the finally only `if (!released)`, the flag set right after the early release (livekit-agents procWatchTask)',
      code: `
import { Mutex } from 'async-mutex';
export class Pool {
  readonly initMutex = new Mutex();
  closed = false;
  async watch(start: () => Promise<void>, enqueue: () => Promise<void>, join: () => Promise<void>): Promise<void> {
    const unlock = await this.initMutex.acquire();
    let initReleased = false;
    try {
      if (this.closed) return;
      await start();
      try {
        await enqueue();
        unlock();
        initReleased = true;
      } catch {
        // initialisation failed: released below
      }
      await join();
    } finally {
      if (!initReleased) {
        unlock();
      }
    }
  }
}
`,
    },
    {
      name: "a lock class's own method taking `this` and returning it held",
      code: `
import { Lock } from '@lockstep/primitives';
export class TracedLock extends Lock {
  take(): boolean {
    this.acquire();
    return true;
  }
}
`,
    },
    {
      name: "a standard Map's and Set's methods and Date.now() in the finally before the release cannot throw",
      code: `
import { Mutex } from 'async-mutex';
export class TaskQueue {
  readonly #mutex = new Mutex();
  readonly #pending = new Map<number, { finishedAt?: number }>();
  readonly #running = new Set<number>();
  async run(id: number, task: () => Promise<void>): Promise<void> {
    const unlock = await this.#mutex.acquire();
    const info = { finishedAt: 0 };
    this.#pending.set(id, info);
    this.#running.add(id);
    try {
      await task();
    } finally {
      info.finishedAt = Date.now();
      this.#pending.delete(id);
      this.#running.delete(id);
      unlock();
    }
  }
}
`,
    },
    {
      name: 'synchronous cleanup calls in the finally before the release are not throw sites (livekit-client SignalClient.close, LocalTrack.restart)',
      code: `
import { Mutex } from 'async-mutex';
export class Client {
  readonly #closingLock = new Mutex();
  #stopped = false;
  private sendLifecycleInput(input: { type: string }): boolean { return input.type !== ''; }
  stop(): void { this.#stopped = true; }
  async close(teardown: () => Promise<void>): Promise<void> {
    const unlock = await this.#closingLock.acquire();
    try {
      await teardown();
    } finally {
      this.sendLifecycleInput({ type: 'closeComplete' });
      if (this.#stopped) this.stop();
      unlock();
    }
  }
}
`,
    },
    {
      name: 'logging calls between the acquisition and the try, and in the finally before the release, are not throw sites',
      code: `
import { Mutex } from 'async-mutex';
declare const log: { debug(message: string, context?: object): void };
export class Track {
  readonly #lock = new Mutex();
  readonly logger = log;
  async restart(apply: () => Promise<void>): Promise<void> {
    const unlock = await this.#lock.acquire();
    log.debug('restarting', { at: 1 });
    try {
      await apply();
    } finally {
      this.logger.debug('restarted');
      console.warn('done');
      unlock();
    }
  }
}
`,
    },
    {
      name: 'released in a finally',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
export function update(items: number[]): void {
  lock.acquire();
  try {
    items.push(1);
    if (items.length > 3) return;
  } finally {
    lock.release();
  }
}
`,
    },
    {
      name: 'held with using / await using',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
export function a(items: number[]): void {
  using _ = lock.hold();
  items.push(1);
}
export async function b(items: number[]): Promise<void> {
  await using _ = await lock.holdAsync();
  items.push(await Promise.resolve(1));
}
`,
    },
    {
      name: 'runExclusive and navigator.locks.request are scoped',
      code: `
import { Mutex } from 'async-mutex';
const mutex = new Mutex();
export async function a(items: number[]): Promise<void> {
  await mutex.runExclusive(() => items.push(1));
  await navigator.locks.request('orders', async () => items.push(2));
}
`,
    },
    {
      name: 'released on every branch, nothing between can throw',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
let count = 0;
export function bump(limit: number): boolean {
  lock.acquire();
  if (count >= limit) {
    lock.release();
    return false;
  }
  count += 1;
  lock.release();
  return true;
}
`,
    },
    {
      name: 'code that throws before the acquisition holds nothing',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
let total = 0;
export function add(value: number): void {
  if (value < 0) throw new RangeError('negative');
  validate(value);
  lock.acquire();
  total += value;
  lock.release();
}
function validate(value: number): void {
  if (Number.isNaN(value)) throw new TypeError('NaN');
}
`,
    },
    {
      name: 'the release function is returned to the caller',
      code: `
import { Mutex } from 'async-mutex';
const mutex = new Mutex();
export async function enter(): Promise<() => void> {
  const release = await mutex.acquire();
  return release;
}
`,
    },
    {
      name: 'a closure that releases is returned',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
export function enter(): () => void {
  lock.acquire();
  return () => lock.release();
}
`,
    },
    {
      name: 'the lock is stored in this.held for a later release',
      code: `
import { Lock } from '@lockstep/primitives';
export class Session {
  held: Lock | undefined;
  begin(lock: Lock): void {
    lock.acquire();
    this.held = lock;
  }
}
`,
    },
    {
      name: 'a function named lock…/acquire… leaves the lock held on purpose',
      code: `
import { Lock } from '@lockstep/primitives';
const a = new Lock();
const b = new Lock();
export function lockBoth(): void {
  a.acquire();
  b.acquire();
}
`,
    },
    {
      name: 'tryAcquire as an if condition, released in finally',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
export function poll(items: number[]): boolean {
  if (lock.tryAcquire()) {
    try {
      items.push(1);
    } finally {
      lock.release();
    }
    return true;
  }
  return false;
}
`,
    },
    {
      name: 'negated tryAcquire returning early holds nothing on that path',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
export function poll(items: number[]): boolean {
  if (!lock.tryAcquire()) return false;
  try {
    items.push(1);
  } finally {
    lock.release();
  }
  return true;
}
`,
    },
    {
      name: 'async-mutex release function called in finally',
      code: `
import { Mutex } from 'async-mutex';
const mutex = new Mutex();
export async function save(items: number[]): Promise<void> {
  const release = await mutex.acquire();
  try {
    items.push(await Promise.resolve(1));
  } finally {
    release();
  }
}
`,
    },
    {
      name: 'await-lock acquireAsync with release in finally',
      code: `
import AwaitLock from 'await-lock';
const lock = new AwaitLock();
export async function save(items: number[]): Promise<void> {
  await lock.acquireAsync();
  try {
    items.push(await Promise.resolve(1));
  } finally {
    lock.release();
  }
}
`,
    },
    {
      name: 'an acquireAsync that is not awaited holds nothing yet',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
export function later(): Promise<boolean> {
  const pending = lock.acquireAsync();
  return pending;
}
`,
    },
    {
      name: 'a loop acquiring and releasing each iteration, break after the release',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
let n = 0;
export function spin(limit: number): void {
  for (let i = 0; i < limit; i++) {
    lock.acquire();
    n += i;
    lock.release();
    if (n > 100) break;
  }
}
`,
    },
    {
      name: 'break inside a loop that does not contain the acquisition, release after it',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
export function scan(values: number[]): number {
  let found = -1;
  lock.acquire();
  try {
    for (const value of values) {
      if (value > 10) {
        found = value;
        break;
      }
    }
  } finally {
    lock.release();
  }
  return found;
}
`,
    },
    {
      name: 'continue and return through a finally that releases',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
export function each(values: number[], f: (v: number) => boolean): void {
  for (const value of values) {
    lock.acquire();
    try {
      if (value < 0) continue;
      if (f(value)) return;
    } finally {
      lock.release();
    }
  }
}
`,
    },
    {
      name: 'a timed acquire tested by an if, released in finally',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
export function probe(items: number[]): boolean {
  if (lock.acquire({ timeout: 50 })) {
    try {
      items.push(1);
    } finally {
      lock.release();
    }
    return true;
  }
  return false;
}
`,
    },
    {
      name: 'the lock passed on to a function that releases it',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
declare function releaseLater(lock: Lock): void;
export function handOver(): void {
  lock.acquire();
  releaseLater(lock);
}
`,
    },
    {
      name: 'two instances: each released in its own finally',
      code: `
import { Lock } from '@lockstep/primitives';
export class Account {
  readonly lock = new Lock();
  balance = 0;
}
export function transfer(a: Account, b: Account, amount: number): void {
  a.lock.acquire();
  try {
    b.lock.acquire();
    try {
      a.balance -= amount;
      b.balance += amount;
    } finally {
      b.lock.release();
    }
  } finally {
    a.lock.release();
  }
}
`,
    },
    {
      name: 'released in the catch before rethrowing, and after the try',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
export function work(f: () => void): void {
  lock.acquire();
  try {
    f();
  } catch (error) {
    lock.release();
    throw error;
  }
  lock.release();
}
`,
    },
    {
      name: 'acquired inside the try, released in its finally',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
export function work(f: () => void): void {
  try {
    lock.acquire();
    f();
  } finally {
    lock.release();
  }
}
`,
    },
    {
      name: 'an alias of the lock is a hand-off the rule does not follow',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
export function work(f: () => void): void {
  lock.acquire();
  const held = lock;
  f();
  held.release();
}
`,
    },
    {
      name: 'a do…while loop that releases on every iteration',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
let n = 0;
export function drain(): void {
  do {
    lock.acquire();
    try {
      n -= 1;
      if (n === 3) continue;
    } finally {
      lock.release();
    }
  } while (n > 0);
}
`,
    },
    {
      name: 'a plain object with acquire/release methods is not a lock',
      code: `
const pool = { acquire(): number { return 1; }, release(): void {} };
export function use(): number {
  pool.acquire();
  return 2;
}
`,
    },
    {
      name: 'callback: releases in .finally(() => release())',
      code: `
import { Mutex } from 'async-mutex';
const mutex = new Mutex();
export async function save(write: () => Promise<void>): Promise<void> {
  const release = await mutex.acquire();
  write().finally(() => release());
}
`,
    },
    {
      name: 'callback: released in both callbacks of .then(ok, failed) is a hand-off, even with an early return in one',
      code: `
import { Mutex } from 'async-mutex';
const mutex = new Mutex();
export async function save(write: () => Promise<boolean>, log: string[]): Promise<void> {
  const release = await mutex.acquire();
  write().then(
    (done) => {
      if (!done) return;
      log.push('saved');
      release();
    },
    () => release(),
  );
}
`,
    },
    {
      name: 'callback: releases on every path, calls that may throw in it are not reported',
      code: `
import { Mutex } from 'async-mutex';
interface Provider {
  send(payload: string, cb: (err: Error | null, res?: string) => void): void;
}
export class Client {
  readonly mutex = new Mutex();
  readonly cache = new Map<string, string>();
  constructor(private readonly provider: Provider) {}
  async sendRequest(payload: string, cb: (err: Error | null, res?: string) => void): Promise<void> {
    const releaseLock = await this.mutex.acquire();
    this.provider.send(payload, (err, res) => {
      if (err) {
        releaseLock();
        return cb(err);
      }
      this.cache.set(payload, res ?? '');
      releaseLock();
      cb(null, res);
    });
  }
}
`,
    },
    {
      name: 'callback: try/finally inside the callback releases on every path',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
declare function read(path: string, cb: (err: Error | null, data: string) => void): void;
export function load(path: string, out: string[]): void {
  lock.acquire();
  read(path, (err, data) => {
    try {
      if (err) throw err;
      if (data === '') return;
      out.push(data);
    } finally {
      lock.release();
    }
  });
}
`,
    },
    {
      name: 'callback: the release function passed as a value (cb(release)) is a hand-off',
      code: `
import { Mutex } from 'async-mutex';
const mutex = new Mutex();
export async function enter(cb: (release: () => void) => void): Promise<void> {
  const release = await mutex.acquire();
  cb(release);
}
`,
    },
    {
      name: 'callback: the release function passed on from inside a callback is a hand-off',
      code: `
import { Mutex } from 'async-mutex';
const mutex = new Mutex();
declare function read(cb: (err: Error | null) => void): void;
export async function enter(done: (err: Error | null, release: () => void) => void): Promise<void> {
  const release = await mutex.acquire();
  read((err) => {
    if (err) return done(err, release);
    release();
  });
}
`,
    },
    {
      name: 'callback: the release function stored in this.release is a hand-off',
      code: `
import { Mutex } from 'async-mutex';
export class Session {
  readonly mutex = new Mutex();
  release: (() => void) | undefined;
  async begin(): Promise<void> {
    const release = await this.mutex.acquire();
    this.release = release;
    setTimeout(() => {
      if (this.release === undefined) return;
      release();
    }, 10);
  }
}
`,
    },
    {
      name: 'callback: an alias of the release function is a hand-off',
      code: `
import { Mutex } from 'async-mutex';
const mutex = new Mutex();
declare function read(cb: (err: Error | null) => void): void;
export async function enter(): Promise<void> {
  const release = await mutex.acquire();
  const done = release;
  read((err) => {
    if (err) return;
    done();
  });
}
`,
    },
    {
      name: 'callback: released by the function on one path and by a callback on another is a hand-off',
      code: `
import { Mutex } from 'async-mutex';
const mutex = new Mutex();
declare function read(cb: (err: Error | null, data: string) => void): void;
export async function load(cached: string | undefined, out: string[]): Promise<void> {
  const release = await mutex.acquire();
  if (cached !== undefined) {
    out.push(cached);
    release();
    return;
  }
  read((err, data) => {
    if (err) return;
    out.push(data);
    release();
  });
}
`,
    },
    {
      name: 'callback: a callback kept in a variable before it is passed is a hand-off',
      code: `
import { Mutex } from 'async-mutex';
const mutex = new Mutex();
declare function read(cb: (err: Error | null) => void): void;
export async function enter(): Promise<void> {
  const release = await mutex.acquire();
  const onRead = (err: Error | null): void => {
    if (err) return;
    release();
  };
  read(onRead);
}
`,
    },
    {
      name: "callback: a variable of the callback named like the release function is not the lock's",
      code: `
import { Mutex } from 'async-mutex';
const mutex = new Mutex();
declare function pool(cb: (lease: { done: () => void }) => void): void;
export async function enter(items: number[]): Promise<void> {
  const release = await mutex.acquire();
  pool((lease) => {
    const release = lease.done;
    if (items.length === 0) return;
    release();
  });
}
`,
    },
  ],
  invalid: [
    {
      name: 'an awaited call of an async function is still a throw site: its rejection arrives at the await',
      code: `
import { Mutex } from 'async-mutex';
export class Processor {
  readonly initMutex = new Mutex();
  protected init = async (): Promise<void> => { await Promise.resolve(); };
  async postMessage(): Promise<void> {
    const release = await this.initMutex.acquire();
    await this.init();
    release();
  }
}
`,
      errors: [
        {
          messageId: 'releaseMissingOnThrow',
          suggestions: [{ messageId: 'wrapInTryFinally', data: { release: 'release();' }, output: `
import { Mutex } from 'async-mutex';
export class Processor {
  readonly initMutex = new Mutex();
  protected init = async (): Promise<void> => { await Promise.resolve(); };
  async postMessage(): Promise<void> {
    const release = await this.initMutex.acquire();
    try {
      await this.init();
    } finally {
      release();
    }
  }
}
` }],
        },
      ],
    },
    {
      name: 'a test on a let, which may change between the acquisition and the release, is not taken for the same test',
      code: `
import { Mutex } from 'async-mutex';
export class Processor {
  readonly transactionMutex = new Mutex();
  async exec(nested: boolean, run: () => Promise<void>): Promise<void> {
    let partOfTransaction = nested;
    try {
      if (!partOfTransaction) {
        await this.transactionMutex.acquire();
      }
      partOfTransaction = await run().then(() => true);
    } finally {
      if (!partOfTransaction) {
        this.transactionMutex.release();
      }
    }
  }
}
`,
      errors: [{ messageId: 'releaseMissingAtEnd' }],
    },
    {
      name: 'a released flag that is also set where nothing was released does not vouch for the release',
      code: `
import { Mutex } from 'async-mutex';
export class Pool {
  readonly initMutex = new Mutex();
  async watch(start: () => Promise<void>, skip: boolean): Promise<void> {
    const unlock = await this.initMutex.acquire();
    let released = false;
    try {
      if (skip) released = true;
      await start();
      unlock();
      released = true;
    } finally {
      if (!released) unlock();
    }
  }
}
`,
      errors: [{ messageId: 'releaseMissingOnThrow' }],
    },
    {
      name: "a ReadWriteLock's read hold not released when a call throws; suggestions use its own hold and release",
      code: `
import { ReadWriteLock } from '@lockstep/primitives';
const rw = new ReadWriteLock();
function check(n: number): void { if (n < 0) throw new RangeError('negative'); }
export function count(n: number): void {
  rw.acquireRead();
  check(n);
  rw.releaseRead();
}
`,
      errors: [
        {
          messageId: 'releaseMissingOnThrow',
          data: { lock: 'rw', line: '7', throwingCall: 'check(n)' },
          line: 6,
          column: 3,
          suggestions: [
            { messageId: 'useUsingDeclaration', data: { lock: 'rw', declaration: 'using _lock = rw.holdRead();' }, output: `
import { ReadWriteLock } from '@lockstep/primitives';
const rw = new ReadWriteLock();
function check(n: number): void { if (n < 0) throw new RangeError('negative'); }
export function count(n: number): void {
  using _lock = rw.holdRead();
  check(n);
}
` },
            { messageId: 'wrapInTryFinally', data: { release: 'rw.releaseRead();' }, output: `
import { ReadWriteLock } from '@lockstep/primitives';
const rw = new ReadWriteLock();
function check(n: number): void { if (n < 0) throw new RangeError('negative'); }
export function count(n: number): void {
  rw.acquireRead();
  try {
    check(n);
  } finally {
    rw.releaseRead();
  }
}
` },
          ],
        },
      ],
    },
    {
      name: "a WeakMap's set (it throws on a primitive key) and a Map class of the file's own may throw before the release",
      code: `
import { Mutex } from 'async-mutex';
class Map<K, V> { delete(key: K): V { throw new Error(String(key)); } }
const mutex = new Mutex();
const owners = new WeakMap<object, number>();
const pending = new Map<number, number>();
export async function a(owner: object): Promise<void> {
  const unlock = await mutex.acquire();
  owners.set(owner, 1);
  unlock();
}
export async function b(id: number): Promise<void> {
  const unlock = await mutex.acquire();
  pending.delete(id);
  unlock();
}
`,
      errors: [
        {
          messageId: 'releaseMissingOnThrow',
          data: { lock: 'mutex', line: '9', throwingCall: 'owners.set(owner, 1)' },
          line: 8,
          column: 24,
          suggestions: [{ messageId: 'wrapInTryFinally', data: { release: 'unlock();' }, output: `
import { Mutex } from 'async-mutex';
class Map<K, V> { delete(key: K): V { throw new Error(String(key)); } }
const mutex = new Mutex();
const owners = new WeakMap<object, number>();
const pending = new Map<number, number>();
export async function a(owner: object): Promise<void> {
  const unlock = await mutex.acquire();
  try {
    owners.set(owner, 1);
  } finally {
    unlock();
  }
}
export async function b(id: number): Promise<void> {
  const unlock = await mutex.acquire();
  pending.delete(id);
  unlock();
}
` }],
        },
        {
          messageId: 'releaseMissingOnThrow',
          data: { lock: 'mutex', line: '14', throwingCall: 'pending.delete(id)' },
          line: 13,
          column: 24,
          suggestions: [{ messageId: 'wrapInTryFinally', data: { release: 'unlock();' }, output: `
import { Mutex } from 'async-mutex';
class Map<K, V> { delete(key: K): V { throw new Error(String(key)); } }
const mutex = new Mutex();
const owners = new WeakMap<object, number>();
const pending = new Map<number, number>();
export async function a(owner: object): Promise<void> {
  const unlock = await mutex.acquire();
  owners.set(owner, 1);
  unlock();
}
export async function b(id: number): Promise<void> {
  const unlock = await mutex.acquire();
  try {
    pending.delete(id);
  } finally {
    unlock();
  }
}
` }],
        },
      ],
    },
    {
      name: 'an awaited call in the finally before the release: its rejection leaves the lock held',
      code: `
import { Mutex } from 'async-mutex';
const mutex = new Mutex();
declare function flush(): Promise<void>;
export async function save(task: () => Promise<void>): Promise<void> {
  const unlock = await mutex.acquire();
  try {
    await task();
  } finally {
    await flush();
    unlock();
  }
}
`,
      errors: [{ messageId: 'releaseMissingOnThrow', data: { lock: 'mutex', line: '10', throwingCall: 'await flush()' }, line: 6, column: 24, suggestions: [] }],
    },
    {
      name: 'early return while held',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
let count = 0;
export function bump(limit: number): boolean {
  lock.acquire();
  if (count >= limit) return false;
  count += 1;
  lock.release();
  return true;
}
`,
      errors: [
        {
          messageId: 'releaseMissingOnReturn',
          data: { lock: 'lock', line: '7' },
          line: 6,
          column: 3,
          endLine: 6,
          endColumn: 17,
          // The release in the middle of the block would run twice inside a try/finally: no suggestion.
          suggestions: [],
        },
      ],
    },
    {
      name: 'break out of the loop that took the lock',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
let n = 0;
export function spin(limit: number): void {
  while (true) {
    lock.acquire();
    n += 1;
    if (n > limit) break;
    lock.release();
  }
}
`,
      errors: [
        { messageId: 'releaseMissingOnBreak', data: { lock: 'lock', line: '9' }, line: 7, column: 5, 
          suggestions: [
            { messageId: 'useUsingDeclaration', data: { lock: 'lock', declaration: 'using _lock = lock.hold();' }, output: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
let n = 0;
export function spin(limit: number): void {
  while (true) {
    using _lock = lock.hold();
    n += 1;
    if (n > limit) break;
  }
}
` },
            { messageId: 'wrapInTryFinally', data: { release: 'lock.release();' }, output: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
let n = 0;
export function spin(limit: number): void {
  while (true) {
    lock.acquire();
    try {
      n += 1;
      if (n > limit) break;
    } finally {
      lock.release();
    }
  }
}
` },
          ],
        },
      ],
    },
    {
      name: 'continue skips the release',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
let n = 0;
export function each(values: number[]): void {
  for (const value of values) {
    lock.acquire();
    if (value < 0) continue;
    n += value;
    lock.release();
  }
}
`,
      errors: [
        { messageId: 'releaseMissingOnContinue', data: { lock: 'lock', line: '8' }, line: 7, column: 5, 
          suggestions: [
            { messageId: 'useUsingDeclaration', data: { lock: 'lock', declaration: 'using _lock = lock.hold();' }, output: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
let n = 0;
export function each(values: number[]): void {
  for (const value of values) {
    using _lock = lock.hold();
    if (value < 0) continue;
    n += value;
  }
}
` },
            { messageId: 'wrapInTryFinally', data: { release: 'lock.release();' }, output: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
let n = 0;
export function each(values: number[]): void {
  for (const value of values) {
    lock.acquire();
    try {
      if (value < 0) continue;
      n += value;
    } finally {
      lock.release();
    }
  }
}
` },
          ],
        },
      ],
    },
    {
      name: 'labelled break out of the outer loop',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
let n = 0;
export function grid(rows: number[][]): void {
  outer: for (const row of rows) {
    lock.acquire();
    for (const cell of row) {
      if (cell < 0) break outer;
      n += cell;
    }
    lock.release();
  }
}
`,
      errors: [
        { messageId: 'releaseMissingOnBreak', data: { lock: 'lock', line: '9' }, line: 7, column: 5, 
          suggestions: [
            { messageId: 'useUsingDeclaration', data: { lock: 'lock', declaration: 'using _lock = lock.hold();' }, output: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
let n = 0;
export function grid(rows: number[][]): void {
  outer: for (const row of rows) {
    using _lock = lock.hold();
    for (const cell of row) {
      if (cell < 0) break outer;
      n += cell;
    }
  }
}
` },
            { messageId: 'wrapInTryFinally', data: { release: 'lock.release();' }, output: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
let n = 0;
export function grid(rows: number[][]): void {
  outer: for (const row of rows) {
    lock.acquire();
    try {
      for (const cell of row) {
        if (cell < 0) break outer;
        n += cell;
      }
    } finally {
      lock.release();
    }
  }
}
` },
          ],
        },
      ],
    },
    {
      name: 'an explicit throw while held',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
let total = 0;
export function add(value: number): void {
  lock.acquire();
  if (value < 0) throw new RangeError('negative');
  total += value;
  lock.release();
}
`,
      errors: [
        {
          messageId: 'releaseMissingOnThrow',
          data: { lock: 'lock', line: '7', throwingCall: "throw new RangeError('negative');" },
          line: 6,
          column: 3,
          suggestions: [
            {
              messageId: 'useUsingDeclaration',
              data: { lock: 'lock', declaration: 'using _lock = lock.hold();' },
              output: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
let total = 0;
export function add(value: number): void {
  using _lock = lock.hold();
  if (value < 0) throw new RangeError('negative');
  total += value;
}
`,
            },
            {
              messageId: 'wrapInTryFinally',
              data: { release: 'lock.release();' },
              output: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
let total = 0;
export function add(value: number): void {
  lock.acquire();
  try {
    if (value < 0) throw new RangeError('negative');
    total += value;
  } finally {
    lock.release();
  }
}
`,
            },
          ],
        },
      ],
    },
    {
      name: 'a call between acquire and release, no finally',
      code: `
import { Lock } from '@lockstep/primitives';
export class Store {
  readonly #lock = new Lock();
  readonly #items: string[] = [];
  add(item: string): void {
    this.#lock.acquire();
    const key = item.trim();
    this.#items.push(key);
    this.#lock.release();
  }
}
`,
      errors: [
        {
          messageId: 'releaseMissingOnThrow',
          data: { lock: 'this.#lock', line: '8', throwingCall: 'item.trim()' },
          line: 7,
          column: 5,
          suggestions: [
            {
              messageId: 'useUsingDeclaration',
              data: { lock: 'this.#lock', declaration: 'using _lock = this.#lock.hold();' },
              output: `
import { Lock } from '@lockstep/primitives';
export class Store {
  readonly #lock = new Lock();
  readonly #items: string[] = [];
  add(item: string): void {
    using _lock = this.#lock.hold();
    const key = item.trim();
    this.#items.push(key);
  }
}
`,
            },
            {
              messageId: 'wrapInTryFinally',
              data: { release: 'this.#lock.release();' },
              output: `
import { Lock } from '@lockstep/primitives';
export class Store {
  readonly #lock = new Lock();
  readonly #items: string[] = [];
  add(item: string): void {
    this.#lock.acquire();
    try {
      const key = item.trim();
      this.#items.push(key);
    } finally {
      this.#lock.release();
    }
  }
}
`,
            },
          ],
        },
      ],
    },
    {
      name: 'an await between acquireAsync and release',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
let value = 0;
export async function refresh(load: () => Promise<number>): Promise<void> {
  await lock.acquireAsync();
  value = await load();
  lock.release();
}
`,
      errors: [
        {
          messageId: 'releaseMissingOnThrow',
          data: { lock: 'lock', line: '7', throwingCall: 'load()' },
          line: 6,
          column: 9,
          suggestions: [
            {
              messageId: 'useUsingDeclaration',
              data: { lock: 'lock', declaration: 'await using _lock = await lock.holdAsync();' },
              output: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
let value = 0;
export async function refresh(load: () => Promise<number>): Promise<void> {
  await using _lock = await lock.holdAsync();
  value = await load();
}
`,
            },
            {
              messageId: 'wrapInTryFinally',
              data: { release: 'lock.release();' },
              output: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
let value = 0;
export async function refresh(load: () => Promise<number>): Promise<void> {
  await lock.acquireAsync();
  try {
    value = await load();
  } finally {
    lock.release();
  }
}
`,
            },
          ],
        },
      ],
    },
    {
      name: 'an await alone between async-mutex acquire and its release function',
      code: `
import { Mutex } from 'async-mutex';
const mutex = new Mutex();
let value = 0;
export async function refresh(next: Promise<number>): Promise<void> {
  const release = await mutex.acquire();
  value = await next;
  release();
}
`,
      errors: [
        {
          messageId: 'releaseMissingOnThrow',
          data: { lock: 'mutex', line: '7', throwingCall: 'await next' },
          line: 6,
          column: 25,
          suggestions: [
            {
              messageId: 'wrapInTryFinally',
              data: { release: 'release();' },
              output: `
import { Mutex } from 'async-mutex';
const mutex = new Mutex();
let value = 0;
export async function refresh(next: Promise<number>): Promise<void> {
  const release = await mutex.acquire();
  try {
    value = await next;
  } finally {
    release();
  }
}
`,
            },
          ],
        },
      ],
    },
    {
      name: 'a switch case returning while held',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
let state = 0;
export function step(kind: 'a' | 'b'): number {
  lock.acquire();
  switch (kind) {
    case 'a':
      state += 1;
      break;
    case 'b':
      return state;
  }
  lock.release();
  return state;
}
`,
      errors: [{ messageId: 'releaseMissingOnReturn', data: { lock: 'lock', line: '12' }, line: 6, column: 3 }],
    },
    {
      name: 'the function ends holding the lock',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
let state = 0;
export function forget(): void {
  lock.acquire();
  state += 1;
}
`,
      errors: [
        {
          messageId: 'releaseMissingAtEnd',
          data: { lock: 'lock', line: '8' },
          line: 6,
          column: 3,
          suggestions: [
            {
              messageId: 'useUsingDeclaration',
              data: { lock: 'lock', declaration: 'using _lock = lock.hold();' },
              output: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
let state = 0;
export function forget(): void {
  using _lock = lock.hold();
  state += 1;
}
`,
            },
            {
              messageId: 'wrapInTryFinally',
              data: { release: 'lock.release();' },
              output: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
let state = 0;
export function forget(): void {
  lock.acquire();
  try {
    state += 1;
  } finally {
    lock.release();
  }
}
`,
            },
          ],
        },
      ],
    },
    {
      name: 'a tryAcquire branch that never releases',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
let hits = 0;
export function poll(): boolean {
  if (lock.tryAcquire()) {
    hits += 1;
    return true;
  }
  return false;
}
`,
      errors: [{ messageId: 'releaseMissingOnReturn', data: { lock: 'lock', line: '8' }, line: 6, column: 7, suggestions: [] }],
    },
    {
      name: 'a release in the catch only: the normal path returns held',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
export function work(f: () => void): void {
  lock.acquire();
  try {
    f();
  } catch (error) {
    lock.release();
    throw error;
  }
}
`,
      errors: [{ messageId: 'releaseMissingAtEnd', data: { lock: 'lock', line: '12' }, line: 5, column: 3 }],
    },
    {
      name: 'a lock parameter typed as any is recognised by its name only',
      code: `
export function guarded(dbLock: any, f: () => void): void {
  dbLock.acquire();
  f();
  dbLock.release();
}
`,
      errors: [
        {
          messageId: 'releaseMissingOnThrowGuessed',
          data: { lock: 'dbLock', line: '4', throwingCall: 'f()' },
          line: 3,
          column: 3,
          suggestions: [
            {
              messageId: 'wrapInTryFinally',
              data: { release: 'dbLock.release();' },
              output: `
export function guarded(dbLock: any, f: () => void): void {
  dbLock.acquire();
  try {
    f();
  } finally {
    dbLock.release();
  }
}
`,
            },
          ],
        },
      ],
    },
    {
      name: 'callback: an early return in the callback that owns the release function (async-mutex)',
      code: `
import { Mutex } from 'async-mutex';
interface Provider {
  send(payload: string, cb: (err: Error | null, res?: string) => void): void;
}
export class Client {
  readonly mutex = new Mutex();
  readonly cache = new Map<string, string>();
  constructor(private readonly provider: Provider) {}
  async sendRequest(payload: string, cb: (err: Error | null, res?: string) => void): Promise<void> {
    const releaseLock = await this.mutex.acquire();
    this.provider.send(payload, (err, res) => {
      if (err) return cb(err);
      this.cache.set(payload, res ?? '');
      releaseLock();
      cb(null, res);
    });
  }
}
`,
      errors: [
        {
          messageId: 'releaseMissingInCallbackOnReturn',
          data: { lock: 'this.mutex', line: '13', releaseLine: '15' },
          line: 11,
          column: 31,
          suggestions: [],
        },
      ],
    },
    {
      name: 'callback: an explicit throw in the callback that owns lock.release()',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
declare function read(path: string, cb: (err: Error | null, data: string) => void): void;
export function load(path: string, out: string[]): void {
  lock.acquire();
  read(path, (err, data) => {
    if (err) throw err;
    out.push(data);
    lock.release();
  });
}
`,
      errors: [{ messageId: 'releaseMissingInCallbackOnThrow', data: { lock: 'lock', line: '8', releaseLine: '10' }, line: 6, column: 3, suggestions: [] }],
    },
    {
      name: "callback: the callback owning a semaphore's release function runs to its end holding it",
      code: `
import { Semaphore } from 'async-mutex';
const semaphore = new Semaphore(2);
declare function fetchAll(cb: (err: Error | null, rows: string[]) => void): void;
export async function load(out: string[]): Promise<void> {
  const [, release] = await semaphore.acquire();
  fetchAll((err, rows) => {
    if (!err) {
      out.push(...rows);
      release();
    }
  });
}
`,
      errors: [{ messageId: 'releaseMissingInCallbackAtEnd', data: { lock: 'semaphore', line: '12', releaseLine: '10' }, line: 6, column: 29 }],
    },
    {
      name: 'callback: nested callbacks, the inner one owns the lock',
      code: `
import { Mutex } from 'async-mutex';
interface Db {
  query(sql: string, cb: (err: Error | null, rows: string[]) => void): void;
}
declare function open(cb: (db: Db) => void): void;
const mutex = new Mutex();
export async function rows(sql: string, done: (err: Error | null, rows?: string[]) => void): Promise<void> {
  const release = await mutex.acquire();
  open((db) => {
    db.query(sql, (err, found) => {
      if (err) return done(err);
      release();
      done(null, found);
    });
  });
}
`,
      errors: [{ messageId: 'releaseMissingInCallbackOnReturn', data: { lock: 'mutex', line: '12', releaseLine: '13' }, line: 9, column: 25 }],
    },
    {
      name: "callback: a callback inside a promise executor, returning after reject",
      code: `
import { Mutex } from 'async-mutex';
const mutex = new Mutex();
declare function read(path: string, cb: (err: Error | null, data: string) => void): void;
export async function load(path: string): Promise<string> {
  const release = await mutex.acquire();
  return new Promise((resolve, reject) => {
    read(path, (err, data) => {
      if (err) {
        reject(err);
        return;
      }
      release();
      resolve(data);
    });
  });
}
`,
      errors: [{ messageId: 'releaseMissingInCallbackOnReturn', data: { lock: 'mutex', line: '11', releaseLine: '13' }, line: 6, column: 25 }],
    },
    {
      name: 'a receiver typed any (a require() in a .ts file) is followed as untyped code: an early return',
      code: `
const Mutex = require('await-semaphore').Mutex;
export class Client {
  mutex = new Mutex();
  async update(items: string[]): Promise<void> {
    const releaseLock = await this.mutex.acquire();
    if (items.length === 0) return;
    items.length = 0;
    releaseLock();
  }
}
`,
      errors: [
        {
          messageId: 'releaseMissingOnReturnGuessed',
          data: { lock: 'this.mutex', line: '7' },
          line: 6,
          column: 31,
          suggestions: [
            {
              messageId: 'wrapInTryFinally',
              data: { release: 'releaseLock();' },
              output: `
const Mutex = require('await-semaphore').Mutex;
export class Client {
  mutex = new Mutex();
  async update(items: string[]): Promise<void> {
    const releaseLock = await this.mutex.acquire();
    try {
      if (items.length === 0) return;
      items.length = 0;
    } finally {
      releaseLock();
    }
  }
}
`,
            },
          ],
        },
      ],
    },
    {
      name: 'callback: a receiver typed any, the owning callback returns early',
      code: `
const Mutex = require('await-semaphore').Mutex;
export class Client {
  mutex = new Mutex();
  provider: any;
  async sendRequest(payload: unknown, cb: (err: unknown, res?: unknown) => void): Promise<void> {
    const releaseLock = await this.mutex.acquire();
    this.provider.send(payload, (err: unknown, res: unknown) => {
      if (err) return cb(err);
      releaseLock();
      cb(null, res);
    });
  }
}
`,
      errors: [{ messageId: 'releaseMissingInCallbackOnReturnGuessed', data: { lock: 'this.mutex', line: '9', releaseLine: '10' }, line: 7, column: 31 }],
    },
  ],
});

const untypedRuleTester = createUntypedRuleTester();

// The same code, without type information and with every receiver typed `any` (parameters without a
// type, `this.mutex` of no declared type): the recogniser's name-based fallback and the rule's own one
// must give the same reports.
const guessedValid: ValidTestCase<Options>[] = [
  {
    name: 'try/finally, recognised by name',
    code: `
export function save(accountsLock, items) {
  accountsLock.acquire();
  try {
    items.push(1);
  } finally {
    accountsLock.release();
  }
}
`,
  },
  {
    name: 'a receiver whose name is not a lock',
    code: `
export function take(pool) {
  pool.acquire();
  return pool.size;
}
`,
  },
  {
    name: 'an awaited acquisition whose release function is called in finally',
    code: `
export async function save(mutex, items) {
  const release = await mutex.acquire();
  try {
    items.push(await load());
  } finally {
    release();
  }
}
`,
  },
  {
    name: 'lock()/unlock() of the fallback, nothing between can throw',
    code: `
let n = 0;
export function bump(this: { stateMutex: any }) {
  this.stateMutex.lock();
  n += 1;
  this.stateMutex.unlock();
}
`,
  },
  {
    name: 'callback: a callback that releases on every path, guessed',
    code: `
export async function send(stateMutex, provider, payload, cb) {
  const release = await stateMutex.acquire();
  provider.send(payload, (err, res) => {
    release();
    if (err) return cb(err);
    cb(null, res);
  });
}
`,
  },
  {
    name: 'callback: .then(ok, failed) releasing in both, guessed',
    code: `
export function save(dbLock, write) {
  dbLock.acquire();
  write().then(() => dbLock.release(), () => dbLock.release());
}
`,
  },
  {
    name: 'callback: a callback that may run many times (emitter.on, setInterval) releasing on one run is a hand-off',
    code: `
export async function drain(queueMutex, stream, out) {
  const release = await queueMutex.acquire();
  stream.on('data', (chunk) => {
    out.push(chunk);
    if (chunk === null) release();
  });
}
export function poll(stateLock, ready) {
  stateLock.acquire();
  const timer = setInterval(() => {
    if (!ready()) return;
    clearInterval(timer);
    stateLock.release();
  }, 10);
}
`,
  },
  {
    name: 'a wake lock (Android PowerManager.WakeLock, the Screen Wake Lock API) held on purpose is not a lock',
    code: `
export class RunnerService {
  initializeExecutionWindow(powerManager, timeout) {
    this.wakeLock = powerManager.newWakeLock(1, 'RunnerService');
    this.wakeLock.acquire(timeout);
    this.startTimer(timeout);
  }
}
export async function keepScreenOn(navigator, render) {
  const wake_lock = await navigator.wakeLock.request('screen');
  await render();
  wake_lock.release();
}
`,
  },
  {
    name: 'callback: this.lock released in a function expression, whose this is another object, is a hand-off',
    code: `
export class Store {
  save(write) {
    this.stateLock.acquire();
    write(function () {
      if (this.skip) return;
      this.stateLock.release();
    });
  }
}
`,
  },
];

const guessedInvalid: InvalidTestCase<MessageId, Options>[] = [
  {
    name: 'an early return, guessed',
    code: `
export function save(accountsLock, items) {
  accountsLock.acquire();
  if (items.length === 0) return;
  items.length = 0;
  accountsLock.release();
}
`,
    errors: [
      {
        messageId: 'releaseMissingOnReturnGuessed',
        data: { lock: 'accountsLock', line: '4' },
        line: 3,
        column: 3,
        suggestions: [
          {
            messageId: 'wrapInTryFinally',
            data: { release: 'accountsLock.release();' },
            output: `
export function save(accountsLock, items) {
  accountsLock.acquire();
  try {
    if (items.length === 0) return;
    items.length = 0;
  } finally {
    accountsLock.release();
  }
}
`,
          },
        ],
      },
    ],
  },
  {
    name: 'lock() with a call before unlock()',
    code: `
export function bump(stateMutex, f) {
  stateMutex.lock();
  f();
  stateMutex.unlock();
}
`,
    errors: [
      {
        messageId: 'releaseMissingOnThrowGuessed',
        data: { lock: 'stateMutex', line: '4', throwingCall: 'f()' },
        line: 3,
        column: 3,
        suggestions: [
          {
            messageId: 'wrapInTryFinally',
            data: { release: 'stateMutex.unlock();' },
            output: `
export function bump(stateMutex, f) {
  stateMutex.lock();
  try {
    f();
  } finally {
    stateMutex.unlock();
  }
}
`,
          },
        ],
      },
    ],
  },
  {
    name: 'callback: an early return in the owning callback, guessed',
    code: `
export class Client {
  async sendRequest(payload, cb) {
    const releaseLock = await this.mutex.acquire();
    this.provider.send(payload, (err, res) => {
      if (err) return cb(err);
      this.cache.set(payload.id, res);
      releaseLock();
      cb(null, res);
    });
  }
}
`,
    errors: [{ messageId: 'releaseMissingInCallbackOnReturnGuessed', data: { lock: 'this.mutex', line: '6', releaseLine: '8' }, line: 4, column: 31, suggestions: [] }],
  },
  {
    name: 'callback: an explicit throw in the owning callback, guessed',
    code: `
export function load(stateMutex, read, out) {
  stateMutex.lock();
  read((err, data) => {
    if (err) throw err;
    out.push(data);
    stateMutex.unlock();
  });
}
`,
    errors: [{ messageId: 'releaseMissingInCallbackOnThrowGuessed', data: { lock: 'stateMutex', line: '5', releaseLine: '7' }, line: 3, column: 3 }],
  },
  {
    name: 'callback: an expression-bodied callback that releases on one branch ends holding the lock, guessed',
    code: `
export async function save(mutex, write) {
  const release = await mutex.acquire();
  write().then((saved) => saved && release());
}
`,
    errors: [{ messageId: 'releaseMissingInCallbackAtEndGuessed', data: { lock: 'mutex', line: '4', releaseLine: '4' }, line: 3, column: 25 }],
  },
  {
    name: 'callback: nested callbacks, guessed',
    code: `
export async function rows(mutex, open, sql, done) {
  const release = await mutex.acquire();
  open((db) => {
    db.query(sql, function (err, found) {
      if (err) return done(err);
      release();
      done(null, found);
    });
  });
}
`,
    errors: [{ messageId: 'releaseMissingInCallbackOnReturnGuessed', data: { lock: 'mutex', line: '6', releaseLine: '7' }, line: 3, column: 25 }],
  },
  {
    name: 'an early return after an awaited acquisition of this.mutex, as with a receiver typed any',
    code: `
export class Client {
  async update(items) {
    const releaseLock = await this.mutex.acquire();
    if (items.length === 0) return;
    items.length = 0;
    releaseLock();
  }
}
`,
    errors: [
      {
        messageId: 'releaseMissingOnReturnGuessed',
        data: { lock: 'this.mutex', line: '5' },
        line: 4,
        column: 31,
        suggestions: [
          {
            messageId: 'wrapInTryFinally',
            data: { release: 'releaseLock();' },
            output: `
export class Client {
  async update(items) {
    const releaseLock = await this.mutex.acquire();
    try {
      if (items.length === 0) return;
      items.length = 0;
    } finally {
      releaseLock();
    }
  }
}
`,
          },
        ],
      },
    ],
  },
];

untypedRuleTester.run('no-unreleased-lock (no type information)', rule, { valid: guessedValid, invalid: guessedInvalid });

ruleTester.run('no-unreleased-lock (receivers typed any)', rule, { valid: guessedValid, invalid: guessedInvalid });
