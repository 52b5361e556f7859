import rule from '../../src/rules/no-cyclic-lock-order.js';
import { createTypedRuleTester, createUntypedRuleTester } from '../rule-tester.js';

const ruleTester = createTypedRuleTester();

ruleTester.run('no-cyclic-lock-order', rule, {
  valid: [
    {
      name: 'two instances of one lock class nested in an order the code declares',
      code: `
import { Lock } from '@lockstep/primitives';
class Account {
  readonly lock = new Lock();
  constructor(readonly id: number) {}
}
export function transfer(from: Account, to: Account): void {
  const [first, second] = from.id < to.id ? [from, to] : [to, from];
  using _first = first.lock.hold();
  using _second = second.lock.hold(); // lockstep-ordered: by account id
}
`,
    },
    {
      name: 'an RLock re-entered through the same instance',
      code: `
import { RLock } from '@lockstep/primitives';
class Table {
  readonly lock = new RLock();
  get(): void {
    using _ = this.lock.hold();
  }
  getAll(): void {
    using _ = this.lock.hold();
    this.get();
  }
}
`,
    },
    {
      name: 'two functions taking two locks in the same order',
      code: `
import { Lock } from '@lockstep/primitives';
const a = new Lock();
const b = new Lock();
export function first(): void {
  a.acquire();
  b.acquire();
  b.release();
  a.release();
}
export function second(): void {
  using _a = a.hold();
  using _b = b.hold();
}
`,
    },
    {
      name: 'an inversion serialised by a gate lock held on both orders',
      code: `
import { Lock } from '@lockstep/primitives';
const gate = new Lock();
const a = new Lock();
const b = new Lock();
export function first(): void {
  using _gate = gate.hold();
  using _a = a.hold();
  using _b = b.hold();
}
export function second(): void {
  using _gate = gate.hold();
  using _b = b.hold();
  using _a = a.hold();
}
`,
    },
    {
      name: 'an RLock re-entered by its owner through a call',
      code: `
import { Lock, RLock } from '@lockstep/primitives';
const table = new RLock();
const journal = new Lock();
function append(): void {
  using _table = table.hold();
  using _journal = journal.hold();
}
export function batch(): void {
  using _table = table.hold();
  append();
  append();
}
`,
    },
    {
      name: 'an RLock re-entered by its owner while it holds another lock',
      code: `
import { Lock, RLock } from '@lockstep/primitives';
const outer = new RLock();
const inner = new Lock();
export function nested(): void {
  outer.acquire();
  inner.acquire();
  outer.acquire();
  outer.release();
  inner.release();
  outer.release();
}
`,
    },
    {
      name: 'the reverse order taken with a try-lock, which gives up instead of waiting',
      code: `
import { Lock } from '@lockstep/primitives';
const a = new Lock();
const b = new Lock();
export function first(): void {
  using _a = a.hold();
  using _b = b.hold();
}
export function second(): void {
  using _b = b.hold();
  if (a.tryAcquire()) a.release();
}
`,
    },
    {
      name: 'the reverse order taken with a timed acquisition, which cannot wait forever',
      code: `
import { Lock } from '@lockstep/primitives';
const a = new Lock();
const b = new Lock();
export function first(): void {
  using _a = a.hold();
  using _b = b.hold();
}
export function second(): void {
  using _b = b.hold();
  if (a.acquire({ timeout: 100 })) a.release();
}
`,
    },
    {
      name: 'the fixture project locks taken in the order the project uses',
      code: `
import { accountsLock, ledgerLock } from './bank-locks.js';
export function audit(): void {
  using _accounts = accountsLock.hold();
  using _ledger = ledgerLock.hold();
}
`,
    },
    {
      name: 'an inversion of a class not declared as a lock type is not a lock',
      code: `
class JobLock {
  lock(): void {}
  unlock(): void {}
}
const a = new JobLock();
const b = new JobLock();
export function first(): void {
  a.lock();
  b.lock();
}
export function second(): void {
  b.lock();
  a.lock();
}
`,
    },
  ],
  invalid: [
    {
      name: 'two instances of one lock class nested in argument order (recursive locking)',
      code: `
import { Lock } from '@lockstep/primitives';
class Account {
  readonly lock = new Lock();
}
export function transfer(from: Account, to: Account): void {
  using _from = from.lock.hold();
  using _to = to.lock.hold();
}
`,
      errors: [{ messageId: 'nestedLockInstances', data: { lock: 'Account.lock', first: 'file.ts:7' }, line: 8, column: 15, endLine: 8, endColumn: 29 }],
    },
    {
      name: 'another instance taken by a method of another object called while holding ours: reported at the call',
      code: `
import { Mutex } from 'async-mutex';
export class Node {
  readonly mutex = new Mutex();
  readonly children: Node[] = [];
  async update(): Promise<void> {
    await this.mutex.runExclusive(async () => {
      for (const child of this.children) await child.update();
    });
  }
}
`,
      errors: [{ messageId: 'nestedLockInstances', data: { lock: 'Node.mutex', first: 'file.ts:7' }, line: 8, column: 48, endLine: 8, endColumn: 62 }],
    },
    {
      name: 'a two-lock inversion in one file, reported at both acquisitions',
      code: `
import { Lock } from '@lockstep/primitives';
const a = new Lock();
const b = new Lock();
export function first(): void {
  a.acquire();
  b.acquire();
  b.release();
  a.release();
}
export function second(): void {
  b.acquire();
  a.acquire();
  a.release();
  b.release();
}
`,
      errors: [
        { messageId: 'cyclicLockOrder', data: { lock: 'b', held: 'a', cycle: 'a → b → a', others: 'file.ts:13' }, line: 7, column: 3, endLine: 7, endColumn: 14 },
        { messageId: 'cyclicLockOrder', data: { lock: 'a', held: 'b', cycle: 'b → a → b', others: 'file.ts:7' }, line: 13, column: 3, endLine: 13, endColumn: 14 },
      ],
    },
    {
      name: 'a three-lock cycle, reported at each of its three acquisitions',
      code: `
import { Lock } from '@lockstep/primitives';
const a = new Lock();
const b = new Lock();
const c = new Lock();
export function ab(): void {
  using _a = a.hold();
  using _b = b.hold();
}
export function bc(): void {
  using _b = b.hold();
  using _c = c.hold();
}
export function ca(): void {
  using _c = c.hold();
  using _a = a.hold();
}
`,
      errors: [
        { messageId: 'cyclicLockOrder', data: { lock: 'b', held: 'a', cycle: 'a → b → c → a', others: 'file.ts:12, file.ts:16' }, line: 8, column: 14, endLine: 8, endColumn: 22 },
        { messageId: 'cyclicLockOrder', data: { lock: 'c', held: 'b', cycle: 'b → c → a → b', others: 'file.ts:16, file.ts:8' }, line: 12, column: 14, endLine: 12, endColumn: 22 },
        { messageId: 'cyclicLockOrder', data: { lock: 'a', held: 'c', cycle: 'c → a → b → c', others: 'file.ts:8, file.ts:12' }, line: 16, column: 14, endLine: 16, endColumn: 22 },
      ],
    },
    {
      name: 'an inversion of an order set in another file of the project, reported in this file only',
      code: `
import { accountsLock, ledgerLock } from './bank-locks.js';
export function reverseTransfer(): void {
  using _ledger = ledgerLock.hold();
  using _accounts = accountsLock.hold();
}
`,
      errors: [
        {
          messageId: 'cyclicLockOrder',
          data: { lock: 'accountsLock', held: 'ledgerLock', cycle: 'ledgerLock → accountsLock → ledgerLock', others: 'transfer.ts:7' },
          line: 5,
          column: 21,
          endLine: 5,
          endColumn: 40,
        },
      ],
    },
    {
      name: 'a helper closing both edges of a cycle with the locks its callers pass, reported once',
      code: `
import { Lock } from '@lockstep/primitives';
const journal = new Lock();
const ledger = new Lock();
function withBoth(first: Lock, second: Lock): void {
  using _first = first.hold();
  using _second = second.hold();
}
export function post(): void { withBoth(journal, ledger); }
export function reconcile(): void { withBoth(ledger, journal); }
`,
      errors: [
        { messageId: 'cyclicLockOrder', data: { lock: 'ledger', held: 'journal', cycle: 'journal → ledger → journal', others: 'file.ts:7' }, line: 7, column: 19, endLine: 7, endColumn: 32 },
      ],
    },
    {
      name: 'a cycle through a counting semaphore',
      code: `
import { Lock, Semaphore } from '@lockstep/primitives';
const pool = new Semaphore(2);
const a = new Lock();
export function first(): void {
  using _pool = pool.hold();
  using _a = a.hold();
}
export function second(): void {
  using _a = a.hold();
  using _pool = pool.hold();
}
`,
      errors: [
        { messageId: 'cyclicSemaphoreOrder', data: { lock: 'a', held: 'pool', cycle: 'pool → a → pool', others: 'file.ts:11' }, line: 7, column: 14, endLine: 7, endColumn: 22 },
        { messageId: 'cyclicSemaphoreOrder', data: { lock: 'pool', held: 'a', cycle: 'a → pool → a', others: 'file.ts:7' }, line: 11, column: 17, endLine: 11, endColumn: 28 },
      ],
    },
    {
      name: "a user's lock class declared in settings.lockstep.lockTypes",
      settings: { lockstep: { lockTypes: [{ name: 'JobLock', acquire: ['lock'], release: ['unlock'] }] } },
      code: `
class JobLock {
  lock(): void {}
  unlock(): void {}
}
const a = new JobLock();
const b = new JobLock();
export function first(): void {
  a.lock();
  b.lock();
}
export function second(): void {
  b.lock();
  a.lock();
}
`,
      errors: [
        { messageId: 'cyclicLockOrder', data: { lock: 'b', held: 'a', cycle: 'a → b → a', others: 'file.ts:14' }, line: 10, column: 3, endLine: 10, endColumn: 11 },
        { messageId: 'cyclicLockOrder', data: { lock: 'a', held: 'b', cycle: 'b → a → b', others: 'file.ts:10' }, line: 14, column: 3, endLine: 14, endColumn: 11 },
      ],
    },
  ],
});

// Without a project the rule analyses the linted file alone and recognises locks by name.
createUntypedRuleTester().run('no-cyclic-lock-order (no type information)', rule, {
  valid: [
    {
      name: 'plain JavaScript taking two locks in one order',
      filename: 'plain.js',
      code: `
const accountsLock = makeLock();
const ledgerLock = makeLock();
export function first() {
  accountsLock.acquire();
  ledgerLock.acquire();
  ledgerLock.release();
  accountsLock.release();
}
export function second() {
  accountsLock.acquire();
  ledgerLock.acquire();
  ledgerLock.release();
  accountsLock.release();
}
`,
    },
    {
      name: 'receivers whose names do not say lock',
      filename: 'plain.js',
      code: `
const clock = makeLock();
const blockSize = makeLock();
export function first() {
  clock.acquire();
  blockSize.acquire();
}
export function second() {
  blockSize.acquire();
  clock.acquire();
}
`,
    },
  ],
  invalid: [
    {
      name: 'plain JavaScript inverting two locks recognised by name: the message says it guessed',
      filename: 'plain.js',
      code: `
const accountsLock = makeLock();
const ledgerLock = makeLock();
export function first() {
  accountsLock.acquire();
  ledgerLock.acquire();
  ledgerLock.release();
  accountsLock.release();
}
export function second() {
  ledgerLock.acquire();
  accountsLock.acquire();
  accountsLock.release();
  ledgerLock.release();
}
`,
      errors: [
        {
          messageId: 'cyclicLockOrderGuessed',
          data: { lock: 'ledgerLock', held: 'accountsLock', cycle: 'accountsLock → ledgerLock → accountsLock', others: 'plain.js:12' },
          line: 6,
          column: 3,
          endLine: 6,
          endColumn: 23,
        },
        {
          messageId: 'cyclicLockOrderGuessed',
          data: { lock: 'accountsLock', held: 'ledgerLock', cycle: 'ledgerLock → accountsLock → ledgerLock', others: 'plain.js:6' },
          line: 12,
          column: 3,
          endLine: 12,
          endColumn: 25,
        },
      ],
    },
  ],
});
