import rule from '../../src/rules/require-held-lock.js';
import { createTypedRuleTester, createUntypedRuleTester } from '../rule-tester.js';

const ruleTester = createTypedRuleTester();

/** The `since` sentence of a report, as the rule words it for each way of losing the lock. */
const releasedAt = (line: number): string => `It was released at line ${line}`;
const usingEndedAt = (line: number): string => `The block whose 'using' declaration held it ended at line ${line}`;
const NEVER_ACQUIRED = "Nothing acquires it before this point of the module's top-level code";

ruleTester.run('require-held-lock', rule, {
  valid: [
    {
      name: 'interprocedural: the caller of the caller holds the condition, through a method of the same class',
      code: `
import { Condition } from '@lockstep/primitives';
export class Jobs {
  readonly #ready = new Condition();
  #signal(): void {
    this.#ready.notifyAll();
  }
  #enqueue(): void {
    this.#signal();
  }
  push(): void {
    using _held = this.#ready.hold();
    this.#enqueue();
  }
}
`,
    },
    {
      name: 'interprocedural: a condition over a Lock, the Lock held by the caller inside runExclusive',
      code: `
import { Condition, Lock } from '@lockstep/primitives';
export class Mailbox {
  readonly lock = new Lock();
  readonly arrived = new Condition(this.lock);
  #announce(): void {
    this.arrived.notify();
  }
  async deliver(): Promise<void> {
    await this.lock.runExclusive(async () => {
      this.#announce();
    });
  }
}
`,
    },
    {
      name: 'interprocedural: a condition passed as a parameter is whatever the caller passes',
      code: `
import { Condition } from '@lockstep/primitives';
export function wake(cond: Condition): void {
  cond.notify();
}
`,
    },
    {
      name: 'a helper that only notifies: every caller holds the condition',
      code: `
import { Condition } from '@lockstep/primitives';
const cond = new Condition();
export function signal(): void {
  cond.notify();
}
export function waitHere(): void {
  cond.wait();
}
export function produce(): void {
  using _held = cond.hold();
  signal();
  waitHere();
}
`,
    },
    {
      name: 'acquire, then notify and release',
      code: `
import { Condition } from '@lockstep/primitives';
const cond = new Condition();
export function produce(): void {
  cond.acquire();
  try {
    cond.notify();
  } finally {
    cond.release();
  }
}
cond.acquire();
cond.notifyAll();
cond.release();
`,
    },
    {
      name: 'notify and waitFor inside the using hold',
      code: `
import { Condition } from '@lockstep/primitives';
const cond = new Condition();
let ready = false;
export function produce(): void {
  using _ = cond.hold();
  ready = true;
  cond.notify();
}
export async function consume(): Promise<void> {
  await using _ = await cond.holdAsync();
  await cond.waitForAsync(() => ready);
  cond.waitFor(() => ready);
}
`,
    },
    {
      name: 'an RLock acquired twice and released twice',
      code: `
import { RLock } from '@lockstep/primitives';
const rlock = new RLock();
export function nested(): void {
  rlock.acquire();
  rlock.acquire();
  rlock.release();
  rlock.release();
}
`,
    },
    {
      name: 'a release then notify where the release only happens on a branch',
      code: `
import { Condition } from '@lockstep/primitives';
const cond = new Condition();
export function maybe(early: boolean): void {
  if (early) cond.release();
  cond.notify();
}
export function caller(): void {
  using _held = cond.hold();
  maybe(false);
}
`,
    },
    {
      name: 'release then re-acquire before the notify, and loops the rule does not follow',
      code: `
import { Condition } from '@lockstep/primitives';
const cond = new Condition();
export function pause(): void {
  cond.release();
  cond.acquire();
  cond.notify();
}
export function loop(n: number): void {
  for (let i = 0; i < n; i += 1) {
    cond.release();
    cond.notify();
  }
}
export function caller(): void {
  using _held = cond.hold();
  pause();
  loop(1);
}
`,
    },
    {
      name: 'the condition handed to another call in between may be acquired there',
      code: `
import { Condition } from '@lockstep/primitives';
const cond = new Condition();
declare function reacquire(c: Condition): void;
export function handOff(): void {
  cond.release();
  reacquire(cond);
  cond.notify();
}
export function caller(): void {
  using _held = cond.hold();
  handOff();
}
`,
    },
    {
      name: 'a plain Lock release twice and a non-lock notify are out of scope',
      code: `
import { Lock } from '@lockstep/primitives';
const lock = new Lock();
const emitter = { notify(): void {}, release(): void {} };
lock.acquire();
lock.release();
lock.release();
emitter.notify();
emitter.release();
`,
    },
    {
      name: 'module top level inside a using block holds the condition',
      code: `
import { Condition } from '@lockstep/primitives';
const cond = new Condition();
{
  using _ = cond.hold();
  cond.notifyAll();
}
`,
    },
  ],
  invalid: [
    {
      name: 'interprocedural: no caller holds the condition when it calls the notifying method',
      code: `
import { Condition } from '@lockstep/primitives';
export class Jobs {
  readonly ready = new Condition();
  signal(): void {
    this.ready.notify();
  }
  push(): void {
    this.signal();
  }
}
`,
      errors: [
        {
          messageId: 'notHeldNotify',
          data: { lock: 'this.ready', method: 'notify', since: "No caller in the program calls 'Jobs.signal' while holding 'this.ready', and 'Jobs.signal' does not hold it here" },
          line: 6,
        },
      ],
    },
    {
      name: 'interprocedural: nothing calls the waiting function, and it does not hold the condition',
      code: `
import { Condition } from '@lockstep/primitives';
const cond = new Condition();
export function consume(): void {
  while (Math.random() > 0.5) cond.wait();
}
`,
      errors: [{ messageId: 'notHeldWait', data: { lock: 'cond', method: 'wait', since: "Nothing in the program calls 'consume', and 'consume' does not hold 'cond' here" }, line: 5 }],
    },
    {
      name: 'interprocedural: an event handler registered while the lock is held runs later, without it',
      code: `
import { EventEmitter } from 'node:events';
import { Condition } from '@lockstep/primitives';
const cond = new Condition();
export function listen(emitter: EventEmitter): void {
  using _held = cond.hold();
  emitter.on('data', () => {
    cond.notify();
  });
}
`,
      errors: [
        {
          messageId: 'notHeldNotify',
          data: { lock: 'cond', method: 'notify', since: "Nothing in the program calls 'listen → emitter.on(callback)', and 'listen → emitter.on(callback)' does not hold 'cond' here" },
          line: 8,
        },
      ],
    },
    {
      name: 'release then notify in one function',
      code: `
import { Condition } from '@lockstep/primitives';
const cond = new Condition();
export function handOver(): void {
  cond.release();
  cond.notify();
}
`,
      errors: [{ messageId: 'notHeldNotify', data: { lock: 'cond', method: 'notify', since: releasedAt(5) }, line: 6, column: 3, endLine: 6, endColumn: 16 }],
    },
    {
      name: 'module top level: notify with no acquire, and an awaited wait after a release',
      code: `
import { Condition } from '@lockstep/primitives';
const cond = new Condition();
cond.notify();
cond.acquire();
cond.release();
await cond.waitAsync();
`,
      errors: [
        { messageId: 'notHeldNotify', data: { lock: 'cond', method: 'notify', since: NEVER_ACQUIRED }, line: 4, column: 1, endLine: 4, endColumn: 14 },
        { messageId: 'notHeldWait', data: { lock: 'cond', method: 'waitAsync', since: releasedAt(6) }, line: 7, column: 7, endLine: 7, endColumn: 23 },
      ],
    },
    {
      name: 'an RLock released twice after one acquire',
      code: `
import { RLock } from '@lockstep/primitives';
class Store {
  readonly rlock = new RLock();
  update(): void {
    this.rlock.acquire();
    this.rlock.release();
    this.rlock.release();
  }
}
export { Store };
`,
      errors: [{ messageId: 'notHeldRelease', data: { lock: 'this.rlock', method: 'release', since: releasedAt(7) }, line: 8, column: 5, endLine: 8, endColumn: 25 }],
    },
    {
      name: 'notify after the using block that held the condition ended',
      code: `
import { Condition } from '@lockstep/primitives';
const cond = new Condition();
let ready = false;
export function produce(): void {
  {
    using _ = cond.hold();
    ready = true;
  }
  if (ready) {
    cond.notifyAll();
  }
}
`,
      errors: [{ messageId: 'notHeldNotify', data: { lock: 'cond', method: 'notifyAll', since: usingEndedAt(9) }, line: 11, column: 5, endLine: 11, endColumn: 21 }],
    },
    {
      name: 'notify after the block whose await using … holdAsync() held the condition (a C++ habit)',
      code: `
import { Condition } from '@lockstep/primitives';
const cond = new Condition();
const pending: number[] = [];
export async function drop(): Promise<number> {
  let dropped: number;
  {
    await using _ = await cond.holdAsync();
    dropped = pending.splice(0).length;
  }
  cond.notifyAll();
  return dropped;
}
`,
      errors: [{ messageId: 'notHeldNotify', data: { lock: 'cond', method: 'notifyAll', since: usingEndedAt(10) }, line: 11, column: 3, endLine: 11, endColumn: 19 }],
    },
  ],
});

createUntypedRuleTester().run('require-held-lock (no type information)', rule, {
  valid: [
    {
      name: 'a condition-named helper notify, and receivers whose names say nothing',
      filename: 'plain.js',
      code: `
export function signal(cond) {
  cond.notify();
}
export function other(second, lock) {
  second.release();
  second.notify();
  lock.release();
  lock.release();
}
`,
    },
  ],
  invalid: [
    {
      name: 'plain JavaScript: release then wait on a condition-named receiver is a guess',
      filename: 'plain.js',
      code: `
export function consume(cv) {
  cv.release();
  cv.wait();
}
`,
      errors: [{ messageId: 'notHeldWaitGuessed', data: { lock: 'cv', method: 'wait', since: releasedAt(3) }, line: 4, column: 3, endLine: 4, endColumn: 12 }],
    },
    {
      name: 'plain JavaScript: an rlock released twice after one acquire',
      filename: 'plain.js',
      code: `
export function update(tableRLock) {
  tableRLock.acquire();
  tableRLock.release();
  tableRLock.release();
}
`,
      errors: [{ messageId: 'notHeldReleaseGuessed', data: { lock: 'tableRLock', method: 'release', since: releasedAt(4) }, line: 5, column: 3, endLine: 5, endColumn: 23 }],
    },
  ],
});
