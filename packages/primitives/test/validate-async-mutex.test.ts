/**
 * async-mutex under the validator (`instrument: [asyncMutex]`): its Mutex and Semaphore, through
 * acquire + releaser, runExclusive and release(), in its ESM build and its CommonJS one, named as
 * `lockstep` names their declarations (they are created before anything sees it, so from their use).
 */
import { createRequire } from 'node:module';
import * as asyncMutex from 'async-mutex';
import { Mutex, Semaphore } from 'async-mutex';
import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import { disableLockValidation, enableLockValidation, fingerprintLockFinding, LockValidationError, lockValidationReports, type LockValidationReport } from '@lockstep/primitives/validate';
import { sharedMutex } from './support/async-mutex-locks.js';
import { sleep } from './support/workers.js';
import { rejectionOf } from './support/until.js';

const FILE = 'packages/primitives/test/validate-async-mutex.test.ts';
const commonJs = createRequire(import.meta.url)('async-mutex') as typeof asyncMutex;

// async-mutex's own methods, before anything patches them (the validator's import does not: only
// `instrument` or LOCKSTEP_VALIDATE_INSTRUMENT does).
const ownMethods = [Mutex.prototype.acquire, Mutex.prototype.runExclusive, Semaphore.prototype.acquire, Semaphore.prototype.release];
const accountsMutex = new Mutex();
const ledgerMutex = new Mutex();
const cjsFirst = new commonJs.Mutex();
const cjsSecond = new commonJs.Mutex();
const pairFirst = new Mutex(), pairSecond = new Mutex();

class Store {
  readonly mutex = new Mutex();
  saved = 0;

  async save(): Promise<void> {
    await this.mutex.runExclusive(async () => {
      await this.flush();
    });
  }

  async flush(): Promise<void> {
    await this.mutex.runExclusive(() => {
      this.saved++;
    });
  }
}

beforeEach(() => {
  enableLockValidation({ onReport: 'record', instrument: [asyncMutex, commonJs] });
});

afterAll(() => {
  disableLockValidation();
});

describe('async-mutex under the validator', () => {
  test('an inversion of two Mutexes across async contexts (runExclusive one way, acquire + releaser the other) is one cycle with lockstep’s ids', async () => {
    async function post(): Promise<void> {
      await accountsMutex.runExclusive(async () => {
        await ledgerMutex.runExclusive(() => sleep(1));
      });
    }
    async function audit(): Promise<void> {
      const release = await ledgerMutex.acquire();
      try {
        const inner = await accountsMutex.acquire();
        inner();
      } finally {
        release();
      }
    }
    await post();
    expect(lockValidationReports()).toEqual([]);
    await audit();
    const reports = lockValidationReports();
    expect(reports.map((report) => report.kind)).toEqual(['lock-order-cycle']);
    const [report] = reports;
    expect(report!.locks).toEqual([`${FILE}#accountsMutex`, `${FILE}#ledgerMutex`]);
    expect(report!.fingerprint).toBe(fingerprintLockFinding('lock-order-cycle', [`${FILE}#accountsMutex`, `${FILE}#ledgerMutex`]));
    const [taken, inverted] = report!.steps;
    expect(taken!.held).toMatchObject({ function: 'post', form: 'runExclusive', location: { file: FILE } });
    expect(inverted!.held).toMatchObject({ function: 'audit', form: 'acquire', location: { file: FILE } });
    // Released on every path: nothing is left held.
    expect(accountsMutex.isLocked() || ledgerMutex.isLocked()).toBe(false);
  });

  test('a Mutex field re-taken through a call would hang for ever: refused with LockValidationError, named Class.field', async () => {
    const store = new Store();
    const error = await rejectionOf(store.save());
    expect(error).toBeInstanceOf(LockValidationError);
    const report = (error as LockValidationError).report;
    expect(report.kind).toBe('self-deadlock');
    expect(report.locks).toEqual([`${FILE}#Store.mutex`]);
    expect(report.thrown).toBe(true);
    // The outer runExclusive released it when the refusal unwound its callback.
    expect(store.mutex.isLocked()).toBe(false);
    expect(store.saved).toBe(0);
  });

  test('a Mutex imported from another file is named where it is declared', async () => {
    await sharedMutex.runExclusive(async () => {
      await sharedMutex.runExclusive(() => undefined).catch((error: unknown) => error);
    });
    expect(lockValidationReports().map((report) => report.locks)).toEqual([['packages/primitives/test/support/async-mutex-locks.ts#sharedMutex']]);
  });

  test('both declarators of one declaration are named as lockstep names them', async () => {
    await pairFirst.runExclusive(() => pairSecond.runExclusive(() => sleep(0)));
    await pairSecond.runExclusive(() => pairFirst.runExclusive(() => sleep(0)));
    expect(lockValidationReports().map((report) => report.locks)).toEqual([[`${FILE}#pairFirst`, `${FILE}#pairSecond`]]);
  });

  test('the CommonJS build is a copy of its own, instrumented too', async () => {
    await cjsFirst.runExclusive(() => cjsSecond.runExclusive(() => sleep(1)));
    await cjsSecond.runExclusive(() => cjsFirst.runExclusive(() => sleep(1)));
    expect(lockValidationReports().map((report) => [report.kind, ...report.locks])).toEqual([['lock-order-cycle', `${FILE}#cjsFirst`, `${FILE}#cjsSecond`]]);
  });

  test('no report for consistent orders, a Semaphore’s permits taken by two contexts, or Mutex.release() of a hold', async () => {
    const permits = new Semaphore(2);
    const first = new Mutex();
    const second = new Mutex();
    for (let round = 0; round < 3; round++) {
      await first.runExclusive(() => second.runExclusive(() => sleep(0)));
    }
    await Promise.all([permits.runExclusive(() => sleep(2)), permits.runExclusive(() => sleep(2))]);
    // Both permits taken by one context: a counting semaphore's second permit is no self-deadlock.
    const [, releaseOne] = await permits.acquire();
    const [, releaseTwo] = await permits.acquire();
    releaseTwo();
    releaseOne();
    await first.acquire();
    first.release();
    expect(lockValidationReports()).toEqual([]);
    expect(first.isLocked() || second.isLocked() || permits.isLocked()).toBe(false);
  });

  test('on, Mutex.runExclusive and acquire keep async-mutex’s behaviour: results, throws release, cancel rejects waiters, priorities order them', async () => {
    const mutex = new Mutex();
    await expect(mutex.runExclusive(() => 42)).resolves.toBe(42);
    await expect(mutex.runExclusive(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(mutex.isLocked()).toBe(false);

    // Another task holds it while this one queues: waiting in the holder's own context would be the
    // self-deadlock the validator refuses.
    const holdUntil = (gate: Promise<void>): Promise<void> => mutex.runExclusive(() => gate);
    let open!: () => void;
    let holder = holdUntil(new Promise<void>((resolve) => (open = resolve)));
    await sleep(1);
    const waiting = mutex.runExclusive(() => 'never');
    mutex.cancel();
    await expect(waiting).rejects.toBe(asyncMutex.E_CANCELED);
    open();
    await holder;
    expect(mutex.isLocked()).toBe(false);

    const order: string[] = [];
    holder = holdUntil(new Promise<void>((resolve) => (open = resolve)));
    await sleep(1);
    const low = mutex.runExclusive(() => order.push('low'), 0);
    const high = mutex.acquire(5).then((release) => {
      order.push('high');
      release();
    });
    open();
    await Promise.all([holder, low, high]);
    expect(order).toEqual(['high', 'low']);
    expect(lockValidationReports()).toEqual([]);
  });

  test('a releaser handed to a timer, then the Mutex awaited again by its holder: a hand-off, no report (async-mutex’s own suite does this)', async () => {
    // A grace far longer than the hand-off: the outcome cannot depend on how fast this machine is.
    enableLockValidation({ onReport: 'record', instrument: [asyncMutex], selfDeadlockAfter: 60_000 });
    const mutex = new Mutex();
    let handedOff = false;
    const release = await mutex.acquire();
    setTimeout(() => {
      handedOff = true;
      release();
    }, 5);
    (await mutex.acquire())();
    expect(handedOff).toBe(true);
    // The same through runExclusive, and a Semaphore(1) used as a mutex with its releaser in a callback.
    const [, releaseSemaphore] = await new Semaphore(1).acquire();
    queueMicrotask(releaseSemaphore);
    const again = await mutex.runExclusive(async () => 'again');
    expect(again).toBe('again');
    expect(lockValidationReports()).toEqual([]);
    expect(mutex.isLocked()).toBe(false);
  });

  test('a waiter its holder queued, then cancel(): rejected with E_CANCELED (or the cancel error given), no report', async () => {
    enableLockValidation({ onReport: 'record', instrument: [asyncMutex], selfDeadlockAfter: 60_000 });
    const mutex = new Mutex();
    const release = await mutex.acquire();
    const ticket = mutex.acquire();
    const exclusive = mutex.runExclusive(() => 'never');
    mutex.cancel();
    await expect(ticket).rejects.toBe(asyncMutex.E_CANCELED);
    await expect(exclusive).rejects.toBe(asyncMutex.E_CANCELED);
    const reason = new Error('shutting down');
    const withReason = new Mutex(reason);
    await withReason.acquire();
    const queued = withReason.acquire();
    withReason.cancel();
    await expect(queued).rejects.toBe(reason);
    release();
    expect(mutex.isLocked()).toBe(false);
    expect(lockValidationReports()).toEqual([]);
  });

  test('still waiting for itself once the grace is over: refused where it was taken, and the lock, released later, is free', async () => {
    enableLockValidation({ onReport: 'record', instrument: [asyncMutex], selfDeadlockAfter: 20 });
    const mutex = new Mutex();
    const release = await mutex.acquire();
    const error = await rejectionOf(mutex.acquire());
    expect(error).toBeInstanceOf(LockValidationError);
    const report = (error as LockValidationError).report;
    expect(report.kind).toBe('self-deadlock');
    expect(report.steps[0]?.acquired.location?.file).toBe(FILE);
    // The error's stack is the acquisition's, not the timer's that found it still waiting.
    expect((error as Error).stack).toContain('validate-async-mutex.test.ts');
    expect((error as Error).stack).not.toContain('hand-off-watch');
    // The refused acquisition is still in async-mutex's queue: granted when the holder lets go, it is
    // given straight back, so the mutex is not left locked by nobody.
    release();
    await sleep(1);
    expect(mutex.isLocked()).toBe(false);
    expect(lockValidationReports().map((found) => found.kind)).toEqual(['self-deadlock']);
  });

  test('selfDeadlockAfter: 0 refuses at once; a value that is no delay is a TypeError naming the option', async () => {
    enableLockValidation({ onReport: 'record', instrument: [asyncMutex], selfDeadlockAfter: 0 });
    const mutex = new Mutex();
    const release = await mutex.acquire();
    const refused = mutex.acquire();
    // Refused by the acquisition itself: settled before the event loop's next turn.
    const outcome = await Promise.race([refused.then(() => 'taken', (error: unknown) => error), new Promise((resolve) => setImmediate(() => resolve('waiting')))]);
    expect(outcome).toBeInstanceOf(LockValidationError);
    release();
    for (const selfDeadlockAfter of [-1, Number.NaN, '1000', 2 ** 31]) {
      expect(() => enableLockValidation({ selfDeadlockAfter: selfDeadlockAfter as number })).toThrow(/selfDeadlockAfter must be a number of milliseconds/);
    }
  });

  test('a lock taken in a new context every time records a bounded number of stacks; the new order still records its own', async () => {
    const inversion = async (everySite: boolean): Promise<LockValidationReport | undefined> => {
      enableLockValidation({ onReport: 'record', instrument: [asyncMutex], everySite });
      const outer = new Mutex();
      const inner = new Mutex();
      // Each runExclusive is a context of its own: past the budget their stacks are not taken.
      for (let i = 0; i < 200; i++) await outer.runExclusive(() => undefined);
      await inner.runExclusive(() => outer.runExclusive(() => undefined));
      await outer.runExclusive(() => inner.runExclusive(() => undefined));
      return lockValidationReports()[0];
    };
    const budgeted = await inversion(false);
    expect(budgeted?.kind).toBe('lock-order-cycle');
    expect(budgeted?.steps.every((step) => step.acquired.location !== undefined)).toBe(true);
    // The outer lock's 202nd acquisition (held when inner was taken) was past the budget.
    expect(budgeted?.steps.filter((step) => step.held === undefined)).toHaveLength(1);
    const everySite = await inversion(true);
    expect(everySite?.steps.every((step) => step.held !== undefined)).toBe(true);
  });

  test('off, async-mutex’s own methods are back', async () => {
    expect([Mutex.prototype.acquire, Mutex.prototype.runExclusive, Semaphore.prototype.acquire, Semaphore.prototype.release]).not.toEqual(ownMethods);
    disableLockValidation();
    expect([Mutex.prototype.acquire, Mutex.prototype.runExclusive, Semaphore.prototype.acquire, Semaphore.prototype.release]).toEqual(ownMethods);
    const mutex = new Mutex();
    const release = await mutex.acquire();
    expect(mutex.isLocked()).toBe(true);
    // Taking it again is not refused (the validator is off): it waits, as async-mutex does.
    const second = mutex.acquire();
    release();
    (await second)();
    expect(mutex.isLocked()).toBe(false);
    expect(lockValidationReports()).toEqual([]);
  });

  test('something else passed as a module to instrument is a TypeError naming what was expected', () => {
    expect(() => enableLockValidation({ instrument: [{ Mutex: class {} }] })).toThrow(TypeError);
    expect(() => enableLockValidation({ instrument: [{}] })).toThrow(/async-mutex/);
  });
});
