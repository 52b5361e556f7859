import rule from '../../src/rules/prefer-using.js';
import { createTypedRuleTester, createUntypedRuleTester } from '../rule-tester.js';

const ruleTester = createTypedRuleTester();

ruleTester.run('prefer-using', rule, {
  valid: [
    {
      name: 'a lock typed `any` (an untyped require) is not reported, as in plain JavaScript: no checked hold() to call',
      code: `
const { Lock } = require('@lockstep/primitives');
export class Ledger {
  lock = new Lock();
  post(step: () => void): void {
    this.lock.acquire();
    try {
      step();
    } finally {
      this.lock.release();
    }
  }
}
`,
    },
    {
      name: 'the guard already',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
export function work(step: () => void): void {
  using _held = lock.hold();
  step();
}
`,
    },
    {
      name: 'a catch clause: the handler runs with the lock held, a guard would release it first',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
export function work(step: () => void): void {
  lock.acquire();
  try {
    step();
  } catch (error) {
    console.error(error);
  } finally {
    lock.release();
  }
}
`,
    },
    {
      name: 'more than the release in finally',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
let busy = false;
export function work(step: () => void): void {
  lock.acquire();
  try {
    busy = true;
    step();
  } finally {
    busy = false;
    lock.release();
  }
}
export function again(step: () => void): void {
  lock.acquire();
  try {
    step();
  } finally {
    lock.release();
    busy = false;
  }
}
`,
    },
    {
      name: 'a timed acquire: hold({ timeout }) throws where acquire({ timeout }) returns false',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
export async function work(step: () => void): Promise<void> {
  lock.acquire({ timeout: 100 });
  try {
    step();
  } finally {
    lock.release();
  }
  await lock.acquireAsync({ timeout: 100 });
  try {
    step();
  } finally {
    lock.release();
  }
}
`,
    },
    {
      name: "async-mutex and await-lock locks have no hold()",
      code: `
import { Mutex } from 'async-mutex';
import AwaitLock from 'await-lock';
const mutex = new Mutex();
const awaitLock = new AwaitLock();
export async function work(step: () => void): Promise<void> {
  await mutex.acquire();
  try {
    step();
  } finally {
    mutex.release();
  }
  await awaitLock.acquireAsync();
  try {
    step();
  } finally {
    awaitLock.release();
  }
}
`,
    },
    {
      name: 'a receiver with a call in it may be another lock each time',
      code: `
import { Lock } from '@lockstep/primitives';
declare function getLock(): Lock;
export function work(step: () => void): void {
  getLock().acquire();
  try {
    step();
  } finally {
    getLock().release();
  }
}
`,
    },
    {
      name: 'the finally releases another lock',
      code: `
import { Lock } from '@lockstep/primitives';
const a = new Lock();
const b = new Lock();
export function work(step: () => void): void {
  a.acquire();
  try {
    step();
  } finally {
    b.release();
  }
}
`,
    },
    {
      name: 'the body releases and re-acquires the lock itself',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
export function work(step: () => void): void {
  lock.acquire();
  try {
    step();
    lock.release();
    step();
    lock.acquire();
  } finally {
    lock.release();
  }
}
`,
    },
    {
      name: 'the body reassigns the field the lock is reached by',
      code: `
import { Lock } from '@lockstep/primitives';
export class Cache {
  lock = new Lock();
  swap(): void {
    this.lock.acquire();
    try {
      this.lock = new Lock();
    } finally {
      this.lock.release();
    }
  }
}
`,
    },
    {
      name: "the acquire's result is used, or a statement sits between the acquire and the try",
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
export function work(step: () => void): void {
  if (!lock.acquire()) return;
  try {
    step();
  } finally {
    lock.release();
  }
  lock.acquire();
  step();
  try {
    step();
  } finally {
    lock.release();
  }
}
`,
    },
    {
      name: 'a class of your own with acquire, release and even hold',
      code: `
class Lock {
  acquire(): void {}
  release(): void {}
  hold(): Disposable {
    return { [Symbol.dispose]: () => {} };
  }
}
const lock = new Lock();
export function work(step: () => void): void {
  lock.acquire();
  try {
    step();
  } finally {
    lock.release();
  }
}
`,
    },
    {
      name: 'a union with a lock that has no hold()',
      code: `
import { Lock } from '@lockstep/primitives';
import { Mutex } from 'async-mutex';
export function work(lock: Lock | Mutex, step: () => void): void {
  lock.acquire();
  try {
    step();
  } finally {
    lock.release();
  }
}
`,
    },
    {
      name: 'Semaphore.release(n) gives back more than the acquire took',
      code: `
import { Semaphore } from '@lockstep/primitives';
const permits = new Semaphore(3);
export function work(step: () => void): void {
  permits.acquire();
  try {
    step();
  } finally {
    permits.release(2);
  }
}
`,
    },
  ],
  invalid: [
    {
      name: 'sync: the try/finally ends the function, no block needed',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
const items: number[] = [];
export function add(item: number): void {
  lock.acquire();
  try {
    items.push(item);
    if (items.length > 10) return;
    items.sort();
  } finally {
    lock.release();
  }
}
`,
      output: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
const items: number[] = [];
export function add(item: number): void {
  using _lock = lock.hold();
  items.push(item);
  if (items.length > 10) return;
  items.sort();
}
`,
      errors: [{ messageId: 'preferUsing', data: { lock: 'lock', declaration: 'using' }, line: 6, column: 3, endLine: 6, endColumn: 18 }],
    },
    {
      name: 'async: a statement follows, so the guard gets a block of its own',
      code: `
import { RLock } from '@lockstep/primitives';
export class Cache {
  readonly #lock = new RLock();
  #value = 0;
  async refresh(load: () => Promise<number>): Promise<number> {
    await this.#lock.acquireAsync();
    try {
      const next = await load();
      this.#value = next;
    } finally {
      this.#lock.release();
    }
    return this.#value;
  }
}
`,
      output: `
import { RLock } from '@lockstep/primitives';
export class Cache {
  readonly #lock = new RLock();
  #value = 0;
  async refresh(load: () => Promise<number>): Promise<number> {
    {
      await using _lock = await this.#lock.holdAsync();
      const next = await load();
      this.#value = next;
    }
    return this.#value;
  }
}
`,
      errors: [{ messageId: 'preferUsing', data: { lock: 'this.#lock', declaration: 'await using' }, line: 7, column: 5 }],
    },
    {
      name: 'async at the end of the function, a member chain receiver',
      code: `
import { Semaphore } from '@lockstep/primitives';
const pool = { permits: new Semaphore(4) };
export async function fetchOne(url: string): Promise<string> {
  await pool.permits.acquireAsync();
  try {
    const response = await fetch(url);
    return await response.text();
  } finally {
    pool.permits.release();
  }
}
`,
      output: `
import { Semaphore } from '@lockstep/primitives';
const pool = { permits: new Semaphore(4) };
export async function fetchOne(url: string): Promise<string> {
  await using _lock = await pool.permits.holdAsync();
  const response = await fetch(url);
  return await response.text();
}
`,
      errors: [{ messageId: 'preferUsing', data: { lock: 'pool.permits', declaration: 'await using' }, line: 5, column: 3 }],
    },
    {
      name: 'sync with a statement after: wrapped',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
let count = 0;
export function bump(): number {
  lock.acquire();
  try {
    count += 1;
  } finally {
    lock.release();
  }
  return count;
}
`,
      output: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
let count = 0;
export function bump(): number {
  {
    using _lock = lock.hold();
    count += 1;
  }
  return count;
}
`,
      errors: [{ messageId: 'preferUsing', data: { lock: 'lock', declaration: 'using' }, line: 6, column: 3 }],
    },
    {
      name: '_lock is taken: the guard is _lock2 (and _lock3 past that)',
      code: `
import { Condition, Lock } from '@lockstep/primitives';
const _lock = new Lock();
export function work(cond: Condition, step: () => void): void {
  const _lock2 = 1;
  cond.acquire();
  try {
    step();
  } finally {
    cond.release();
  }
}
`,
      output: `
import { Condition, Lock } from '@lockstep/primitives';
const _lock = new Lock();
export function work(cond: Condition, step: () => void): void {
  const _lock2 = 1;
  using _lock3 = cond.hold();
  step();
}
`,
      errors: [{ messageId: 'preferUsing', data: { lock: 'cond', declaration: 'using' }, line: 6, column: 3 }],
    },
    {
      name: 'the body reads an outer _lock: the guard must not shadow it',
      code: `
import { BoundedSemaphore } from '@lockstep/primitives';
export function work(slots: BoundedSemaphore, log: (value: unknown) => void): void {
  slots.acquire();
  try {
    log(_lock);
  } finally {
    slots.release();
  }
}
declare const _lock: string;
`,
      output: `
import { BoundedSemaphore } from '@lockstep/primitives';
export function work(slots: BoundedSemaphore, log: (value: unknown) => void): void {
  using _lock2 = slots.hold();
  log(_lock);
}
declare const _lock: string;
`,
      errors: [{ messageId: 'preferUsing', data: { lock: 'slots', declaration: 'using' }, line: 4, column: 3 }],
    },
    {
      name: 'a body declaration that clashes with a parameter keeps its block though last',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
export function work(value: number, use: (n: number) => void): void {
  lock.acquire();
  try {
    const value = 2;
    use(value);
  } finally {
    lock.release();
  }
}
`,
      output: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
export function work(value: number, use: (n: number) => void): void {
  {
    using _lock = lock.hold();
    const value = 2;
    use(value);
  }
}
`,
      errors: [{ messageId: 'preferUsing', data: { lock: 'lock', declaration: 'using' }, line: 5, column: 3 }],
    },
    {
      name: 'a closure before the try reads an outer name the body declares: kept in a block',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
const limit = 1;
export function work(use: (n: number) => void): void {
  const read = (): number => limit;
  lock.acquire();
  try {
    const limit = 2;
    use(limit + read());
  } finally {
    lock.release();
  }
}
`,
      output: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
const limit = 1;
export function work(use: (n: number) => void): void {
  const read = (): number => limit;
  {
    using _lock = lock.hold();
    const limit = 2;
    use(limit + read());
  }
}
`,
      errors: [{ messageId: 'preferUsing', data: { lock: 'lock', declaration: 'using' }, line: 7, column: 3 }],
    },
    {
      name: 'in a case clause a using needs a block',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
export function work(kind: number, step: () => void): void {
  switch (kind) {
    case 1:
      lock.acquire();
      try { step(); } finally { lock.release(); }
  }
}
`,
      output: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
export function work(kind: number, step: () => void): void {
  switch (kind) {
    case 1:
      { using _lock = lock.hold(); step(); }
  }
}
`,
      errors: [{ messageId: 'preferUsing', data: { lock: 'lock', declaration: 'using' }, line: 7, column: 7 }],
    },
    {
      name: "at a module's top level the fix always makes a block, even for the last statement",
      code: `
import { Lock } from '@lockstep/primitives';
declare function step(): void;
const lock = new Lock();
lock.acquire();
try {
  step();
} finally {
  lock.release();
}
`,
      output: `
import { Lock } from '@lockstep/primitives';
declare function step(): void;
const lock = new Lock();
{
  using _lock = lock.hold();
  step();
}
`,
      errors: [{ messageId: 'preferUsing', data: { lock: 'lock', declaration: 'using' }, line: 5, column: 1 }],
    },
    {
      name: 'comments between the statements are reported without a fix; comments in the body are kept',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
export function work(step: () => void): void {
  lock.acquire(); // taken here
  try {
    step();
  } finally {
    lock.release();
  }
}
export function other(step: () => void): void {
  lock.acquire();
  try {
    // the step needs the lock
    step();
  } finally {
    lock.release();
  }
}
`,
      output: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
export function work(step: () => void): void {
  lock.acquire(); // taken here
  try {
    step();
  } finally {
    lock.release();
  }
}
export function other(step: () => void): void {
  using _lock = lock.hold();
  // the step needs the lock
  step();
}
`,
      errors: [
        { messageId: 'preferUsing', data: { lock: 'lock', declaration: 'using' }, line: 5, column: 3 },
        { messageId: 'preferUsing', data: { lock: 'lock', declaration: 'using' }, line: 13, column: 3 },
      ],
    },
    {
      name: 'a multi-line template literal in the body is not re-indented',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
export function work(log: (text: string) => void): void {
  lock.acquire();
  try {
    log(\`a
    b\`);
  } finally {
    lock.release();
  }
}
`,
      output: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
export function work(log: (text: string) => void): void {
  using _lock = lock.hold();
    log(\`a
    b\`);
}
`,
      errors: [{ messageId: 'preferUsing', data: { lock: 'lock', declaration: 'using' }, line: 5, column: 3 }],
    },
    {
      name: 'a lock typed with undefined, in a loop body',
      code: `
import { Lock } from '@lockstep/primitives';
export function drain(lock: Lock | undefined, jobs: (() => void)[]): void {
  if (lock === undefined) return;
  for (const job of jobs) {
    lock.acquire();
    try {
      job();
    } finally {
      lock.release();
    }
  }
}
`,
      output: `
import { Lock } from '@lockstep/primitives';
export function drain(lock: Lock | undefined, jobs: (() => void)[]): void {
  if (lock === undefined) return;
  for (const job of jobs) {
    using _lock = lock.hold();
    job();
  }
}
`,
      errors: [{ messageId: 'preferUsing', data: { lock: 'lock', declaration: 'using' }, line: 6, column: 5 }],
    },
  ],
});

const untypedRuleTester = createUntypedRuleTester();

untypedRuleTester.run('prefer-using (without type information)', rule, {
  valid: [
    {
      name: 'a lock by name only is not reported: the fix would call a hold() nobody checked',
      code: `
const lock = new Lock();
export function work(step) {
  lock.acquire();
  try {
    step();
  } finally {
    lock.release();
  }
}
export async function later(step) {
  await lock.acquireAsync();
  try {
    step();
  } finally {
    lock.release();
  }
}
`,
    },
  ],
  invalid: [],
});
