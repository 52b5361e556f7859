/**
 * An async context that re-takes, in a loop, the one lock it has just released is re-armed in place
 * by the validator (async-context.ts's `rearm`) rather than replaced by a new context each time. These
 * tests warm such a loop up, so that the acquisition under test is a re-arm, and then do what the
 * re-arm must not change: the code that made the acquisition, until it awaits it, does not hold the
 * lock; what awaits the acquisition (or chains on it) does; a promise of an older acquisition, awaited
 * again, does not hold the lock anew; self-deadlocks, bad unlocks and overdue holds are still found.
 */
import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import { Condition, Lock } from '@lockstep/primitives';
import { disableLockValidation, enableLockValidation, LockValidationError, lockValidationReports } from '@lockstep/primitives/validate';
import { sleep } from './support/workers.js';
import { until } from './support/until.js';

beforeEach(() => {
  enableLockValidation({ onReport: 'record' });
});

afterAll(() => {
  disableLockValidation();
});

const kinds = (): string[] => lockValidationReports().map((report) => report.kind);

/*
 * Each test takes and releases its lock a few times in a loop of the function under test itself (a
 * helper would do it in an async context of its own): the acquisition after the loop is a re-arm.
 */

/** Takes `first` then `second`, each awaited in turn, and releases both. */
async function inOrder(first: Lock, second: Lock): Promise<void> {
  await first.acquireAsync();
  await second.acquireAsync();
  second.release();
  first.release();
}

describe('a context re-armed in place', () => {
  test('the code that made the acquisition does not hold the lock before it awaits it', async () => {
    const ledger = new Lock();
    const audit = new Lock();
    async function post(): Promise<void> {
      for (let round = 0; round < 4; round++) {
        await ledger.acquireAsync();
        ledger.release();
      }
      const taken = ledger.acquireAsync();
      // Not awaited yet: what this code takes now is not taken while holding `ledger`.
      await audit.acquireAsync();
      audit.release();
      await taken;
      ledger.release();
    }
    await post();
    await inOrder(audit, ledger);
    expect(kinds()).toEqual([]);
  });

  test('a task started before the acquisition is awaited does not hold the lock', async () => {
    const ledger = new Lock();
    const audit = new Lock();
    async function post(): Promise<void> {
      for (let round = 0; round < 4; round++) {
        await ledger.acquireAsync();
        ledger.release();
      }
      const taken = ledger.acquireAsync();
      const sideTask = (async () => {
        await sleep(1);
        await audit.acquireAsync();
        audit.release();
      })();
      await taken;
      // Held here while the side task takes `audit`: still not an order, the side task never held it.
      await sideTask;
      ledger.release();
    }
    await post();
    await inOrder(audit, ledger);
    expect(kinds()).toEqual([]);
  });

  test('what chains on the acquisition holds the lock: its order is seen, and the inversion reported', async () => {
    const ledger = new Lock();
    const audit = new Lock();
    async function post(): Promise<void> {
      for (let round = 0; round < 4; round++) {
        await ledger.acquireAsync();
        ledger.release();
      }
      const taken = ledger.acquireAsync();
      const chained = taken.then(async () => {
        await audit.acquireAsync();
        audit.release();
      });
      await taken;
      await chained;
      ledger.release();
    }
    await post();
    expect(kinds()).toEqual([]);
    await inOrder(audit, ledger);
    expect(kinds()).toEqual(['lock-order-cycle']);
  });

  test('the lock released before its acquisition is awaited is no bad unlock', async () => {
    const ledger = new Lock();
    for (let round = 0; round < 4; round++) {
      await ledger.acquireAsync();
      ledger.release();
    }
    const taken = ledger.acquireAsync();
    ledger.release();
    expect(await taken).toBe(true);
    expect(ledger.locked).toBe(false);
    for (let round = 0; round < 4; round++) {
      await ledger.acquireAsync();
      ledger.release();
    }
    expect(kinds()).toEqual([]);
  });

  test('a promise of an older acquisition, awaited again, does not hold the lock taken anew', async () => {
    const ledger = new Lock();
    const audit = new Lock();
    const first = ledger.acquireAsync();
    await first;
    ledger.release();
    await ledger.acquireAsync();
    // Held now, by a re-arm of the context `first` handed on: awaiting `first` again hands on what it
    // did, a context where the lock was released.
    await (async () => {
      await first;
      await audit.acquireAsync();
      audit.release();
    })();
    ledger.release();
    await inOrder(audit, ledger);
    expect(kinds()).toEqual([]);
  });

  test('a self-deadlock after a loop of re-arms is still refused, not hung', async () => {
    enableLockValidation({ onReport: 'record', selfDeadlockAfter: 20 });
    const ledger = new Lock();
    async function twice(): Promise<void> {
      for (let round = 0; round < 4; round++) {
        await ledger.acquireAsync();
        ledger.release();
      }
      await ledger.acquireAsync();
      try {
        await ledger.acquireAsync();
      } finally {
        ledger.release();
      }
    }
    await expect(twice()).rejects.toThrow(LockValidationError);
    expect(kinds()).toEqual(['self-deadlock']);
  });

  test('a release by a context that never held the lock is still a bad unlock', async () => {
    const ledger = new Lock();
    async function holder(): Promise<void> {
      for (let round = 0; round < 4; round++) {
        await ledger.acquireAsync();
        ledger.release();
      }
      await ledger.acquireAsync();
    }
    await holder();
    ledger.release();
    expect(kinds()).toEqual(['release-not-held']);
  });

  test('a re-armed hold past the limit is reported by the watchdog', async () => {
    enableLockValidation({ onReport: 'record', holdLimit: 30 });
    const ledger = new Lock();
    for (let round = 0; round < 4; round++) {
      await ledger.acquireAsync();
      ledger.release();
    }
    await ledger.acquireAsync();
    await until(() => lockValidationReports().length > 0, 'the watchdog report');
    ledger.release();
    expect(kinds()).toEqual(['held-too-long']);
  });

  test('a Condition waited on inside the loop re-takes the lock for the waiter: no finding', async () => {
    const ledger = new Lock();
    const posted = new Condition(ledger);
    for (let round = 0; round < 4; round++) {
      await ledger.acquireAsync();
      expect(await posted.waitAsync({ timeout: 1 })).toBe(false);
      expect(ledger.locked).toBe(true);
      ledger.release();
    }
    for (let round = 0; round < 4; round++) {
      await ledger.acquireAsync();
      ledger.release();
    }
    expect(kinds()).toEqual([]);
  });
});
