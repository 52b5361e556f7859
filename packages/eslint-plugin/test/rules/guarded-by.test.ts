import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RuleTester } from '@typescript-eslint/rule-tester';
import rule from '../../src/rules/guarded-by.js';
import { createTypedRuleTester, createUntypedRuleTester } from '../rule-tester.js';

const ruleTester = createTypedRuleTester();

// ---- inferred: a field protected across a suspension ----------------------------------------

ruleTester.run('guarded-by (fields protected across a suspension)', rule, {
  valid: [
    {
      name: 'every write of the field holds the mutex',
      code: `
import { Mutex } from 'async-mutex';
declare function save(n: number): Promise<void>;
export class Account {
  #mutex = new Mutex();
  balance = 0;
  async deposit(n: number): Promise<void> {
    await this.#mutex.runExclusive(async () => {
      const next = this.balance + n;
      await save(next);
      this.balance = next;
    });
  }
  async reset(): Promise<void> {
    await this.#mutex.runExclusive(() => {
      this.balance = 0;
    });
  }
}
`,
    },
    {
      name: 'a lock held around writes but never across a suspension is no evidence for a field',
      code: `
import { Mutex } from 'async-mutex';
export class Counter {
  #mutex = new Mutex();
  hits = 0;
  async bump(): Promise<void> {
    await this.#mutex.runExclusive(() => {
      this.hits = this.hits + 1;
    });
  }
  clear(): void {
    this.hits = 0;
  }
}
`,
    },
    {
      name: 'initialisation in the constructor needs no lock',
      code: `
import { Mutex } from 'async-mutex';
declare function save(n: number): Promise<void>;
export class Account {
  #mutex = new Mutex();
  balance: number;
  constructor(start: number) {
    this.balance = start;
  }
  async deposit(n: number): Promise<void> {
    const release = await this.#mutex.acquire();
    try {
      const next = this.balance + n;
      await save(next);
      this.balance = next;
    } finally {
      release();
    }
  }
}
`,
    },
    {
      name: 'a private helper called only inside the critical section is guarded by its caller',
      code: `
import { Mutex } from 'async-mutex';
declare function save(n: number): Promise<void>;
export class Account {
  #mutex = new Mutex();
  balance = 0;
  async deposit(n: number): Promise<void> {
    await this.#mutex.runExclusive(async () => {
      const next = this.balance + n;
      await save(next);
      this.#apply(next);
      this.balance = next;
    });
  }
  #apply(value: number): void {
    this.balance = value;
  }
}
`,
    },
    {
      name: 'writes without the lock outnumbering those with it: the lock is no guard',
      code: `
import { Mutex } from 'async-mutex';
declare function save(n: number): Promise<void>;
export class Meter {
  #mutex = new Mutex();
  level = 0;
  async sync(): Promise<void> {
    await this.#mutex.runExclusive(async () => {
      const seen = this.level;
      await save(seen);
      this.level = seen;
    });
  }
  up(): void { this.level = 1; }
  down(): void { this.level = 0; }
}
`,
    },
  ],
  invalid: [
    {
      name: 'an unguarded reset is erased by the write-back of a deposit holding the mutex',
      code: `
import { Mutex } from 'async-mutex';
declare function save(n: number): Promise<void>;
export class Account {
  #mutex = new Mutex();
  balance = 0;
  async deposit(n: number): Promise<void> {
    await this.#mutex.runExclusive(async () => {
      const next = this.balance + n;
      await save(next);
      this.balance = next;
    });
  }
  reset(): void {
    this.balance = 0;
  }
}
`,
      errors: [{ messageId: 'unguardedWrite', line: 15, data: { state: 'Account.balance', lock: 'Account.#mutex', evidence: 'it is read, awaited across and written back under it at file.ts:11', held: '' } }],
    },
    {
      name: 'a lock held through the application’s helper counts as the guard',
      code: `
import { Mutex } from 'async-mutex';
declare function save(n: number): Promise<void>;
export class Store {
  #mutex = new Mutex();
  total = 0;
  async #withLock<T>(fn: () => Promise<T>): Promise<T> {
    return this.#mutex.runExclusive(fn);
  }
  async add(n: number): Promise<void> {
    await this.#withLock(async () => {
      const before = this.total;
      await save(before + n);
      this.total = before + n;
    });
  }
  clear(): void {
    this.total = 0;
  }
}
`,
      errors: [{ messageId: 'unguardedWrite', line: 18 }],
    },
    {
      name: 'a module variable protected by a module lock, written freely in another function',
      code: `
import { Lock } from '@lockstep/primitives';
declare function publish(n: number): Promise<void>;
const lock = new Lock();
let sequence = 0;
export async function next(): Promise<number> {
  const release = await lock.acquireAsync();
  try {
    const current = sequence;
    await publish(current);
    sequence = current + 1;
    return current;
  } finally {
    lock.release();
    void release;
  }
}
export function restart(): void {
  sequence = 0;
}
`,
      errors: [{ messageId: 'unguardedWrite', line: 19, data: { state: 'sequence', lock: 'lock', evidence: 'it is read, awaited across and written back under it at file.ts:11', held: '' } }],
    },
  ],
});

// ---- inferred: shared memory ----------------------------------------------------------------

ruleTester.run('guarded-by (shared memory)', rule, {
  valid: [
    {
      name: 'every store of the shared view holds the lock',
      code: `
import { Lock } from '@lockstep/primitives';
export class Ring {
  readonly lock = new Lock();
  readonly cells: Int32Array<SharedArrayBuffer> = new Int32Array(new SharedArrayBuffer(64));
  push(value: number): void {
    using _ = this.lock.hold();
    this.cells[0] = value;
  }
  clear(): void {
    using _ = this.lock.hold();
    this.cells[0] = 0;
  }
}
`,
    },
    {
      name: 'Atomics operations are no unguarded writes',
      code: `
import { Lock } from '@lockstep/primitives';
export class Ring {
  readonly lock = new Lock();
  readonly cells: Int32Array<SharedArrayBuffer> = new Int32Array(new SharedArrayBuffer(64));
  push(value: number): void {
    using _ = this.lock.hold();
    this.cells[0] = value;
  }
  wake(): void {
    Atomics.store(this.cells, 1, 1);
    Atomics.notify(this.cells, 1);
  }
}
`,
    },
    {
      name: 'a view over an ordinary ArrayBuffer is not shared memory',
      code: `
import { Lock } from '@lockstep/primitives';
export class Local {
  readonly lock = new Lock();
  readonly cells = new Int32Array(8);
  set(value: number): void {
    using _ = this.lock.hold();
    this.cells[0] = value;
  }
  clear(): void {
    this.cells[0] = 0;
  }
}
`,
    },
  ],
  invalid: [
    {
      name: 'a store of shared memory without the lock that guards it elsewhere',
      code: `
import { Lock } from '@lockstep/primitives';
export class Ring {
  readonly lock = new Lock();
  readonly cells: Int32Array<SharedArrayBuffer> = new Int32Array(new SharedArrayBuffer(64));
  push(value: number): void {
    using _ = this.lock.hold();
    this.cells[0] = value;
  }
  clear(): void {
    this.cells[0] = 0;
  }
}
`,
      errors: [{ messageId: 'unguardedWrite', line: 11, data: { state: 'Ring.cells', lock: 'Ring.lock', evidence: 'it is written under it at file.ts:8', held: '' } }],
    },
    {
      name: 'a read-modify-write of shared memory under a different lock',
      code: `
import { Lock } from '@lockstep/primitives';
const state = new Int32Array(new SharedArrayBuffer(16));
const stateLock = new Lock();
const statsLock = new Lock();
export function enqueue(): void {
  stateLock.acquire();
  try {
    state[0]++;
  } finally {
    stateLock.release();
  }
}
export function dequeue(): void {
  stateLock.acquire();
  try {
    state[0]--;
  } finally {
    stateLock.release();
  }
}
export function drop(): void {
  statsLock.acquire();
  try {
    state[0]--;
  } finally {
    statsLock.release();
  }
}
`,
      errors: [{ messageId: 'wrongLock', line: 25, data: { state: 'state', lock: 'stateLock', held: 'statsLock', evidence: 'it is written under it at file.ts:9' } }],
    },
  ],
});

// ---- declared -------------------------------------------------------------------------------

ruleTester.run('guarded-by (declared)', rule, {
  valid: [
    {
      name: 'a declared guard held at every write',
      code: `
import { Lock } from '@lockstep/primitives';
export class Cache {
  readonly lock = new Lock();
  /** @guardedBy lock */
  size = 0;
  grow(): void {
    using _ = this.lock.hold();
    this.size++;
  }
}
`,
    },
    {
      name: 'a @requiresLock function called with the lock held, and its writes inside',
      code: `
import { Lock } from '@lockstep/primitives';
export class Cache {
  readonly lock = new Lock();
  /** @guardedBy this.lock */
  size = 0;
  /** @requiresLock lock */
  #grow(): void {
    this.size++;
  }
  add(): void {
    using _ = this.lock.hold();
    this.#grow();
  }
}
`,
    },
  ],
  invalid: [
    {
      name: 'a write without the declared guard, with no write under it anywhere',
      code: `
import { Lock } from '@lockstep/primitives';
export class Cache {
  readonly lock = new Lock();
  /** @guardedBy lock */
  size = 0;
  clear(): void {
    this.size = 0;
  }
}
`,
      errors: [{ messageId: 'declaredUnguarded', line: 8, data: { state: 'Cache.size', lock: 'Cache.lock', evidence: 'at file.ts:5', held: '' } }],
    },
    {
      name: 'a @requiresLock function called without the lock',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
let items = 0;
/** @requiresLock lock */
function addItem(): void {
  items++;
}
export function add(): void {
  addItem();
}
export function addSafely(): void {
  using _ = lock.hold();
  addItem();
}
`,
      errors: [{ messageId: 'missingRequiredLock', line: 10, data: { function: 'addItem', lock: 'lock', declared: 'file.ts:5' } }],
    },
    {
      name: 'a tag naming no lock',
      code: `
export class Cache {
  /** @guardedBy mutex */
  size = 0;
}
`,
      errors: [{ messageId: 'unknownLock', line: 4, data: { subject: 'Cache.size', lock: 'mutex' } }],
    },
    {
      name: 'declared beats inferred: the declared lock is the guard',
      code: `
import { Lock } from '@lockstep/primitives';
export class Pair {
  readonly a = new Lock();
  readonly b = new Lock();
  /** @guardedBy b */
  readonly cells: Int32Array<SharedArrayBuffer> = new Int32Array(new SharedArrayBuffer(8));
  one(): void {
    using _ = this.a.hold();
    this.cells[0] = 1;
  }
  two(): void {
    using _ = this.a.hold();
    this.cells[0] = 2;
  }
}
`,
      errors: [
        { messageId: 'wrongLock', line: 10, data: { state: 'Pair.cells', lock: 'Pair.b', held: 'Pair.a', evidence: 'at file.ts:6' } },
        { messageId: 'wrongLock', line: 14 },
      ],
    },
  ],
});

// ---- without types --------------------------------------------------------------------------

createUntypedRuleTester().run('guarded-by (without type information)', rule, {
  valid: [
    {
      name: 'nothing is inferred without a program',
      code: `
const lock = new Lock();
let n = 0;
async function a() { await lock.acquireAsync(); const v = n; await f(); n = v + 1; lock.release(); }
function b() { n = 0; }
`,
    },
  ],
  invalid: [],
});

// ---- across files ---------------------------------------------------------------------------

const crossFileTester = new RuleTester({
  languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures-guarded-by') } },
});

crossFileTester.run('guarded-by (the guarded write in another file)', rule, {
  valid: [
    {
      name: 'writes in this file under the lock the other file guards with',
      filename: 'file.ts',
      code: `
import { ledgerCells, ledgerLock, Wallet } from './wallet.js';
export async function refund(wallet: Wallet, amount: number): Promise<void> {
  await wallet.mutex.runExclusive(() => {
    wallet.cents = wallet.cents - amount;
  });
}
export function clearLedger(): void {
  using _ = ledgerLock.hold();
  ledgerCells[0] = 0;
}
`,
    },
  ],
  invalid: [
    {
      name: 'a field written without the mutex another file holds across its write-back',
      filename: 'file.ts',
      code: `
import { ledgerCells, Wallet } from './wallet.js';
export function empty(wallet: Wallet): void {
  wallet.cents = 0;
}
export function clearLedger(): void {
  ledgerCells[0] = 0;
}
`,
      errors: [
        { messageId: 'unguardedWrite', line: 4, data: { state: 'Wallet.cents', lock: 'Wallet.mutex', evidence: 'it is read, awaited across and written back under it at wallet.ts:16', held: '' } },
        { messageId: 'unguardedWrite', line: 7, data: { state: 'ledgerCells', lock: 'ledgerLock', evidence: 'it is written under it at wallet.ts:26', held: '' } },
      ],
    },
  ],
});

ruleTester.run('guarded-by (what is no evidence)', rule, {
  valid: [
    {
      name: 'a state written, awaited across and written again under the lock is not read back: no write-back',
      code: `
import { Mutex } from 'async-mutex';
declare function closeSocket(): Promise<void>;
export class Signal {
  #closing = new Mutex();
  state = 'connected';
  async close(): Promise<void> {
    const unlock = await this.#closing.acquire();
    try {
      this.state = 'disconnecting';
      await closeSocket();
    } finally {
      this.state = 'disconnected';
      unlock();
    }
  }
  reconnect(): void {
    this.state = 'reconnecting';
  }
}
`,
    },
  ],
  invalid: [],
});

ruleTester.run('guarded-by (unguarded writes of what the guarded code stores itself)', rule, {
  valid: [
    {
      name: 'a reset to the constant the critical section stores after draining (a catch resetting the queue)',
      code: `
import { Mutex } from 'async-mutex';
declare function deliver(event: string): Promise<void>;
export class Room {
  #lock = new Mutex();
  pending: string[] = [];
  async drain(): Promise<void> {
    await this.#lock.runExclusive(async () => {
      const events = this.pending;
      for (const event of events) await deliver(event);
      this.pending = [];
    });
  }
  abandon(): void {
    this.pending = [];
  }
}
`,
    },
  ],
  invalid: [
    {
      name: 'a reset to a constant the critical section never stores is still reported',
      code: `
import { Mutex } from 'async-mutex';
declare function save(n: number): Promise<void>;
export class Account {
  #mutex = new Mutex();
  balance = 0;
  async deposit(n: number): Promise<void> {
    await this.#mutex.runExclusive(async () => {
      const next = this.balance + n;
      await save(next);
      this.balance = next;
    });
  }
  reset(): void {
    this.balance = 0;
  }
}
`,
      errors: [{ messageId: 'unguardedWrite', line: 15 }],
    },
  ],
});
