import rule from '../../src/rules/no-double-acquire.js';
import { createTypedRuleTester, createUntypedRuleTester } from '../rule-tester.js';

const ruleTester = createTypedRuleTester();

ruleTester.run('no-double-acquire', rule, {
  valid: [
    {
      name: 'a lock a helper leaks on one early return only: the leak is no-unreleased-lock\'s finding, not a second one here',
      code: `
import { Lock } from '@lockstep/primitives';
const jobsLock = new Lock();
const pending: string[] = [];
let accepting = true;
export async function submit(job: string): Promise<boolean> {
  await jobsLock.acquireAsync();
  if (!accepting) return false;
  pending.push(job);
  jobsLock.release();
  return true;
}
export async function submitBoth(first: string, second: string): Promise<void> {
  await submit(first);
  await submit(second);
}
`,
    },
    {
      name: 'an RLock re-entered by its owner in the same function',
      code: `
import { RLock } from '@lockstep/primitives';
const table = new RLock();
export function update(): void {
  table.acquire();
  table.acquire();
  table.release();
  table.release();
}
`,
    },
    {
      name: 'an RLock re-entered by its owner through a call',
      code: `
import { RLock } from '@lockstep/primitives';
export class Registry {
  readonly #entries = new Map<string, number>();
  private readonly lock = new RLock();
  set(key: string, value: number): void {
    using _ = this.lock.hold();
    this.#entries.set(key, value);
  }
  setAll(values: ReadonlyMap<string, number>): void {
    using _ = this.lock.hold();
    for (const [key, value] of values) this.set(key, value);
  }
}
`,
    },
    {
      name: 'a Lock released before it is taken again',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
export function twoSteps(): void {
  lock.acquire();
  lock.release();
  lock.acquire();
  lock.release();
}
`,
    },
    {
      name: 'two instances of one class: the same field, two locks',
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
      name: 'a timed acquisition while held gives up instead of waiting forever',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
export function probe(): boolean {
  using _ = lock.hold();
  if (lock.acquire({ timeout: 50 })) {
    lock.release();
    return true;
  }
  return false;
}
`,
    },
    {
      name: 'a try-lock while held fails instead of waiting',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
export function isFree(): boolean {
  using _ = lock.hold();
  return lock.tryAcquire();
}
`,
    },
    {
      name: 'an acquireAsync that is not awaited does not wait here',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
export async function later(): Promise<void> {
  await lock.acquireAsync();
  const next = lock.acquireAsync();
  lock.release();
  await next;
  lock.release();
}
`,
    },
    {
      name: 'a lock taken in a timer callback scheduled while it is held runs after it is released',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
export function schedule(): void {
  using _ = lock.hold();
  setTimeout(() => {
    using _later = lock.hold();
  }, 10);
}
`,
    },
    {
      name: 'a Semaphore(2) taken twice by one context: it has a permit left',
      code: `
import { Semaphore } from '@lockstep/primitives';
const pool = new Semaphore(2);
export function pair(): void {
  using _first = pool.hold();
  using _second = pool.hold();
}
`,
    },
    {
      name: "a user's lock class declared reentrant in settings.lockstep.lockTypes",
      settings: { lockstep: { lockTypes: [{ name: 'JobLock', flavor: 'reentrant', acquire: ['lock'], release: ['unlock'] }] } },
      code: `
class JobLock {
  lock(): void {}
  unlock(): void {}
}
const jobs = new JobLock();
export function run(): void {
  jobs.lock();
  jobs.lock();
  jobs.unlock();
  jobs.unlock();
}
`,
    },
  ],
  invalid: [
    {
      name: 'a function of another file taking the held lock again is reported at the call made while holding it, here',
      code: `
import { accountsLock } from './bank-locks.js';
import { recordTransfer } from './transfer.js';
export function audit(ledger: string[]): void {
  using _accounts = accountsLock.hold();
  recordTransfer('a', 'b', 1, ledger);
}
`,
      errors: [{ messageId: 'doubleAcquireThroughCall', data: { lock: 'accountsLock', first: 'file.ts:5', chain: 'audit → recordTransfer' }, line: 6, column: 3, endLine: 6, endColumn: 38 }],
    },
    {
      name: 'a Lock taken twice in one function',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
export function twice(): void {
  lock.acquire();
  lock.acquire();
  lock.release();
  lock.release();
}
`,
      errors: [{ messageId: 'doubleAcquire', data: { lock: 'lock', first: 'file.ts:5', chain: '' }, line: 6, column: 3, endLine: 6, endColumn: 17 }],
    },
    {
      name: 'a public method calling another public method that takes the same lock',
      code: `
import { Lock } from '@lockstep/primitives';
export class Cache {
  readonly #items = new Map<string, string>();
  private readonly lock = new Lock();
  put(key: string, value: string): void {
    using _ = this.lock.hold();
    this.#items.set(key, value);
  }
  putAll(entries: ReadonlyMap<string, string>): void {
    using _ = this.lock.hold();
    for (const [key, value] of entries) this.put(key, value);
  }
}
`,
      errors: [
        // At the call made while holding the lock: put() is innocent when called without it.
        { messageId: 'doubleAcquireThroughCall', data: { lock: 'Cache.lock', first: 'file.ts:11', chain: 'Cache.putAll → Cache.put' }, line: 12, column: 41, endLine: 12, endColumn: 61 },
      ],
    },
    {
      name: 'an awaited async call that takes the held lock again',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
async function save(): Promise<void> {
  await lock.acquireAsync();
  lock.release();
}
export async function saveAll(): Promise<void> {
  await lock.acquireAsync();
  try {
    await save();
  } finally {
    lock.release();
  }
}
`,
      errors: [{ messageId: 'doubleAcquireThroughCall', data: { lock: 'lock', first: 'file.ts:9', chain: 'saveAll → save' }, line: 11, column: 11, endLine: 11, endColumn: 17 }],
    },
    {
      name: 'a helper that returns holding the lock on every exit, then the lock taken again',
      code: `
import { Lock } from '@lockstep/primitives';
const ledgerLock = new Lock();
function lockLedger(): void {
  ledgerLock.acquire();
}
export function close(): void {
  lockLedger();
  ledgerLock.acquire();
}
`,
      errors: [{ messageId: 'doubleAcquire', data: { lock: 'ledgerLock', first: 'file.ts:5', chain: '' }, line: 9, column: 3, endLine: 9, endColumn: 23 }],
    },
    {
      name: 'a Semaphore(1) taken twice',
      code: `
import { Semaphore } from '@lockstep/primitives';
const gate = new Semaphore(1);
export function twice(): void {
  using _outer = gate.hold();
  using _inner = gate.hold();
}
`,
      errors: [{ messageId: 'doubleAcquire', data: { lock: 'gate', first: 'file.ts:5', chain: '' }, line: 6, column: 18, endLine: 6, endColumn: 29 }],
    },
    {
      name: 'nested runExclusive on one async-mutex Mutex',
      code: `
import { Mutex } from 'async-mutex';
const mutex = new Mutex();
export async function refresh(): Promise<void> {
  await mutex.runExclusive(async () => {
    await mutex.runExclusive(async () => {});
  });
}
`,
      errors: [{ messageId: 'doubleAcquire', data: { lock: 'mutex', first: 'file.ts:5', chain: '' }, line: 6, column: 11, endLine: 6, endColumn: 45 }],
    },
    {
      name: "a user's lock class declared in settings.lockstep.lockTypes",
      settings: { lockstep: { lockTypes: [{ name: 'JobLock', acquire: ['lock'], release: ['unlock'] }] } },
      code: `
class JobLock {
  lock(): void {}
  unlock(): void {}
}
const jobs = new JobLock();
export function run(): void {
  jobs.lock();
  jobs.lock();
}
`,
      errors: [{ messageId: 'doubleAcquire', data: { lock: 'jobs', first: 'file.ts:8', chain: '' }, line: 9, column: 3, endLine: 9, endColumn: 14 }],
    },
  ],
});

// Without a project the rule analyses the linted file alone and recognises locks by name.
createUntypedRuleTester().run('no-double-acquire (no type information)', rule, {
  valid: [
    {
      name: 'plain JavaScript releasing before taking again',
      filename: 'plain.js',
      code: `
const cacheLock = makeLock();
export function twoSteps() {
  cacheLock.acquire();
  cacheLock.release();
  cacheLock.acquire();
  cacheLock.release();
}
`,
    },
    {
      name: 'a receiver whose name does not say lock',
      filename: 'plain.js',
      code: `
const clock = makeClock();
export function twice() {
  clock.acquire();
  clock.acquire();
}
`,
    },
    {
      name: 'a receiver named as a reentrant lock (its name says reentrant)',
      filename: 'plain.js',
      code: `
const tableReentrantLock = makeLock();
export function twice() {
  tableReentrantLock.acquire();
  tableReentrantLock.acquire();
  tableReentrantLock.release();
  tableReentrantLock.release();
}
`,
    },
  ],
  invalid: [
    {
      name: 'plain JavaScript taking a lock recognised by name twice: the message says it guessed',
      filename: 'plain.js',
      code: `
const cacheLock = makeLock();
export function twice() {
  cacheLock.acquire();
  cacheLock.acquire();
  cacheLock.release();
  cacheLock.release();
}
`,
      errors: [{ messageId: 'doubleAcquireGuessed', data: { lock: 'cacheLock', first: 'plain.js:4', chain: '' }, line: 5, column: 3, endLine: 5, endColumn: 22 }],
    },
    {
      name: 'plain JavaScript re-acquiring through a call, guessed',
      filename: 'plain.js',
      code: `
const cacheLock = makeLock();
function put() {
  cacheLock.acquire();
  cacheLock.release();
}
export function putAll() {
  cacheLock.acquire();
  put();
  cacheLock.release();
}
`,
      errors: [
        { messageId: 'doubleAcquireThroughCallGuessed', data: { lock: 'cacheLock', first: 'plain.js:8', chain: 'putAll → put' }, line: 9, column: 3, endLine: 9, endColumn: 8 },
      ],
    },
  ],
});
