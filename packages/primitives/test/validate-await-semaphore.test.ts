/**
 * await-semaphore under the validator (`instrument: [awaitSemaphore]`): its Mutex and Semaphore,
 * through acquire + the releaser it resolves to, and `use(fn)`; named as `lockstep` names their
 * declarations, from their use.
 */
import * as awaitSemaphore from 'await-semaphore';
import { Mutex, Semaphore } from 'await-semaphore';
import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import { disableLockValidation, enableLockValidation, fingerprintLockFinding, LockValidationError, lockValidationReports } from '@lockstep/primitives/validate';
import { sleep } from './support/workers.js';
import { rejectionOf } from './support/until.js';

const FILE = 'packages/primitives/test/validate-await-semaphore.test.ts';
const ownAcquire = Semaphore.prototype.acquire;
const sessionsMutex = new Mutex();
const tokensMutex = new Mutex();
const hashingSlots = new Semaphore(2);

class Cache {
  readonly mutex = new Mutex();
  loads = 0;

  async load(): Promise<void> {
    await this.mutex.use(async () => {
      await this.store();
    });
  }

  async store(): Promise<void> {
    await this.mutex.use(async () => {
      this.loads++;
    });
  }
}

beforeEach(() => {
  enableLockValidation({ onReport: 'record', instrument: [awaitSemaphore] });
});

afterAll(() => {
  disableLockValidation();
});

describe('await-semaphore under the validator', () => {
  test('an inversion of two Mutexes (use one way, acquire + releaser the other) is one cycle with lockstep’s ids', async () => {
    async function login(): Promise<void> {
      await sessionsMutex.use(async () => {
        await tokensMutex.use(() => sleep(1));
      });
    }
    async function rotate(): Promise<void> {
      const release = await tokensMutex.acquire();
      try {
        await sessionsMutex.use(() => sleep(1));
      } finally {
        release();
      }
    }
    await login();
    await rotate();
    const reports = lockValidationReports();
    expect(reports.map((report) => report.kind)).toEqual(['lock-order-cycle']);
    const ids = [`${FILE}#sessionsMutex`, `${FILE}#tokensMutex`];
    expect(reports[0]!.locks).toEqual(ids);
    expect(reports[0]!.fingerprint).toBe(fingerprintLockFinding('lock-order-cycle', ids));
    // The sites are the user's calls, not await-semaphore's inner acquire.
    expect(reports[0]!.steps.map((step) => step.acquired.form).sort()).toEqual(['use', 'use']);
    expect(reports[0]!.steps.map((step) => step.held?.form).sort()).toEqual(['acquire', 'use']);
  });

  test('a Mutex field taken again through a call would wait for itself: refused with LockValidationError, named Class.field', async () => {
    const cache = new Cache();
    const error = await rejectionOf(cache.load());
    expect(error).toBeInstanceOf(LockValidationError);
    const report = (error as LockValidationError).report;
    expect(report.kind).toBe('self-deadlock');
    expect(report.locks).toEqual([`${FILE}#Cache.mutex`]);
    expect(cache.loads).toBe(0);
    // The refused acquisition took nothing; the outer one was given back by use().
    await cache.store();
    expect(cache.loads).toBe(1);
  });

  test('consistent orders, a semaphore shared by concurrent tasks and hand-offs between tasks report nothing', async () => {
    async function hash(): Promise<void> {
      await sessionsMutex.use(async () => {
        await hashingSlots.use(() => sleep(2));
      });
    }
    await Promise.all([hash(), hash(), hash()]);
    // One task holds the mutex while another waits for it and is given it on release: a hand-off.
    async function holdFor(ms: number): Promise<void> {
      const release = await tokensMutex.acquire();
      await sleep(ms);
      release();
    }
    await Promise.all([holdFor(5), holdFor(1)]);
    expect(lockValidationReports()).toEqual([]);
  });

  test('a releaser handed to a timer while the holder waits for the Mutex again is a hand-off; one nobody calls is refused after the grace', async () => {
    enableLockValidation({ onReport: 'record', instrument: [awaitSemaphore], selfDeadlockAfter: 60_000 });
    const mutex = new Mutex();
    const release = await mutex.acquire();
    setTimeout(release, 5);
    const again = await mutex.acquire();
    again();
    expect(lockValidationReports()).toEqual([]);

    enableLockValidation({ onReport: 'record', instrument: [awaitSemaphore], selfDeadlockAfter: 20 });
    const held = await mutex.acquire();
    const error = await rejectionOf(mutex.acquire());
    expect((error as LockValidationError).report.kind).toBe('self-deadlock');
    // Granted to the refused acquisition once released, and given straight back.
    held();
    await sleep(1);
    const free = await mutex.acquire();
    free();
    expect(mutex.count).toBe(1);
  });

  test('a releaser called twice releases once, as await-semaphore’s own', async () => {
    const release = await tokensMutex.acquire();
    release();
    release();
    const again = await tokensMutex.acquire();
    again();
    expect(lockValidationReports()).toEqual([]);
  });

  test('switched off, the prototype has its own acquire back', () => {
    expect(Semaphore.prototype.acquire).not.toBe(ownAcquire);
    disableLockValidation();
    expect(Semaphore.prototype.acquire).toBe(ownAcquire);
  });
});
