import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import { Condition, Lock, RLock } from '@lockstep/primitives';
import { disableLockValidation, enableLockValidation, fingerprintLockFinding, LockValidationError, lockValidationReports } from '@lockstep/primitives/validate';
import { sleep } from './support/workers.js';
import { rejectionOf } from './support/until.js';

const FILE = 'packages/primitives/test/validate-self-deadlock.test.ts';

/** The demo's `ExchangeRates`: `convert` holds `refreshLock` and calls `refresh`, which takes it again. */
class ExchangeRates {
  private readonly refreshLock = new Lock();
  stale = true;

  async convert(): Promise<number> {
    await using _refresh = await this.refreshLock.holdAsync();
    if (this.stale) await this.refresh();
    return 1;
  }

  async refresh(): Promise<void> {
    await using _refresh = await this.refreshLock.holdAsync();
    this.stale = false;
  }
}

beforeEach(() => {
  enableLockValidation({ onReport: 'record' });
});

afterAll(() => {
  disableLockValidation();
});

describe('self-deadlock', () => {
  test('a Lock taken twice with acquireAsync in one async context is refused with LockValidationError, not hung', async () => {
    const lock = new Lock();
    await lock.acquireAsync();
    const error = await rejectionOf(lock.acquireAsync());
    expect(error).toBeInstanceOf(LockValidationError);
    const report = (error as LockValidationError).report;
    expect(report.kind).toBe('self-deadlock');
    expect(report.locks).toEqual([`${FILE}#lock`]);
    expect(report.thrown).toBe(true);
    expect(lockValidationReports()).toEqual([report]);
    // Refused before it was attempted: the first acquisition still holds it, once.
    lock.release();
    expect(lock.locked).toBe(false);
  });

  test("the demo's self-deadlock through a call is refused, named as lockstep names it, fingerprinted for the holder", async () => {
    const rates = new ExchangeRates();
    const error = await rejectionOf(rates.convert());
    expect(error).toBeInstanceOf(LockValidationError);
    const report = (error as LockValidationError).report;
    const id = `${FILE}#ExchangeRates.refreshLock`;
    expect(report.locks).toEqual([id]);
    expect(report.steps[0]!.held).toMatchObject({ function: 'ExchangeRates.convert', form: 'holdAsync' });
    expect(report.steps[0]!.acquired).toMatchObject({ function: 'ExchangeRates.refresh', form: 'holdAsync' });
    // lockstep's fix site: the function holding the lock that calls on into the second acquisition.
    expect(report.fingerprint).toBe(fingerprintLockFinding('self-deadlock', [id], `${FILE}#ExchangeRates.convert`));
    expect(report.lockInfo[0]).toMatchObject({ name: 'ExchangeRates.refreshLock', kind: 'Lock' });
    // The holder's `await using` released it on the way out.
    const fresh = new ExchangeRates();
    fresh.stale = false;
    expect(await fresh.convert()).toBe(1);
  });

  test('a blocking re-acquisition on the thread that holds the lock throws instead of sleeping for ever', () => {
    const lock = new Lock();
    lock.acquire();
    expect(() => lock.acquire()).toThrow(LockValidationError);
    lock.release();
  });

  test('with a timeout the self-deadlock is reported once the grace is over, and the acquisition times out as usual', async () => {
    enableLockValidation({ onReport: 'record', selfDeadlockAfter: 20 });
    const lock = new Lock();
    await lock.acquireAsync();
    expect(await lock.acquireAsync({ timeout: 300 })).toBe(false);
    expect(lockValidationReports().map((report) => report.kind)).toEqual(['self-deadlock']);
    lock.release();
    // Timed out within the grace: it may have been a task the holder started, queued behind it.
    enableLockValidation({ onReport: 'record', selfDeadlockAfter: 60_000 });
    const other = new Lock();
    await other.acquireAsync();
    expect(await other.acquireAsync({ timeout: 20 })).toBe(false);
    expect(lockValidationReports()).toEqual([]);
    other.release();
  });

  test('the refusal comes from the acquisition: its stack is the caller’s, and it took nothing', async () => {
    enableLockValidation({ onReport: 'record', selfDeadlockAfter: 20 });
    const lock = new Lock();
    await lock.acquireAsync();
    const error = (await rejectionOf(lock.runExclusive(() => 'never'))) as LockValidationError;
    expect(error).toBeInstanceOf(LockValidationError);
    expect(error.stack?.split('\n')[1]).toContain('validate-self-deadlock.test.ts');
    lock.release();
    expect(lock.locked).toBe(false);
  });

  test('an RLock taken outside runExclusive and awaited again waits for itself (its docs say so): refused', async () => {
    const rlock = new RLock();
    await rlock.acquireAsync();
    expect(await rejectionOf(rlock.acquireAsync())).toBeInstanceOf(LockValidationError);
    rlock.release();
  });
});

describe('no false self-deadlock', () => {
  test('RLock re-entry, blocking and inside runExclusive, is no finding', async () => {
    const rlock = new RLock();
    rlock.acquire();
    rlock.acquire();
    expect(rlock.tryAcquire()).toBe(true);
    rlock.release();
    rlock.release();
    rlock.release();
    await rlock.runExclusive(async () => {
      await using _again = await rlock.holdAsync();
      await rlock.runExclusive(() => sleep(1));
    });
    const condition = new Condition();
    await condition.runExclusive(async () => {
      await condition.runExclusive(() => undefined);
    });
    expect(rlock.locked).toBe(false);
    expect(lockValidationReports()).toEqual([]);
  });

  test('a task the holder starts and does not await queues behind it: no finding, no refusal (it inherits the holder’s context)', async () => {
    // A grace far longer than the hold: the outcome cannot depend on how fast this machine is.
    enableLockValidation({ onReport: 'throw', selfDeadlockAfter: 60_000 });
    const lock = new Lock();
    let later: Promise<string> | undefined;
    const first = await lock.runExclusive(async () => {
      later = lock.runExclusive(async () => 'second');
      await sleep(5);
      return 'first';
    });
    expect([first, await later]).toEqual(['first', 'second']);
    expect(lockValidationReports()).toEqual([]);
  });

  test('callbacks share the thread’s synchronous context: one taking the lock, another awaiting it, a third releasing it', async () => {
    enableLockValidation({ onReport: 'throw', selfDeadlockAfter: 60_000 });
    const lock = new Lock();
    const steps: string[] = [];
    await new Promise<void>((done) => {
      setTimeout(() => {
        lock.tryAcquire();
        steps.push('taken');
      }, 1);
      setTimeout(() => {
        lock.acquireAsync().then(() => {
          steps.push('waiter got it');
          lock.release();
          done();
        }, done);
      }, 10);
      setTimeout(() => {
        steps.push('released');
        lock.release();
      }, 40);
    });
    expect(steps).toEqual(['taken', 'released', 'waiter got it']);
  });

  test('switched off during the grace, the watch ends: the acquisition goes on as it would unwatched', async () => {
    enableLockValidation({ onReport: 'record', selfDeadlockAfter: 50 });
    const lock = new Lock();
    await lock.acquireAsync();
    const again = lock.acquireAsync();
    disableLockValidation();
    await sleep(150);
    lock.release();
    expect(await again).toBe(true);
    lock.release();
    expect(lockValidationReports()).toEqual([]);
  });

  test('taking a lock again after releasing it, in a loop, is no finding', async () => {
    const lock = new Lock();
    for (let i = 0; i < 10; i++) {
      await lock.acquireAsync();
      await sleep(0);
      lock.release();
      using _held = lock.hold();
    }
    expect(lockValidationReports()).toEqual([]);
  });

  test('a Condition over a Lock releases and re-takes it inside waitAsync: the caller still holds it, no finding', async () => {
    const lock = new Lock();
    const ready = new Condition(lock);
    let done = false;
    const waiter = ready.runExclusive(async () => {
      while (!done) await ready.waitAsync({ timeout: 1_000 });
    });
    await sleep(5);
    await ready.runExclusive(() => {
      done = true;
      ready.notifyAll();
    });
    await waiter;
    await lock.acquireAsync();
    await ready.waitAsync({ timeout: 5 });
    lock.release();
    expect(lock.locked).toBe(false);
    expect(lockValidationReports()).toEqual([]);
  });
});
