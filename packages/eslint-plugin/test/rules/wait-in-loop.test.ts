import rule from '../../src/rules/wait-in-loop.js';
import { createTypedRuleTester, createUntypedRuleTester } from '../rule-tester.js';

const ruleTester = createTypedRuleTester();

ruleTester.run('wait-in-loop', rule, {
  valid: [
    {
      name: "the seeds' consumer with a while loop re-checking its predicate",
      code: `
import { Condition } from '@lockstep/primitives';
const cond = new Condition();
const buffer: number[] = [];
export function consume(): number | undefined {
  using _ = cond.hold();
  while (buffer.length === 0) cond.wait();
  return buffer.shift();
}
`,
    },
    {
      name: 'an async consumer that breaks out of an endless loop once its predicate holds',
      code: `
import { Condition } from '@lockstep/primitives';
const cond = new Condition();
let ready = false;
export async function start(): Promise<void> {
  await using _ = await cond.holdAsync();
  while (true) {
    if (ready) break;
    await cond.waitAsync();
  }
}
`,
    },
    {
      name: 'waitFor and waitForAsync loop themselves',
      code: `
import { Condition } from '@lockstep/primitives';
const cond = new Condition();
const buffer: number[] = [];
export function consume(): number | undefined {
  using _ = cond.hold();
  if (buffer.length === 0) cond.waitFor(() => buffer.length > 0);
  return buffer.shift();
}
export async function consumeAsync(): Promise<number | undefined> {
  await using _ = await cond.holdAsync();
  if (buffer.length === 0) await cond.waitForAsync(() => buffer.length > 0, { timeout: 100 });
  return buffer.shift();
}
`,
    },
    {
      name: "a wait whose result is the loop's timeout check",
      code: `
import { Condition } from '@lockstep/primitives';
const cond = new Condition();
let ready = false;
export function awaitReady(): void {
  using _ = cond.hold();
  while (!ready) {
    if (!cond.wait({ timeout: 1000 })) throw new Error('not ready within 1 s');
  }
}
`,
    },
    {
      name: 'do…while and for loops re-check too, in their body, test or update',
      code: `
import { Condition } from '@lockstep/primitives';
const cond = new Condition();
let ready = false;
export function first(): void {
  using _ = cond.hold();
  do {
    cond.wait({ timeout: 10 });
  } while (!ready);
}
export function second(): void {
  using _ = cond.hold();
  for (; !ready; cond.wait());
}
`,
    },
    {
      name: 'Event.wait and Barrier.wait inside an if: what they wait for stays true',
      code: `
import { Barrier, Event } from '@lockstep/primitives';
const started = new Event();
const phase = new Barrier(2);
export function worker(): void {
  if (!started.isSet) started.wait();
  if (phase.wait() === 0) started.clear();
}
`,
    },
    {
      name: 'a receiver named cond whose type is an Event is not guessed at',
      code: `
import { Event } from '@lockstep/primitives';
const cond = new Event();
export function worker(): void {
  if (!cond.isSet) cond.wait();
}
`,
    },
    {
      name: 'a class of your own called Condition is not the primitives one',
      code: `
class Condition {
  wait(): void {}
}
const cond = new Condition();
export function worker(ready: boolean): void {
  if (!ready) cond.wait();
}
`,
    },
    {
      name: 'notify and other methods of a Condition are not waits',
      code: `
import { Condition } from '@lockstep/primitives';
const cond = new Condition();
export function produce(): void {
  using _ = cond.hold();
  cond.notify();
}
`,
    },
  ],
  invalid: [
    {
      name: "the seeds' producer/consumer: an if-guarded wait, with the waitFor suggestion",
      code: `
import { Condition } from '@lockstep/primitives';
const cond = new Condition();
const buffer: number[] = [];
export function consume(): number | undefined {
  using _ = cond.hold();
  if (buffer.length === 0) cond.wait();
  return buffer.shift();
}
export function produce(item: number): void {
  using _ = cond.hold();
  buffer.push(item);
  cond.notify();
}
`,
      errors: [
        {
          messageId: 'waitNotInLoop',
          data: { condition: 'cond', method: 'wait' },
          line: 7,
          column: 28,
          endLine: 7,
          endColumn: 39,
          suggestions: [
            {
              messageId: 'useWaitFor',
              data: { condition: 'cond', replacement: 'waitFor' },
              output: `
import { Condition } from '@lockstep/primitives';
const cond = new Condition();
const buffer: number[] = [];
export function consume(): number | undefined {
  using _ = cond.hold();
  cond.waitFor(() => !(buffer.length === 0));
  return buffer.shift();
}
export function produce(item: number): void {
  using _ = cond.hold();
  buffer.push(item);
  cond.notify();
}
`,
            },
          ],
        },
      ],
    },
    {
      name: 'a block-guarded wait with options: the options are kept and !ready becomes ready',
      code: `
import { Condition } from '@lockstep/primitives';
const cond = new Condition();
let ready = false;
export function awaitReady(): void {
  using _ = cond.hold();
  if (!ready) {
    cond.wait({ timeout: 100 });
  }
}
`,
      errors: [
        {
          messageId: 'waitNotInLoop',
          data: { condition: 'cond', method: 'wait' },
          line: 8,
          column: 5,
          endLine: 8,
          endColumn: 32,
          suggestions: [
            {
              messageId: 'useWaitFor',
              data: { condition: 'cond', replacement: 'waitFor' },
              output: `
import { Condition } from '@lockstep/primitives';
const cond = new Condition();
let ready = false;
export function awaitReady(): void {
  using _ = cond.hold();
  cond.waitFor(() => ready, { timeout: 100 });
}
`,
            },
          ],
        },
      ],
    },
    {
      name: 'an awaited waitAsync on a field, suggested as an awaited waitForAsync',
      code: `
import { Condition } from '@lockstep/primitives';
export class JobQueue {
  readonly #jobs: string[] = [];
  readonly notEmpty = new Condition();
  async take(signal: AbortSignal): Promise<string | undefined> {
    await using _ = await this.notEmpty.holdAsync();
    if (this.#jobs.length === 0) await this.notEmpty.waitAsync({ signal });
    return this.#jobs.shift();
  }
}
`,
      errors: [
        {
          messageId: 'waitNotInLoop',
          data: { condition: 'this.notEmpty', method: 'waitAsync' },
          line: 8,
          column: 40,
          endLine: 8,
          endColumn: 75,
          suggestions: [
            {
              messageId: 'useWaitFor',
              data: { condition: 'this.notEmpty', replacement: 'waitForAsync' },
              output: `
import { Condition } from '@lockstep/primitives';
export class JobQueue {
  readonly #jobs: string[] = [];
  readonly notEmpty = new Condition();
  async take(signal: AbortSignal): Promise<string | undefined> {
    await using _ = await this.notEmpty.holdAsync();
    await this.notEmpty.waitForAsync(() => !(this.#jobs.length === 0), { signal });
    return this.#jobs.shift();
  }
}
`,
            },
          ],
        },
      ],
    },
    {
      name: 'a bare wait: no predicate to move into waitFor, so no suggestion',
      code: `
import { Condition } from '@lockstep/primitives';
const cond = new Condition();
const buffer: number[] = [];
export function consume(): number | undefined {
  using _ = cond.hold();
  cond.wait();
  return buffer.shift();
}
`,
      errors: [{ messageId: 'waitNotInLoop', data: { condition: 'cond', method: 'wait' }, line: 7, column: 3, endLine: 7, endColumn: 14, suggestions: [] }],
    },
    {
      name: 'an if with an else, and a parenthesised negation',
      code: `
import { Condition } from '@lockstep/primitives';
const cond = new Condition();
let a = false;
let b = false;
export function first(): void {
  using _ = cond.hold();
  if (!(a && b)) cond.wait();
  else a = false;
}
export function second(): void {
  using _ = cond.hold();
  if (!(a && b)) cond.wait();
}
`,
      errors: [
        { messageId: 'waitNotInLoop', data: { condition: 'cond', method: 'wait' }, line: 8, column: 18, endLine: 8, endColumn: 29, suggestions: [] },
        {
          messageId: 'waitNotInLoop',
          data: { condition: 'cond', method: 'wait' },
          line: 13,
          column: 18,
          endLine: 13,
          endColumn: 29,
          suggestions: [
            {
              messageId: 'useWaitFor',
              data: { condition: 'cond', replacement: 'waitFor' },
              output: `
import { Condition } from '@lockstep/primitives';
const cond = new Condition();
let a = false;
let b = false;
export function first(): void {
  using _ = cond.hold();
  if (!(a && b)) cond.wait();
  else a = false;
}
export function second(): void {
  using _ = cond.hold();
  cond.waitFor(() => (a && b));
}
`,
            },
          ],
        },
      ],
    },
    {
      name: 'a test that awaits cannot move into a synchronous predicate: no suggestion',
      code: `
import { Condition } from '@lockstep/primitives';
const cond = new Condition();
declare function isReady(): Promise<boolean>;
export async function awaitReady(): Promise<void> {
  await using _ = await cond.holdAsync();
  if (!(await isReady())) await cond.waitAsync();
}
`,
      errors: [{ messageId: 'waitNotInLoop', data: { condition: 'cond', method: 'waitAsync' }, line: 7, column: 33, endLine: 7, endColumn: 49, suggestions: [] }],
    },
    {
      name: "a loop outside the wait's function, and a for…of, do not re-check the predicate",
      code: `
import { Condition } from '@lockstep/primitives';
const cond = new Condition();
let free = 0;
export function runAll(jobs: readonly (() => void)[]): void {
  using _ = cond.hold();
  for (const job of jobs) {
    if (free === 0) cond.wait();
    job();
  }
  while (free > 0) {
    jobs.forEach(() => cond.wait({ timeout: 1 }));
  }
}
`,
      errors: [
        {
          messageId: 'waitNotInLoop',
          data: { condition: 'cond', method: 'wait' },
          line: 8,
          column: 21,
          endLine: 8,
          endColumn: 32,
          suggestions: [
            {
              messageId: 'useWaitFor',
              data: { condition: 'cond', replacement: 'waitFor' },
              output: `
import { Condition } from '@lockstep/primitives';
const cond = new Condition();
let free = 0;
export function runAll(jobs: readonly (() => void)[]): void {
  using _ = cond.hold();
  for (const job of jobs) {
    cond.waitFor(() => !(free === 0));
    job();
  }
  while (free > 0) {
    jobs.forEach(() => cond.wait({ timeout: 1 }));
  }
}
`,
            },
          ],
        },
        { messageId: 'waitNotInLoop', data: { condition: 'cond', method: 'wait' }, line: 12, column: 24, endLine: 12, endColumn: 49, suggestions: [] },
      ],
    },
    {
      name: 'a subclass of Condition, and a Condition that may be undefined',
      code: `
import { Condition } from '@lockstep/primitives';
class TracedCondition extends Condition {}
const traced = new TracedCondition();
let maybe: Condition | undefined;
let ready = false;
export function worker(): void {
  if (!ready) traced.wait();
  if (!ready) maybe!.wait();
}
`,
      errors: [
        {
          messageId: 'waitNotInLoop',
          data: { condition: 'traced', method: 'wait' },
          line: 8,
          column: 15,
          endLine: 8,
          endColumn: 28,
          suggestions: [
            {
              messageId: 'useWaitFor',
              data: { condition: 'traced', replacement: 'waitFor' },
              output: `
import { Condition } from '@lockstep/primitives';
class TracedCondition extends Condition {}
const traced = new TracedCondition();
let maybe: Condition | undefined;
let ready = false;
export function worker(): void {
  traced.waitFor(() => ready);
  if (!ready) maybe!.wait();
}
`,
            },
          ],
        },
        {
          messageId: 'waitNotInLoop',
          data: { condition: 'maybe!', method: 'wait' },
          line: 9,
          column: 15,
          endLine: 9,
          endColumn: 28,
          suggestions: [
            {
              messageId: 'useWaitFor',
              data: { condition: 'maybe!', replacement: 'waitFor' },
              output: `
import { Condition } from '@lockstep/primitives';
class TracedCondition extends Condition {}
const traced = new TracedCondition();
let maybe: Condition | undefined;
let ready = false;
export function worker(): void {
  if (!ready) traced.wait();
  maybe!.waitFor(() => ready);
}
`,
            },
          ],
        },
      ],
    },
    {
      name: 'an `any` receiver named like a condition is guessed at, without a suggestion',
      code: `
declare const queueCv: any;
export function worker(ready: boolean): void {
  if (!ready) queueCv.wait();
}
`,
      errors: [{ messageId: 'waitNotInLoopGuessed', data: { condition: 'queueCv', method: 'wait' }, line: 4, column: 15, endLine: 4, endColumn: 29, suggestions: [] }],
    },
    {
      name: 'a class field typed `any` by an untyped require is guessed at by name, as in plain JavaScript',
      code: `
const Condition = require('@lockstep/primitives').Condition;
export class Buffer {
  notEmptyCond = new Condition();
  items: number[] = [];
  take(): number | undefined {
    if (this.items.length === 0) this.notEmptyCond.wait();
    return this.items.shift();
  }
}
`,
      errors: [
        {
          messageId: 'waitNotInLoopGuessed',
          data: { condition: 'this.notEmptyCond', method: 'wait' },
          line: 7,
          column: 34,
          endLine: 7,
          endColumn: 58,
          suggestions: [],
        },
      ],
    },
    {
      name: 'an `unknown` receiver named like a condition is guessed at too',
      code: `
export function worker(ready: boolean, queueCv: unknown): void {
  if (!ready) (queueCv as any).wait();
}
`,
      errors: [{ messageId: 'waitNotInLoopGuessed', data: { condition: 'queueCv as any', method: 'wait' }, line: 3, column: 15, endLine: 3, endColumn: 38, suggestions: [] }],
    },
  ],
});

// Without type information the rule recognises conditions by their receivers' names.
createUntypedRuleTester().run('wait-in-loop (no type information)', rule, {
  valid: [
    {
      name: 'a condition recognised by name, waited on in a while loop',
      filename: 'plain.js',
      code: `
export function consume(notEmptyCond, buffer) {
  while (buffer.length === 0) notEmptyCond.wait();
  return buffer.shift();
}
`,
    },
    {
      name: 'receivers whose names do not say condition',
      filename: 'plain.js',
      code: `
export function worker(started, second, ready) {
  if (!ready) started.wait();
  if (!ready) second.wait();
}
`,
    },
  ],
  invalid: [
    {
      name: 'plain JavaScript: an if-guarded wait on a condition-named receiver is a guess, with no suggestion',
      filename: 'plain.js',
      code: `
export function consume(cond, buffer) {
  if (buffer.length === 0) cond.wait();
  return buffer.shift();
}
export class Pool {
  async take() {
    if (this.idle.length === 0) await this.QUEUE_CV.waitAsync();
    return this.idle.pop();
  }
}
`,
      errors: [
        { messageId: 'waitNotInLoopGuessed', data: { condition: 'cond', method: 'wait' }, line: 3, column: 28, endLine: 3, endColumn: 39, suggestions: [] },
        {
          messageId: 'waitNotInLoopGuessed',
          data: { condition: 'this.QUEUE_CV', method: 'waitAsync' },
          line: 8,
          column: 39,
          endLine: 8,
          endColumn: 64,
          suggestions: [],
        },
      ],
    },
    {
      name: 'TypeScript parsed without a project: still guessed by name',
      code: `
export function awaitReady(condition: { wait(): boolean }, ready: boolean): void {
  if (!ready) condition.wait();
}
`,
      errors: [{ messageId: 'waitNotInLoopGuessed', data: { condition: 'condition', method: 'wait' }, line: 3, column: 15, endLine: 3, endColumn: 31, suggestions: [] }],
    },
  ],
});
