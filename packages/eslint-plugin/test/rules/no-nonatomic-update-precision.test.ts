/**
 * Precision and recall of `no-nonatomic-update`'s across-suspension half, measured on real code: lazy
 * initialisation through logical assignments, locks held through the application's own helpers, locals
 * written by closures that run while the function is suspended, stale checks, the message of a
 * one-statement update, and undeclared globals.
 */
import { expect, it } from 'vitest';
import rule from '../../src/rules/no-nonatomic-update.js';
import { createTypedRuleTester, createUntypedRuleTester } from '../rule-tester.js';

const typed = createTypedRuleTester();
const untyped = createUntypedRuleTester();

// ---- lazy initialisation ----------------------------------------------------------------------

typed.run('no-nonatomic-update (precision: lazy initialisation)', rule, {
  valid: [
    {
      name: 'x ??= await, this.hash ||= await, this.attempts &&= await initialise lazily',
      code: `
let channel: string | undefined;
declare function publish(): Promise<string>;
declare function compute(): Promise<string>;
declare function refresh(): Promise<number>;
export class Cache {
  hash = '';
  attempts = 1;
  async init(): Promise<void> {
    channel ??= await publish();
    this.hash ||= await compute();
    this.attempts &&= await refresh();
  }
}
`,
    },
    {
      name: 'a logical assignment tests the current value at the write, whatever was read before',
      code: `
declare function save(): Promise<void>;
export class Cache {
  hash = '';
  async keep(): Promise<void> {
    const old = this.hash;
    await save();
    this.hash ||= old;
  }
}
`,
    },
  ],
  invalid: [
    {
      name: 'a compound assignment with an await on its right is still a lost update',
      code: `
let total = 0;
declare function fetchPart(): Promise<number>;
export async function collect(): Promise<void> {
  total += await fetchPart();
}
`,
      errors: [{ messageId: 'staleWriteInStatement', data: { target: 'total', suspension: 'await' }, line: 5 }],
    },
  ],
});

untyped.run('no-nonatomic-update (precision: lazy initialisation, untyped)', rule, {
  valid: [
    {
      name: 'x ??= await, this.hash ||= await, this.attempts &&= await initialise lazily',
      code: `
let channel;
export class Cache {
  async init() {
    channel ??= await publish();
    this.hash ||= await compute();
    this.attempts &&= await refresh();
  }
}
`,
    },
  ],
  invalid: [
    {
      name: 'a compound assignment with an await on its right is still a lost update',
      code: `
let total = 0;
export async function collect() {
  total += await fetchPart();
}
`,
      errors: [{ messageId: 'staleWriteInStatement', data: { target: 'total', suspension: 'await' }, line: 4 }],
    },
  ],
});

// ---- locks held through the application's own helpers ----------------------------------------

typed.run('no-nonatomic-update (precision: lock helpers)', rule, {
  valid: [
    {
      name: "a private helper returning async-mutex's release function holds the lock across the read, the await and the write",
      code: `
import { Mutex } from 'async-mutex';
declare function save(value: number): Promise<void>;
export class Store {
  #mutex = new Mutex();
  value = 0;
  async #lock(): Promise<() => void> {
    return this.#mutex.acquire();
  }
  async bump(): Promise<void> {
    const release = await this.#lock();
    try {
      const v = this.value;
      await save(v);
      this.value = v + 1;
    } finally {
      release();
    }
  }
}
`,
    },
    {
      name: 'a withLock helper over runExclusive, called with an async callback',
      code: `
import { Mutex } from 'async-mutex';
declare function save(value: number): Promise<void>;
export class Store {
  #mutex = new Mutex();
  value = 0;
  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    return this.#mutex.runExclusive(fn);
  }
  async bump(): Promise<void> {
    await this.withLock(async () => {
      const v = this.value;
      await save(v);
      this.value = v + 1;
    });
  }
}
`,
    },
    {
      name: 'a deliberate rollback under the helper-held mutex',
      code: `
import { Mutex } from 'async-mutex';
declare function persist(value: number): Promise<void>;
export class Store {
  #mutex = new Mutex();
  value = 0;
  async #lock(): Promise<() => void> {
    return this.#mutex.acquire();
  }
  async set(next: number): Promise<void> {
    const release = await this.#lock();
    const previous = this.value;
    this.value = next;
    try {
      await persist(next);
    } catch (error) {
      this.value = previous;
      throw error;
    } finally {
      release();
    }
  }
}
`,
    },
    {
      name: 'a private method called only from inside the lock',
      code: `
import { Mutex } from 'async-mutex';
declare function save(value: number): Promise<void>;
export class Store {
  #mutex = new Mutex();
  value = 0;
  async #bumpLocked(): Promise<void> {
    const v = this.value;
    await save(v);
    this.value = v + 1;
  }
  async bump(): Promise<void> {
    const release = await this.#mutex.acquire();
    try {
      await this.#bumpLocked();
    } finally {
      release();
    }
  }
  async bumpTwice(): Promise<void> {
    await this.#mutex.runExclusive(async () => {
      await this.#bumpLocked();
      await this.#bumpLocked();
    });
  }
}
`,
    },
    {
      name: 'a file-local function called only under the lock',
      code: `
import { Mutex } from 'async-mutex';
declare function save(value: number): Promise<void>;
const mutex = new Mutex();
let value = 0;
async function bumpLocked(): Promise<void> {
  const v = value;
  await save(v);
  value = v + 1;
}
export async function bump(): Promise<void> {
  await mutex.runExclusive(() => bumpLocked());
}
`,
    },
  ],
  invalid: [
    {
      name: 'a private method also called without the lock: some caller holding it is not enough',
      code: `
import { Mutex } from 'async-mutex';
declare function save(value: number): Promise<void>;
export class Store {
  #mutex = new Mutex();
  value = 0;
  async #bumpLocked(): Promise<void> {
    const v = this.value;
    await save(v);
    this.value = v + 1;
  }
  async bump(): Promise<void> {
    await this.#mutex.runExclusive(() => this.#bumpLocked());
  }
  async bumpUnlocked(): Promise<void> {
    await this.#bumpLocked();
  }
}
`,
      errors: [{ messageId: 'staleWriteAfterAwait', data: { target: 'this.value', line: '9' }, line: 10 }],
    },
    {
      name: 'a private async method called under the lock but not awaited goes on after the release',
      code: `
import { Mutex } from 'async-mutex';
declare function save(value: number): Promise<void>;
export class Store {
  #mutex = new Mutex();
  value = 0;
  async #bumpLocked(): Promise<void> {
    const v = this.value;
    await save(v);
    this.value = v + 1;
  }
  async bump(): Promise<void> {
    const release = await this.#mutex.acquire();
    try {
      void this.#bumpLocked();
    } finally {
      release();
    }
  }
}
`,
      errors: [{ messageId: 'staleWriteAfterAwait', data: { target: 'this.value', line: '9' }, line: 10 }],
    },
    {
      name: 'a public method called from inside the lock may be called by anyone',
      code: `
import { Mutex } from 'async-mutex';
declare function save(value: number): Promise<void>;
export class Store {
  #mutex = new Mutex();
  value = 0;
  async bumpLocked(): Promise<void> {
    const v = this.value;
    await save(v);
    this.value = v + 1;
  }
  async bump(): Promise<void> {
    await this.#mutex.runExclusive(() => this.bumpLocked());
  }
}
`,
      errors: [{ messageId: 'staleWriteAfterAwait', data: { target: 'this.value', line: '9' }, line: 10 }],
    },
    {
      name: "the helper's lock released before the await",
      code: `
import { Mutex } from 'async-mutex';
declare function save(value: number): Promise<void>;
export class Store {
  #mutex = new Mutex();
  value = 0;
  async #lock(): Promise<() => void> {
    return this.#mutex.acquire();
  }
  async bump(): Promise<void> {
    const release = await this.#lock();
    const v = this.value;
    release();
    await save(v);
    this.value = v + 1;
  }
}
`,
      errors: [{ messageId: 'staleWriteAfterAwait', data: { target: 'this.value', line: '14' }, line: 15 }],
    },
    {
      name: 'async callbacks map starts together inside the helper lock still interleave with one another',
      code: `
import { Mutex } from 'async-mutex';
declare function price(item: string): Promise<number>;
export class Store {
  #mutex = new Mutex();
  value = 0;
  async #lock(): Promise<() => void> {
    return this.#mutex.acquire();
  }
  async addAll(items: readonly string[]): Promise<void> {
    const release = await this.#lock();
    try {
      await Promise.all(
        items.map(async (item) => {
          this.value += await price(item);
        }),
      );
    } finally {
      release();
    }
  }
  async addAllExclusive(items: readonly string[]): Promise<void> {
    await this.#mutex.runExclusive(async () => {
      await Promise.all(
        items.map(async (item) => {
          this.value += await price(item);
        }),
      );
    });
  }
}
`,
      errors: [
        { messageId: 'staleWriteInStatement', data: { target: 'this.value', suspension: 'await' }, line: 15 },
        { messageId: 'staleWriteInStatement', data: { target: 'this.value', suspension: 'await' }, line: 26 },
      ],
    },
  ],
});

untyped.run('no-nonatomic-update (precision: lock helpers, untyped)', rule, {
  valid: [
    {
      name: 'a runExclusive callback recognised by name still guards its own updates',
      code: `
export class Store {
  async bump() {
    await this.mutex.runExclusive(async () => {
      const v = this.value;
      await save(v);
      this.value = v + 1;
    });
  }
}
`,
    },
  ],
  invalid: [
    {
      name: 'async callbacks map starts together inside runExclusive still interleave with one another',
      code: `
export class Store {
  async addAll(items) {
    await this.mutex.runExclusive(async () => {
      await Promise.all(items.map(async (item) => {
        this.value += await price(item);
      }));
    });
  }
}
`,
      errors: [{ messageId: 'staleWriteInStatement', data: { target: 'this.value', suspension: 'await' }, line: 6 }],
    },
  ],
});

// ---- locals written by closures that may run during the suspension ------------------------------

typed.run('no-nonatomic-update (precision: closures that write a local)', rule, {
  valid: [
    {
      name: 'closures run in place (forEach, reduce, new Promise executor) cannot write during a later await',
      code: `
declare function fetchPart(): Promise<number>;
export async function sum(parts: readonly number[]): Promise<number> {
  let total = 0;
  parts.forEach((n) => {
    total += n;
  });
  total = parts.reduce((acc, n) => {
    total = acc;
    return acc + n;
  }, total);
  await new Promise<void>((resolve) => {
    total += 1;
    resolve();
  });
  total += await fetchPart();
  return total;
}
`,
    },
    {
      name: 'a listener that only reads the local',
      code: `
import type { EventEmitter } from 'node:events';
declare function fetchPart(): Promise<number>;
export async function sum(emitter: EventEmitter): Promise<number> {
  let total = 0;
  emitter.on('tick', () => console.log(total));
  total += await fetchPart();
  return total;
}
`,
    },
    {
      name: 'a listener registered only after the update cannot run during its await',
      code: `
import type { EventEmitter } from 'node:events';
declare function fetchPart(): Promise<number>;
export async function sum(emitter: EventEmitter): Promise<number> {
  let total = 0;
  total += await fetchPart();
  emitter.on('data', (n: number) => {
    total += n;
  });
  return total;
}
`,
    },
    {
      name: 'a closure called only by its name runs where it is called',
      code: `
declare function fetchPart(): Promise<number>;
export async function sum(): Promise<number> {
  let total = 0;
  const add = (n: number): void => {
    total += n;
  };
  add(1);
  total += await fetchPart();
  return total;
}
`,
    },
  ],
  invalid: [
    {
      name: "a listener adding to the local loses every event handled during the await (ESLint's require-atomic-updates reports it)",
      code: `
import type { EventEmitter } from 'node:events';
declare function fetchPart(): Promise<number>;
export async function sum(emitter: EventEmitter): Promise<number> {
  let total = 0;
  emitter.on('data', (n: number) => {
    total += n;
  });
  total += await fetchPart();
  return total;
}
`,
      errors: [{ messageId: 'staleWriteInStatement', data: { target: 'total', suspension: 'await' }, line: 9 }],
    },
    {
      name: 'a named function handed to a timer, and a .then callback, write the local',
      code: `
declare function fetchPart(): Promise<number>;
declare function later(): Promise<number>;
export async function sum(): Promise<number> {
  let total = 0;
  let seen = 0;
  function tick(): void {
    total = 0;
  }
  setTimeout(tick, 10);
  void later().then((n) => {
    seen = n;
  });
  const before = total;
  const count = seen;
  await fetchPart();
  total = before + 1;
  seen = count + 1;
  return total + seen;
}
`,
      errors: [
        { messageId: 'staleWriteAfterAwait', data: { target: 'total', line: '16' }, line: 17 },
        { messageId: 'staleWriteAfterAwait', data: { target: 'seen', line: '16' }, line: 18 },
      ],
    },
    {
      name: 'an async callback of forEach writes after its own await, while the caller is suspended',
      code: `
declare function price(item: string): Promise<number>;
declare function fetchPart(): Promise<number>;
export async function sum(items: readonly string[]): Promise<number> {
  let total = 0;
  items.forEach(async (item) => {
    const p = await price(item);
    total = p;
  });
  total += await fetchPart();
  return total;
}
`,
      errors: [{ messageId: 'staleWriteInStatement', data: { target: 'total', suspension: 'await' }, line: 10 }],
    },
    {
      name: 'a timer set up inside a promise executor writes the local during the await on that promise',
      code: `
export async function settle(): Promise<number> {
  let state = 0;
  state = state + (await new Promise<number>((resolve) => {
    setTimeout(() => {
      state = 2;
      resolve(1);
    }, 10);
  }));
  return state;
}
`,
      errors: [{ messageId: 'staleWriteInStatement', data: { target: 'state', suspension: 'await' }, line: 4 }],
    },
  ],
});

untyped.run('no-nonatomic-update (precision: closures that write a local, untyped)', rule, {
  valid: [
    {
      name: 'a listener that only reads the local',
      code: `
export async function sum(emitter) {
  let total = 0;
  emitter.on('tick', () => console.log(total));
  total += await fetchPart();
  return total;
}
`,
    },
  ],
  invalid: [
    {
      name: 'a listener adding to the local loses every event handled during the await',
      code: `
export async function sum(emitter) {
  let total = 0;
  emitter.on('data', (n) => { total += n; });
  total += await fetchPart();
  return total;
}
`,
      errors: [{ messageId: 'staleWriteInStatement', data: { target: 'total', suspension: 'await' }, line: 5 }],
    },
  ],
});

// ---- check-then-act across a suspension ---------------------------------------------------------

typed.run('no-nonatomic-update (precision: check-then-act)', rule, {
  valid: [
    {
      name: 'lazy initialisation: an absence test, then a value that does not depend on the old one',
      code: `
declare function start(): Promise<Promise<void>>;
declare function connect(): Promise<object>;
export class Client {
  pending: Promise<void> | undefined;
  client: object | undefined;
  conn: object | null = null;
  kind: string | undefined;
  async open(): Promise<void> {
    if (this.pending === undefined) {
      const p = await start();
      this.pending = p;
    }
    if (!this.client) this.client = await connect();
    if (this.conn == null) {
      this.conn = await connect();
    }
    if (typeof this.kind === 'undefined') {
      await start();
      this.kind = 'ready';
    }
  }
}
`,
    },
    {
      name: 'teardown, the mirror of lazy initialisation: a presence test, then undefined or null stored',
      code: `
interface Connection { close(): Promise<void> }
export class Client {
  conn: Connection | undefined;
  timer: object | null = null;
  async close(): Promise<void> {
    if (this.conn) {
      await this.conn.close();
      this.conn = undefined;
    }
    if (this.timer !== null) {
      await Promise.resolve();
      this.timer = null;
    }
  }
}
`,
    },
    {
      name: 'a refresh: the new value is what the suspension produced, not computed from the old one',
      code: `
interface Token { expiresAt: number }
declare function fetchToken(): Promise<Token>;
export class Session {
  token: Token = { expiresAt: 0 };
  async ensureFresh(): Promise<void> {
    if (this.token.expiresAt < Date.now()) {
      this.token = await fetchToken();
    }
    if (this.token.expiresAt < Date.now() + 1000) {
      const next = await fetchToken();
      this.token = next;
    }
  }
}
`,
    },
    {
      name: 'the value is checked again after the suspension',
      code: `
declare function audit(): Promise<void>;
export class Account {
  balance = 0;
  async withdraw(amount: number): Promise<void> {
    if (this.balance >= amount) {
      await audit();
      if (this.balance < amount) throw new Error('insufficient funds');
      this.balance = this.balance - amount;
    }
  }
  async withdrawAgain(amount: number): Promise<void> {
    if (this.balance >= amount) {
      await audit();
      this.balance = this.balance >= amount ? this.balance - amount : this.balance;
    }
  }
}
`,
    },
    {
      name: 'a check under one lock held across the check, the suspension and the write',
      code: `
import { Mutex } from 'async-mutex';
import { Lock } from '@lockstep/primitives';
declare function audit(): Promise<void>;
export class Account {
  #mutex = new Mutex();
  readonly lock = new Lock();
  balance = 0;
  async #lock(): Promise<() => void> {
    return this.#mutex.acquire();
  }
  async withdraw(amount: number): Promise<void> {
    const release = await this.#lock();
    try {
      if (this.balance >= amount) {
        await audit();
        this.balance = this.balance - amount;
      }
    } finally {
      release();
    }
  }
  async withdrawHeld(amount: number): Promise<void> {
    await using _ = await this.lock.holdAsync();
    if (this.balance >= amount) {
      await audit();
      this.balance -= amount;
    }
  }
}
`,
    },
    {
      name: 'not shared, another key tested, a method call, the write on the other branch',
      code: `
declare function audit(): Promise<void>;
declare function load(key: string): Promise<number>;
export class Account {
  balance = 0;
  ready = false;
  cache = new Map<string, number>();
  async run(key: string): Promise<void> {
    let attempts = 0;
    if (attempts < 3) {
      await audit();
      attempts = attempts + 1;
    }
    if (this.ready) {
      await audit();
      this.balance = this.balance + 1;
    }
    if (!this.cache.has(key)) {
      const v = await load(key);
      this.cache.set(key, v);
    }
    if (this.balance > 0) {
      await audit();
    } else {
      this.balance = 0;
    }
  }
}
`,
    },
  ],
  invalid: [
    {
      name: 'a balance checked before the await and written after it',
      code: `
declare function audit(): Promise<void>;
export class Account {
  balance = 0;
  async withdraw(amount: number): Promise<void> {
    if (this.balance >= amount) {
      await audit();
      this.balance = this.balance - amount;
    }
  }
}
`,
      errors: [{ messageId: 'staleCheckAfterAwait', data: { target: 'this.balance', line: '7' }, line: 8, column: 7 }],
    },
    {
      name: 'a counter incremented, a state set, a module variable decremented after a stale check',
      code: `
let slots = 3;
declare function prepare(): Promise<void>;
export class Pool {
  count = 0;
  max = 4;
  state = 'idle';
  async take(): Promise<void> {
    if (this.count < this.max) {
      await prepare();
      this.count++;
    }
    if (this.state === 'idle') {
      await prepare();
      this.state = 'running';
    }
    if (slots > 0) {
      await prepare();
      slots -= 1;
    }
  }
}
`,
      errors: [
        { messageId: 'staleCheckAfterAwait', data: { target: 'this.count', line: '10' }, line: 11 },
        { messageId: 'staleCheckAfterAwait', data: { target: 'this.state', line: '14' }, line: 15 },
        { messageId: 'staleCheckAfterAwait', data: { target: 'slots', line: '18' }, line: 19 },
      ],
    },
    {
      name: 'a buffer reset after sending it loses what was added during the send',
      code: `
declare function send(batch: readonly string[]): Promise<void>;
export class Batcher {
  buffer: string[] = [];
  async flush(): Promise<void> {
    if (this.buffer.length > 0) {
      await send(this.buffer);
      this.buffer = [];
    }
  }
}
`,
      errors: [{ messageId: 'staleCheckAfterAwait', data: { target: 'this.buffer', line: '7' }, line: 8 }],
    },
    {
      name: 'a dirty flag cleared after the save loses a change made during it',
      code: `
declare function persist(): Promise<void>;
export class Document {
  dirty = false;
  async save(): Promise<void> {
    if (this.dirty) {
      await persist();
      this.dirty = false;
    }
  }
}
`,
      errors: [{ messageId: 'staleCheckAfterAwait', data: { target: 'this.dirty', line: '7' }, line: 8 }],
    },
    {
      name: 'an absence test whose write is computed from the old value is no lazy initialisation',
      code: `
declare function fetchMore(): Promise<string[]>;
export class Feed {
  items: string[] | undefined;
  async load(): Promise<void> {
    if (this.items === undefined) {
      const more = await fetchMore();
      this.items = [...(this.items ?? []), ...more];
    }
  }
}
`,
      errors: [{ messageId: 'staleCheckAfterAwait', data: { target: 'this.items', line: '7' }, line: 8 }],
    },
  ],
});

untyped.run('no-nonatomic-update (precision: check-then-act, untyped)', rule, {
  valid: [
    {
      name: 'lazy initialisation and a check repeated after the suspension',
      code: `
export class Account {
  async open() {
    if (!this.client) this.client = await connect();
  }
  async withdraw(amount) {
    if (this.balance >= amount) {
      await audit();
      if (this.balance < amount) return;
      this.balance -= amount;
    }
  }
}
`,
    },
  ],
  invalid: [
    {
      name: 'a balance checked before the await and written after it',
      code: `
export class Account {
  async withdraw(amount) {
    if (this.balance >= amount) {
      await audit();
      this.balance = this.balance - amount;
    }
  }
}
`,
      errors: [{ messageId: 'staleCheckAfterAwait', data: { target: 'this.balance', line: '5' }, line: 6 }],
    },
  ],
});

// ---- the message of an update inside one statement ----------------------------------------------

it('names no line of its own for an update inside one statement', () => {
  const message = rule.meta.messages.staleWriteInStatement;
  expect(message).toContain("suspends at the '{{suspension}}' in this same statement");
  expect(message).not.toContain('{{line}}');
  expect(rule.meta.messages.staleWriteAfterAwait).toContain('before the suspension on line {{line}}');
});

typed.run('no-nonatomic-update (precision: one-statement message)', rule, {
  valid: [],
  invalid: [
    {
      name: 'read, suspension and write in one statement do not point at their own line',
      code: `
declare function interest(balance: number): Promise<number>;
export class Account {
  balance = 0;
  async accrue(): Promise<void> {
    this.balance = this.balance + (await interest(0));
  }
}
`,
      errors: [{ messageId: 'staleWriteInStatement', data: { target: 'this.balance', suspension: 'await' }, line: 6 }],
    },
    {
      name: 'a yield inside the statement is named as such',
      code: `
let cache: Record<string, number> = {};
export function* fill(key: string): Generator<string, void, number> {
  cache = { ...cache, [key]: yield key };
}
`,
      errors: [{ messageId: 'staleWriteInStatement', data: { target: 'cache', suspension: 'yield' }, line: 4 }],
    },
    {
      name: 'a read in an earlier statement keeps the message with the line of the suspension',
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
      errors: [{ messageId: 'staleWriteAfterAwait', data: { target: 'this.count', line: '7' }, line: 8 }],
    },
  ],
});

// ---- undeclared globals -------------------------------------------------------------------------

typed.run('no-nonatomic-update (precision: undeclared globals)', rule, {
  valid: [
    {
      name: 'a global set from an awaited value alone',
      code: `
declare global {
  var counter: number;
}
declare function f(): Promise<number>;
export async function reset(): Promise<void> {
  counter = await f();
}
`,
    },
  ],
  invalid: [
    {
      name: 'a global declared in declare global, updated across an await, like globalThis.counter',
      code: `
declare global {
  var counter: number;
}
declare function f(): Promise<number>;
export async function add(): Promise<void> {
  counter = counter + (await f());
  globalThis.counter = globalThis.counter + (await f());
}
`,
      errors: [
        { messageId: 'staleWriteInStatement', data: { target: 'counter', suspension: 'await' }, line: 7 },
        { messageId: 'staleWriteInStatement', data: { target: 'globalThis.counter', suspension: 'await' }, line: 8 },
      ],
    },
  ],
});

untyped.run('no-nonatomic-update (precision: undeclared globals, untyped)', rule, {
  valid: [
    {
      name: 'a global set from an awaited value alone',
      code: `
export async function reset() {
  counter = await f();
}
`,
    },
  ],
  invalid: [
    {
      name: 'an undeclared global, and members of globalThis, window and self, updated across an await',
      code: `
export async function add() {
  const before = counter;
  await f();
  counter = before + 1;
  globalThis.hits = globalThis.hits + (await f());
  window.hits += await f();
  self.hits = self.hits + (await f());
}
`,
      errors: [
        { messageId: 'staleWriteAfterAwait', data: { target: 'counter', line: '4' }, line: 5 },
        { messageId: 'staleWriteInStatement', data: { target: 'globalThis.hits', suspension: 'await' }, line: 6 },
        { messageId: 'staleWriteInStatement', data: { target: 'window.hits', suspension: 'await' }, line: 7 },
        { messageId: 'staleWriteInStatement', data: { target: 'self.hits', suspension: 'await' }, line: 8 },
      ],
    },
  ],
});

// ---- the doc page's third examples ---------------------------------------------------------------

typed.run('no-nonatomic-update (precision: doc examples)', rule, {
  valid: [
    {
      name: 'docs/rules/no-nonatomic-update.md, correct example 3',
      code: `
import { Mutex } from 'async-mutex';
declare function save(value: number): Promise<void>;
declare function connect(): Promise<object>;
declare function audit(): Promise<void>;

export class Store {
  #mutex = new Mutex();
  value = 0;
  connection: object | undefined;

  async #lock(): Promise<() => void> {
    return this.#mutex.acquire();
  }

  async bump(): Promise<void> {
    const release = await this.#lock(); // with type information: held until release()
    try {
      const v = this.value;
      await save(v);
      this.value = v + 1;
    } finally {
      release();
    }
  }

  async open(): Promise<void> {
    this.connection ??= await connect(); // lazy initialisation
  }

  async withdraw(amount: number): Promise<void> {
    if (this.value >= amount) {
      await audit();
      if (this.value < amount) throw new Error('insufficient funds'); // checked again
      this.value -= amount;
    }
  }
}
`,
    },
  ],
  invalid: [
    {
      name: 'docs/rules/no-nonatomic-update.md, incorrect example 3',
      code: `
import type { EventEmitter } from 'node:events';
declare function fetchPart(): Promise<number>;
declare function audit(): Promise<void>;

export async function sum(emitter: EventEmitter): Promise<number> {
  let total = 0;
  emitter.on('data', (n: number) => {
    total += n;
  });
  total += await fetchPart(); // overwrites every event handled during the await
  return total;
}

export class Account {
  balance = 0;
  async withdraw(amount: number): Promise<void> {
    if (this.balance >= amount) {
      await audit();
      this.balance = this.balance - amount; // two withdrawals can both have passed the check
    }
  }
}
`,
      errors: [
        { messageId: 'staleWriteInStatement', data: { target: 'total', suspension: 'await' }, line: 11 },
        { messageId: 'staleCheckAfterAwait', data: { target: 'this.balance', line: '19' }, line: 20 },
      ],
    },
  ],
});

// ---- found on real code: check-then-act that is not ---------------------------------------------

typed.run('no-nonatomic-update (check-then-act shapes of real code that lose nothing)', rule, {
  valid: [
    {
      name: 'teardown behind a presence test written through a helper (mongodb-memory-server stop())',
      code: `
declare function isNullOrUndefined(value: unknown): boolean;
declare function killProcess(process: object): Promise<void>;
export class Instance {
  child: object | undefined;
  async stop(): Promise<void> {
    if (!isNullOrUndefined(this.child)) {
      await killProcess(this.child!);
      this.child = undefined;
    }
  }
}
`,
    },
    {
      name: "an async iterator's next(), which for-await calls one at a time (telegram's RequestIter)",
      code: `
declare function sleep(ms: number): Promise<void>;
export class Pages {
  index = 0;
  buffer: number[] = [];
  [Symbol.asyncIterator]() {
    return {
      next: async () => {
        if (this.index === this.buffer.length) {
          await sleep(10);
          this.index = 0;
          this.buffer = [];
        }
        return { value: this.buffer[this.index++], done: false };
      },
    };
  }
}
`,
    },
    {
      name: 'the only suspension computes the new value (isomorphic-git resolving parent refs)',
      code: `
declare function resolve(ref: string): Promise<string>;
export class Commit {
  parents: string[] | undefined;
  async prepare(): Promise<void> {
    if (!this.parents) this.parents = [];
    else this.parents = await Promise.all(this.parents.map((p) => resolve(p)));
  }
}
`,
    },
  ],
  invalid: [
    {
      name: 'a suspension before the one computing the value still makes the check stale',
      code: `
declare function audit(): Promise<void>;
declare function debit(balance: number): Promise<number>;
export class Account {
  balance = 0;
  async withdraw(): Promise<void> {
    if (this.balance > 0) {
      await audit();
      this.balance = await debit(this.balance);
    }
  }
}
`,
      errors: [{ messageId: 'staleCheckAfterAwait' }],
    },
  ],
});
